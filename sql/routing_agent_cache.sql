-- routing_agent_cache: the agents a routing backend keeps between cycles
-- (src/routing/agent_cache.c) follow changes its own transaction has not
-- committed yet, forget what a rolled-back transaction showed them, and are
-- read whole again only when their configuration changes.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.queue (name, assignment_method) VALUES ('q', 'highest_capacity');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q', 10);
INSERT INTO omni.agent (id, name, capacity_units) VALUES (1, 'ann', 100), (2, 'bob', 50);
INSERT INTO omni.queue_member (queue, agent_id, added_at) VALUES ('q', 1, '2040-01-01'), ('q', 2, '2040-01-01');
SELECT omni.login(1), omni.login(2);
CREATE TEMP VIEW offers AS
SELECT c.customer, o.agent_id, o.state FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id ORDER BY o.id;

-- case: the_first_cycle_reads_every_agent_then_only_what_changed
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads;
SELECT omni.enqueue('chat', 'c1') > 0 AS c1;
SELECT omni.route() AS offers;
SELECT omni.accept(id) > 0 AS accepted FROM omni.offer WHERE state = 'pending';
SELECT omni.enqueue('chat', 'c2') > 0 AS c2;
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads;
SELECT * FROM offers;     -- c1 to ann (most free), c2 to ann again (90 free against bob's 50)

-- case: a_change_of_this_transaction_is_seen_before_it_commits
BEGIN;
SELECT omni.logout(1);
SELECT omni.enqueue('chat', 'c3') > 0 AS c3;
SELECT omni.route() AS offers;    -- c3, and c2 again: ann's logout rescinded her offer
SELECT customer, agent_id, state FROM offers WHERE customer IN ('c2', 'c3');   -- bob: ann logged out just now
COMMIT;
SELECT omni.accept(id) > 0 AS accepted FROM omni.offer WHERE state = 'pending' ORDER BY id;  -- bob takes c2 and c3
SELECT omni.login(1);

-- case: what_a_rolled_back_transaction_showed_the_cache_is_forgotten
-- bob logs out in a transaction whose cycle reads him as out; the rollback
-- brings him back: with ann out, the next cycle must offer to him.
BEGIN;
SELECT omni.logout(2);
SELECT omni.enqueue('chat', 'c4') > 0 AS c4;
SELECT omni.route() AS offers;
SELECT customer, agent_id FROM offers WHERE customer = 'c4';   -- ann: bob is out in this transaction
ROLLBACK;
SELECT omni._agent_cache_reads() AS full_reads_before;
SELECT omni.logout(1);
SELECT omni.enqueue('chat', 'c5') > 0 AS c5;
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads_after;   -- read whole again
SELECT customer, agent_id, state FROM offers WHERE customer IN ('c4', 'c5');    -- c4 never was
SELECT omni.accept(id) > 0 AS accepted FROM omni.offer WHERE state = 'pending';

-- case: a_rolled_back_savepoint_too
SELECT omni.login(1);
BEGIN;
SAVEPOINT before_logout;
SELECT omni.logout(2);
SELECT omni.enqueue('chat', 'c6') > 0 AS c6;
SELECT omni.route() AS offers;
SELECT customer, agent_id FROM offers WHERE customer = 'c6';   -- ann
ROLLBACK TO SAVEPOINT before_logout;
SELECT omni.logout(1);
SELECT omni.enqueue('chat', 'c7') > 0 AS c7;
SELECT omni.route() AS offers;
COMMIT;
SELECT customer, agent_id, state FROM offers WHERE customer IN ('c6', 'c7');    -- c7 to bob
SELECT omni.accept(id) > 0 AS accepted FROM omni.offer WHERE state = 'pending';

-- case: a_configuration_change_reads_every_agent_again
SELECT omni._agent_cache_reads() AS full_reads_before;
INSERT INTO omni.agent (id, name, capacity_units) VALUES (3, 'cyd', 500);
INSERT INTO omni.queue_member (queue, agent_id, added_at) VALUES ('q', 3, '2040-01-01');
SELECT omni.login(3);
SELECT omni.enqueue('chat', 'c8') > 0 AS c8;
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads_after;
SELECT customer, agent_id FROM offers WHERE customer = 'c8';    -- cyd, the new member with most room

-- case: a_transaction_that_changed_agents_cannot_be_prepared
-- (the routers learn of a change when its transaction commits; a prepared
-- transaction would commit in another session, unseen)
BEGIN;
UPDATE omni.agent_state SET last_released_at = last_released_at WHERE agent_id = 1;
PREPARE TRANSACTION 'agents_changed';
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'agents_changed';

SELECT count(*) AS violations FROM omni.routing_invariant_violations();
