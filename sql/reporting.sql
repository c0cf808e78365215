-- reporting: the omnichannel_reporting group role (SPEC §7) reads every view
-- and KPI but no message text and writes nothing; a pg_read_all_data login
-- reads the views too; BI tools find the intraday KPIs as plain views.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET timezone = 'UTC';
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';
DO $$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY['regress_bi', 'regress_readall'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP; END $$;
CREATE ROLE regress_bi IN ROLE omnichannel_reporting;
CREATE ROLE regress_readall IN ROLE pg_read_all_data;
INSERT INTO omni.queue (name) VALUES ('q1');
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('chat', 'chat', 'q1', 'pick');
INSERT INTO omni.agent (name) VALUES ('ann'), ('bob');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q1', 1), ('q1', 2);
SELECT omni.login(1), omni.login(2);
SELECT omni.enqueue('chat', 'c1') AS c1, omni.enqueue('chat', 'c2') AS c2;
SELECT omni.pick(1, 1);
SELECT omni.post_message(1, 'customer', 'My card number is 1234') > 0 AS posted;
SELECT omni.refresh_kpis() > 0 AS refreshed;

-- Every view and materialized view of the schema is readable by the role.
SELECT c.relname AS not_readable_by_reporting FROM pg_class c
 WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('v', 'm')
   AND NOT has_table_privilege('omnichannel_reporting', c.oid, 'SELECT')
 ORDER BY 1;
-- It writes nothing: no INSERT, UPDATE, DELETE or TRUNCATE anywhere.
SELECT c.relname, p.priv AS writable_by_reporting FROM pg_class c
 CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p(priv)
 WHERE c.relnamespace = 'omni'::regnamespace AND c.relkind IN ('r', 'v', 'm')
   AND has_table_privilege('omnichannel_reporting', c.oid, p.priv);

SET ROLE regress_bi;
SELECT agent_id, name, presence FROM omni.agent_status ORDER BY agent_id;
SELECT queue, state, agent_id FROM omni.ongoing_conversations ORDER BY agent_id NULLS LAST;
SELECT queue, incoming, handled FROM omni.intraday_queue_kpi_v;
SELECT agent_id, handled FROM omni.intraday_agent_kpi_v ORDER BY agent_id;
SELECT queue, incoming FROM omni.supervised_queue_kpi;
SELECT queue, incoming FROM omni.kpi('2026-03-02 08:00+00', '2026-03-02 10:00+00');
SELECT window_start, queue, incoming FROM omni.kpi_series('2026-03-02 08:00+00', '2026-03-02 10:00+00', '1 hour');
-- Every view it is granted can really be read (not only granted): decisions, workers, timelines.
SELECT count(*) >= 0 AS reads_routing_decision FROM omni.routing_decision;
SELECT count(*) > 0 AS reads_worker_status FROM omni.worker_status;
SELECT count(*) >= 0 AS reads_agent_timeline FROM omni.agent_timeline;
SELECT count(*) >= 0 AS reads_one_timeline FROM omni.agent_timeline(1);
-- Message metadata yes, message text no.
SELECT id, sender, sentiment FROM omni.message;
SELECT body FROM omni.message;
SELECT * FROM omni.message;
-- No writes, no actions.
INSERT INTO omni.queue (name) VALUES ('q9');
UPDATE omni.agent SET name = 'x' WHERE id = 1;
SELECT omni.login(1);
SELECT omni.refresh_kpis();
RESET ROLE;

-- A pg_read_all_data login reads the views (rows filtered like an admin's).
SET ROLE regress_readall;
SELECT agent_id, name, presence FROM omni.agent_status ORDER BY agent_id;
SELECT queue, incoming FROM omni.intraday_queue_kpi_v;
RESET ROLE;

-- BI navigators list information_schema.tables: the plain views are there.
SELECT table_name, table_type FROM information_schema.tables
 WHERE table_schema = 'omni' AND table_name LIKE 'intraday%' ORDER BY 1;
DROP ROLE regress_bi;
DROP ROLE regress_readall;
