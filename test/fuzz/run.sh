#!/usr/bin/env bash
# test/fuzz/run.sh [SECONDS] — builds the libFuzzer harness of the sentiment
# engine with clang (ASan + UBSan) and runs it for SECONDS (default 30) on a
# seed corpus of hostile and ordinary messages.  First the two word breakers
# of non-ASCII text must agree on the development and out-of-domain sets and
# 200,000 generated messages (wordbreak_check.c); the fuzzer compares them
# on every input too.  Prints "fuzz: ok" when no
# crash was found, "fuzz: skipped ..." when clang or its fuzzer runtime
# (Debian package libclang-rt-14-dev) is missing, "fuzz: FAILED" otherwise.
cd "$(dirname "$0")/../.." || exit 1
. test/fuzz/engine-sources.sh
secs=${1:-30}
out=test/fuzz/out
mkdir -p "$out/corpus"
CLANG=$(command -v clang-14 || command -v clang || true)
if [ -z "$CLANG" ]; then echo "fuzz: skipped (clang not installed)"; exit 0; fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long s){return 0;}' |
	"$CLANG" -x c -fsanitize=fuzzer - -o "$out/probe" >/dev/null 2>&1; then
	echo "fuzz: skipped (libFuzzer runtime missing: install libclang-rt-14-dev)"; exit 0
fi
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Isrc/sentiment -Itest/fuzz $(pkg-config --cflags icu-uc) \
	$(engine_sources) test/fuzz/fuzz_sentiment.c -o "$out/fuzz_sentiment" \
	$(pkg-config --libs icu-uc icu-i18n) -lm >"$out/build.log" 2>&1; then
	echo "fuzz: FAILED (build, see $out/build.log)"; exit 1
fi
if ! "$CLANG" -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-Isrc/sentiment -Itest/fuzz $(pkg-config --cflags icu-uc) \
	$(engine_sources) test/fuzz/wordbreak_check.c -o "$out/wordbreak_check" \
	$(pkg-config --libs icu-uc icu-i18n) -lm >"$out/build.log" 2>&1; then
	echo "fuzz: FAILED (build, see $out/build.log)"; exit 1
fi
for f in bench/sentiment-dev/*.tsv bench/sentiment-ood/*.tsv; do grep -v '^#' "$f" | cut -f2-; done >"$out/sets.txt"
if ! "$out/wordbreak_check" 200000 "$out/sets.txt" >"$out/wordbreak.log" 2>&1; then
	echo "fuzz: FAILED (word breakers differ, see $out/wordbreak.log)"; exit 1
fi
# seed corpus: the development and out-of-domain sets and hostile shapes
i=0
for f in bench/sentiment-dev/*.tsv bench/sentiment-ood/*.tsv; do
	while IFS=$'\t' read -r _ text; do
		printf '%s' "$text" >"$out/corpus/dev$i"; i=$((i + 1))
	done <"$f"
done
printf 'f*ck t\xe2\x80\x8bhis !!! :) \xf0\x9f\x98\xa1 NOT good sooooo' >"$out/corpus/h1"
printf 'e\xcc\x81\xcc\x81\xcc\x81\xcc\x81 \xe2\x80\xae\xd8\xa7\xd9\x84\xd8\xae\xd8\xaf\xd9\x85\xd8\xa9 \xef\xb7\xba \x01\x02\x7f' >"$out/corpus/h2"
printf '\xed\x95\x98\xec\xa7\x80\xeb\xa7\x8c \xec\xa2\x8b\xec\xa7\x80 \xec\x95\x8a\xec\x95\x84\xec\x9a\x94 \xff\xfe\xc0' >"$out/corpus/h3"
if "$out/fuzz_sentiment" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$out/" "$out/corpus" >"$out/fuzz.log" 2>&1; then
	echo "fuzz: ok"
else
	echo "fuzz: FAILED (see $out/fuzz.log)"; exit 1
fi
