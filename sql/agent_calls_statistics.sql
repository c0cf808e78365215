-- agent_calls_statistics: the agents' calls (enqueue, accept, end, close)
-- keep their key lookups whatever the statistics say (issue 8;
-- docs/routing.md, "Cost").  The runtime tables are vacuumed while empty,
-- as an autovacuum right after set-up (or a DBA's VACUUM ANALYZE) would: the
-- statistics say they are empty, and a plan made while they hold a page
-- reads them whole.  Such plans are cached (PL/pgSQL, foreign-key checks)
-- and would cost more with every conversation until the next ANALYZE.
-- omnichannel.planner_min_pages keeps the planner from believing it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse

INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout)
VALUES ('chat', 'chat', 'q', 10, '1 hour');
INSERT INTO omni.agent (name, capacity_units) SELECT 'agent' || g, 100 FROM generate_series(1, 5) g;
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q', id FROM omni.agent;
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;

-- The whole loop of a conversation, n times, as one app would call it.
CREATE FUNCTION agent_loop(n integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
    o bigint;
BEGIN
    FOR i IN 1 .. n LOOP
        c := omni.enqueue('chat', 'customer-' || i || '-' || random(), '{}');
        PERFORM omni.route();
        o := (SELECT omni.accept(id) FROM omni.offer WHERE conversation_id = c AND state = 'pending');
        PERFORM omni.end_conversation(c);
        PERFORM omni.close_conversation(c);
    END LOOP;
    RETURN n;
END $$;

-- case: the_runtime_tables_are_vacuumed_while_empty
-- (and no autovacuum analyzes them during the test)
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY ARRAY['conversation', 'offer', 'customer', 'customer_identity', 'capacity_hold', 'event'] LOOP
        EXECUTE format('ALTER TABLE omni.%I SET (autovacuum_enabled = false)', t);
    END LOOP; END $$;
VACUUM omni.conversation, omni.offer, omni.customer, omni.customer_identity, omni.capacity_hold, omni.event;
SELECT relname, relpages, reltuples FROM pg_class
 WHERE oid IN ('omni.conversation'::regclass, 'omni.offer'::regclass, 'omni.customer'::regclass)
 ORDER BY relname;

-- case: believing_the_statistics_reads_whole_tables
-- A new session with the floor off: its plans are made now, while the
-- tables hold a page; the calls then read them whole.
\c
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';
SET omnichannel.planner_min_pages = 0;
BEGIN;
SELECT agent_loop(20) AS conversations;
SELECT relname, seq_scan > 0 AS read_whole
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'omni' AND relname IN ('conversation', 'customer')
 ORDER BY relname;
COMMIT;

-- case: the_floor_keeps_key_lookups
-- A new session with the default floor: no runtime table is read whole,
-- whatever the statistics say.
\c
SET omnichannel.mock_now = '2040-01-02 10:00:00+00';
SHOW omnichannel.planner_min_pages;
BEGIN;
SELECT agent_loop(20) AS conversations;
SELECT relname, seq_scan AS whole_table_reads
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'omni'
   AND relname IN ('conversation', 'offer', 'customer', 'customer_identity', 'capacity_hold', 'event')
 ORDER BY relname;
COMMIT;
-- the statistics still say empty
SELECT relname, relpages, reltuples FROM pg_class
 WHERE oid IN ('omni.conversation'::regclass, 'omni.offer'::regclass, 'omni.customer'::regclass)
 ORDER BY relname;

-- case: only_a_superuser_changes_the_floor
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_acs_agent') THEN DROP ROLE regress_acs_agent; END IF;
END $$;
CREATE ROLE regress_acs_agent IN ROLE omnichannel_agent;
SET ROLE regress_acs_agent;
SET omnichannel.planner_min_pages = 0;
RESET ROLE;
DROP ROLE regress_acs_agent;

SELECT count(*) AS closed FROM omni.conversation WHERE state = 'closed';
SELECT count(*) AS violations FROM omni.routing_invariant_violations();
