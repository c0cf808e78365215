#!/usr/bin/env bash
# bench/kpi_bench.sh — refresh cost and dashboard query time against N
# historical conversations (default: 100000 1000000 10000000).
#
# Needs a running cluster with omnichannel installed (PGHOST/PGPORT/PGUSER set)
# and omnichannel.enable_workers = off.  For each N it recreates database
# omni_bench, loads N closed conversations (4 events each: enqueued, picked,
# ended, closed) spread over the 30 days before the intraday window with
# set-based INSERTs, with two presence events each (Busy, then Available
# again, as presence follows load), marks them as already counted (with
# their rollup rows),
# then: catch-up refresh of one busy day (20 000 conversations in the last
# 24 h), steady-state refreshes of 200 new conversations (60 picked, 50
# closed) made through the public functions, and the dashboard queries (best of 5).
# BI (docs/kpi.md): a 24-hour hourly omni.kpi_series() and a 24-hour
# omni.kpi() from the rollups (window on 5-minute boundaries; best of 5), and
# once the same omni.kpi() window shifted by one second (from the event log).
# KPI_BENCH_ANALYZE=0: no planner statistics at all (autovacuum off on the
# omni tables, no ANALYZE after the load), as right after a bulk load.
set -euo pipefail
SIZES=${*:-100000 1000000 10000000}
ANALYZE=${KPI_BENCH_ANALYZE:-1}
DAY=20000
NOW='2026-03-02 12:00:00+00'
q() { psql -X -q -v ON_ERROR_STOP=1 -d omni_bench "$@"; }
ms() { # ms SQL: best of 5 runs, in ms
	q -At <<SQL
SET omnichannel.mock_now = '$NOW';
CREATE TEMP TABLE t (ms double precision);
DO \$\$ DECLARE s timestamptz; i int; r record; BEGIN
  FOR i IN 1..5 LOOP s := clock_timestamp(); FOR r IN $1 LOOP END LOOP;
    INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - s) * 1000); END LOOP; END \$\$;
SELECT round(min(ms)::numeric, 2) FROM t;
SQL
}
echo "# planner statistics: $([ "$ANALYZE" != 0 ] && echo 'VACUUM ANALYZE after the load' || echo 'none (no ANALYZE, autovacuum off)')"
printf '%-10s %-12s %-10s %-14s %-14s %-10s %-10s %-10s %-10s %-10s %-12s %-10s %-12s\n' history events catchup_ms refresh200_ms refresh_events \
	queue_kpi agent_kpi agent_stat ongoing by_state series24h_ms kpi24h_ms kpi24h_log_ms
for N in $SIZES; do
	psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS omni_bench' -c 'CREATE DATABASE omni_bench'
	q <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION omnichannel;
DO \$\$ DECLARE t regclass; BEGIN
  IF $ANALYZE = 0 THEN
    FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind = 'r' LOOP
      EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = off)', t);
    END LOOP;
  END IF; END \$\$;
SET omnichannel.mock_now = '2026-01-01 00:00:00+00';
INSERT INTO omni.queue (name) SELECT 'q' || g FROM generate_series(1, 4) g;
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('chat', 'chat', 'q1', 'pick');
INSERT INTO omni.agent (name, capacity_units) SELECT 'agent' || g, 100 FROM generate_series(1, 20) g;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q' || q, a FROM generate_series(1, 4) q, generate_series(1, 20) a;
INSERT INTO omni.customer (name, created_at) SELECT 'c' || g, '2026-01-01' FROM generate_series(1, greatest($N / 100, 1)) g;
SELECT omni.login(a) FROM generate_series(1, 20) a;
-- History: N closed conversations before the intraday window.
CREATE TEMP TABLE h AS
SELECT g AS id, 'q' || (1 + g % 4) AS queue, 1 + g % 20 AS agent,
       timestamptz '$NOW' - interval '25 hours' - (g::double precision / $N) * interval '30 days' AS t0,
       (g % 40) AS wait_s, 60 + g % 600 AS talk_s
  FROM generate_series(1, $N) g;
INSERT INTO omni.conversation (id, workstream, channel, queue, customer, customer_id, state, agent_id, last_agent_id,
                               created_at, queued_at, accepted_at, wrap_up_at, closed_at, close_reason, last_activity_at)
OVERRIDING SYSTEM VALUE
SELECT id, 'chat', 'chat', queue, 'c', 1 + id % greatest($N / 100, 1), 'closed', agent, agent, t0, t0,
       t0 + wait_s * interval '1 s', t0 + (wait_s + talk_s) * interval '1 s',
       t0 + (wait_s + talk_s + 30) * interval '1 s', 'completed', t0 + (wait_s + talk_s + 30) * interval '1 s'
  FROM h;
SELECT setval(pg_get_serial_sequence('omni.conversation', 'id'), $N);
INSERT INTO omni.event (at, kind, conversation_id, agent_id, queue, channel, from_state, to_state, actor, detail)
SELECT x.at, x.kind, h.id, x.agent, h.queue, 'chat', x.f::omni.conversation_state, x.s::omni.conversation_state, 'bench', x.d
  FROM h CROSS JOIN LATERAL (VALUES
    (h.t0, 'enqueued', NULL::bigint, NULL, 'open', '{}'::jsonb),
    (h.t0 + h.wait_s * interval '1 s', 'picked', h.agent, 'open', 'active', jsonb_build_object('wait_s', h.wait_s)),
    (h.t0 + (h.wait_s + h.talk_s) * interval '1 s', 'ended', h.agent, 'active', 'wrap_up', '{}'),
    (h.t0 + (h.wait_s + h.talk_s + 30) * interval '1 s', 'closed', h.agent, 'wrap_up', 'closed', '{"reason": "completed"}'))
    x(at, kind, agent, f, s, d)
 ORDER BY x.at;
-- Presence follows load: each conversation made its agent Busy, then
-- Available again (a live log has about one presence event per
-- conversation; a refresh step must not read them all).
INSERT INTO omni.event (at, kind, agent_id, actor, detail)
SELECT x.at, 'presence', h.agent, 'bench', x.d
  FROM h CROSS JOIN LATERAL (VALUES
    (h.t0 + h.wait_s * interval '1 s', '{"from": "Available", "to": "Busy"}'::jsonb),
    (h.t0 + (h.wait_s + h.talk_s + 30) * interval '1 s', '{"from": "Busy", "to": "Available"}'))
    x(at, d)
 ORDER BY x.at;
-- History is already counted: its rollup rows exist, the cursor is past it.
INSERT INTO omni.kpi_rollup (bucket, queue, channel, agent_id, incoming, handled, answer_s, handle_n, handle_s)
SELECT omni._kpi_bucket(t0), queue, 'chat', agent, count(*), count(*), sum(wait_s), count(*), sum(talk_s + 30)
  FROM h GROUP BY 1, 2, 3, 4;
DO \$\$ BEGIN IF to_regprocedure('omni._kpi_hour_fill(timestamptz)') IS NOT NULL THEN PERFORM omni._kpi_hour_fill(NULL); END IF; END \$\$;
UPDATE omni.kpi_state SET last_id = (SELECT max(id) FROM omni.event);
-- Today: $DAY conversations over the last 24 hours, not yet counted.
CREATE TEMP TABLE d AS
SELECT $N + g AS id, 'q' || (1 + g % 4) AS queue, 1 + g % 20 AS agent,
       timestamptz '$NOW' - interval '24 hours' + (g::double precision / $DAY) * interval '23 hours' AS t0,
       (g % 40) AS wait_s, 60 + g % 600 AS talk_s
  FROM generate_series(1, $DAY) g;
INSERT INTO omni.conversation (id, workstream, channel, queue, customer, customer_id, state, agent_id, last_agent_id,
                               created_at, queued_at, accepted_at, wrap_up_at, closed_at, close_reason, last_activity_at)
OVERRIDING SYSTEM VALUE
SELECT id, 'chat', 'chat', queue, 'c', 1, 'closed', agent, agent, t0, t0, t0 + wait_s * interval '1 s',
       t0 + (wait_s + talk_s) * interval '1 s', t0 + (wait_s + talk_s + 30) * interval '1 s', 'completed',
       t0 + (wait_s + talk_s + 30) * interval '1 s'
  FROM d;
SELECT setval(pg_get_serial_sequence('omni.conversation', 'id'), $N + $DAY);
INSERT INTO omni.event (at, kind, conversation_id, agent_id, queue, channel, from_state, to_state, actor, detail)
SELECT x.at, x.kind, d.id, x.agent, d.queue, 'chat', x.f::omni.conversation_state, x.s::omni.conversation_state, 'bench', x.d
  FROM d CROSS JOIN LATERAL (VALUES
    (d.t0, 'enqueued', NULL::bigint, NULL, 'open', '{}'::jsonb),
    (d.t0 + d.wait_s * interval '1 s', 'picked', d.agent, 'open', 'active', jsonb_build_object('wait_s', d.wait_s)),
    (d.t0 + (d.wait_s + d.talk_s) * interval '1 s', 'ended', d.agent, 'active', 'wrap_up', '{}'),
    (d.t0 + (d.wait_s + d.talk_s + 30) * interval '1 s', 'closed', d.agent, 'wrap_up', 'closed', '{"reason": "completed"}'))
    x(at, kind, agent, f, s, d)
 ORDER BY x.at;
INSERT INTO omni.event (at, kind, agent_id, actor, detail)
SELECT x.at, 'presence', d.agent, 'bench', x.d
  FROM d CROSS JOIN LATERAL (VALUES
    (d.t0 + d.wait_s * interval '1 s', '{"from": "Available", "to": "Busy"}'::jsonb),
    (d.t0 + (d.wait_s + d.talk_s + 30) * interval '1 s', '{"from": "Busy", "to": "Available"}'))
    x(at, d)
 ORDER BY x.at;
SQL
	if [ "$ANALYZE" != 0 ]; then q -c 'VACUUM ANALYZE' >/dev/null; fi
	events=$(q -At -c 'SELECT count(*) FROM omni.event')
	catchup=$(q -At -c "SET omnichannel.mock_now = '$(date -u -d "$NOW - 4 minutes" '+%F %T+00')'" -c 'SELECT omni.refresh_kpis()' -c 'SELECT round(last_duration_ms::numeric) FROM omni.kpi_state' | tail -1)
	# Steady state: 200 new conversations through the public API, then refresh (best of 3 rounds).
	best=999999; evs=0
	for r in 1 2 3; do
		# at NOW - 4 + r minutes: the dashboards below are read at NOW, after it
		q -At >/dev/null <<SQL
SET omnichannel.mock_now = '$(date -u -d "$NOW - $((4 - r)) minutes" '+%F %T+00')';
SELECT omni.enqueue('chat', 'live' || g) FROM generate_series(1, 200) g;
SELECT omni.pick(1 + c.id % 20, c.id) FROM omni.conversation c WHERE c.state = 'open' AND c.id % 2 = 0
 ORDER BY c.id LIMIT 60;
SELECT omni.end_conversation(c.id), omni.close_conversation(c.id) FROM omni.conversation c
 WHERE c.state = 'active' ORDER BY c.id LIMIT 50;
SQL
		out=$(q -At -c "SET omnichannel.mock_now = '$(date -u -d "$NOW - $((4 - r)) minutes" '+%F %T+00')'" -c 'SELECT omni.refresh_kpis()' -c "SELECT round(last_duration_ms::numeric, 1) || ' ' || last_events FROM omni.kpi_state" | tail -1)
		d=${out% *}; evs=${out#* }
		best=$(python3 -c "print(min($best, $d))")
	done
	qk=$(ms 'SELECT * FROM omni.intraday_queue_kpi')
	ak=$(ms 'SELECT * FROM omni.intraday_agent_kpi')
	as=$(ms 'SELECT * FROM omni.agent_status')
	oc=$(ms 'SELECT * FROM omni.ongoing_conversations')
	bs=$(ms 'SELECT * FROM omni.ongoing_by_state')
	s24=$(ms "SELECT * FROM omni.kpi_series(omni.now() - interval '24 hours', omni.now(), '1 hour')")
	k24=$(ms "SELECT * FROM omni.kpi(omni.now() - interval '24 hours', omni.now())")
	l24=$(q -At -c "SET omnichannel.mock_now = '$NOW'" -c '\timing on' \
		-c "SELECT count(*) FROM omni.kpi(omni.now() - interval '24 hours' + interval '1 second', omni.now())" | sed -n 's/^Time: \([0-9.]*\).*/\1/p')
	printf '%-10s %-12s %-10s %-14s %-14s %-10s %-10s %-10s %-10s %-10s %-12s %-10s %-12s\n' "$N" "$events" "$catchup" "$best" "$evs" \
		"$qk" "$ak" "$as" "$oc" "$bs" "$s24" "$k24" "$l24"
done
