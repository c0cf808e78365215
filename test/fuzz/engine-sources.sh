# test/fuzz/engine-sources.sh — sourced by the standalone builds of the
# sentiment engine (test/fuzz/run.sh, build-cli.sh, speed.sh,
# tools/sentiment-train/train.sh): engine_sources [ROOT] prints the engine's
# C files, every src/sentiment/*.c but the backend glue (sentiment_sql.c).
engine_sources() {
	local f
	for f in "${1:-.}"/src/sentiment/*.c; do
		[ "$(basename "$f")" = sentiment_sql.c ] || printf '%s ' "$f"
	done
}
