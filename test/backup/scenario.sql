-- test/backup/scenario.sql — a working contact center for the backup and
-- upgrade tests: configuration of every kind, conversations in every state,
-- offers in every state, messages, sentiment, customers, presence history,
-- KPI rollups, admin lexicon rows.  Uses only the 0.1.0 API (the upgrade
-- test runs it against 0.1.0).  The clock is the mock clock.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.at(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('omnichannel.mock_now', t || '+00', false); END $$;
CREATE FUNCTION pg_temp.offer_of(c bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT max(id) FROM omni.offer WHERE conversation_id = c $$;
SELECT pg_temp.at('2026-03-01 08:00:00');
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omni_bk_sup') THEN CREATE ROLE omni_bk_sup LOGIN; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omni_bk_agent') THEN CREATE ROLE omni_bk_agent LOGIN; END IF;
END $$;
ALTER ROLE omni_bk_sup LOGIN;      -- agents and supervisors are persons' login roles
ALTER ROLE omni_bk_agent LOGIN;

-- Configuration of every kind.
INSERT INTO omni.presence (name, base_status, presence_text) VALUES ('Lunch', 'away', 'Back at 2');
INSERT INTO omni.channel (name, description) VALUES ('whatsapp', 'WhatsApp Business');
INSERT INTO omni.skill (name) VALUES ('billing'), ('spanish');
INSERT INTO omni.capacity_profile (name, max_items) VALUES ('voice', 1);
INSERT INTO omni.queue (name, sentiment_enabled) VALUES ('general', true);
INSERT INTO omni.queue (name, assignment_method) VALUES ('vip', 'round_robin'), ('spill', 'least_active');
INSERT INTO omni.queue (name, assignment_method) VALUES ('custom', 'custom');
INSERT INTO omni.assignment_rule (queue, position, order_by) VALUES ('custom', 0, '{free_capacity}');
INSERT INTO omni.queue_overflow (queue, position, condition, max_wait, action, target_queue)
VALUES ('vip', 0, 'wait_time', '1 hour', 'transfer', 'spill');
INSERT INTO omni.queue_hours (queue, isodow, opens, closes) VALUES ('spill', 1, '08:00', '18:00');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'general');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_profile) VALUES ('voice', 'voice', 'vip', 'voice');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('chat', 0, '$.vip == true', 'vip');
INSERT INTO omni.route_rule_split (workstream, position, queue, percent) VALUES ('chat', 0, 'vip', 100);
INSERT INTO omni.classify_rule (workstream, position, condition, priority, required_skills)
VALUES ('chat', 0, '$.topic == "billing"', 1, '{"billing": 3}');
INSERT INTO omni.agent (name, db_role, default_presence) VALUES ('ann', 'omni_bk_agent', 'Available');
INSERT INTO omni.agent (name) VALUES ('bob'), ('cy'), ('dee');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'billing', 7), (2, 'billing', 4), (3, 'spanish', 9);
INSERT INTO omni.agent_capacity_profile (agent_id, profile) VALUES (1, 'voice'), (2, 'voice');
INSERT INTO omni.queue_member (queue, agent_id)
SELECT q, a FROM unnest(ARRAY['general', 'vip', 'spill', 'custom']) q, generate_series(1, 4) a;
INSERT INTO omni.queue_supervisor (queue, db_role) VALUES ('general', 'omni_bk_sup');
INSERT INTO omni.lexicon (language, term, valence) VALUES ('en', 'splendiferous', 3.5);
INSERT INTO omni.profanity (language, term) VALUES ('en', 'frakking');
UPDATE omni.sentiment_threshold SET min_score = -0.6 WHERE level = 'negative';

-- Presence history.
SELECT omni.login(a) FROM generate_series(1, 4) a;
SELECT pg_temp.at('2026-03-01 08:30:00');
SELECT omni.set_presence(4, 'Lunch');
SELECT pg_temp.at('2026-03-01 08:45:00');
SELECT omni.set_presence(4, 'Available');

-- Conversations in every state, offers in every state.
SELECT pg_temp.at('2026-03-01 09:00:00');
SELECT omni.enqueue('chat', 'c' || g, jsonb_build_object('n', g)) FROM generate_series(1, 8) g;
SELECT omni.enqueue('chat', 'vip1', '{"vip": true}');
SELECT omni.enqueue('chat', 'bill', '{"topic": "billing"}');
SELECT omni.link_customer((SELECT customer_id FROM omni.conversation WHERE id = 1), 'sms', '+4500000001');
SELECT omni.route() > 0 AS routed;                                   -- pending offers
SELECT pg_temp.at('2026-03-01 09:00:10');
SELECT omni.accept(o.id) FROM omni.offer o WHERE o.state = 'pending' AND o.conversation_id IN (1, 2, 3, 4);
SELECT omni.reject(o.id) FROM omni.offer o WHERE o.state = 'pending' AND o.conversation_id = 5;
SELECT omni.post_message(1, 'customer', 'This is splendiferous, thank you!');
SELECT omni.post_message(1, 'agent', 'Glad to help.', (SELECT agent_id FROM omni.conversation WHERE id = 1));
SELECT omni.post_message(2, 'customer', 'frakking awful service, I am angry');
SELECT pg_temp.at('2026-03-01 09:05:00');
SELECT omni.end_conversation(1);                                     -- wrap_up
SELECT omni.end_conversation(2), omni.close_conversation(2);         -- closed
SELECT omni.set_waiting(3);                                          -- waiting
SELECT omni.abandon(8);                                              -- closed, abandoned
SELECT omni.tick();                                                  -- expired offers
SELECT pg_temp.at('2026-03-01 09:10:00');
SELECT omni.start_with_bot('chat', 'botty');                         -- active, bot
SELECT omni.escalate(omni.start_with_bot('chat', 'esc'));            -- escalated, open
SELECT omni.route() >= 0 AS routed;
SELECT omni.force_close(c.id) FROM omni.conversation c               -- rescinds its offer
 WHERE c.state = 'open' AND EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')
 ORDER BY c.id LIMIT 1;
SELECT pg_temp.at('2026-03-01 09:20:00');
SELECT omni.transfer(4, 'spill');
SELECT omni.refresh_kpis() > 0 AS kpis_refreshed;
SELECT pg_temp.at('2026-03-01 09:25:00');
SELECT omni.enqueue('voice', '+4512345678');                         -- after the refresh: not counted yet
SELECT omni.route() >= 0 AS routed;
SELECT state, count(*) FROM omni.conversation GROUP BY state ORDER BY state;
SELECT state, count(*) FROM omni.offer GROUP BY state ORDER BY state;
