-- insight_seller.sql — a seller's figures over a window beside the previous
-- window, sentiment per day, mentions, and the team view's coaching and
-- leading flags (docs/conversation-intelligence.md), from calls whose
-- figures are known.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
SET omnichannel.mock_now = '2026-03-13 09:00:00+00';
SET TimeZone = 'UTC';  -- windows and days below are UTC

INSERT INTO omni.agent (id, name) VALUES (811, 'Ana'), (812, 'Bo'), (813, 'Cy'), (814, 'Di'), (815, 'Ed');
INSERT INTO omni.queue (name) VALUES ('sel_team'), ('sel_elsewhere');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('sel_team', 811), ('sel_team', 812), ('sel_team', 813),
       ('sel_team', 814), ('sel_elsewhere', 815);
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('sel_voice', 'voice', 'sel_team');
INSERT INTO omni.customer (name) VALUES ('sel customer');
INSERT INTO omni.tracked_term (term, kind) VALUES ('refund', 'keyword'), ('Acme', 'competitor');

-- one call of agent a taken at t: the agent speaks [0, agent_ms), the
-- customer [agent_ms, 8000) unless given explicitly
CREATE FUNCTION pg_temp.call(a bigint, t timestamptz, said text, segs jsonb DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE c bigint;
BEGIN
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state, agent_id,
                                   created_at, accepted_at, closed_at, last_activity_at)
    SELECT 'sel_voice', 'voice', 'sel_team', 'sel customer', id, '{"language": "en"}', 'closed', a, t, t, t, t
      FROM omni.customer WHERE name = 'sel customer' RETURNING id INTO c;
    PERFORM omni.load_transcript(c, coalesce(segs, jsonb_build_array(
        jsonb_build_object('speaker', 'agent', 'start_ms', 0, 'end_ms', 4000, 'body', 'Hello, how can I help?'),
        jsonb_build_object('speaker', 'customer', 'start_ms', 4000, 'end_ms', 8000, 'body', said))));
    RETURN c;
END $$;
\set pos 'This is great, thank you so much, excellent service!'
\set neg 'This is terrible, awful service, I want a refund.'
\set neu 'My order number is 42.'

-- Ana: previous window [03-07, 03-10) one positive call where she talked 2 of 8 s;
--      window [03-10, 03-13) three calls (positive, negative, neutral), half the talk each
SELECT pg_temp.call(811, '2026-03-08 10:00+00', :'pos', '[{"speaker": "agent", "start_ms": 0, "end_ms": 2000, "body": "Hi."},
       {"speaker": "customer", "start_ms": 2000, "end_ms": 8000, "body": "This is great, thank you so much, excellent service!"}]') IS NOT NULL AS prev;
SELECT pg_temp.call(811, '2026-03-10 09:00+00', :'pos') IS NOT NULL AS d10a,
       pg_temp.call(811, '2026-03-10 15:00+00', :'neg') IS NOT NULL AS d10b,
       pg_temp.call(811, '2026-03-12 23:59:59+00', :'neu') IS NOT NULL AS d12,
       pg_temp.call(811, '2026-03-13 00:00+00', :'neg') IS NOT NULL AS after_the_window;
SELECT CASE WHEN sentiment > 'neutral' THEN 'positive' WHEN sentiment < 'neutral' THEN 'negative' ELSE 'neutral' END AS sentiment
  FROM omni.call_insight WHERE agent_id = 811 ORDER BY started_at;

-- seller_kpi_has_the_previous_window_beside_each_figure
-- (scores belong to the sentiment engine: only the direction of their change is shown)
SELECT figure, CASE WHEN figure <> 'sentiment_score' THEN round(value::numeric, 4) END AS value,
       CASE WHEN figure <> 'sentiment_score' THEN round(previous::numeric, 4) END AS previous,
       CASE WHEN figure = 'sentiment_score' THEN sign(change) ELSE round(change::numeric, 4) END AS change
  FROM omni.seller_kpi(811, '2026-03-10', '2026-03-13');

-- seller_sentiment_trend_has_every_day_of_the_window
SELECT day, calls, positive, neutral, negative FROM omni.seller_sentiment_trend(811, '2026-03-10', '2026-03-13');
SELECT count(*) AS days_of_a_partial_day FROM omni.seller_sentiment_trend(811, '2026-03-10 12:00', '2026-03-10 18:00');
SELECT day, calls, negative FROM omni.seller_sentiment_trend(811, '2026-03-10 12:00', '2026-03-10 18:00');

-- seller_mentions: the customer's refund, in the negative call of the window
SELECT term, kind, mentions, calls, by_customer, by_agent, avg_sentiment_score < 0 AS said_unhappily
  FROM omni.seller_mentions(811, '2026-03-10', '2026-03-13');

-- team_view: Bo leads (happy customers, listens), Cy needs coaching (unhappy
-- customers, talks 6 of 8 s, cuts the customer off), Di has too few calls
SELECT pg_temp.call(812, '2026-03-10 10:00+00', :'pos') IS NOT NULL,
       pg_temp.call(812, '2026-03-11 10:00+00', :'pos') IS NOT NULL,
       pg_temp.call(812, '2026-03-12 10:00+00', :'pos') IS NOT NULL;
SELECT pg_temp.call(813, t, NULL, '[{"speaker": "customer", "start_ms": 0, "end_ms": 2000, "body": "This is terrible, awful service. Acme is better."},
       {"speaker": "agent", "start_ms": 1000, "end_ms": 7000, "body": "Let me tell you about our offer."}]') IS NOT NULL
  FROM unnest(ARRAY['2026-03-10 11:00+00', '2026-03-11 11:00+00', '2026-03-12 11:00+00']::timestamptz[]) t;
SELECT pg_temp.call(814, '2026-03-11 12:00+00', :'neg') IS NOT NULL;
SELECT pg_temp.call(815, '2026-03-11 12:00+00', :'neg') IS NOT NULL;
UPDATE omni.conversation SET queue = 'sel_elsewhere' WHERE agent_id = 815;
SELECT name, calls, round(agent_talk_share::numeric, 3) AS talk_share,
       agent_interruptions AS interrupts, round(team_agent_talk_share::numeric, 4) AS team_share,
       round(team_agent_interruptions::numeric, 4) AS team_interrupts, needs_coaching, leads, reasons
  FROM omni.team_insight('2026-03-10', '2026-03-13', 'sel_team') ORDER BY name;
-- Ed is in another queue; the team page lists sellers best customer sentiment first
SELECT string_agg(name, ' > ') FILTER (WHERE name IN ('Bo', 'Ana', 'Cy')) AS ranking, bool_or(name = 'Ed') AS has_ed
  FROM omni.team_insight('2026-03-10', '2026-03-13', 'sel_team');
-- the team average is the mean of the judged sellers' averages
SELECT abs(team_sentiment_score - (SELECT avg(avg_sentiment_score) FROM omni.team_insight('2026-03-10', '2026-03-13', 'sel_team') WHERE calls >= 3)) < 1e-9
       AS team_mean FROM omni.team_insight('2026-03-10', '2026-03-13', 'sel_team') LIMIT 1;

-- top_customer_terms: what customers said most (refund: one call each of Ana, Di and Ed; Acme: Cy's three)
SELECT term, kind, mentions, calls, sellers FROM omni.top_customer_terms('2026-03-10', '2026-03-13');
SELECT term, mentions FROM omni.top_customer_terms('2026-03-10', '2026-03-13', 'sel_team', 1);

-- empty_and_reversed_windows_are_refused
\set VERBOSITY terse
SELECT * FROM omni.seller_kpi(811, '2026-03-13', '2026-03-10');
SELECT * FROM omni.seller_sentiment_trend(811, '2026-03-10', '2026-03-10');
SELECT * FROM omni.team_insight(NULL, '2026-03-10');
SELECT * FROM omni.seller_kpi(99999, '2026-03-10', '2026-03-13');
-- a window without calls: zero calls, NULL averages
SELECT figure, value, previous FROM omni.seller_kpi(811, '2025-01-01', '2025-01-02') WHERE figure IN ('calls', 'agent_talk_share');
