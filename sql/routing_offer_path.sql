-- routing_offer_path: one path writes every offer (omni._write_offers): the
-- router and omni._make_offer leave the same rows (offer, capacity hold,
-- rotation clocks, 'offered' event, presence following load); an agent's own
-- 'offered' events carry no colleague's routing data, which only the queue's
-- supervisors and admins read (omni.offer_decision, omni.routing_decision).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';
DO $$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY['regress_rop_ann', 'regress_rop_bob', 'regress_rop_sup', 'regress_rop_other_sup'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP; END $$;
CREATE ROLE regress_rop_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_rop_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_rop_sup LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE regress_rop_other_sup LOGIN IN ROLE omnichannel_supervisor;

INSERT INTO omni.queue (name) VALUES ('q'), ('other');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('q', 'regress_rop_sup'), ('other', 'regress_rop_other_sup');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout)
VALUES ('chat', 'chat', 'q', 50, '2 minutes');
INSERT INTO omni.agent (name, db_role, capacity_units) VALUES ('ann', 'regress_rop_ann', 100), ('bob', 'regress_rop_bob', 50);
INSERT INTO omni.queue_member (queue, agent_id, added_at) SELECT 'q', id, '2040-01-01' FROM omni.agent;
SELECT omni.login(id) FROM omni.agent ORDER BY id;
CREATE VIEW written AS
SELECT o.id AS offer, c.customer, a.name AS agent, o.queue, o.state, o.created_at, o.expires_at,
       h.kind AS hold, h.units, r.last_assigned_at AS rotation_at, s.last_assigned_at, s.presence,
       (SELECT count(*) FROM omni.event e WHERE e.offer_id = o.id AND e.kind = 'offered') AS offered_events
  FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id JOIN omni.agent a ON a.id = o.agent_id
  LEFT JOIN omni.capacity_hold h ON h.conversation_id = o.conversation_id
  LEFT JOIN omni.queue_rotation r ON r.queue = o.queue AND r.agent_id = o.agent_id
  JOIN omni.agent_state s ON s.agent_id = o.agent_id
 ORDER BY o.id;
GRANT SELECT ON written TO PUBLIC;

-- case: the_router_and_make_offer_write_the_same_rows
-- c1 goes to ann (most free units) by the router; c2 to bob by hand.
SELECT omni.enqueue('chat', 'c1') AS c1;
SELECT omni.route() AS routed;
SELECT omni.enqueue('chat', 'c2') AS c2;
SELECT omni._make_offer(2, 2) AS offer;
SELECT * FROM written;

-- case: an_offer_cannot_be_made_twice_for_one_conversation
SELECT omni._make_offer(2, 1);

-- case: presence_follows_load_on_both_paths
-- ann (100 units) holds 50: Busy; bob (50 units) holds 50: Busy - DND.
SELECT a.name, s.presence FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id ORDER BY a.id;

-- case: an_agents_offered_events_carry_only_its_own_routing_data
SET ROLE regress_rop_ann;
SELECT offer_id, detail ->> 'method' AS method, detail ? 'key' AS own_key,
       detail ? 'runner_up' AS runner_up, detail ? 'eligible' AS eligible
  FROM omni.event WHERE kind = 'offered' ORDER BY offer_id;
SELECT count(*) FROM omni.offer_decision;
SELECT count(*) FROM omni.routing_decision;
RESET ROLE;

-- case: supervisors_read_the_decisions_of_their_queues_only
SET ROLE regress_rop_sup;
SELECT offer_id, method, eligible_count, runner_up_agent_id, runner_up_key FROM omni.routing_decision ORDER BY offer_id;
SET ROLE regress_rop_other_sup;
SELECT count(*) AS other_queue_decisions FROM omni.routing_decision;
RESET ROLE;

-- case: the_routing_functions_are_not_for_public
SET ROLE regress_rop_ann;
SELECT omni._write_offers('{1}', '{1}', '{q}', '{2040-01-02 10:00+00}', '{1}', '{NULL}', '{chat}',
                          '{2040-01-02 09:00+00}', '{"{}"}', '{NULL}', '{}');
SELECT omni._has_pending_offer(1);
RESET ROLE;
SELECT count(*) AS violations FROM omni.routing_invariant_violations();

DROP VIEW written;
SET client_min_messages = warning;
DROP EXTENSION omnichannel CASCADE;
RESET client_min_messages;
DROP ROLE regress_rop_ann, regress_rop_bob, regress_rop_sup, regress_rop_other_sup;
