#!/usr/bin/env bash
# bench/sentiment_peers.sh [TRAINDIR] — run by hand, never by the test suite
# (it measures quality against packages downloaded at run time).
#
# Compares our sentiment scorer (rules only and mode both) with lightweight
# peers from npm on exactly the messages our own figures use:
#   cv            the 5 cross-validation folds of TRAINDIR/<lang>.tsv
#                 (default ../shared/data/sentiment-train), out-of-fold
#                 predictions written by tools/sentiment-train/train -P,
#   sentiment-ood bench/sentiment-ood/<lang>.tsv (never trained on),
#   blind         bench/sentiment-blind/<lang>.tsv (never trained or tuned
#                 on; "sentiment-blind" in PREDFILE, printed as "blind"),
#   sentiment-dev bench/sentiment-dev/<lang>.tsv (TRAINING data of the
#                 learned layer: in-sample for "both", not a fair comparison).
# Peers (pinned) are installed into $OUT/npm (default bench/out/peers/npm, not
# committed, not shipped); docs/sentiment.md "Against lightweight peers" has
# the threshold mapping and the figures.  Needs node and npm, gcc and ICU
# headers (tools/sentiment-train/train.sh).  PEERS_SLOW=1 also runs the slow
# multilang-sentiment peer on the cross-validation sets (≈ 30 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
train=${1:-/work/shared/data/sentiment-train}
[ -d "$train" ] || train=../shared/data/sentiment-train
out=${OUT:-bench/out/peers}
mkdir -p "$out/npm" "$out/model"

peers=(sentiment@5.0.2 vader-sentiment@1.1.3 multilang-sentiment@2.0.0
	@nlpjs/core@4.26.1 @nlpjs/sentiment@4.26.1)
for l in ar ca da de en es eu fr gl it ko pt; do
	peers+=("@nlpjs/lang-$l@4.26.1")
done
echo "# installing peers into $out/npm" >&2
npm install --prefix "$out/npm" --no-audit --no-fund --ignore-scripts --save-exact \
	"${peers[@]}" >&2

# our out-of-fold and evaluation predictions; the models go to $out/model
# (the same bytes as data/model, which this leaves untouched).  train.sh
# already passes -x bench/sentiment-ood; the "eval" lines of train.log come
# in -x order: sentiment-ood, sentiment-blind, sentiment-dev.
echo "# training and cross-validating (tools/sentiment-train), a few minutes" >&2
bash tools/sentiment-train/train.sh "$train" -o "$out/model" \
	-x bench/sentiment-blind -x bench/sentiment-dev -P "$out/ours.tsv" > "$out/train.log"
grep -E '^(cv|eval) ' "$out/train.log" >&2

echo "# peer versions" >&2
(cd "$out/npm" && npm ls --depth=0 2>/dev/null) | sed 's/^/# /'
node bench/sentiment_peers.mjs "$out/ours.tsv" "$out/npm"
