# lexicon2sql.awk — turns the lexicon files data/lexicon/<lang>.tsv into the
# INSERT statements of the generated install-script part (see Makefile).
#
# A file line is "kind<TAB>term[<TAB>value]"; "#" starts a comment line.
# Kinds (short aliases in brackets): valence [v], negator [neg],
# negator_post [negpost], intensifier [int], diminisher [dim], contrast [but],
# contrast_suffix [butsfx], stopword [stop], suffix [sfx], prefix [pfx],
# profanity [prof].  The language is the file name.
BEGIN { FS = "\t"; print "-- generated from data/lexicon/*.tsv by make; do not edit" }
function q(s) { gsub(/'/, "''", s); return "'" s "'" }
function flush(   t) {
	if (nlex) print "INSERT INTO omni.lexicon (language, term, valence, builtin) VALUES\n" lex ";"
	if (nrule) print "INSERT INTO omni.lexicon_rule (language, term, kind, weight, builtin) VALUES\n" rule ";"
	if (nprof) print "INSERT INTO omni.profanity (language, term, severity, builtin) VALUES\n" prof ";"
	nlex = nrule = nprof = 0; lex = rule = prof = ""
}
FNR == 1 {
	flush()
	lang = FILENAME; sub(/.*\//, "", lang); sub(/\.tsv$/, "", lang)
	delete seen
}
/^#/ || /^[ \t]*$/ { next }
{
	kind = $1; term = $2; val = $3
	sub(/\r$/, "", val)
	if (kind == "v") kind = "valence"; else if (kind == "neg") kind = "negator"
	else if (kind == "negpost") kind = "negator_post"; else if (kind == "int") kind = "intensifier"
	else if (kind == "dim") kind = "diminisher"; else if (kind == "but") kind = "contrast"
	else if (kind == "butsfx") kind = "contrast_suffix"; else if (kind == "stop") kind = "stopword"
	else if (kind == "sfx") kind = "suffix"; else if (kind == "pfx") kind = "prefix"
	else if (kind == "prof") kind = "profanity"
	if (term == "") { printf "%s:%d: empty term\n", FILENAME, FNR > "/dev/stderr"; exit 1 }
	key = kind SUBSEP term
	if (key in seen) next
	seen[key] = 1
	if (kind == "valence") {
		if (val == "") { printf "%s:%d: valence needs a value\n", FILENAME, FNR > "/dev/stderr"; exit 1 }
		lex = lex (nlex++ ? ",\n" : "") "(" q(lang) "," q(term) "," val ",true)"
	} else if (kind == "profanity") {
		prof = prof (nprof++ ? ",\n" : "") "(" q(lang) "," q(term) "," (val == "" ? 2 : val) ",true)"
	} else if (kind ~ /^(negator|negator_post|intensifier|diminisher|contrast|contrast_suffix|stopword|suffix|prefix)$/) {
		rule = rule (nrule++ ? ",\n" : "") "(" q(lang) "," q(term) "," q(kind) "," (val == "" ? "NULL" : val) ",true)"
	} else { printf "%s:%d: unknown kind %s\n", FILENAME, FNR, kind > "/dev/stderr"; exit 1 }
}
END { flush() }
