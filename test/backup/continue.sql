-- test/backup/continue.sql — work goes on (run on the original and on the
-- restored database: both must print the same and end with the same rows).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT set_config('omnichannel.mock_now', '2026-03-01 10:00:00+00', false) IS NOT NULL AS clock_set;
SELECT omni.tick() AS ticked;
SELECT count(omni.set_presence(a, 'Available')) AS agents_back FROM generate_series(1, 4) a;
SELECT omni.enqueue('chat', 'after-restore') AS new_conversation;
SELECT omni.route() AS offers_made;
SELECT omni.accept(max(o.id)) IS NULL AS accepted FROM omni.offer o WHERE o.state = 'pending';
SELECT omni.post_message(max(id), 'customer', 'Hello again') AS new_message FROM omni.conversation;
SELECT omni.refresh_kpis() AS events_counted;
SELECT queue, channel, incoming, handled, abandoned FROM omni.intraday_queue_kpi ORDER BY queue, channel;
SELECT agent_id, offers, handled FROM omni.intraday_agent_kpi ORDER BY agent_id;
SELECT count(*) AS invariant_violations FROM omni.routing_invariant_violations();
