#!/usr/bin/env bash
# bench/worker_kpi_overlap.sh — does a KPI refresh delay an offer?  (docs/worker.md)
# Run as root from the repository:  bash bench/worker_kpi_overlap.sh
# Never part of the test suite (it measures time).
#   HISTORY=20000  abandoned conversations loaded first (what the refresh has to chew on)
#   SAMPLES=300    conversations enqueued one at a time; for each: commit -> offer latency,
#                  and whether the KPI refresher was inside omni.refresh_kpis() meanwhile
#   BENCH_PORT=54332 NO_BUILD=1 (skip build + install)
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
HISTORY=${HISTORY:-20000}; SAMPLES=${SAMPLES:-300}
bench_build || exit 1
log "cluster (workers on, KPI refresh every 300 ms)"
CLUSTER_EXTRA_CONF="omnichannel.kpi_refresh_interval = '300ms'" start_cluster "${BENCH_PORT:-54332}"
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
psql -X -q -d postgres -c 'CREATE DATABASE bench'
log "set-up: 50 agents, history of $HISTORY abandoned conversations (workers paused)"
P <<SQL
SET client_min_messages = warning;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();
INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout, capacity_units)
     VALUES ('chat', 'chat', 'q', '1 hour', 1);
INSERT INTO omni.agent (name, capacity_units) SELECT 'a' || g, 100 FROM generate_series(1, 50) g;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q', id FROM omni.agent;
SELECT count(omni.enqueue('chat', 'h' || g)) FROM generate_series(1, $HISTORY) g;
SELECT count(omni.abandon(id)) FROM omni.conversation;
SELECT count(omni.login(id)) FROM omni.agent;
SELECT omni.refresh_kpis();
VACUUM ANALYZE;
SELECT omni.resume_workers();
SQL
P -c "SELECT pg_sleep(2)" >/dev/null
log "probe: $SAMPLES conversations, one at a time"
P <<SQL
CREATE TABLE probe (n int, latency_ms double precision, refresh_during boolean);
CREATE PROCEDURE probe_run(samples int) LANGUAGE plpgsql AS \$\$
DECLARE
    c bigint; t0 timestamptz; kpi int; during boolean; done boolean;
BEGIN
    FOR i IN 1 .. samples LOOP
        SELECT kpi_pid INTO kpi FROM omni.worker_status WHERE database = current_database();
        c := omni.enqueue('chat', 'p' || i);
        COMMIT;
        t0 := clock_timestamp();
        during := false;
        LOOP
            PERFORM pg_stat_clear_snapshot();
            during := during OR EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = kpi AND state = 'active'
                                                                        AND query = 'omni.refresh_kpis()');
            SELECT EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c) INTO done;
            EXIT WHEN done OR clock_timestamp() - t0 > interval '5 s';
            PERFORM pg_sleep(0.0005);
        END LOOP;
        INSERT INTO probe VALUES (i, extract(epoch FROM clock_timestamp() - t0) * 1000, during);
        COMMIT;
        PERFORM pg_sleep(0.02 + random() * 0.03);
    END LOOP;
END \$\$;
CALL probe_run($SAMPLES);
SQL
P <<'SQL'
\echo '== enqueue-commit -> offer latency (ms), by whether omni.refresh_kpis() was running meanwhile'
SELECT refresh_during, count(*) AS samples,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)::numeric, 2) AS p50,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)::numeric, 2) AS p99,
       round(max(latency_ms)::numeric, 2) AS max
  FROM probe GROUP BY 1 ORDER BY 1;
\echo '== KPI refreshes meanwhile'
SELECT kpi_refreshes, round(last_kpi_ms::numeric, 1) AS last_kpi_ms, cycles, offers, errors
  FROM omni.worker_status WHERE database = current_database();
SQL
stop_cluster
