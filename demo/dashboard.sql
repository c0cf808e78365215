-- demo/dashboard.sql — what a supervisor looks at after the simulated period.
SELECT omni.refresh_kpis() IS NOT NULL AS kpis_refreshed \gset
\echo
\echo '== Agents right now (omni.agent_status)'
SELECT name, presence, round((in_presence_s)::numeric) AS for_s, used_units || '/' || capacity_units AS units,
       active_items AS active, wrap_up_items AS wrap_up, pending_offers AS offers, queues
  FROM omni.agent_status ORDER BY agent_id;

\echo '== Work by queue right now (omni.ongoing_by_state)'
SELECT queue, open_count AS open, offered_count AS offered, active_count AS active, waiting_count AS waiting,
       wrap_up_count AS wrap_up, round((longest_wait_s)::numeric) AS longest_wait_s, over_service_level_count AS over_sl
  FROM omni.ongoing_by_state ORDER BY queue;

\echo '== Intraday by queue and channel (omni.intraday_queue_kpi, last 24 h)'
SELECT queue, channel, incoming, handled, abandoned, round((abandon_rate)::numeric, 2) AS abandon_rate,
       round((avg_speed_to_answer_s)::numeric, 1) AS asa_s, round((p90_wait_s)::numeric, 1) AS p90_wait_s,
       round((service_level)::numeric, 2) AS sl, round((avg_handle_time_s)::numeric, 1) AS aht_s,
       round((transfer_rate)::numeric, 2) AS transfer_rate, round((escalation_rate)::numeric, 2) AS escalation_rate,
       round((avg_first_response_s)::numeric, 1) AS frt_s, round((reject_rate)::numeric, 2) AS reject_rate,
       round((timeout_rate)::numeric, 2) AS timeout_rate, round((avg_sentiment_score)::numeric, 2) AS sentiment
  FROM omni.intraday_queue_kpi ORDER BY queue, channel;

\echo '== Intraday by agent (omni.intraday_agent_kpi)'
SELECT name, offers, offers_accepted AS accepted, offers_rejected AS rejected, offers_expired AS expired,
       handled, round((avg_handle_time_s)::numeric, 1) AS aht_s, round((avg_first_response_s)::numeric, 1) AS frt_s,
       round((utilization)::numeric, 2) AS utilization, round((available_s)::numeric) AS available_s, round((busy_s + busy_dnd_s)::numeric) AS busy_s,
       round((away_s)::numeric) AS away_s
  FROM omni.intraday_agent_kpi ORDER BY agent_id;

\echo '== Customer sentiment of ongoing conversations'
SELECT sentiment, count(*) AS conversations FROM omni.ongoing_conversations GROUP BY sentiment ORDER BY sentiment;

\echo '== Escalations to watch (omni.escalations)'
SELECT conversation_id, queue, channel, state, agent_id, bot_escalated, sentiment_alert, sentiment,
       round(sentiment_score::numeric, 2) AS score, round(wait_s::numeric) AS wait_s
  FROM omni.escalations ORDER BY sentiment_score, conversation_id LIMIT 8;
