-- routing_offers: push offers hold capacity and expire; reject and expiry are
-- declines; expiry with block_on_missed sets the agent Inactive (SPEC §3, §5).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.queue (name, assignment_method) VALUES ('q', 'round_robin');
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout, capacity_units)
VALUES ('chat', 'chat', 'q', '30 seconds', 25);
INSERT INTO omni.agent (name) VALUES ('ann'), ('bob'), ('cat');
INSERT INTO omni.queue_member (queue, agent_id, added_at)
SELECT 'q', id, '2040-01-01 08:00+00'::timestamptz + id * interval '1 minute' FROM omni.agent;
SELECT omni.login(id) FROM omni.agent ORDER BY id;
CREATE VIEW offers AS
SELECT o.id, c.customer, a.name AS agent, o.state, o.created_at, o.expires_at
  FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id JOIN omni.conversation c ON c.id = o.conversation_id
 ORDER BY o.id;

-- case: an_offer_holds_capacity_and_expires_after_offer_timeout
SELECT omni.enqueue('chat', 'c1');
SELECT omni.route();
SELECT * FROM offers;
SELECT a.name, h.kind, h.units FROM omni.capacity_hold h JOIN omni.agent a ON a.id = h.agent_id;
SELECT e.kind, a.name, e.detail ->> 'method' AS method FROM omni.event e JOIN omni.agent a ON a.id = e.agent_id
 WHERE e.kind = 'offered';
SELECT omni.next_deadline();

-- case: reject_is_a_decline_and_the_next_agent_gets_the_conversation
SELECT omni.reject(id) FROM offers WHERE state = 'pending';
SELECT a.name, s.presence FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id WHERE a.name = 'ann';
SELECT omni.route();
SELECT * FROM offers;

-- case: expiry_is_a_decline_and_sets_the_agent_inactive_when_block_on_missed
SET omnichannel.mock_now = '2040-01-02 09:00:29+00';
SELECT omni.tick();
SET omnichannel.mock_now = '2040-01-02 09:00:30+00';
SELECT omni.accept(id) FROM offers WHERE state = 'pending';
SELECT omni.tick();
SELECT * FROM offers;
SELECT a.name, s.presence, s.chosen_presence FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id ORDER BY a.id;
SELECT count(*) AS holds FROM omni.capacity_hold;
-- the conversation keeps its place and goes on to the next agent (Inactive is excluded)
SELECT omni.route();
SELECT * FROM offers WHERE state = 'pending';

-- case: expiry_without_block_on_missed_leaves_presence_alone
UPDATE omni.workstream SET block_on_missed = false;
SET omnichannel.mock_now = '2040-01-02 09:01:00+00';
SELECT omni.tick();
SELECT a.name, s.presence FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id WHERE a.name = 'cat';

-- case: an_accepted_offer_makes_the_conversation_active_and_keeps_capacity_as_work
SELECT omni.route();
SELECT omni.accept(id) IS NOT NULL AS accepted FROM offers WHERE state = 'pending';
SELECT c.customer, c.state, a.name AS agent FROM omni.conversation c JOIN omni.agent a ON a.id = c.agent_id;
SELECT a.name, h.kind, h.units FROM omni.capacity_hold h JOIN omni.agent a ON a.id = h.agent_id;

-- case: declines_count_rejects_and_expiries_together
SELECT omni.enqueue('chat', 'c2');
SELECT omni.set_presence(id, 'Available') FROM omni.agent WHERE name = 'bob';
SELECT omni.logout(id) FROM omni.agent WHERE name IN ('ann', 'cat') ORDER BY id;
UPDATE omni.workstream SET max_declines = 2;
SELECT omni.route();
SELECT omni.reject(id) FROM offers WHERE state = 'pending' AND customer = 'c2';
SET omnichannel.mock_now = '2040-01-02 09:02:00+00';
SELECT omni.route();
SET omnichannel.mock_now = '2040-01-02 09:03:00+00';
SELECT omni.tick();
SELECT omni.route();
SELECT customer, agent, state FROM offers WHERE customer = 'c2';

-- case: logout_rescinds_pending_offers
SELECT omni.login(id) FROM omni.agent WHERE name = 'ann';
SELECT omni.route();
SELECT omni.logout(id) FROM omni.agent WHERE name = 'ann';
SELECT customer, agent, state FROM offers WHERE customer = 'c2' ORDER BY id DESC LIMIT 1;
SELECT o.reason FROM omni.offer o ORDER BY o.id DESC LIMIT 1;

-- case: next_deadline_is_null_without_pending_work
SELECT omni.force_close(id) FROM omni.conversation WHERE state <> 'closed' ORDER BY id;
SELECT omni.next_deadline();
SELECT * FROM omni.routing_invariant_violations();
