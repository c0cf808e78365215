#!/usr/bin/env bash
# tools/sentiment-train/train.sh [TRAINDIR] — rebuilds data/model/*.osm from
# the labelled training files (default ../shared/data/sentiment-train) and
# prints the cross-validated and out-of-domain figures of docs/sentiment.md.
# Needs gcc and ICU headers only (libicu-dev); deterministic.
set -e
cd "$(dirname "$0")/../.."
. test/fuzz/engine-sources.sh
train=${1:-/work/shared/data/sentiment-train}
mkdir -p tools/sentiment-train/out data/model
${CC:-gcc} -O2 -g -Wall -Wextra -Isrc/sentiment -Itest/fuzz $(pkg-config --cflags icu-uc) \
	$(engine_sources) tools/sentiment-train/train.c -o tools/sentiment-train/out/train \
	$(pkg-config --libs icu-uc icu-i18n) -lm
exec tools/sentiment-train/out/train -l data/lexicon -t "$train" -d bench/sentiment-dev -o data/model \
	-x bench/sentiment-ood "${@:2}"
