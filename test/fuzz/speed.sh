#!/usr/bin/env bash
# test/fuzz/speed.sh [REV] — instructions per message of the sentiment engine
# under callgrind (deterministic: immune to the load of a shared machine).
# Workload: 3,000 messages built like bench/sentiment_bench.sh's (two
# development sentences of one language and an order number; the ten-language
# mix and English), scored by test/fuzz/sentiment_speed.c like omni.sentiment
# (no hint, no evidence); only sent_analyze is counted (loading is not).
# Prints instructions per message for modes rules and both of this tree and,
# with REV (e.g. e2b5247, the 0.1.0 engine), for that revision's engine with
# this tree's workload and that revision's lexicons.  Runs by hand (~1 min).
cd "$(dirname "$0")/../.." || exit 1
. test/fuzz/engine-sources.sh
command -v valgrind >/dev/null || { echo "speed: valgrind not installed"; exit 1; }
out=test/fuzz/out/speed
mkdir -p "$out"
python3 - "$out" <<'PY'
import sys
langs = ['ar', 'da', 'de', 'en', 'es', 'fr', 'gl', 'it', 'ko', 'pt']
d = {}
for l in langs:
    d[l] = sorted(x.rstrip('\n').split('\t', 1)[1]
                  for x in open(f'bench/sentiment-dev/{l}.tsv', encoding='utf-8')
                  if not x.startswith('#') and '\t' in x)
with open(sys.argv[1] + '/mix.txt', 'w', encoding='utf-8') as mix, \
     open(sys.argv[1] + '/en.txt', 'w', encoding='utf-8') as en:
    for g in range(1, 3001):
        l = langs[g % 10]
        mix.write(f"{d[l][(g // 10) % 30]} {d[l][(g // 300) % 30]} #{g}\n")
        e = d['en']
        en.write(f"{e[g % 36]} {e[(g // 36) % 36]} #{g}\n")
PY
build() {	# build ROOT BINARY
	local root=$1 srcs extra=
	srcs=$(engine_sources "$root")
	if [ -f "$root/src/sentiment/model.c" ]; then extra=-DMODELS; fi
	${CC:-gcc} -O2 -g $extra -I"$root/src/sentiment" -I"$root/test/fuzz" $(pkg-config --cflags icu-uc) \
		$srcs "$root/test/fuzz/sentiment_speed.c" -o "$2" $(pkg-config --libs icu-uc icu-i18n) -lm
}
count() {	# count BINARY FILE [LEXDIR] -> instructions per message
	valgrind --tool=callgrind --toggle-collect=sent_analyze --callgrind-out-file="$out/cg.out" \
		"$1" "$2" 1 $3 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' |
		awk '{ printf "%.0f", $1 / 3000 }'
}
build . "$out/speed_here" || exit 1
for f in mix en; do
	for m in rules both; do
		echo "this tree, mode $m, $f: $(SENT_MODE=$m count "$out/speed_here" "$out/$f.txt") instructions/message"
	done
done
if [ -n "$1" ]; then
	rm -rf "$out/rev" && mkdir -p "$out/rev"
	git archive "$1" src/sentiment test/fuzz/sent_load.h data/lexicon | tar -x -C "$out/rev" || exit 1
	cp test/fuzz/sentiment_speed.c "$out/rev/test/fuzz/"	# includes that revision's sent_load.h
	build "$out/rev" "$out/speed_rev" || exit 1
	for f in mix en; do
		echo "$1, $f: $(count "$out/speed_rev" "$out/$f.txt" "$out/rev/data/lexicon") instructions/message"
	done
fi
