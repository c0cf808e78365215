-- kpi_history: a KPI refresh step costs what it counts, not the history
-- (and the supervisors' views and the refusal to delete a workstream or a
-- queue read the live rows, at the end).
-- With 30,000 presence events and 30,000 conversation events counted
-- already, a step over a few new events reads a few pages of omni.event and
-- its indexes (counted in this backend's buffer accesses), whatever plan the
-- statistics give; and a refresh of many new events at once sets its gaps
-- apart by set operations (the result is checked here; the time it saves is
-- in docs/worker.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
SET omnichannel.mock_now = '2026-03-02 10:00:00+00';
INSERT INTO omni.queue (name) VALUES ('q1');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q1');
INSERT INTO omni.agent (name) SELECT 'agent' || i FROM generate_series(1, 20) i;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q1', id FROM omni.agent;

-- History, as a worker that ran for days leaves it: presence changes of the
-- 20 agents and other events in the 17 hours before, all counted.
INSERT INTO omni.event (at, kind, agent_id, actor, detail)
SELECT timestamptz '2026-03-01 17:00+00' + i * interval '2 seconds', 'presence', 1 + i % 20, 'system',
       jsonb_build_object('from', CASE WHEN i % 40 < 20 THEN 'Available' ELSE 'Busy' END,
                          'to', CASE WHEN i % 40 < 20 THEN 'Busy' ELSE 'Available' END)
  FROM generate_series(1, 30000) i;
INSERT INTO omni.event (at, kind, queue, channel, actor, detail)
SELECT timestamptz '2026-03-01 17:00+00' + i * interval '2 seconds', 'note', 'q1', 'chat', 'system', '{}'
  FROM generate_series(1, 30000) i;
UPDATE omni.kpi_state SET last_id = (SELECT max(id) FROM omni.event);

-- New work: a shift logs in and takes two conversations.
SELECT count(*) AS logged_in FROM (SELECT omni.login(id) FROM omni.agent WHERE id <= 3) x;
SELECT omni.enqueue('chat', 'c1') AS c1, omni.enqueue('chat', 'c2') AS c2;
SELECT omni._make_offer(1, 1) IS NOT NULL AS offered, omni._make_offer(2, 2) IS NOT NULL AS offered;
SELECT omni.accept(o.id) FROM omni.offer o ORDER BY o.id;
SELECT count(*) AS new_events FROM omni.event e WHERE e.id > (SELECT last_id FROM omni.kpi_state);

-- Buffer accesses by this backend so far: of the log's heap, of the index of
-- presence events, of the log and all its indexes.
CREATE FUNCTION pg_temp.pages(OUT heap bigint, OUT presence_idx bigint, OUT total bigint)
    LANGUAGE sql AS $$
    SELECT pg_stat_get_xact_blocks_fetched('omni.event'::regclass),
           pg_stat_get_xact_blocks_fetched('omni.kpi_event_presence_idx'::regclass),
           (SELECT sum(pg_stat_get_xact_blocks_fetched(c.oid))::bigint FROM pg_class c
             WHERE c.oid = 'omni.event'::regclass
                OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'omni.event'::regclass)) $$;

-- One step, as the worker takes it, without statistics (the history was just
-- loaded).  The log is 1,200 heap pages and the presence index 130; before,
-- the step read them all: "more" was a sequential scan of the log, and the
-- presence facts a scan of every presence event ever.
BEGIN;
SELECT heap AS heap0, presence_idx AS presence0, total AS total0 FROM pg_temp.pages() \gset
SELECT counted, more FROM omni._kpi_add_new_events(2000);
SELECT heap - :heap0 < 40 AS few_heap_pages, presence_idx - :presence0 < 20 AS few_presence_index_pages,
       total - :total0 < 200 AS few_pages
  FROM pg_temp.pages();
COMMIT;

-- Again with fresh statistics (half of the log is presence events): still
-- few pages.
ANALYZE omni.event;
SELECT omni.set_presence(3, 'Away');
BEGIN;
SELECT heap AS heap0, presence_idx AS presence0, total AS total0 FROM pg_temp.pages() \gset
SELECT counted, more FROM omni._kpi_add_new_events(2000);
SELECT heap - :heap0 < 40 AS few_heap_pages, presence_idx - :presence0 < 20 AS few_presence_index_pages,
       total - :total0 < 200 AS few_pages
  FROM pg_temp.pages();
COMMIT;

-- The presence time counted: the logins closed intervals that began in the
-- history (each agent's last presence change there, 16 h 40 min earlier).
SELECT agent_id, presence, count(*) AS buckets, sum(seconds) AS seconds
  FROM omni.kpi_presence_rollup WHERE agent_id <= 3 GROUP BY 1, 2 ORDER BY 1, 2;

-- Many events at once, with gaps among them (ids taken by rolled-back
-- writers): every visible event counted once, the gaps kept apart.
SELECT omni.refresh_kpis() AS settle;
BEGIN;
INSERT INTO omni.event (at, kind, queue, channel, actor, detail)
SELECT omni.now(), 'note', 'q1', 'chat', 'system', '{}' FROM generate_series(1, 5);
ROLLBACK;
INSERT INTO omni.event (at, kind, queue, channel, actor, detail)
SELECT omni.now(), 'note', 'q1', 'chat', 'system', '{}' FROM generate_series(1, 20000);
SELECT omni.refresh_kpis() AS events_counted;
SELECT cardinality(gaps) AS gaps_kept, last_id = (SELECT max(id) FROM omni.event) AS up_to_date,
       cardinality(done_above) AS done_above
  FROM omni.kpi_state;
-- The writer of the gaps is long gone: the next refresh lets them go.
SELECT omni.refresh_kpis() AS events_counted;
SELECT cardinality(gaps) AS gaps_kept, last_id = (SELECT max(id) FROM omni.event) AS up_to_date,
       cardinality(done_above) AS done_above, events_processed
  FROM omni.kpi_state;

-- The supervisors' count per queue and state (omni.ongoing_by_state) reads
-- the live conversations of each queue, not the history: 30,000 closed
-- conversations loaded just now (no statistics), a few live ones.
INSERT INTO omni.conversation (id, workstream, channel, queue, customer, customer_id, state, agent_id,
                               last_agent_id, created_at, queued_at, accepted_at, wrap_up_at, closed_at,
                               close_reason, last_activity_at)
OVERRIDING SYSTEM VALUE
SELECT 1000 + g, 'chat', 'chat', 'q1', 'c1', (SELECT customer_id FROM omni.conversation WHERE id = 1), 'closed',
       1, 1, t, t, t, t, t, 'completed', t
  FROM generate_series(1, 30000) g, LATERAL (SELECT timestamptz '2026-03-01 12:00+00' + g * interval '1 s') x(t);
CREATE FUNCTION pg_temp.conversation_pages() RETURNS bigint LANGUAGE sql AS $$
    SELECT pg_stat_get_xact_blocks_fetched('omni.conversation'::regclass) $$;
BEGIN;
SELECT pg_temp.conversation_pages() AS before \gset
SELECT queue, open_count, active_count, ongoing_count FROM omni.ongoing_by_state;
SELECT pg_temp.conversation_pages() - :before < 20 AS reads_the_live_conversations_not_the_history;
COMMIT;

-- The same for the list of ongoing conversations and the escalations.
BEGIN;
SELECT pg_temp.conversation_pages() AS before \gset
SELECT count(*) AS ongoing FROM omni.ongoing_conversations;
SELECT count(*) AS escalations FROM omni.escalations;
SELECT pg_temp.conversation_pages() - :before < 20 AS reads_the_live_conversations_not_the_history;
COMMIT;

-- And for the refusal to delete a workstream or a queue that still has live
-- conversations (omni.conversation has no index by workstream: the live rows
-- are read through conversation_live_idx and filtered).
CREATE FUNCTION pg_temp.refused(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'deleted';
EXCEPTION WHEN object_in_use THEN
    RETURN SQLERRM;
END $$;
BEGIN;
SELECT pg_temp.conversation_pages() AS before \gset
SELECT pg_temp.refused($$DELETE FROM omni.workstream WHERE name = 'chat'$$) AS workstream;
SELECT pg_temp.refused($$DELETE FROM omni.queue WHERE name = 'q1'$$) AS queue;
SELECT pg_temp.conversation_pages() - :before < 20 AS reads_the_live_conversations_not_the_history;
COMMIT;
