-- agent_events: what an agent desktop LISTENing on omni_agent_<agent_id> receives
-- (docs/agent-events.md), one kind at a time, and the omni_sentiment_alert payload.
--
-- This session LISTENs on every agent's channel, so psql prints each
-- notification after the statement whose commit sent it.  psql names the
-- sending backend's PID, so each step sends its output through
-- :desktop, a sed that replaces the PID (and marks any line carrying the
-- customer's address or message text, which are all "SECRET-...": a leak
-- would show as "LEAK" here).  Results go to /dev/null: a step shows only
-- its statement and the notifications it caused, in the order they were sent.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_evt_ann', 'regress_evt_bob', 'regress_evt_sue'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP;
END $$;
RESET client_min_messages;
\set SHOW_CONTEXT never
\set desktop '| sed -e ''s/PID [0-9][0-9]*/PID N/'' -e ''/SECRET/s/^/LEAK /'''
CREATE ROLE regress_evt_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_evt_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_evt_sue LOGIN IN ROLE omnichannel_agent, omnichannel_supervisor;
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';

INSERT INTO omni.queue (name) VALUES ('q1'), ('q2');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q1');
INSERT INTO omni.agent (name, capacity_units, db_role) VALUES
    ('ann', 100, 'regress_evt_ann'), ('bob', 100, 'regress_evt_bob'), ('sue', 100, 'regress_evt_sue');
INSERT INTO omni.queue_member (queue, agent_id) SELECT q, a FROM unnest(ARRAY['q1', 'q2']) q, generate_series(1, 3) a;
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('q1', 'regress_evt_sue'), ('q2', 'regress_evt_sue');
SELECT omni.login(1), omni.login(2), omni.login(3);

LISTEN omni_agent_1;
LISTEN omni_agent_2;
LISTEN omni_agent_3;
LISTEN omni_sentiment_alert;

-- arrival_notifies_nobody: a queued conversation has no agent yet
\o :desktop
SELECT omni.enqueue('chat', 'SECRET-cust-1@example.com') AS c1 \gset
\o

-- offer_rejected (offer_made comes from the router's offer path)
\o :desktop
SELECT omni._make_offer(:c1, 1) AS o1 \gset
SELECT omni.reject(:o1) \g /dev/null
\o

-- a refused call notifies nothing: the offer is no longer pending
\o :desktop
SELECT omni.reject(:o1) \g /dev/null
\o

-- offer_expired, then presence_changed to Inactive (block_on_missed) by the tick
\o :desktop
SELECT omni._make_offer(:c1, 1) AS o2 \gset
SET omnichannel.mock_now = '2026-03-02 09:05:00+00';
SELECT omni.tick() \g /dev/null
\o

-- presence_changed by an admin (or supervisor); not when the agent sets its own
\o :desktop
SELECT omni.set_presence(1, 'Available') \g /dev/null
SET ROLE regress_evt_ann;
SELECT omni.set_presence(1, 'Away') \g /dev/null
SELECT omni.set_presence(1, 'Available') \g /dev/null
RESET ROLE;
\o

-- offer_accepted (here accepted by an admin for bob; bob's desktop learns it)
\o :desktop
SELECT omni._make_offer(:c1, 2) AS o3 \gset
SELECT omni.accept(:o3) \g /dev/null
\o

-- customer_message: ids only; the message falls to the alert level, so
-- omni_sentiment_alert (ids and levels, no queue, no score) comes first
\o :desktop
SELECT omni.post_message(:c1, 'customer', 'SECRET-text: worst service ever, I am furious, terrible!!!') AS m1 \gset
\o

-- agent and bot messages notify nobody
\o :desktop
SELECT omni.post_message(:c1, 'agent', 'SECRET-text: sorry to hear that', 2) \g /dev/null
\o

-- monitor_joined goes to the conversation's agent; the monitor then gets customer messages too
\o :desktop
SET ROLE regress_evt_sue;
SELECT omni.monitor(:c1, 3) \g /dev/null
RESET ROLE;
SELECT omni.post_message(:c1, 'customer', 'SECRET-text: hello?') \g /dev/null
\o

-- conversation_transferred_out to the old agent, conversation_transferred_in to the new one
\o :desktop
SELECT omni.transfer_to_agent(:c1, 1) \g /dev/null
\o

-- conversation_waiting and conversation_resumed (here by the supervisor)
\o :desktop
SET ROLE regress_evt_sue;
SELECT omni.set_waiting(:c1) \g /dev/null
SELECT omni.resume(:c1) \g /dev/null
RESET ROLE;
\o

-- conversation_requeued: the customer answered a parked conversation, which
-- goes back to its queue; ann lost it, so only the monitor gets the message
\o :desktop
SELECT omni.set_waiting(:c1) \g /dev/null
SELECT omni.post_message(:c1, 'customer', 'SECRET-text: still there?') \g /dev/null
\o

-- logged_out by someone else: its pending offer is rescinded first
\o :desktop
SELECT omni._make_offer(:c1, 2) AS o4 \gset
SELECT omni.logout(2) \g /dev/null
SELECT omni.login(2) \g /dev/null
\o

-- a supervisor's assign: offer_rescinded for the offered agent, conversation_assigned for the other
\o :desktop
SELECT omni._make_offer(:c1, 2) AS o5 \gset
SET ROLE regress_evt_sue;
SELECT omni.assign(:c1, 1) \g /dev/null
RESET ROLE;
\o

-- transfer to a queue: conversation_transferred_out
\o :desktop
SELECT omni.transfer(:c1, 'q2') \g /dev/null
\o

-- pick: conversation_assigned; end and close: conversation_ended, conversation_closed
\o :desktop
SELECT omni.pick(2, :c1) \g /dev/null
SELECT omni.end_conversation(:c1) \g /dev/null
SELECT omni.close_conversation(:c1) \g /dev/null
\o

-- customer_left: the customer abandons a conversation an agent holds
\o :desktop
SELECT omni.enqueue('chat', 'SECRET-cust-2@example.com') AS c2 \gset
SELECT omni._make_offer(:c2, 1) AS o6 \gset
SELECT omni.accept(:o6) \g /dev/null
SELECT omni.abandon(:c2) \g /dev/null
\o

-- conversation_force_closed for the agent; a pending offer of a force-closed conversation is rescinded
\o :desktop
SELECT omni.enqueue('chat', 'SECRET-cust-3@example.com') AS c3 \gset
SELECT omni._make_offer(:c3, 1) AS o7 \gset
SELECT omni.accept(:o7) \g /dev/null
SELECT omni.enqueue('chat', 'SECRET-cust-4@example.com') AS c4 \gset
SELECT omni._make_offer(:c4, 2) AS o8 \gset
SET ROLE regress_evt_sue;
SELECT omni.force_close(:c3) \g /dev/null
SELECT omni.force_close(:c4) \g /dev/null
RESET ROLE;
\o

-- conversation_closed by the tick (auto-close of a wrap-up) goes to its agent
\o :desktop
SELECT omni.close_conversation(:c2) \g /dev/null
SELECT omni.enqueue('chat', 'SECRET-cust-5@example.com') AS c5 \gset
SELECT omni._make_offer(:c5, 2) AS o9 \gset
SELECT omni.accept(:o9) \g /dev/null
SELECT omni.end_conversation(:c5) \g /dev/null
UPDATE omni.workstream SET auto_close_wrap_up = '10 minutes' WHERE name = 'chat';
SET omnichannel.mock_now = '2026-03-02 10:00:00+00';
SELECT omni.tick() \g /dev/null
\o

-- a rolled-back transaction notifies nobody; a committed one notifies at commit, in order
\o :desktop
SELECT omni.enqueue('chat', 'SECRET-cust-6@example.com') AS c6 \gset
BEGIN;
SELECT omni._make_offer(:c6, 1) AS o10 \gset
SELECT omni.reject(:o10) \g /dev/null
ROLLBACK;
BEGIN;
SELECT omni._make_offer(:c6, 2) AS o11 \gset
SELECT omni.accept(:o11) \g /dev/null
SELECT omni.end_conversation(:c6) \g /dev/null
COMMIT;
\o

-- nothing the agent's own role does is echoed on its channel: ann accepts,
-- ends and closes as herself (offer_accepted by an admin for bob is above)
\o :desktop
SELECT omni.enqueue('chat', 'SECRET-cust-own@example.com') AS c_own \gset
SELECT omni._make_offer(:c_own, 1) AS o_own \gset
SET ROLE regress_evt_ann;
SELECT omni.accept(:o_own) \g /dev/null
SELECT omni.end_conversation(:c_own) \g /dev/null
SELECT omni.close_conversation(:c_own) \g /dev/null
RESET ROLE;
\o

-- the agent logging itself out is not told
\o :desktop
SET ROLE regress_evt_ann;
SELECT omni.logout(1) \g /dev/null
RESET ROLE;
\o

UNLISTEN *;
SET client_min_messages = warning;
DROP EXTENSION omnichannel CASCADE;
DROP ROLE regress_evt_ann, regress_evt_bob, regress_evt_sue;
