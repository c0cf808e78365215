-- views_realtime: the real-time views for apps and supervisors, at one
-- moment of a scripted morning, and who sees which rows.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_kv_ann', 'regress_kv_bob', 'regress_kv_sup'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('DROP ROLE %I', r); END IF;
    END LOOP;
END $$;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE ROLE regress_kv_ann LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_kv_bob LOGIN IN ROLE omnichannel_agent;
CREATE ROLE regress_kv_sup LOGIN IN ROLE omnichannel_supervisor;
CREATE FUNCTION pg_temp.at(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('omnichannel.mock_now', '2026-03-02 ' || t || '+00', false); END $$;

INSERT INTO omni.queue (name) VALUES ('sales'), ('support');
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('sales', 'regress_kv_sup');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'sales');
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('mail', 'email', 'support', 'pick');
INSERT INTO omni.agent (name, db_role, capacity_units) VALUES ('ann', 'regress_kv_ann', 20), ('bob', 'regress_kv_bob', 100);
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('sales', 1), ('sales', 2), ('support', 2);

SELECT pg_temp.at('08:00:00'); SELECT omni.login(1), omni.login(2);
-- 1: ann, active since 08:10 (queued 08:05); 2: ann, wrap-up since 08:40;
-- 3: bob, closed at 08:20; 4: bob parked it (waiting); 5: e-mail open in
-- support (pick mode) since 08:30; 6: open in sales since 08:50, offered to
-- bob; 7: open in sales since 08:55, the customer of conversation 1 again;
-- 8: bot conversation escalated into sales at 08:58.
SELECT pg_temp.at('08:05:00'); SELECT omni.enqueue('chat', 'cust-1');
SELECT pg_temp.at('08:10:00'); SELECT omni._make_offer(1, 1) AS o1; SELECT omni.accept(1);
SELECT pg_temp.at('08:11:00'); SELECT omni.enqueue('chat', 'cust-2');
SELECT pg_temp.at('08:12:00'); SELECT omni.assign(2, 1, true);      -- over ann's 20 units? 10 + 10 = 20: fits
SELECT pg_temp.at('08:13:00'); SELECT omni.enqueue('chat', 'cust-7');
SELECT omni.assign(3, 2);
SELECT pg_temp.at('08:15:00'); SELECT omni.end_conversation(3);
SELECT pg_temp.at('08:20:00'); SELECT omni.close_conversation(3);
SELECT pg_temp.at('08:21:00'); SELECT omni.enqueue('chat', 'cust-5');
SELECT omni.assign(4, 2); SELECT omni.set_waiting(4);
SELECT pg_temp.at('08:30:00'); SELECT omni.enqueue('mail', 'cust-1@example.com');
SELECT pg_temp.at('08:40:00'); SELECT omni.end_conversation(2);
SELECT pg_temp.at('08:50:00'); SELECT omni.enqueue('chat', 'cust-3');
SELECT omni._make_offer(6, 2) AS o2;
SELECT pg_temp.at('08:55:00'); SELECT omni.enqueue('chat', 'cust-1');
SELECT pg_temp.at('08:57:00'); SELECT omni.start_with_bot('chat', 'cust-8');
SELECT pg_temp.at('08:58:00'); SELECT omni.escalate(8);
SELECT pg_temp.at('09:00:00');

-- One row per agent: ann holds 1 (active) and 2 (wrap-up): 20 of 20 units,
-- Busy - DND since 08:12; bob holds the pending offer (10 units) and the
-- parked one (no capacity).
SELECT agent_id, name, presence, base_status, since, in_presence_s, used_units, free_units, active_items,
       waiting_items, wrap_up_items, pending_offers, capacity_used_ratio, queues
  FROM omni.agent_status ORDER BY agent_id;
-- Every conversation not closed: waits and handle times at 09:00.
SELECT conversation_id AS id, queue, channel, state, agent_id, wait_s, handle_s, wrap_up_s, sentiment,
       pending_offer_id, offered_agent_id, escalated
  FROM omni.ongoing_conversations ORDER BY conversation_id;
-- Per queue: sales has 5, 6, 8 open (6 offered), 1 active, 2 wrap-up, 4
-- waiting; longest wait 08:50 -> 09:00 = 600 s; support: the mail, 1800 s.
SELECT * FROM omni.ongoing_by_state ORDER BY queue;
-- The customer of conversations 1 and 7.
SELECT customer_id, conversation_id, channel, state, sentiment, customer_conversations, customer_open_conversations
  FROM omni.customer_summary WHERE customer_id = (SELECT customer_id FROM omni.conversation WHERE id = 1)
 ORDER BY conversation_id;
SELECT conversation_id, queue, mode, wait_s, over_service_level, declines, pending_offer_id
  FROM omni.unassigned_work ORDER BY conversation_id;
SELECT conversation_id, queue, state, bot_escalated, sentiment_alert, escalated_at, wait_s
  FROM omni.escalations ORDER BY conversation_id;
-- ann's timeline since 08:00: Available, then one conversation (Busy), then
-- full (Busy - DND).
SELECT started_at, ended_at, duration_s, presence, used_units, free_units, active_items, wrap_up_items
  FROM omni.agent_timeline(1, '2026-03-02 08:00', '2026-03-02 09:00');

-- Agents see their own work: ann her two conversations; bob his parked one,
-- the offer, the mail he may pick and the one he closed today.
SET ROLE regress_kv_ann;
SELECT category, conversation_id, state, handle_s, offer_id FROM omni.my_work ORDER BY category, conversation_id;
SELECT agent_id, presence FROM omni.agent_status;
SET ROLE regress_kv_bob;
SELECT category, conversation_id, state, wait_s, offer_id FROM omni.my_work ORDER BY category, conversation_id;
-- The supervisor of sales sees sales only.
SET ROLE regress_kv_sup;
SELECT conversation_id, queue FROM omni.ongoing_conversations ORDER BY 1;
SELECT queue, open_count FROM omni.ongoing_by_state;
SELECT agent_id FROM omni.agent_status ORDER BY 1;
SELECT * FROM omni.my_work;
SELECT count(*) FROM omni.intraday_queue_kpi;           -- the materialized view itself is for admins
SELECT queue FROM omni.supervised_queue_kpi;            -- its queues' rows, once refreshed
RESET ROLE;
SELECT omni.refresh_kpis() > 0 AS refreshed;
SET ROLE regress_kv_sup;
SELECT queue, incoming, handled FROM omni.supervised_queue_kpi ORDER BY queue;
SELECT agent_id, handled FROM omni.supervised_agent_kpi ORDER BY agent_id;
RESET ROLE;

DROP EXTENSION omnichannel CASCADE;
DROP ROLE regress_kv_ann, regress_kv_bob, regress_kv_sup;
