-- routing_custom_conversation: a custom assignment rule whose condition
-- reads $conversation is evaluated for each (agent, conversation) pair, so
-- conversations routed in one cycle do not inherit each other's match
-- (issue 11, defect 1).  Rule 1 takes a senior agent whose billing
-- proficiency is at least the conversation's requirement + 2, ordered by
-- proficiency; rule 2 takes anyone, lowest tier first.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.skill (name) VALUES ('billing');
INSERT INTO omni.queue (name, assignment_method) VALUES ('a', 'custom'), ('b', 'custom');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'a', 1);
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('chat', 1, '$.q == "b"', 'b');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('chat', 1, '$.topic == "billing"', '{"billing": 5}');
INSERT INTO omni.assignment_rule (queue, position, condition, order_by)
SELECT q, 1, '$.attributes.senior == true && $.skills.billing >= $conversation.required_skills.billing + 2',
       '{"proficiency:billing desc"}' FROM unnest(ARRAY['a', 'b']) q;
INSERT INTO omni.assignment_rule (queue, position, condition, order_by)
SELECT q, 2, NULL, '{"attribute:tier"}' FROM unnest(ARRAY['a', 'b']) q;
INSERT INTO omni.agent (name, capacity_units, attributes) VALUES
    ('senior', 100, '{"senior": true, "tier": 2}'), ('junior', 100, '{"senior": false, "tier": 1}');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'billing', CASE name WHEN 'senior' THEN 9 ELSE 5 END FROM omni.agent;
INSERT INTO omni.queue_member (queue, agent_id, added_at)
SELECT q, a.id, '2040-01-01' FROM omni.agent a, unnest(ARRAY['a', 'b']) q;
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;
CREATE VIEW routed AS
SELECT c.customer, c.required_skills, a.name AS agent, d.rule_position
  FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id JOIN omni.agent a ON a.id = o.agent_id
  JOIN omni.routing_decision d ON d.offer_id = o.id
 ORDER BY o.id;

-- case: a_rule_reading_the_conversation_is_evaluated_per_agent_and_conversation
-- the skill-less conversation first, then the billing one, in one cycle
SELECT omni.enqueue('chat', 'a-plain'), omni.enqueue('chat', 'a-billing', '{"topic": "billing"}');
SELECT omni.route() AS offers;
SELECT * FROM routed WHERE customer LIKE 'a-%';
-- the other order, in one cycle
SELECT omni.enqueue('chat', 'b-billing', '{"topic": "billing", "q": "b"}'), omni.enqueue('chat', 'b-plain', '{"q": "b"}');
SELECT omni.route() AS offers;
SELECT * FROM routed WHERE customer LIKE 'b-%';
SELECT count(*) AS violations FROM omni.routing_invariant_violations();
