-- consult: a second agent joins an active conversation without taking it
-- (D365 consult), transfers to an agent that go through an offer the agent
-- accepts (per workstream), and the consult KPIs.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.at(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('omnichannel.mock_now', t || '+00', false); END $$;
SELECT pg_temp.at('2040-01-02 09:00:00');
DO $$ DECLARE r text; BEGIN
    FOREACH r IN ARRAY ARRAY['regress_cs_ann', 'regress_cs_bob', 'regress_cs_cid', 'regress_cs_sup', 'regress_cs_other_sup'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP; END $$;
CREATE ROLE regress_cs_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_cs_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_cs_cid LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_cs_sup LOGIN IN ROLE omnichannel_supervisor;
CREATE ROLE regress_cs_other_sup LOGIN IN ROLE omnichannel_supervisor;

INSERT INTO omni.queue (name) VALUES ('q'), ('other');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('q', 'regress_cs_sup'), ('other', 'regress_cs_other_sup');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q', 60);
INSERT INTO omni.agent (name, db_role) VALUES ('ann', 'regress_cs_ann'), ('bob', 'regress_cs_bob'), ('cid', 'regress_cs_cid');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q', 1), ('q', 2), ('q', 3);
SELECT omni.login(1), omni.login(2), omni.login(3);
SELECT omni.enqueue('chat', 'c1') AS c1 \gset
SELECT omni.pick(1, :c1);
CREATE VIEW participants AS
SELECT conversation_id, agent_id, role, left_at IS NULL AS current FROM omni.conversation_participant
 ORDER BY conversation_id, agent_id, joined_at;

-- case: only_the_conversations_agent_or_its_supervisor_may_start_a_consult
SET ROLE regress_cs_bob;
SELECT omni.consult(:c1, 3);
SELECT omni.consult(:c1, 2);
SET ROLE regress_cs_other_sup;
SELECT omni.consult(:c1, 2);
RESET ROLE;
SELECT * FROM participants;

-- case: the_consulted_agent_does_not_see_the_conversation_before_the_consult
SET ROLE regress_cs_bob;
SELECT count(*) AS bob_sees_c1 FROM omni.conversation WHERE id = :c1;
RESET ROLE;

-- case: the_agent_consults_a_second_agent_without_transferring_the_conversation
SELECT pg_temp.at('2040-01-02 09:01:00');
SET ROLE regress_cs_ann;
SELECT omni.consult(:c1, 2);
RESET ROLE;
SELECT * FROM participants;
SELECT id, state, agent_id FROM omni.conversation WHERE id = :c1;
SELECT agent_id, units FROM omni.capacity_hold ORDER BY conversation_id;

-- case: the_consulted_agent_sees_the_conversation_and_may_post_while_consulting
SELECT omni.post_message(:c1, 'customer', 'My invoice is wrong') > 0 AS posted;
SET ROLE regress_cs_bob;
SELECT id, state, agent_id FROM omni.conversation WHERE id = :c1;
SELECT sender, body FROM omni.message WHERE conversation_id = :c1 ORDER BY id;
SELECT omni.post_message(:c1, 'agent', 'Billing here: I will fix it', 2) > 0 AS posted;
SET ROLE regress_cs_cid;
SELECT count(*) AS cid_sees_c1 FROM omni.conversation WHERE id = :c1;
SELECT omni.post_message(:c1, 'agent', 'me too', 3);
RESET ROLE;
-- the consultant's message is not the conversation's first response
SELECT first_response_at FROM omni.conversation WHERE id = :c1;

-- case: consulting_twice_or_consulting_oneself_is_refused
SELECT omni.consult(:c1, 2);
SELECT omni.consult(:c1, 1);
SELECT omni.logout(3);
SELECT omni.consult(:c1, 3);
SELECT omni.login(3);

-- case: a_supervisor_of_the_queue_may_bring_in_a_consultant
SELECT pg_temp.at('2040-01-02 09:02:00');
SET ROLE regress_cs_sup;
SELECT omni.consult(:c1, 3);
RESET ROLE;
SELECT * FROM participants;

-- case: a_consult_needs_free_capacity_only_when_the_workstream_says_so
SELECT pg_temp.at('2040-01-02 09:03:00');
SELECT omni.end_consult(:c1, 3);
SELECT omni.enqueue('chat', 'c2') AS c2 \gset
SELECT omni.pick(3, :c2);
UPDATE omni.workstream SET consult_needs_capacity = true WHERE name = 'chat';
SELECT omni.consult(:c1, 3);
UPDATE omni.workstream SET consult_needs_capacity = false WHERE name = 'chat';
SELECT omni.consult(:c1, 3);

-- case: the_consult_ends_and_the_consulted_agent_no_longer_sees_the_conversation
SELECT pg_temp.at('2040-01-02 09:04:00');
SET ROLE regress_cs_bob;
SELECT omni.end_consult(:c1, 2);
SELECT count(*) AS bob_sees_c1 FROM omni.conversation WHERE id = :c1;
SELECT count(*) AS bob_sees_messages FROM omni.message WHERE conversation_id = :c1;
SELECT omni.post_message(:c1, 'agent', 'one more thing', 2);
SELECT omni.end_consult(:c1, 2);
RESET ROLE;
SELECT * FROM participants;

-- case: closing_the_conversation_ends_every_consult
SELECT pg_temp.at('2040-01-02 09:05:00');
SELECT omni._has_open_participants(:c1) AS someone_still_on;
SELECT omni.end_conversation(:c1);
SELECT omni.close_conversation(:c1);
SELECT * FROM participants WHERE conversation_id = :c1;
SELECT omni._has_open_participants(:c1) AS someone_still_on, omni._has_open_participants(-1) AS unknown,
       omni._has_open_participants(NULL) AS null_id;
SELECT omni.consult(:c1, 2);

-- case: every_consult_is_in_the_event_log
SELECT kind, agent_id, detail FROM omni.event WHERE kind LIKE 'consult%' ORDER BY id;

-- case: consult_kpis_count_requests_given_consults_and_their_time
-- Consults on ann's conversation: bob 09:01-09:04 (180 s), cid 09:02-09:03
-- (60 s, brought in by the supervisor: counted as requested for ann, the
-- holder) and cid again 09:03 until the close at 09:05 (120 s).  ann: 3
-- requested; bob: 1 given, 180 s; cid: 2 given, 180 s, average 90 s.
-- An agent sees its own row only.
SELECT * FROM omni.consult_kpi('2040-01-02 00:00', '2040-01-03 00:00');
SET ROLE regress_cs_bob;
SELECT * FROM omni.consult_kpi('2040-01-02 00:00', '2040-01-03 00:00');
RESET ROLE;

-- case: a_transfer_to_an_agent_goes_through_an_offer_when_the_workstream_says_so
UPDATE omni.workstream SET transfer_needs_accept = true WHERE name = 'chat';
SELECT omni.enqueue('chat', 'c3') AS c3 \gset
SELECT omni.pick(1, :c3);
SET ROLE regress_cs_ann;
SELECT omni.transfer_to_agent(:c3, 2);
SELECT id, state, agent_id FROM omni.conversation WHERE id = :c3;
RESET ROLE;
SELECT id AS t1 FROM omni.transfer_offer \gset
SELECT conversation_id = :c3 AS c3, from_agent_id, agent_id, state FROM omni.transfer_offer;
-- only the offered agent may answer
SET ROLE regress_cs_cid;
SELECT omni.accept_transfer(:t1);
SET ROLE regress_cs_bob;
SELECT count(*) AS bob_sees_offer FROM omni.transfer_offer;
SELECT omni.accept_transfer(:t1) = :c3 AS accepted;
RESET ROLE;
SELECT id = :c3 AS c3, state, agent_id, transfer_count FROM omni.conversation WHERE id = :c3;
SELECT agent_id, units FROM omni.capacity_hold WHERE conversation_id = :c3;
SELECT state FROM omni.transfer_offer WHERE id = :t1;

-- case: a_rejected_transfer_offer_leaves_the_conversation_with_its_agent
SELECT omni.transfer_to_agent(:c3, 1);
SELECT max(id) AS t2 FROM omni.transfer_offer \gset
SET ROLE regress_cs_ann;
SELECT omni.reject_transfer(:t2);
SELECT omni.accept_transfer(:t2);
RESET ROLE;
SELECT state, agent_id FROM omni.conversation WHERE id = :c3;

-- case: a_transfer_offer_not_answered_in_time_expires
SELECT omni.transfer_to_agent(:c3, 1);
SELECT max(id) AS t3 FROM omni.transfer_offer \gset
SELECT pg_temp.at('2040-01-02 09:30:00');
SELECT omni.accept_transfer(:t3) AS accepted;
SELECT state, reason FROM omni.transfer_offer WHERE id = :t3;
SELECT state, agent_id FROM omni.conversation WHERE id = :c3;

-- case: a_transfer_offer_is_rescinded_when_the_conversation_moves_on
SELECT omni.transfer_to_agent(:c3, 1);
SELECT max(id) AS t4 FROM omni.transfer_offer \gset
SELECT omni.transfer(:c3, 'other');
SELECT omni.accept_transfer(:t4) AS accepted;
SELECT id - :t1 AS offer, state, reason FROM omni.transfer_offer ORDER BY id;
SELECT kind, agent_id, detail - 'transfer_offer_id' AS detail FROM omni.event
 WHERE kind LIKE 'transfer%' ORDER BY id;

-- case: percentiles_of_a_day_whose_every_wait_was_0_s_are_0
-- c1, c2 and c3 were picked the instant they arrived: the histogram must
-- not invent waits (docs/kpi.md: the nearest rank's bin lower bound).
SELECT queue, handled, avg_speed_to_answer_s, p50_wait_s, p90_wait_s
  FROM omni.kpi('2040-01-02 00:00', '2040-01-03 00:00') WHERE queue = 'q';
