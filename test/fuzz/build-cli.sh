#!/usr/bin/env bash
# build-cli.sh — builds test/fuzz/out/sentiment_cli (standalone engine driver).
cd "$(dirname "$0")/../.." && mkdir -p test/fuzz/out || exit 1
. test/fuzz/engine-sources.sh
exec ${CC:-gcc} -O2 -g -Wall -Wextra -Isrc/sentiment -Itest/fuzz $(pkg-config --cflags icu-uc) \
	$(engine_sources) test/fuzz/sentiment_cli.c \
	-o test/fuzz/out/sentiment_cli $(pkg-config --libs icu-uc icu-i18n) -lm
