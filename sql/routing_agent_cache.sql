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
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads;   -- nothing to offer: read now, not by the first offer
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

-- case: agents_read_again_many_times_are_compacted_not_read_whole
-- Every committed change makes the next cycle read those agents again; the
-- memory the replaced copies used is given back by copying the cache in
-- memory (no new full read, which stalled a cycle under load), and what is
-- cached after that still decides right.
-- A conversation none of them can hold keeps every cycle reading them.
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('huge', 'chat', 'q', 1000);
SELECT omni.enqueue('huge', 'h1') AS h1 \gset
SELECT omni.route() AS offers;    -- a new workstream: read whole
SELECT omni._agent_cache_reads() AS full_reads_before;
DO $$
BEGIN
    FOR g IN 1 .. 300 LOOP
        UPDATE omni.agent_state SET last_released_at = '2040-01-02 08:00:00+00'::timestamptz + g * interval '1 second'
         WHERE agent_id IN (1, 2, 3);
        COMMIT;
        PERFORM omni.route();
        COMMIT;
    END LOOP;
END $$;
SELECT omni._agent_cache_reads() AS full_reads_after;    -- 900 agents read again, no full read: unchanged
SELECT sum(total_bytes) <= 32768 AS cache_memory_bounded
  FROM pg_backend_memory_contexts WHERE name = 'omnichannel agent cache';
SELECT omni.abandon(:h1);
SELECT omni.enqueue('chat', 'c9') > 0 AS c9;
SELECT omni.route() AS offers;
SELECT customer, agent_id FROM offers WHERE customer = 'c9';    -- cyd: most room (490 of 500)

-- case: a_transaction_that_changes_the_same_agents_again_and_again_is_not_a_bulk_change
-- A routing cycle under load notes each agent it offers to three or four
-- times (hold, state, rotation).  The ids a transaction notes are kept
-- distinct: 1,200 changes of three agents are three agents read again, not
-- "too many to list", which made the next cycle read every agent (15-25 ms
-- for 1,000 agents, several times a second at 1,000 conversations/s).
SELECT omni._agent_cache_reads() AS full_reads_before;
DO $$
BEGIN
    FOR g IN 1 .. 400 LOOP
        UPDATE omni.agent_state SET last_released_at = '2040-01-02 07:00:00+00'::timestamptz + g * interval '1 second'
         WHERE agent_id IN (1, 2, 3);
    END LOOP;
END $$;
SELECT omni.route() AS offers, omni._agent_cache_reads() AS full_reads_after;   -- unchanged

-- case: an_accept_makes_the_agent_change_only_when_a_profile_counts_the_hold
-- The accept turns the offer's hold into work: same agent, same units.  The
-- routers read the hold's kind only for a profile that counts pending
-- offers, so without a profile the accept notes no agent to read again (one
-- read fewer per conversation), and with one it does (the day's count moved
-- from the hold to omni.capacity_profile_use).
SELECT omni.enqueue('chat', 'c10') > 0 AS c10;
SELECT omni.route() AS offers;
BEGIN;
SELECT omni.accept(o.id) > 0 AS accepted
  FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE c.customer = 'c10' AND o.state = 'pending';
SELECT omni._agents_noted() AS agents_noted;
UPDATE omni.capacity_hold SET since = since - interval '1 second'
 WHERE conversation_id = (SELECT id FROM omni.conversation WHERE customer = 'c10');
SELECT omni._agents_noted() AS agents_noted;    -- nor does a new start
UPDATE omni.capacity_hold SET units = units + 1
 WHERE conversation_id = (SELECT id FROM omni.conversation WHERE customer = 'c10');
SELECT omni._agents_noted() AS agents_noted;    -- the units are read
ROLLBACK;
INSERT INTO omni.capacity_profile (name, max_items, reset) VALUES ('day', 5, 'end_of_day');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
VALUES ('counted', 'chat', 'q', 10, 'day');
INSERT INTO omni.agent_capacity_profile (agent_id, profile) VALUES (1, 'day'), (2, 'day'), (3, 'day');
SELECT omni.enqueue('counted', 'c11') > 0 AS c11;
SELECT omni.route() AS offers;
BEGIN;
SELECT omni.accept(o.id) > 0 AS accepted
  FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE c.customer = 'c11' AND o.state = 'pending';
SELECT omni._agents_noted() AS agents_noted;    -- the hold's kind and the day's count: one agent
COMMIT;

-- case: a_transaction_that_changed_agents_cannot_be_prepared
-- (the routers learn of a change when its transaction commits; a prepared
-- transaction would commit in another session, unseen)
BEGIN;
UPDATE omni.agent_state SET last_released_at = last_released_at WHERE agent_id = 1;
PREPARE TRANSACTION 'agents_changed';
SELECT count(*) AS prepared FROM pg_prepared_xacts WHERE gid = 'agents_changed';

SELECT count(*) AS violations FROM omni.routing_invariant_violations();
