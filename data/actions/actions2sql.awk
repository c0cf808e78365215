# actions2sql.awk — turns data/actions/<lang>.tsv (action<TAB>phrase, "#"
# comments) into the INSERT of the generated install-script part (Makefile).
BEGIN { FS = "\t"; print "-- generated from data/actions/*.tsv by make; do not edit" }
function q(s) { gsub(/'/, "''", s); return "'" s "'" }
FNR == 1 { lang = FILENAME; sub(/.*\//, "", lang); sub(/\.tsv$/, "", lang); delete seen }
/^#/ || /^[ \t]*$/ { next }
{
	act = $1; phrase = $2; sub(/\r$/, "", phrase)
	if (phrase == "" || act !~ /^(call|email|meeting|send|follow_up|task)$/) {
		printf "%s:%d: expected action<TAB>phrase\n", FILENAME, FNR > "/dev/stderr"; exit 1
	}
	if (phrase in seen) next
	seen[phrase] = 1
	rows = rows (n++ ? ",\n" : "") "(" q(lang) "," q(act) "," q(phrase) ",true)"
}
END { if (n) print "INSERT INTO omni.action_phrase (language, action, phrase, builtin) VALUES\n" rows ";" }
