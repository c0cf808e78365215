-- routing_custom_no_match: in a custom queue whose assignment rules match
-- none of the eligible agents the work stays queued (as in Dynamics 365: the
-- rules are the admin's statement of who may take it); it is visible in
-- omni.routing_invariant_violations(), and a last rule without a condition
-- is the fallback (issue 11, defect 8; docs/routing.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.queue (name, assignment_method) VALUES ('vip', 'custom');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'vip', 10);
INSERT INTO omni.assignment_rule (queue, position, condition, order_by)
VALUES ('vip', 1, '$.attributes.vip == true', '{free_capacity}');
INSERT INTO omni.agent (name, capacity_units, attributes) VALUES ('ann', 100, '{"vip": false}');
INSERT INTO omni.queue_member (queue, agent_id, added_at) SELECT 'vip', id, '2040-01-01' FROM omni.agent;
SELECT omni.login(id) FROM omni.agent;

-- case: work_no_rule_matches_stays_queued_and_is_visible
SELECT omni.enqueue('chat', 'c1') AS c1;
SELECT omni.route() AS offers;
SELECT invariant, conversation_id, agent_id, detail FROM omni.routing_invariant_violations();

-- case: a_last_rule_without_condition_is_the_fallback
INSERT INTO omni.assignment_rule (queue, position, condition, order_by) VALUES ('vip', 2, NULL, '{free_capacity}');
SELECT omni.route() AS offers;
SELECT conversation_id, rule_position, method FROM omni.routing_decision;
SELECT count(*) AS violations FROM omni.routing_invariant_violations();
