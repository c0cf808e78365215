-- routing_upgrade: the current library routes with the 0.1.0 SQL objects (the
-- 0.1.0 statements, configuration read each cycle, the decision in the
-- event) until ALTER EXTENSION UPDATE, and with the current ones right after
-- it in the same session (one offer path, cached configuration, decisions
-- in omni.offer_decision, the 0.1.0 decisions moved there).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
-- installcheck: this database's workers stay out of the way (0.1.0's SQL has no omni.pause_workers)
CREATE FUNCTION pg_temp.pause_workers() RETURNS void LANGUAGE c AS '$libdir/omnichannel', 'omni_pause_workers';
SELECT pg_temp.pause_workers();
CREATE EXTENSION omnichannel VERSION '0.1.0';
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q', 10);
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 100), ('bob', 50);
INSERT INTO omni.queue_member (queue, agent_id, added_at) SELECT 'q', id, '2040-01-01' FROM omni.agent;
SELECT omni.login(id) FROM omni.agent ORDER BY id;

-- case: the_library_routes_with_the_0_1_0_sql
SELECT omni.enqueue('chat', 'c1') AS c1;
SELECT omni.route() AS offers;
SELECT offer_id, agent_id, detail ? 'runner_up' AS decision_in_event FROM omni.event WHERE kind = 'offered';

-- case: after_the_update_the_next_cycle_uses_the_0_2_0_path
SET client_min_messages = warning;
ALTER EXTENSION omnichannel UPDATE;
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'omnichannel';
SELECT omni.enqueue('chat', 'c2') AS c2;
SELECT omni.route() AS offers;
SELECT offer_id, agent_id, detail ? 'runner_up' AS decision_in_event FROM omni.event WHERE kind = 'offered' ORDER BY offer_id;
SELECT offer_id, agent_id, method, runner_up_agent_id FROM omni.routing_decision ORDER BY offer_id;
SELECT count(*) AS violations FROM omni.routing_invariant_violations();
