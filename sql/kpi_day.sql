-- kpi_day: a scripted contact-center day; every intraday KPI is checked
-- against numbers computed by hand (in the comments).  The clock is the mock
-- clock; nothing sleeps.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.at(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('omnichannel.mock_now', t || '+00', false); END $$;
CREATE FUNCTION pg_temp.offer_of(c bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT max(id) FROM omni.offer WHERE conversation_id = c $$;

-- q1: service level 20 s, short abandon 5 s (defaults); q2: service level 60 s.
INSERT INTO omni.queue (name) VALUES ('q1');
INSERT INTO omni.queue (name, service_level_threshold) VALUES ('q2', '60 s');
-- chat: push, 10 capacity units per conversation, wrap-up holds capacity,
-- an expired offer sets the agent Inactive.
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q1');
INSERT INTO omni.agent (name) VALUES ('ann'), ('bob');          -- 100 units each
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q1', 1), ('q1', 2), ('q2', 1), ('q2', 2);

-- Day 1 (2026-03-01).  The intraday window checked at 2026-03-02 10:00 starts
-- at 2026-03-01 10:00.
SELECT pg_temp.at('2026-03-01 09:50:00'); SELECT omni.login(2);
-- C1 enters q1 before the window, is answered inside it: not in the cohort.
SELECT pg_temp.at('2026-03-01 09:58:00'); SELECT omni.enqueue('chat', 'c1');
SELECT pg_temp.at('2026-03-01 10:01:00'); SELECT omni._make_offer(1, 2) IS NOT NULL AS offered;
SELECT omni.accept(pg_temp.offer_of(1));
SELECT pg_temp.at('2026-03-01 10:02:00'); SELECT omni.end_conversation(1);
-- C2 enters inside the window: answered after 30 s, 120 s active, 60 s wrap-up.
SELECT pg_temp.at('2026-03-01 10:02:00'); SELECT omni.enqueue('chat', 'c2');
SELECT pg_temp.at('2026-03-01 10:02:30'); SELECT omni._make_offer(2, 2) IS NOT NULL AS offered;
SELECT omni.accept(pg_temp.offer_of(2));
SELECT pg_temp.at('2026-03-01 10:03:00'); SELECT omni.close_conversation(1);
SELECT pg_temp.at('2026-03-01 10:04:30'); SELECT omni.end_conversation(2);
SELECT pg_temp.at('2026-03-01 10:05:30'); SELECT omni.close_conversation(2);
SELECT pg_temp.at('2026-03-01 10:10:00'); SELECT omni.logout(2);
-- A first refresh in the middle of the story: later refreshes add to it.
SELECT omni.refresh_kpis() AS events_counted;

-- Day 2 (2026-03-02).
SELECT pg_temp.at('2026-03-02 08:00:00'); SELECT omni.login(1), omni.login(2);
-- C3: offered to ann, answered in 10 s, first response after 40 s, 300 s active, 60 s wrap-up.
SELECT pg_temp.at('2026-03-02 09:00:00'); SELECT omni.enqueue('chat', 'c3');
SELECT pg_temp.at('2026-03-02 09:00:05'); SELECT omni._make_offer(3, 1) IS NOT NULL AS offered;
SELECT pg_temp.at('2026-03-02 09:00:10'); SELECT omni.accept(pg_temp.offer_of(3));
SELECT pg_temp.at('2026-03-02 09:00:40'); SELECT omni.post_message(3, 'agent', 'Hello!', 1) > 0 AS posted;
-- C4: bob rejects, ann lets the offer expire (she becomes Inactive), bob
-- answers after 60 s, responds after 90 s, transfers to q2 after 120 s active;
-- in q2 a supervisor assigns it to ann after 30 s: 360 s active, 30 s wrap-up.
SELECT pg_temp.at('2026-03-02 09:01:00'); SELECT omni.enqueue('chat', 'c4');
SELECT pg_temp.at('2026-03-02 09:01:02'); SELECT omni._make_offer(4, 2) IS NOT NULL AS offered;
SELECT pg_temp.at('2026-03-02 09:01:10'); SELECT omni.reject(pg_temp.offer_of(4));
SELECT pg_temp.at('2026-03-02 09:01:15'); SELECT omni._make_offer(4, 1) IS NOT NULL AS offered;
SELECT pg_temp.at('2026-03-02 09:01:45'); SELECT omni._end_offer(pg_temp.offer_of(4), 'expired');
SELECT pg_temp.at('2026-03-02 09:01:50'); SELECT omni._make_offer(4, 2) IS NOT NULL AS offered;
SELECT pg_temp.at('2026-03-02 09:02:00'); SELECT omni.accept(pg_temp.offer_of(4));
-- C5: the customer leaves after 3 s: a short abandon.
SELECT pg_temp.at('2026-03-02 09:02:00'); SELECT omni.enqueue('chat', 'c5');
SELECT pg_temp.at('2026-03-02 09:02:03'); SELECT omni.abandon(5);
SELECT pg_temp.at('2026-03-02 09:02:30'); SELECT omni.post_message(4, 'agent', 'Let me see.', 2) > 0 AS posted;
-- C6: abandoned after 15 s, after an offer (the offer is rescinded).
SELECT pg_temp.at('2026-03-02 09:03:00'); SELECT omni.enqueue('chat', 'c6');
SELECT pg_temp.at('2026-03-02 09:03:05'); SELECT omni._make_offer(6, 2) IS NOT NULL AS offered;
SELECT pg_temp.at('2026-03-02 09:03:15'); SELECT omni.abandon(6);
-- A refresh while things are going on.
SELECT pg_temp.at('2026-03-02 09:03:20'); SELECT omni.refresh_kpis() AS events_counted;
-- C7: abandoned after 60 s, never offered.
SELECT pg_temp.at('2026-03-02 09:03:30'); SELECT omni.enqueue('chat', 'c7');
SELECT pg_temp.at('2026-03-02 09:04:00'); SELECT omni.transfer(4, 'q2');
SELECT pg_temp.at('2026-03-02 09:04:20'); SELECT omni.set_presence(1, 'Available');
SELECT pg_temp.at('2026-03-02 09:04:30'); SELECT omni.assign(4, 1);
SELECT omni.abandon(7);
-- C8: a bot conversation escalated at 09:06, still waiting at 10:00.
SELECT pg_temp.at('2026-03-02 09:05:00'); SELECT omni.start_with_bot('chat', 'c8');
SELECT pg_temp.at('2026-03-02 09:05:10'); SELECT omni.end_conversation(3);
SELECT pg_temp.at('2026-03-02 09:06:00'); SELECT omni.escalate(8);
SELECT pg_temp.at('2026-03-02 09:06:10'); SELECT omni.close_conversation(3);
-- C9: ann answers in 12 s, hands it to bob after 48 s; bob 60 s active, 30 s
-- wrap-up.  The sentiment engine marked it negative (-0.5).
SELECT pg_temp.at('2026-03-02 09:07:00'); SELECT omni.enqueue('chat', 'c9');
SELECT pg_temp.at('2026-03-02 09:07:12'); SELECT omni._make_offer(9, 1) IS NOT NULL AS offered;
SELECT omni.accept(pg_temp.offer_of(9));
SELECT pg_temp.at('2026-03-02 09:08:00'); SELECT omni.transfer_to_agent(9, 2);
UPDATE omni.conversation SET sentiment = 'negative', sentiment_score = -0.5 WHERE id = 9;
SELECT pg_temp.at('2026-03-02 09:09:00'); SELECT omni.end_conversation(9);
SELECT pg_temp.at('2026-03-02 09:09:30'); SELECT omni.close_conversation(9);
SELECT pg_temp.at('2026-03-02 09:10:30'); SELECT omni.end_conversation(4);
SELECT pg_temp.at('2026-03-02 09:11:00'); SELECT omni.close_conversation(4);

SELECT pg_temp.at('2026-03-02 10:00:00');
SELECT omni.refresh_kpis() AS events_counted;
SELECT last_id = (SELECT max(id) FROM omni.event) AS all_counted, gaps, done_above FROM omni.kpi_state;

\x on
-- q1 cohort (entered since 2026-03-01 10:00): C2 C3 C4 C5 C6 C7 C8 C9.
--   incoming 8 (1 escalated); handled C2 30 s, C3 10 s, C4 60 s, C9 12 s = 4,
--   within 20 s: C3 C9 = 2; ASA 112/4 = 28; abandoned C6 15 s (after offer,
--   within), C7 60 s (before offer); short C5; abandon_rate 2/8 = 0.25;
--   avg time to abandon 37.5; C8 still waiting over 20 s: SL 2/(4+2+1) =
--   0.2857142857142857, SL2 (2+1)/(4+2) = 0.5; histogram: 10, 12 in [10,15),
--   30 in [30,45), 60 in [60,90): p50 = 2nd wait (12) -> its bin's lower bound 10,
--   p90 = 4th wait (60) -> 60 (docs/kpi.md: lower bound of the nearest rank's bin);
--   handle: C2 120+60, C3 300+60, C4 120 (in q1), C9 48+60+30 -> 798/4 = 199.5;
--   wrap (60+60+30)/3 = 50; transferred C4 (to q2), C9 (to bob): 2/4 = 0.5;
--   escalation 1/8; first response C3 40 s, C4 90 s -> 65;
--   offers made since 10:00 day 1: C1, C2, C3, C4 x3, C6, C9 = 8; accepted 5,
--   rejected 1, expired 1: rates 0.125; sentiment: C2 C3 C5 C6 C7 neutral (0),
--   C9 negative (-0.5): 6, mean -0.08333; online ann and bob: 4/2 = 2 per
--   agent; handled per 100 units ann 2 bob 2: fairness 0.
-- q2: C4 entered by transfer, assigned after 30 s (within 60 s), 360 s active
--   + 30 s wrap-up = 390; no offers: offer rates NULL; p50 = p90 = 30 (on
--   a bin edge: exact); fairness: ann 1, bob 0 -> stddev 0.5 / mean 0.5 = 1.
SELECT * FROM omni.intraday_queue_kpi ORDER BY queue, channel;

-- bob: offers C1 (acc), C2 (acc), C4 (rej), C4 (acc), C6 (rescinded) = 5;
--   handled C2 30 s, C4 60 s (C1 entered before the window) = 2, ASA 45;
--   transferred C4: 1/2; sessions C2 180 (wrap 60), C4 120, C9 90 (wrap 30):
--   AHT 130, wrap 45; first response C4 90; sentiment C2 0, C9 -0.5;
--   presence: day 1 10:00-10:10 Available 60+270, Busy 270; Offline
--   10:10 -> 08:00 = 78600; day 2 Available 3662+40+240+3030, Busy 8+130+90:
--   available 7302, busy 498, logged in 7800; work C1 120 + C2 180 + C4 120
--   + C9 90 = 510 s, x10 units = 5100; utilization 5100/(100*7800).
-- ann: offers C3 (acc), C4 (expired), C9 (acc) = 3; handled C3 10, C9 12,
--   C4 in q2 30 -> ASA 52/3; transferred C9: 1/3; sessions C3 360 (wrap 60),
--   C4 390 (wrap 30), C9 48 -> AHT 266, wrap 45; first response C3 40;
--   presence: Available 3605+10+2940 = 6555, Busy 100+390 = 490, Inactive
--   (away) 155; work 360+390+48 = 798 s -> 7980 unit-s; utilization 7980/720000.
SELECT * FROM omni.intraday_agent_kpi ORDER BY agent_id;
\x off
SELECT agent_id, presence, base_status, seconds, round(share::numeric, 4) AS share
  FROM omni.intraday_agent_presence ORDER BY agent_id, presence;

-- One definition: omni.kpi() over the same window recomputes the same rows
-- from the event log (and the refreshes in the middle changed nothing).
SELECT count(*) AS rows_differing FROM (
    (SELECT * FROM omni.intraday_queue_kpi EXCEPT SELECT * FROM omni.kpi(omni.kpi_window_start(), omni.now()))
    UNION ALL
    (SELECT * FROM omni.kpi(omni.kpi_window_start(), omni.now()) EXCEPT SELECT * FROM omni.intraday_queue_kpi)) d;
SELECT count(*) AS rows_differing FROM (
    (SELECT * FROM omni.intraday_agent_kpi EXCEPT SELECT * FROM omni.agent_kpi(omni.kpi_window_start(), omni.now()))
    UNION ALL
    (SELECT * FROM omni.agent_kpi(omni.kpi_window_start(), omni.now()) EXCEPT SELECT * FROM omni.intraday_agent_kpi)) d;
SELECT count(*) AS rows_differing FROM (
    (SELECT * FROM omni.intraday_agent_presence
     EXCEPT SELECT * FROM omni.agent_presence_kpi(omni.kpi_window_start(), omni.now()))
    UNION ALL
    (SELECT * FROM omni.agent_presence_kpi(omni.kpi_window_start(), omni.now())
     EXCEPT SELECT * FROM omni.intraday_agent_presence)) d;
-- Refreshing again with nothing new counts nothing and changes nothing.
SELECT omni.refresh_kpis() AS events_counted;
SELECT handled, service_level FROM omni.intraday_queue_kpi WHERE queue = 'q1';

-- A past window is what the dashboard showed at its end: [09:00, 09:03:10)
-- on day 2.  C3 C4 C5 C6 entered; C3 (10 s) and C4 (60 s) handled; C5 short;
-- C6 waiting 10 s (not over 20 s): SL 1/2; no visit ended its handling yet:
-- AHT NULL (empty denominator).
SELECT queue, incoming, handled, short_abandoned, abandoned, waiting_now, waiting_over_sl, service_level,
       avg_speed_to_answer_s, avg_handle_time_s, transfer_rate
  FROM omni.kpi('2026-03-02 09:00', '2026-03-02 09:03:10');
-- A window with no events: no queue rows; agents with zero counts and NULL rates.
SELECT count(*) AS queue_rows FROM omni.kpi('2026-02-01', '2026-02-02');
SELECT agent_id, offers, accept_rate, handled, avg_handle_time_s, logged_in_s, utilization
  FROM omni.agent_kpi('2026-02-01', '2026-02-02') ORDER BY agent_id;
SELECT * FROM omni.kpi('2026-03-02', '2026-03-01');

-- Today's thresholds: q1's service level threshold becomes 60 s; a rebuild
-- recounts the rollups.  Within 60 s: C2 C3 C4 C9 = 4: SL 4/(4+2+1), SL2
-- (4+2)/(4+2) = 1; omni.kpi() agrees at once.
UPDATE omni.queue SET service_level_threshold = '60 s' WHERE name = 'q1';
SELECT omni.rebuild_kpis(omni.kpi_window_start()) > 0 AS rebuilt;
SELECT queue, handled_within_sl, service_level, service_level_2 FROM omni.intraday_queue_kpi WHERE queue = 'q1';
SELECT queue, handled_within_sl, service_level, service_level_2
  FROM omni.kpi(omni.kpi_window_start(), omni.now()) WHERE queue = 'q1';

-- 24 hours later the window starts at 2026-03-02 09:05: only C8 (entered
-- 09:06, still waiting) and C9 (09:07, answered in 12 s, within today's 60 s)
-- are left in q1: SL 1/(1+0+1) = 0.5, abandon rate 0/2, ASA 12.  q2 keeps a
-- row (C4's handling went on into the window) with empty denominators.
SELECT pg_temp.at('2026-03-03 09:05:00');
SELECT omni.refresh_kpis() AS events_counted;
SELECT queue, incoming, handled, waiting_now, waiting_over_sl, service_level, abandon_rate, avg_speed_to_answer_s
  FROM omni.intraday_queue_kpi ORDER BY queue;
