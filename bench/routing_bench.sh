#!/usr/bin/env bash
# bench/routing_bench.sh — routing throughput and latency, engine vs baseline.
# Run as root from the repository:  bash bench/routing_bench.sh
# Never part of the test suite (it measures time).
#   N=3000         conversations for the throughput phases (engine and baseline alike)
#   AGENTS=1000 QUEUES=50
#   RATE=200 SECONDS_LAT=15   latency phase: enqueues per second and duration
#   SUSTAIN_RATE=500 SUSTAIN_S=10  sustained phase: rate-limited pgbench enqueues
#   BENCH_PORT=54425 NO_BUILD=1 (skip build + install)
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
N=${N:-3000}; AGENTS=${AGENTS:-1000}; QUEUES=${QUEUES:-50}
RATE=${RATE:-200}; SECONDS_LAT=${SECONDS_LAT:-15}; SUSTAIN_S=${SUSTAIN_S:-10}
bench_build || exit 1
log "cluster"
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
max_wal_size = 4GB
checkpoint_timeout = 30min" start_cluster "${BENCH_PORT:-54425}"
gcc -O2 -o "$RUN/routing_latency" bench/routing_latency.c -I"$(pg_config --includedir)" -lpq -lpthread || exit 1
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c 'CREATE DATABASE bench'
setup() { P -v agents="$AGENTS" -v queues="$QUEUES" -f bench/routing_setup.sql >/dev/null; P -f bench/routing_baseline.sql; }
load() { P -c "SELECT count(omni.enqueue('bench_chat', 'c' || g, jsonb_build_object('q', 1 + g % $QUEUES, 'skilled', g % 2 = 0))) FROM generate_series(1, $N) g" >/dev/null; }
# time_routing FUNCTION: call it until it offers nothing more; prints offers and offers/s
time_routing() {
	P -At -c "VACUUM ANALYZE" >/dev/null
	P -At <<SQL
DO \$\$
DECLARE
    t0 timestamptz := clock_timestamp();
    n integer := 0;
    k integer;
BEGIN
    LOOP
        EXECUTE 'SELECT $1()' INTO k;
        n := n + k;
        EXIT WHEN k = 0;
    END LOOP;
    RAISE NOTICE '%|%', n, round(n / extract(epoch FROM clock_timestamp() - t0))::integer;
END \$\$;
SQL
}

log "engine throughput: omni.route() over $N queued conversations, $AGENTS agents, $QUEUES queues"
setup; load
engine=$(time_routing omni.route 2>&1 | sed -n 's/.*NOTICE:  \(.*\)/\1/p')
echo "engine:   offers=${engine%|*} offers/s=${engine#*|}"

log "baseline throughput: PL/pgSQL, one transaction per conversation, SKIP LOCKED, ORDER BY ... LIMIT 1, one pgbench client"
setup; load
P -At -c "VACUUM ANALYZE" >/dev/null
echo "SELECT public.baseline_route_one();" > "$RUN/baseline.pgb"
pgbench -n -c 1 -t "$N" -f "$RUN/baseline.pgb" bench > "$RUN/baseline.out" 2>&1
offered=$(P -At -c "SELECT count(*) FROM omni.offer")
base=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$RUN/baseline.out" | head -1)
base="$offered|$(printf '%.0f' "${base:-0}")"
echo "baseline: offers=${base%|*} offers/s=${base#*|}"

log "worker throughput: $N conversations queued with the worker off, then the worker routes them"
setup; load
t0=$(P -At -c "SELECT extract(epoch FROM clock_timestamp())")
psql -X -q -d postgres -c "ALTER SYSTEM SET omnichannel.enable_workers = on" -c "SELECT pg_reload_conf()" >/dev/null
t1=$(P -At -c "DO \$\$ BEGIN FOR i IN 1 .. 60000 LOOP EXIT WHEN (SELECT count(*) FROM omni.offer) >= $N; PERFORM pg_sleep(0.001); END LOOP; END \$\$" -c "SELECT extract(epoch FROM clock_timestamp())")
P -At -c "SELECT 'worker: offers=' || count(*) || ' in ' || round(($t1 - $t0)::numeric, 2) || ' s (from the reload that turned it on) offers/s=' || round(count(*) / ($t1 - $t0)) FROM omni.offer"

log "sustained: worker on, pgbench enqueues at ${SUSTAIN_RATE:=500}/s for ${SUSTAIN_S}s"
setup
sleep 1
cat > "$RUN/enqueue.pgb" <<PGB
\set q random(1, $QUEUES)
\set s random(0, 1)
SELECT omni.enqueue('bench_chat', 'pgb' || :client_id || '-' || random(), jsonb_build_object('q', :q, 'skilled', :s = 1));
PGB
t0=$(P -At -c "SELECT clock_timestamp()")
pgbench -n -c 4 -j 2 -R "$SUSTAIN_RATE" -T "$SUSTAIN_S" -f "$RUN/enqueue.pgb" bench >/dev/null 2>&1
sleep 1
P -At -F ' ' -c "SELECT 'sustained: enqueued/s=' || round(count(*) / $SUSTAIN_S.0) FROM omni.conversation WHERE created_at >= '$t0'" \
      -c "SELECT 'sustained: offered/s=' || round(count(*) / $SUSTAIN_S.0) FROM omni.offer WHERE created_at >= '$t0'" \
      -c "SELECT 'sustained: left without offer=' || count(*) FROM omni.conversation c WHERE state = 'open' AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')" \
      -c "SELECT 'worker: cycles=' || cycles || ' offers=' || offers || ' wakeups=' || wakeups || ' errors=' || errors FROM omni.worker_status"

log "latency: worker on, $RATE enqueues/s for ${SECONDS_LAT}s, offers accepted as they arrive"
setup
sleep 1
"$RUN/routing_latency" "host=$PGHOST port=$PGPORT dbname=bench user=postgres" "$RATE" "$SECONDS_LAT"
P -At -c "SELECT 'worker: cycles=' || cycles || ' offers=' || offers || ' wakeups=' || wakeups || ' errors=' || errors || ' last_cycle_ms=' || round(last_cycle_ms::numeric, 2) FROM omni.worker_status"

log "summary"
echo "engine ${engine#*|} offers/s vs baseline ${base#*|} offers/s: ratio $(awk -v a="${engine#*|}" -v b="${base#*|}" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }')"
stop_cluster
trap - EXIT
