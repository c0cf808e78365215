#!/usr/bin/env bash
# bench/routing_history.sh — the cost of an idle routing cycle and of a
# cycle per offer as history grows (issue 8): 1x, 10x and 100x HISTORY
# closed conversations, each with its offers (accepted, some rejected) and
# 6 events, written in bulk; the statistics are left as they were when the
# router's session started (a long-running worker).  For each size: the mean
# of IDLE omni.route() calls with nothing to do, then OFFERS conversations
# enqueued and routed (time per offer).  Run as root from the repository:
#   bash bench/routing_history.sh   (HISTORY=2000 IDLE=200 OFFERS=2000 BENCH_PORT=54341 NO_BUILD=1)
# Never part of the test suite (it measures time).
cd "$(dirname "$0")/.."
. test/cluster.sh
set +e
HISTORY=${HISTORY:-2000}; IDLE=${IDLE:-200}; OFFERS=${OFFERS:-2000}
bench_build || exit 1
log "cluster"
CLUSTER_EXTRA_CONF="omnichannel.enable_workers = off
autovacuum = off
max_wal_size = 4GB
checkpoint_timeout = 30min" start_cluster "${BENCH_PORT:-54341}"
psql -X -q -d postgres -c 'CREATE DATABASE bench'
P() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
P -v agents=1000 -v queues=50 -v skills=3 -f bench/routing_setup.sql >/dev/null

# history N: N more closed conversations with an expired and an accepted offer and 6 events each
history() {
	P <<SQL
INSERT INTO omni.customer (name, created_at) SELECT 'h' || g, now() - interval '30 days' FROM generate_series(1, $1) g;
WITH c AS (
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, state, created_at, queued_at,
                                   accepted_at, wrap_up_at, closed_at, close_reason, last_activity_at, agent_id, last_agent_id)
    SELECT 'bench_chat', 'chat', 'q' || (1 + g % 50), 'h' || g, (SELECT max(id) FROM omni.customer) - g + 1, 'closed',
           now() - interval '20 days', now() - interval '20 days', now() - interval '20 days',
           now() - interval '20 days', now() - interval '20 days', 'done', now() - interval '20 days', NULL, 1 + g % 1000
      FROM generate_series(1, $1) g
    RETURNING id, queue, last_agent_id),
o AS (
    INSERT INTO omni.offer (conversation_id, agent_id, queue, state, created_at, expires_at, decided_at)
    SELECT c.id, c.last_agent_id, c.queue, s, now() - interval '20 days', now() - interval '19 days', now() - interval '20 days'
      FROM c, unnest(ARRAY['expired', 'accepted']::omni.offer_state[]) s
    RETURNING id, conversation_id, agent_id, queue)
INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue, channel, actor, detail)
SELECT now() - interval '20 days', k, o.conversation_id, o.agent_id, o.id, o.queue, 'chat', 'bench', '{}'
  FROM o, unnest(ARRAY['enqueued', 'offered', 'accepted']) k;
SQL
}

# measure: idle cycles, then OFFERS conversations routed; prints ms per idle cycle and ms per offer
measure() {
	P -At 2>&1 <<SQL | sed -n 's/.*NOTICE:  //p'
DO \$\$
DECLARE
    t0 timestamptz;
    idle_ms numeric;
    n integer := 0;
    k integer;
BEGIN
    PERFORM omni.route();        -- plans and configuration as a running worker has them
    t0 := clock_timestamp();
    FOR i IN 1 .. $IDLE LOOP
        PERFORM omni.route();
    END LOOP;
    idle_ms := extract(epoch FROM clock_timestamp() - t0) * 1000 / $IDLE;
    PERFORM omni.enqueue('bench_chat', 'm' || g || '-' || random(), jsonb_build_object('q', 1 + g % 50, 'skilled', g % 2 = 0))
      FROM generate_series(1, $OFFERS) g;
    COMMIT;
    t0 := clock_timestamp();
    LOOP
        k := omni.route();
        COMMIT;
        n := n + k;
        EXIT WHEN k = 0;
    END LOOP;
    RAISE NOTICE 'idle cycle % ms; % offers, % ms per offer (incl. the final empty cycle)',
        round(idle_ms, 3), n, round(extract(epoch FROM clock_timestamp() - t0) * 1000 / greatest(n, 1), 4);
    -- accept, end and close them, so the next size starts with no open work
    PERFORM omni.accept(o.id) FROM omni.offer o WHERE o.state = 'pending';
    PERFORM omni.end_conversation(c.id), omni.close_conversation(c.id) FROM omni.conversation c WHERE c.state = 'active';
END \$\$;
SQL
}

done_rows=0
for factor in 1 10 100; do
	want=$((HISTORY * factor))
	log "history ${factor}x: $want closed conversations"
	history $((want - done_rows)); done_rows=$want
	P -At -c "SELECT 'rows: conversation ' || (SELECT count(*) FROM omni.conversation) || ', offer ' || (SELECT count(*) FROM omni.offer) || ', event ' || (SELECT count(*) FROM omni.event)"
	echo "history ${factor}x: $(measure)"
done
stop_cluster
trap - EXIT
