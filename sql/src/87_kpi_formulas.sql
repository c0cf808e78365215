-- 87_kpi_formulas.sql — supervisor KPIs, part 3: the formulas (the only place a KPI
-- is computed), the intraday materialized views and past windows (omni.kpi).

-- Formulas ----------------------------------------------------------------------------

CREATE FUNCTION omni._ratio(n double precision, d double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE WHEN d > 0 THEN n / d END $$;
COMMENT ON FUNCTION omni._ratio(double precision, double precision) IS 'n / d, NULL when the denominator is empty.';

CREATE FUNCTION omni._kpi_queue_rows_by(t_from timestamptz, t_to timestamptz, step interval, from_rollup boolean)
    RETURNS TABLE (
        window_start timestamptz, window_end timestamptz, queue text, channel text,
        incoming bigint, incoming_escalated bigint, incoming_transferred bigint, incoming_requeued bigint,
        handled bigint, handled_within_sl bigint, abandoned bigint, abandoned_within_sl bigint,
        abandoned_after_offer bigint, abandoned_before_offer bigint, short_abandoned bigint,
        unanswered_other bigint, waiting_now bigint, waiting_over_sl bigint,
        abandon_rate double precision, avg_speed_to_answer_s double precision,
        p50_wait_s double precision, p90_wait_s double precision,
        service_level_threshold_s double precision, service_level double precision, service_level_2 double precision,
        avg_time_to_abandon_s double precision,
        avg_handle_time_s double precision, avg_wrap_up_time_s double precision,
        handled_transferred bigint, transfer_rate double precision,
        escalation_rate double precision, avg_first_response_s double precision,
        offers bigint, offers_accepted bigint, offers_rejected bigint, offers_expired bigint,
        reject_rate double precision, timeout_rate double precision,
        sentiment_count bigint, avg_sentiment_score double precision,
        sentiment_very_negative bigint, sentiment_negative bigint, sentiment_slightly_negative bigint,
        sentiment_neutral bigint, sentiment_slightly_positive bigint, sentiment_positive bigint,
        sentiment_very_positive bigint,
        online_agents bigint, conversations_per_online_agent double precision, fairness_cv double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
WITH s AS MATERIALIZED (
    SELECT * FROM omni._kpi_sums(t_from, t_to, from_rollup) WHERE step IS NULL
    UNION ALL
    SELECT * FROM omni._kpi_series_sums(t_from, t_to, step) WHERE step IS NOT NULL),
pres AS MATERIALIZED (
    SELECT t_from AS ws, x.* FROM omni._kpi_presence_sums(t_from, t_to, from_rollup) x WHERE step IS NULL
    UNION ALL
    SELECT * FROM omni._kpi_series_presence(t_from, t_to, step) WHERE step IS NOT NULL),
online AS (
    SELECT p.ws, p.agent_id FROM pres p JOIN omni.presence pr ON pr.name = p.presence
     WHERE pr.base_status <> 'offline' GROUP BY p.ws, p.agent_id HAVING sum(p.seconds) > 0),
w AS (
    SELECT t_from AS ws, x.* FROM omni._kpi_waiting(t_from, t_to, from_rollup) x WHERE step IS NULL
    UNION ALL
    SELECT * FROM omni._kpi_series_waiting(t_from, t_to, step) WHERE step IS NOT NULL),
g AS (
    SELECT s.bucket AS ws, s.queue, s.channel,
           sum(s.incoming) AS incoming, sum(s.incoming_escalated) AS incoming_escalated,
           sum(s.incoming_transferred) AS incoming_transferred, sum(s.incoming_requeued) AS incoming_requeued,
           sum(s.handled) AS handled, sum(s.handled_within_sl) AS handled_within_sl, sum(s.answer_s) AS answer_s,
           ARRAY[sum(wait_h01), sum(wait_h02), sum(wait_h03), sum(wait_h04), sum(wait_h05), sum(wait_h06),
                 sum(wait_h07), sum(wait_h08), sum(wait_h09), sum(wait_h10), sum(wait_h11), sum(wait_h12),
                 sum(wait_h13), sum(wait_h14), sum(wait_h15), sum(wait_h16)] AS hist,
           sum(s.abandoned) AS abandoned, sum(s.abandoned_within_sl) AS abandoned_within_sl,
           sum(s.abandoned_after_offer) AS abandoned_after_offer, sum(s.abandon_s) AS abandon_s,
           sum(s.short_abandoned) AS short_abandoned, sum(s.unanswered_other) AS unanswered_other,
           sum(s.handled_transferred) AS handled_transferred,
           sum(s.handle_n) AS handle_n, sum(s.handle_s) AS handle_s, sum(s.wrap_n) AS wrap_n, sum(s.wrap_s) AS wrap_s,
           sum(s.first_response_n) AS first_response_n, sum(s.first_response_s) AS first_response_s,
           sum(s.offers) AS offers, sum(s.offers_accepted) AS offers_accepted,
           sum(s.offers_rejected) AS offers_rejected, sum(s.offers_expired) AS offers_expired,
           sum(s.sentiment_n) AS sentiment_n, sum(s.sentiment_score_s) AS sentiment_score_s,
           sum(s.s_very_negative) AS s_very_negative, sum(s.s_negative) AS s_negative,
           sum(s.s_slightly_negative) AS s_slightly_negative, sum(s.s_neutral) AS s_neutral,
           sum(s.s_slightly_positive) AS s_slightly_positive, sum(s.s_positive) AS s_positive,
           sum(s.s_very_positive) AS s_very_positive
      FROM s WHERE s.queue <> '' GROUP BY s.bucket, s.queue, s.channel),
-- Fairness: handled per 100 capacity units of each online member of the queue.
-- (each online member of the queue with what it handled, zero included; a
-- union and one grouping rather than a join that a misestimate turns into a
-- loop over every bucket of a series)
onl AS (SELECT o.ws, array_agg(o.agent_id) AS agents FROM online o GROUP BY o.ws),
fair AS (
    SELECT k.ws, k.queue, k.channel, count(*) AS online_agents,
           CASE WHEN avg(k.per_cap) > 0 THEN stddev_pop(k.per_cap) / avg(k.per_cap) END AS cv
      FROM (SELECT u.ws, u.queue, u.channel, u.agent_id,
                   sum(u.handled) * 100.0 / nullif(a.capacity_units, 0) AS per_cap
              FROM (SELECT qc.ws, qc.queue, qc.channel, m.agent_id, 0::double precision AS handled, true AS online_member
                      FROM (SELECT DISTINCT s.bucket AS ws, s.queue, s.channel FROM s WHERE s.queue <> '') qc
                      JOIN onl ON onl.ws = qc.ws
                      JOIN omni.queue_member m ON m.queue = qc.queue AND m.agent_id = ANY (onl.agents)
                    UNION ALL
                    SELECT s.bucket, s.queue, s.channel, s.agent_id, s.handled, false
                      FROM s WHERE s.queue <> '' AND s.agent_id <> 0) u
              JOIN omni.agent a ON a.id = u.agent_id
             GROUP BY u.ws, u.queue, u.channel, u.agent_id, a.capacity_units
            HAVING bool_or(u.online_member)) k
     GROUP BY k.ws, k.queue, k.channel)
SELECT x.ws, CASE WHEN step IS NULL THEN t_to ELSE least(x.ws + step, t_to) END, x.queue, x.channel,
       coalesce(g.incoming, 0)::bigint, coalesce(g.incoming_escalated, 0)::bigint,
       coalesce(g.incoming_transferred, 0)::bigint, coalesce(g.incoming_requeued, 0)::bigint,
       coalesce(g.handled, 0)::bigint, coalesce(g.handled_within_sl, 0)::bigint,
       coalesce(g.abandoned, 0)::bigint, coalesce(g.abandoned_within_sl, 0)::bigint,
       coalesce(g.abandoned_after_offer, 0)::bigint, coalesce(g.abandoned - g.abandoned_after_offer, 0)::bigint,
       coalesce(g.short_abandoned, 0)::bigint, coalesce(g.unanswered_other, 0)::bigint,
       coalesce(w.waiting, 0)::bigint, coalesce(w.waiting_over_sl, 0)::bigint,
       omni._ratio(g.abandoned, g.incoming),
       omni._ratio(g.answer_s, g.handled),
       omni._kpi_percentile(g.hist, 0.5), omni._kpi_percentile(g.hist, 0.9),
       extract(epoch FROM q.service_level_threshold)::double precision,
       omni._ratio(g.handled_within_sl,
                   coalesce(g.handled, 0) + coalesce(g.abandoned, 0) + coalesce(w.waiting_over_sl, 0)),
       omni._ratio(coalesce(g.handled_within_sl, 0) + coalesce(g.abandoned_within_sl, 0),
                   coalesce(g.handled, 0) + coalesce(g.abandoned, 0)),
       omni._ratio(g.abandon_s, g.abandoned),
       omni._ratio(g.handle_s, g.handle_n), omni._ratio(g.wrap_s, g.wrap_n),
       coalesce(g.handled_transferred, 0)::bigint, omni._ratio(g.handled_transferred, g.handled),
       omni._ratio(g.incoming_escalated, g.incoming), omni._ratio(g.first_response_s, g.first_response_n),
       coalesce(g.offers, 0)::bigint, coalesce(g.offers_accepted, 0)::bigint,
       coalesce(g.offers_rejected, 0)::bigint, coalesce(g.offers_expired, 0)::bigint,
       omni._ratio(g.offers_rejected, g.offers), omni._ratio(g.offers_expired, g.offers),
       coalesce(g.sentiment_n, 0)::bigint, omni._ratio(g.sentiment_score_s, g.sentiment_n),
       coalesce(g.s_very_negative, 0)::bigint, coalesce(g.s_negative, 0)::bigint,
       coalesce(g.s_slightly_negative, 0)::bigint, coalesce(g.s_neutral, 0)::bigint,
       coalesce(g.s_slightly_positive, 0)::bigint, coalesce(g.s_positive, 0)::bigint,
       coalesce(g.s_very_positive, 0)::bigint,
       coalesce(f.online_agents, 0)::bigint, omni._ratio(g.handled, f.online_agents), f.cv
  FROM (SELECT g.ws, g.queue, g.channel FROM g UNION SELECT w.ws, w.queue, w.channel FROM w) x
  JOIN omni.queue q ON q.name = x.queue
  LEFT JOIN g ON (g.ws, g.queue, g.channel) = (x.ws, x.queue, x.channel)
  LEFT JOIN w ON (w.ws, w.queue, w.channel) = (x.ws, x.queue, x.channel)
  LEFT JOIN fair f ON (f.ws, f.queue, f.channel) = (x.ws, x.queue, x.channel)
$$;
COMMENT ON FUNCTION omni._kpi_queue_rows_by(timestamptz, timestamptz, interval, boolean) IS
    'The queue KPI formulas (docs/kpi.md), applied to sums from the rollups or the event log: for the window [t_from, t_to), or per step-long bucket of it (from the rollups, each bucket counted like the intraday views).';

CREATE FUNCTION omni._kpi_queue_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (
        window_start timestamptz, window_end timestamptz, queue text, channel text,
        incoming bigint, incoming_escalated bigint, incoming_transferred bigint, incoming_requeued bigint,
        handled bigint, handled_within_sl bigint, abandoned bigint, abandoned_within_sl bigint,
        abandoned_after_offer bigint, abandoned_before_offer bigint, short_abandoned bigint,
        unanswered_other bigint, waiting_now bigint, waiting_over_sl bigint,
        abandon_rate double precision, avg_speed_to_answer_s double precision,
        p50_wait_s double precision, p90_wait_s double precision,
        service_level_threshold_s double precision, service_level double precision, service_level_2 double precision,
        avg_time_to_abandon_s double precision,
        avg_handle_time_s double precision, avg_wrap_up_time_s double precision,
        handled_transferred bigint, transfer_rate double precision,
        escalation_rate double precision, avg_first_response_s double precision,
        offers bigint, offers_accepted bigint, offers_rejected bigint, offers_expired bigint,
        reject_rate double precision, timeout_rate double precision,
        sentiment_count bigint, avg_sentiment_score double precision,
        sentiment_very_negative bigint, sentiment_negative bigint, sentiment_slightly_negative bigint,
        sentiment_neutral bigint, sentiment_slightly_positive bigint, sentiment_positive bigint,
        sentiment_very_positive bigint,
        online_agents bigint, conversations_per_online_agent double precision, fairness_cv double precision)
    LANGUAGE sql STABLE AS $$ SELECT * FROM omni._kpi_queue_rows_by(t_from, t_to, NULL, from_rollup) $$;
COMMENT ON FUNCTION omni._kpi_queue_rows(timestamptz, timestamptz, boolean) IS
    'The queue KPI formulas (docs/kpi.md) for one window, from the rollups or the event log.';

CREATE FUNCTION omni._kpi_agent_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (
        window_start timestamptz, window_end timestamptz, agent_id bigint, name text,
        offers bigint, offers_accepted bigint, offers_rejected bigint, offers_expired bigint, offers_rescinded bigint,
        accept_rate double precision, reject_rate double precision, timeout_rate double precision,
        handled bigint, avg_speed_to_answer_s double precision, handled_transferred bigint,
        transfer_rate double precision, sessions bigint, avg_handle_time_s double precision,
        avg_wrap_up_time_s double precision, first_responses bigint, avg_first_response_s double precision,
        sentiment_count bigint, avg_sentiment_score double precision,
        available_s double precision, busy_s double precision, busy_dnd_s double precision,
        away_s double precision, offline_s double precision, logged_in_s double precision,
        capacity_units integer, work_s double precision, held_unit_s double precision,
        utilization double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
WITH s AS (
    SELECT s.agent_id, sum(s.offers) AS offers, sum(s.offers_accepted) AS offers_accepted,
           sum(s.offers_rejected) AS offers_rejected, sum(s.offers_expired) AS offers_expired,
           sum(s.offers_rescinded) AS offers_rescinded, sum(s.handled) AS handled, sum(s.answer_s) AS answer_s,
           sum(s.handled_transferred) AS handled_transferred, sum(s.session_n) AS session_n,
           sum(s.session_handle_s) AS session_handle_s, sum(s.session_wrap_n) AS session_wrap_n,
           sum(s.session_wrap_s) AS session_wrap_s, sum(s.first_response_n) AS first_response_n,
           sum(s.first_response_s) AS first_response_s, sum(s.sentiment_n) AS sentiment_n,
           sum(s.sentiment_score_s) AS sentiment_score_s, sum(s.work_s) AS work_s,
           sum(s.held_unit_s) AS held_unit_s
      FROM omni._kpi_sums(t_from, t_to, from_rollup) s WHERE s.agent_id <> 0 GROUP BY s.agent_id),
p AS (
    SELECT x.agent_id,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'available') AS available_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'busy') AS busy_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'busy_dnd') AS busy_dnd_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'away') AS away_s,
           sum(x.seconds) FILTER (WHERE pr.base_status = 'offline') AS offline_s,
           sum(x.seconds) FILTER (WHERE pr.base_status <> 'offline') AS logged_in_s
      FROM omni._kpi_presence_sums(t_from, t_to, from_rollup) x
      JOIN omni.presence pr ON pr.name = x.presence
     GROUP BY x.agent_id)
SELECT t_from, t_to, a.id, a.name,
       coalesce(s.offers, 0)::bigint, coalesce(s.offers_accepted, 0)::bigint, coalesce(s.offers_rejected, 0)::bigint,
       coalesce(s.offers_expired, 0)::bigint, coalesce(s.offers_rescinded, 0)::bigint,
       omni._ratio(s.offers_accepted, s.offers), omni._ratio(s.offers_rejected, s.offers),
       omni._ratio(s.offers_expired, s.offers),
       coalesce(s.handled, 0)::bigint, omni._ratio(s.answer_s, s.handled),
       coalesce(s.handled_transferred, 0)::bigint, omni._ratio(s.handled_transferred, s.handled),
       coalesce(s.session_n, 0)::bigint, omni._ratio(s.session_handle_s, s.session_n),
       omni._ratio(s.session_wrap_s, s.session_wrap_n),
       coalesce(s.first_response_n, 0)::bigint, omni._ratio(s.first_response_s, s.first_response_n),
       coalesce(s.sentiment_n, 0)::bigint, omni._ratio(s.sentiment_score_s, s.sentiment_n),
       coalesce(p.available_s, 0), coalesce(p.busy_s, 0), coalesce(p.busy_dnd_s, 0), coalesce(p.away_s, 0),
       coalesce(p.offline_s, 0), coalesce(p.logged_in_s, 0),
       a.capacity_units, coalesce(s.work_s, 0), coalesce(s.held_unit_s, 0),
       omni._ratio(coalesce(s.held_unit_s, 0), a.capacity_units * p.logged_in_s)
  FROM omni.agent a
  LEFT JOIN s ON s.agent_id = a.id
  LEFT JOIN p ON p.agent_id = a.id
$$;
COMMENT ON FUNCTION omni._kpi_agent_rows(timestamptz, timestamptz, boolean) IS
    'The agent KPI formulas (docs/kpi.md), applied to sums from the rollups or the event log.';

CREATE FUNCTION omni._kpi_presence_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (window_start timestamptz, window_end timestamptz, agent_id bigint, presence text,
                   base_status omni.base_status, seconds double precision, share double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT t_from, t_to, x.agent_id, x.presence, pr.base_status, x.seconds,
           omni._ratio(x.seconds, sum(x.seconds) OVER (PARTITION BY x.agent_id))
      FROM omni._kpi_presence_sums(t_from, t_to, from_rollup) x
      JOIN omni.presence pr ON pr.name = x.presence
$$;
COMMENT ON FUNCTION omni._kpi_presence_rows(timestamptz, timestamptz, boolean) IS
    'Seconds per agent and presence over a window, with the share of the agent''s tracked time.';

-- Intraday materialized views --------------------------------------------------------------

CREATE MATERIALIZED VIEW omni.intraday_queue_kpi AS
    SELECT * FROM omni._kpi_queue_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_queue_kpi_key ON omni.intraday_queue_kpi (queue, channel);

CREATE MATERIALIZED VIEW omni.intraday_agent_kpi AS
    SELECT * FROM omni._kpi_agent_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_agent_kpi_key ON omni.intraday_agent_kpi (agent_id);

CREATE MATERIALIZED VIEW omni.intraday_agent_presence AS
    SELECT * FROM omni._kpi_presence_rows(omni.kpi_window_start(omni.now()), omni.now(), true);
CREATE UNIQUE INDEX intraday_agent_presence_key ON omni.intraday_agent_presence (agent_id, presence);

-- Past windows ---------------------------------------------------------------------------

-- The one check of a requested window.
CREATE FUNCTION omni._kpi_check_window("from" timestamptz, "to" timestamptz) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF "from" IS NULL OR "to" IS NULL OR "from" >= "to" THEN
        RAISE EXCEPTION 'KPI window [%, %) is empty', "from", "to"
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give "from" before "to".';
    END IF;
END $$;

CREATE FUNCTION omni.kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_queue_kpi
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_queue_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.kpi(timestamptz, timestamptz) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) for any window [from, to) as they stood at "to", with today''s formulas; from the rollups (hourly and 5-minute), the partial first 5-minute bucket when "from" is not on a boundary and what the rollups do not hold from the event log.';

CREATE FUNCTION omni.agent_kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_agent_kpi
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_agent_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.agent_kpi(timestamptz, timestamptz) IS
    'Agent KPIs (the columns of omni.intraday_agent_kpi) for any window [from, to) as they stood at "to" (from the rollups; a partial first 5-minute bucket and what the rollups do not hold from the event log).';

CREATE FUNCTION omni.agent_presence_kpi("from" timestamptz, "to" timestamptz) RETURNS SETOF omni.intraday_agent_presence
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY SELECT * FROM omni._kpi_presence_rows("from", "to", false);
END $$;
COMMENT ON FUNCTION omni.agent_presence_kpi(timestamptz, timestamptz) IS
    'Time per agent and presence for any window [from, to) (from the rollups; a partial first 5-minute bucket and what the rollups do not hold from the event log).';

-- A trend: the queue KPIs of consecutive buckets [from, from + bucket), ...
-- up to "to", each counted like the intraday views (the visits that entered
-- in the bucket with everything known of them now), from the rollups.
CREATE FUNCTION omni.kpi_series("from" timestamptz, "to" timestamptz, bucket interval DEFAULT '1 hour')
    RETURNS SETOF omni.intraday_queue_kpi
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    IF bucket IS NULL OR bucket < interval '5 minutes'
       OR extract(epoch FROM bucket)::numeric % 300 <> 0 OR "from" <> omni._kpi_bucket("from") THEN
        RAISE EXCEPTION 'KPI series buckets must be whole multiples of the 5-minute rollups, starting on one'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('from = %s, bucket = %s', "from", bucket),
                  HINT = 'Use e.g. 15 minutes, 1 hour or 1 day, and a "from" on a 5-minute boundary (omni.kpi_window_start() is one).';
    END IF;
    IF "from" + 10000 * bucket < "to" THEN
        RAISE EXCEPTION 'KPI series of more than 10000 buckets'
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Use a larger bucket or a shorter range.';
    END IF;
    -- The series stops at now: the bucket that holds now ends there and,
    -- like the intraday views, counts what happened at now.
    IF "from" < omni.now() THEN
        RETURN QUERY SELECT * FROM omni._kpi_queue_rows_by("from", least("to", omni.now()), bucket, true)
                      ORDER BY window_start, queue, channel;
    END IF;
END $$;
COMMENT ON FUNCTION omni.kpi_series(timestamptz, timestamptz, interval) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) per bucket [window_start, window_end) from "from" to "to" or now, whichever is earlier (bucket: a multiple of 5 minutes, e.g. 15 minutes, 1 hour, 1 day), from the rollups (whole hours from the hourly level when the buckets are whole hours starting on an hour, the rest from the 5-minute level); each bucket counts the visits that entered in it with everything known of them now, like the intraday views. docs/kpi.md.';

-- Consults (D365 consult metrics, research §d): counted from the consult events
-- of the window, per queue and agent; docs/kpi.md has the formulas.  Kept out
-- of the rollups: consults are rare and the window query reads only their
-- events (kpi_event_consult_idx).
CREATE INDEX kpi_event_consult_idx ON omni.event (at) WHERE kind IN ('consult_started', 'consult_ended');
CREATE FUNCTION omni.consult_kpi("from" timestamptz, "to" timestamptz,
    OUT queue text, OUT agent_id bigint, OUT consults_requested bigint, OUT consults_given bigint,
    OUT consults_ended bigint, OUT consult_time_s double precision, OUT avg_consult_s double precision)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    WITH f AS (
        SELECT e.queue AS q, (e.detail ->> 'by_agent')::bigint AS agent, 1 AS requested, 0 AS given,
               0 AS ended, 0::double precision AS secs
          FROM omni.event e
         WHERE e.kind = 'consult_started' AND e.at >= "from" AND e.at < "to" AND e.detail ? 'by_agent'
        UNION ALL
        SELECT e.queue, e.agent_id, 0, 1, 0, 0 FROM omni.event e
         WHERE e.kind = 'consult_started' AND e.at >= "from" AND e.at < "to"
        UNION ALL
        SELECT e.queue, e.agent_id, 0, 0, 1, (e.detail ->> 'consult_s')::double precision FROM omni.event e
         WHERE e.kind = 'consult_ended' AND e.at >= "from" AND e.at < "to")
    SELECT coalesce(f.q, ''), f.agent, sum(f.requested)::bigint, sum(f.given)::bigint, sum(f.ended)::bigint,
           sum(f.secs), omni._ratio(sum(f.secs), sum(f.ended))
      FROM f
     WHERE omni._is_admin() OR (f.q IS NOT NULL AND omni._supervises_queue(f.q)) OR omni._is_agent(f.agent)
     GROUP BY 1, 2
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION omni.consult_kpi(timestamptz, timestamptz) IS
    'Consults per queue and agent in [from, to): consults_requested (the agent holding the conversation brought someone in), consults_given (the agent was consulted), consults_ended, consult_time_s and avg_consult_s = consult_time_s / consults_ended (seconds from omni.consult to its end). Admins see all, supervisors their queues, an agent its own rows.';

