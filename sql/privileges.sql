-- privileges: the group roles, row-level security and the checks inside the
-- SECURITY DEFINER functions (an agent acts only for itself).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';
DO $$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY['regress_ann', 'regress_bob', 'regress_sup1', 'regress_sup2', 'regress_admin',
                             'regress_service', 'regress_outsider', 'Regress Cy'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP; END $$;
CREATE ROLE regress_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_sup1 LOGIN IN ROLE omnichannel_supervisor, omnichannel_agent;
CREATE ROLE regress_sup2 LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE regress_admin IN ROLE omnichannel_admin;
CREATE ROLE regress_service IN ROLE omnichannel_service;
CREATE ROLE regress_outsider;

-- admins configure
SET ROLE regress_admin;
INSERT INTO omni.queue (name) VALUES ('q1'), ('q2'), ('pickq');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('q1', 'regress_sup1'), ('q2', 'regress_sup2');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q1');
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('mail', 'email', 'pickq', 'pick');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('chat', 1, '$.q == 2', 'q2');
INSERT INTO omni.agent (name, db_role) VALUES ('ann', 'regress_ann'), ('bob', 'regress_bob'), ('sue', 'regress_sup1');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q1', 1), ('q2', 1), ('q1', 2), ('pickq', 1);
RESET ROLE;
SELECT omni.login(1), omni.login(2), omni.login(3);

-- services act for customers; agents and outsiders cannot
SET ROLE regress_service;
SELECT omni.enqueue('chat', 'c1') AS c1, omni.enqueue('chat', 'c2') AS c2,
       omni.enqueue('chat', 'c3', '{"q": 2}') AS c3, omni.enqueue('mail', 'c4@example.com') AS c4;
SET ROLE regress_ann;
SELECT omni.enqueue('chat', 'c5');
SELECT omni.post_message(1, 'customer', 'spoofed');
SET ROLE regress_outsider;
SELECT * FROM omni.conversation;
SELECT omni.login(1);
RESET ROLE;

-- the router (stood in for here) offers 1 to ann, 2 to bob, 3 to ann
SELECT omni._make_offer(1, 1), omni._make_offer(2, 2), omni._make_offer(3, 1);

-- agents_decide_only_their_own_offers
SET ROLE regress_ann;
SELECT omni.accept(2);
SELECT omni.reject(2);
SELECT omni.accept(1);
SELECT omni.accept(3);
SET ROLE regress_bob;
SELECT omni.accept(2);
-- an agent cannot act on another's conversation or presence
SELECT omni.end_conversation(1);
SELECT omni.transfer(1, 'q2');
SELECT omni.set_presence(1, 'Away');
SELECT omni.login(1);
SELECT omni.pick(1, 4);
SELECT omni.post_message(1, 'agent', 'I am ann', 1);
-- nor use supervisor or router functions, nor the clock
SELECT omni.assign(4, 2);
SELECT omni.force_close(1);
SELECT omni._make_offer(4, 2);
SELECT omni._set_presence(1, 'Away', 'agent', true);
SET omnichannel.mock_now = '2030-01-01 00:00:00+00';
-- nor write tables directly
UPDATE omni.conversation SET agent_id = 2 WHERE id = 1;
DELETE FROM omni.event;
INSERT INTO omni.queue (name) VALUES ('mine');
UPDATE omni.agent SET capacity_units = 1000 WHERE id = 2;

-- rls_agent_sees_own_work: bob sees conversation 2 only; ann sees 1 and 3 and the pick-mode work of her queue
SELECT id, state, agent_id FROM omni.conversation ORDER BY id;
SELECT id, conversation_id, state FROM omni.offer ORDER BY id;
SELECT omni.post_message(2, 'agent', 'hello from bob', 2);
SELECT conversation_id, sender, body FROM omni.message ORDER BY id;
SET ROLE regress_ann;
SELECT id, state, agent_id FROM omni.conversation ORDER BY id;
SELECT count(*) AS messages_ann_sees FROM omni.message;
SELECT agent_id, presence FROM omni.presence_history WHERE ended_at IS NULL ORDER BY agent_id;
-- agents act on their own work; the event log names the real caller, not the function owner
SELECT omni.post_message(1, 'agent', 'hello from ann', 1);
SELECT omni.pick(1, 4);
SELECT omni.set_presence(1, 'Away');
SELECT omni.end_conversation(1);
RESET ROLE;
SELECT kind, conversation_id, actor FROM omni.event WHERE actor <> 'postgres' ORDER BY id;

-- rls_supervisor_sees_its_queues: sup1 supervises q1 (1, 2), sup2 supervises q2 (3)
SET ROLE regress_sup1;
SELECT id, queue FROM omni.conversation ORDER BY id;
SELECT DISTINCT conversation_id FROM omni.message ORDER BY 1;
-- supervisors act in their queues only
SELECT omni.force_close(3);
SELECT omni.set_presence(1, 'Available');
SELECT omni.monitor(2, 3);
SELECT omni.monitor(2, 1);
SET ROLE regress_sup2;
SELECT id, queue FROM omni.conversation ORDER BY id;
SELECT omni.set_presence(2, 'Away');
SELECT omni.transfer(3, 'q1');
SELECT omni.assign(3, 2);
SELECT id, queue FROM omni.conversation ORDER BY id;
SET ROLE regress_admin;
SELECT count(*) AS admin_sees FROM omni.conversation;
-- KPIs of any past window are for admins (they read the whole log); supervisors read their queues' views
SELECT queue, incoming FROM omni.kpi('2026-03-02 00:00+00', '2026-03-03 00:00+00') ORDER BY queue;
SELECT count(*) AS agent_rows FROM omni.agent_kpi('2026-03-02 00:00+00', '2026-03-03 00:00+00');
SELECT count(*) AS presence_rows FROM omni.agent_presence_kpi('2026-03-02 00:00+00', '2026-03-03 00:00+00');
SELECT count(*) FROM omni.kpi('2026-03-03 00:00+00', '2026-03-02 00:00+00');
SET ROLE regress_sup1;
SELECT count(*) FROM omni.kpi('2026-03-02 00:00+00', '2026-03-03 00:00+00');
RESET ROLE;

-- quoted_role_names: a person role whose name needs quoting acts as its agent like any
-- other, and the event log names it as db_role stores it (not as regrole prints it)
CREATE ROLE "Regress Cy" LOGIN IN ROLE omnichannel_agent;
INSERT INTO omni.agent (name, db_role) VALUES ('cy', 'Regress Cy') RETURNING id;
SET ROLE "Regress Cy";
SELECT omni.login(4);
SELECT omni.set_presence(4, 'Away');
SELECT omni.set_presence(1, 'Away');
SELECT name FROM omni.agent WHERE id = omni.current_agent_id();
RESET ROLE;
SELECT kind, actor, detail->>'set_by' AS set_by FROM omni.event WHERE agent_id = 4 ORDER BY id;
-- the identity check is false for no id, an unknown id and someone else's agent
SELECT omni._is_agent(NULL) AS null_id, omni._is_agent(-1) AS no_such_agent, omni._is_agent(4) AS not_mine;
-- a transaction keeps the answer (src/caller.c), but forgets it when omni.agent
-- changes, in that same transaction too: the role taken from agent 4 no longer
-- acts as it
BEGIN;
SET ROLE "Regress Cy";
SELECT omni.set_presence(4, 'Available');
RESET ROLE;
UPDATE omni.agent SET db_role = NULL WHERE id = 4;
SET ROLE "Regress Cy";
SELECT omni.set_presence(4, 'Away');
ROLLBACK;

-- every SECURITY DEFINER function pins its search_path; none is executable by PUBLIC unless harmless
SELECT p.oid::regprocedure AS definer_without_search_path
  FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace AND p.prosecdef
   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%');
SELECT p.proname AS public_function FROM pg_proc p
 WHERE p.pronamespace = 'omni'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY 1;
-- a temp object named like an internal one cannot hijack a definer function
SET ROLE regress_ann;
CREATE TEMP TABLE conversation (id bigint, state text);
CREATE FUNCTION pg_temp._lock_conversation(bigint) RETURNS void LANGUAGE sql AS 'SELECT';
SELECT omni.close_conversation(1);
SELECT state FROM omni.conversation WHERE id = 1;
RESET ROLE;
DISCARD TEMP;
DROP EXTENSION omnichannel CASCADE;
DROP ROLE regress_ann, regress_bob, regress_sup1, regress_sup2, regress_admin, regress_service, regress_outsider,
          "Regress Cy";
