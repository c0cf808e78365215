#!/usr/bin/env bash
# bench/routing_cold.sh — routing throughput with cold and warm statistics
# (issue 8): the engine against a hand-written PL/pgSQL FOR UPDATE SKIP
# LOCKED router (bench/routing_baseline.sql, baseline_route_all) on a copy
# of the same data in the same run.  1,000 agents, 50 queues, 3 skills,
# 20,000 open conversations enqueued right after set-up.
#   cold: no ANALYZE since the load (autovacuum off), fresh sessions;
#   warm: VACUUM ANALYZE after the load.
# The engine's time counts every omni.route() call (each its own
# transaction) until one returns 0.  Run as root from the repository:
#   bash bench/routing_cold.sh      (N=20000 AGENTS=1000 QUEUES=50 SKILLS=3
#                                    MODES="cold warm" BENCH_PORT=54341 NO_BUILD=1
#                                    EXTRA_CONF="...": more postgresql.conf lines
#                                    BASELINE_TIMEOUT=10min: stop the baseline there and
#                                    print the ratio as a lower bound)
# Never part of the test suite (it measures time).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
N=${N:-20000}; AGENTS=${AGENTS:-1000}; QUEUES=${QUEUES:-50}; SKILLS=${SKILLS:-3}; MODES=${MODES:-"cold warm"}
bench_build || exit 1
log "cluster"
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
autovacuum = off
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 30min${EXTRA_CONF:+
$EXTRA_CONF}" start_cluster "${BENCH_PORT:-54341}"
P() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# load DB: set-up, the baseline function, N conversations (half need a skill)
load() {
	P -d postgres -c "CREATE DATABASE $1"
	P -d "$1" -v agents="$AGENTS" -v queues="$QUEUES" -v skills="$SKILLS" -f bench/routing_setup.sql >/dev/null
	P -d "$1" -f bench/routing_baseline.sql
	P -d "$1" -c "SELECT count(omni.enqueue('bench_chat', 'c' || g, jsonb_build_object('q', 1 + g % $QUEUES, 'skilled', g % 2 = 0))) FROM generate_series(1, $N) g" >/dev/null
}

# engine DB: omni.route() in its own transaction until it returns 0; prints "offers|seconds|calls"
engine() {
	P -d "$1" -At 2>&1 <<'SQL' | sed -n 's/.*NOTICE:  //p'
DO $$
DECLARE
    t0 timestamptz := clock_timestamp();
    n integer := 0;
    k integer;
    calls integer := 0;
    per text := '';
BEGIN
    LOOP
        k := omni.route();
        calls := calls + 1;
        per := per || ' ' || k || ':' || round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
        COMMIT;
        n := n + k;
        EXIT WHEN k = 0;
    END LOOP;
    RAISE NOTICE '%|%|%|%', n, round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3), calls, per;
END $$;
SQL
}

# baseline DB: one call of baseline_route_all(); prints "offers|seconds"
baseline() {
	P -d "$1" -At 2>&1 <<'SQL' | sed -n 's/.*NOTICE:  //p'
DO $$
DECLARE
    t0 timestamptz := clock_timestamp();
    n integer;
BEGIN
    n := public.baseline_route_all();
    RAISE NOTICE '%|%', n, round(extract(epoch FROM clock_timestamp() - t0)::numeric, 3);
END $$;
SQL
}

for mode in $MODES; do
	log "$mode: load $N conversations, $AGENTS agents, $QUEUES queues, $SKILLS skills"
	load bench_src
	[ "$mode" = warm ] && P -d bench_src -c "VACUUM ANALYZE"
	P -d postgres -c "CREATE DATABASE bench_engine TEMPLATE bench_src" -c "CREATE DATABASE bench_base TEMPLATE bench_src"
	e=$(engine bench_engine)
	IFS='|' read -r eo es ec eper <<<"$e"
	echo "$mode engine:   offers=$eo seconds=$es calls=$ec (offers:cumulative s per call:$eper)"
	b=$(PGOPTIONS="-c statement_timeout=${BASELINE_TIMEOUT:-0}" baseline bench_base)
	IFS='|' read -r bo bs <<<"$b"
	if [ -n "$bs" ]; then
		echo "$mode baseline: offers=$bo seconds=$bs"
		awk -v m="$mode" -v es="$es" -v bs="$bs" -v eo="$eo" -v bo="$bo" \
			'BEGIN { printf "%s: engine %.0f offers/s, baseline %.0f offers/s, ratio %.1fx\n", m, eo/es, bo/bs, (eo/es)/(bo/bs) }'
	else
		# stopped by BASELINE_TIMEOUT: it made N offers in more than that time
		echo "$mode baseline: unfinished after BASELINE_TIMEOUT=${BASELINE_TIMEOUT}"
		awk -v m="$mode" -v es="$es" -v t="${BASELINE_TIMEOUT}" \
			'BEGIN { s = t + 0; if (t ~ /min/) s *= 60; else if (t ~ /ms/) s /= 1000; printf "%s: ratio > %.1fx (engine %.3f s, baseline > %s s)\n", m, s/es, es, s }'
	fi
	P -d bench_engine -At -c "SELECT 'engine: ' || count(*) || ' pending offers for ' || count(DISTINCT conversation_id) || ' conversations, ' || (SELECT count(*) FROM omni.conversation WHERE state = 'open') || ' open' FROM omni.offer WHERE state = 'pending'"
	P -d postgres -c "DROP DATABASE bench_engine" -c "DROP DATABASE bench_base" -c "DROP DATABASE bench_src"
done
stop_cluster
trap - EXIT
