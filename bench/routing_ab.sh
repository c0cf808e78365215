#!/usr/bin/env bash
# bench/routing_ab.sh — the live-latency benchmark (bench/routing_latency.sh)
# for this tree and for an older commit, alternated, so that a machine whose
# speed drifts (shared, throttled) moves both alike: prints each run's CPU per
# conversation (all, server, client backends, router) and offer latency, then
# this tree's means against the base's.  The base is built in a git worktree
# against a private copy of the server (so the two builds' libraries never
# overwrite each other) and must be 0.5.0 or later (the benchmark's set-up).
# Run as root from the repository:
#   BASE=a3a31d6 bash bench/routing_ab.sh   (PAIRS=2 RATE=200 SECONDS_LAT=60
#        ENQUEUERS=2 ACCEPTORS=2 FINISHERS=2 WARMUP=2 NO_BUILD=1: this tree is
#        already installed; KEEP_BASE=1: keep the base's build in /tmp)
# Never part of the test suite (it measures time).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
BASE=${BASE:?set BASE to the git commit to compare with}
PAIRS=${PAIRS:-2}
export RATES=${RATE:-200} SECONDS_LAT=${SECONDS_LAT:-60} WARMUP=${WARMUP:-2}
export ENQUEUERS=${ENQUEUERS:-2} ACCEPTORS=${ACCEPTORS:-2} FINISHERS=${FINISHERS:-2}
work=/tmp/omni-ab-$(git rev-parse --short "$BASE") || exit 1
base_pg=$work/pg/usr/lib/postgresql/15/bin/pg_config

bench_build "this tree" || exit 1
if [ ! -x "$base_pg" ] || [ ! -f "$work/built" ]; then
	log "server copy and base build ($BASE) in $work"
	rm -rf "$work"; mkdir -p "$work/pg/usr/lib/postgresql" "$work/pg/usr/share/postgresql" "$work/pg/usr/include"
	pgdir=$(dirname "$("$PG_CONFIG" --bindir)")		# /usr/lib/postgresql/15
	cp -a "$pgdir" "$work/pg/usr/lib/postgresql/"
	cp -a "$(dirname "$("$PG_CONFIG" --sharedir)")/$(basename "$pgdir")" "$work/pg/usr/share/postgresql/"
	cp -a "$(dirname "$("$PG_CONFIG" --includedir)")/postgresql" "$work/pg/usr/include/" 2>/dev/null ||
		cp -a "$("$PG_CONFIG" --includedir)" "$work/pg/usr/include/postgresql"
	chmod -R a+rX "$work"
	git worktree add --detach "$work/src" "$BASE" >/dev/null 2>&1 || exit 1
	(cd "$work/src" && make -s -j2 PG_CONFIG="$base_pg" >/dev/null && make -s install PG_CONFIG="$base_pg" >/dev/null) || exit 1
	touch "$work/built"
fi

# run LABEL [PG_CONFIG]: one benchmark run; appends "label all server client router p50 p99 p999" to $out
out=$(mktemp)
run() {
	local label=$1 log
	log=$(mktemp)
	PG_CONFIG=${2:-$PG_CONFIG} NO_BUILD=1 bash bench/routing_latency.sh >"$log" 2>&1
	python3 - "$label" "$log" >>"$out" <<'PY'
import re, sys
label, text = sys.argv[1], open(sys.argv[2]).read()
def ms(pattern):
    m = re.search(pattern, text)
    return m.group(1) if m else "nan"
print(label,
      ms(r"\n  all +[\d.]+ s +([\d.]+) ms"),
      ms(r"\(server ([\d.]+) ms"),
      # the client backends: one line per role (application_name), those that ended, the rest
      "%.2f" % sum(float(v) for v in re.findall(
          r"\n  (?:backends: \w+|backends that ended|client backends) +[\d.]+ s +([\d.]+) ms", text)),
      ms(r"router +[\d.]+ s +([\d.]+) ms"),
      ms(r"after the warm-up\): p50 ([\d.]+) ms"),
      ms(r"after the warm-up\):.* p99 ([\d.]+) ms"),
      ms(r"after the warm-up\):.* p99\.9 ([\d.]+) ms"))
PY
	tail -1 "$out"
	rm -f "$log"
}
log "$PAIRS pairs at $RATES/s, $SECONDS_LAT s each, $ENQUEUERS/$ACCEPTORS/$FINISHERS connections"
echo "run   all server client router  p50  p99  p99.9  (ms; CPU per conversation, then offer latency)"
for i in $(seq 1 "$PAIRS"); do
	run base "$base_pg"
	run this
done
python3 - "$out" "$BASE" <<'PY'
import math, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
cols = ["all", "server", "client", "router", "p50", "p99", "p99.9"]
def mean(label, k):
    v = [float(r[k + 1]) for r in rows if r[0] == label and not math.isnan(float(r[k + 1]))]
    return sum(v) / len(v) if v else float("nan")
print(f"means over the pairs (this / base {sys.argv[2]}):")
for k, c in enumerate(cols):
    b, t = mean("base", k), mean("this", k)
    print(f"  {c:7s} base {b:8.2f}  this {t:8.2f}  ratio {t / b if b else float('nan'):.2f}")
PY
rm -f "$out"
if [ -z "${KEEP_BASE:-}" ]; then
	git worktree remove --force "$work/src" >/dev/null 2>&1
	rm -rf "$work"
fi
