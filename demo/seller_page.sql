-- demo/seller_page.sql — what the sales manager sees (as demo_sales_manager):
-- the team side by side, then one seller's page for today: figures against
-- the previous day, sentiment per day, mentions, calls, and a coaching comment.
SET ROLE demo_sales_manager;
SELECT id AS seller FROM omni.agent WHERE name = 'Marco' \gset
\echo
\echo '== Team today (omni.team_insight)'
SELECT name, calls, round(avg_sentiment_score::numeric, 2) AS sentiment, round(agent_talk_share::numeric, 2) AS talk_share,
       round(switches::numeric, 1) AS switches, round(avg_pause_ms::numeric) AS pause_ms,
       round(longest_customer_monologue_s::numeric, 1) AS monologue_s, round(agent_words_per_minute::numeric) AS wpm,
       round(agent_interruptions::numeric, 1) AS interrupts, needs_coaching AS coach, leads, reasons
  FROM omni.team_insight(date_trunc('day', now()), date_trunc('day', now()) + interval '1 day');
\echo '== Marco today, against yesterday (omni.seller_kpi)'
SELECT figure, round(value::numeric, 2) AS today, round(previous::numeric, 2) AS yesterday
  FROM omni.seller_kpi(:seller, date_trunc('day', now()), date_trunc('day', now()) + interval '1 day');
\echo '== Customer sentiment per day, last 3 days (omni.seller_sentiment_trend)'
SELECT * FROM omni.seller_sentiment_trend(:seller, date_trunc('day', now()) - interval '2 days',
                                          date_trunc('day', now()) + interval '1 day');
\echo '== Mentions (omni.seller_mentions)'
SELECT term, kind, mentions, calls, by_customer, by_agent, round(avg_sentiment_score::numeric, 2) AS sentiment_around
  FROM omni.seller_mentions(:seller, date_trunc('day', now()), date_trunc('day', now()) + interval '1 day');
\echo '== Calls (omni.call_insight) with action items'
SELECT to_char(ci.started_at, 'HH24:MI') AS at, round(ci.duration_s) AS dur_s, round(ci.agent_talk_share::numeric, 2) AS talk,
       ci.interruptions, ci.sentiment, ci.keyword_mentions AS kw, ci.competitor_mentions AS comp,
       (SELECT string_agg(a.action || ': ' || a.phrase, '; ') FROM omni.action_item a
         WHERE a.conversation_id = ci.conversation_id) AS action_items
  FROM omni.call_insight ci
 WHERE ci.agent_id = :seller AND ci.started_at >= date_trunc('day', now())
 ORDER BY ci.started_at;
\echo '== A coaching comment on the first interruption of his first call'
SELECT omni.add_coaching_comment((SELECT s.id FROM omni.transcript_segment s
                                   WHERE s.agent_id = :seller AND s.speaker = 'agent' AND s.seq > 1
                                   ORDER BY s.conversation_id, s.seq LIMIT 1),
                                 'Let the customer finish before you pitch the discount.') AS comment_id;
SELECT author, body FROM omni.coaching_comment WHERE agent_id = :seller;
RESET ROLE;
