#!/usr/bin/env bash
# bench/routing_stress.sh — the big concurrency run, by hand (the test suite
# runs a small one in sql/routing_concurrency.sql).  SESSIONS sessions each
# perform STEPS random API calls (bench/routing_chaos.sql) while the worker
# routes; then the routing invariants are checked.
#   SESSIONS=16 STEPS=2000 AGENTS=200 STRESS_PORT=54426 NO_BUILD=1
#   STRESS_EXTRA_CONF="log_lock_waits = on": more postgresql.conf lines;
#   KEEP_LOG=file: keep the server log (test/cluster.sh)
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
SESSIONS=${SESSIONS:-16}; STEPS=${STEPS:-2000}; AGENTS=${AGENTS:-200}
bench_build || exit 1
log "cluster"
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = on
${STRESS_EXTRA_CONF:-}" start_cluster "${STRESS_PORT:-54426}"
psql -X -q -d postgres -c 'CREATE DATABASE stress'
P() { psql -X -q -v ON_ERROR_STOP=1 -d stress "$@"; }
P -c "CREATE EXTENSION omnichannel" -f bench/routing_chaos.sql -c "SELECT public.routing_chaos_world($AGENTS)" >/dev/null
log "$SESSIONS sessions x $STEPS steps, worker on"
for s in $(seq 1 "$SESSIONS"); do
	P -c "CALL public.routing_chaos($s / 100.0, $STEPS)" &
done
wait
log "results"
P -At -F ' ' -c "SELECT 'offers=' || count(*) || ' accepted=' || count(*) FILTER (WHERE state = 'accepted') || ' declined=' || count(*) FILTER (WHERE state IN ('rejected', 'expired')) FROM omni.offer" \
  -c "SELECT 'conversations=' || count(*) || ' closed=' || count(*) FILTER (WHERE state = 'closed') FROM omni.conversation" \
  -c "SELECT 'worker: cycles=' || cycles || ' offers=' || offers || ' errors=' || errors FROM omni.worker_status" \
  -c "SELECT 'unexpected errors: ' || count(*) FILTER (WHERE op NOT LIKE '%(deadlock)') || ', deadlocks between API calls: ' || count(*) FILTER (WHERE op LIKE '%(deadlock)') FROM public.routing_chaos_error" \
  -c "SELECT op, sqlstate, left(message, 100), count(*) FROM public.routing_chaos_error GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 10" \
  -c "SELECT op, count(*), regexp_replace(split_part(context, E'\n', 1), '\s+', ' ', 'g') AS waited_in,
             regexp_replace(split_part(context, E'\n', 2), '\s+', ' ', 'g') AS called_from
        FROM public.routing_chaos_error WHERE op LIKE '%(deadlock)' GROUP BY 1, 3, 4 ORDER BY 2 DESC LIMIT 10"
psql -X -q -d postgres -c "ALTER SYSTEM SET omnichannel.enable_workers = off" -c "SELECT pg_reload_conf()" >/dev/null
sleep 2
P -At -F ' ' <<'SQL'
BEGIN;
SELECT omni.tick() >= 0 AND omni.route() >= 0;
SELECT 'invariant violations: ' || count(*) FROM omni.routing_invariant_violations();
SELECT invariant, count(*) FROM omni.routing_invariant_violations() GROUP BY 1;
COMMIT;
SQL
stop_cluster
trap - EXIT
