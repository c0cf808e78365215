#!/usr/bin/env bash
# build-cli.sh — builds test/fuzz/out/sentiment_cli (standalone engine driver).
cd "$(dirname "$0")/../.." && mkdir -p test/fuzz/out
exec ${CC:-gcc} -O2 -g -Wall -Wextra -Isrc/sentiment -Itest/fuzz $(pkg-config --cflags icu-uc) \
	src/sentiment/lexicon.c src/sentiment/tokenizer.c src/sentiment/scorer.c src/sentiment/model.c test/fuzz/sentiment_cli.c \
	-o test/fuzz/out/sentiment_cli $(pkg-config --libs icu-uc icu-i18n) -lm
