-- 88_kpi_refresh.sql — supervisor KPIs, part 4: the refresh, the capacity-and-status
-- timeline, comments on the intraday views, supervisors' access and privileges.

-- Refresh -------------------------------------------------------------------------------

CREATE FUNCTION omni._kpi_add(ids bigint[], t_from timestamptz, t_to timestamptz) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    cols text;
    pivot text;
    total text;
    upd text;
BEGIN
    SELECT string_agg(format('%I', m), ', '),
           string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', '),
           string_agg(format('sum(%I)', m), ', '),
           string_agg(format('%I = r.%I + EXCLUDED.%I', m, m, m), ', ')
      INTO cols, pivot, total, upd FROM unnest(ms) m;
    -- One statement for both levels: the facts are computed once.
    EXECUTE format($q$
        WITH f AS MATERIALIZED (
            SELECT omni._kpi_bucket(fact_at) AS bucket, queue, channel, agent_id, %2$s
              FROM omni._kpi_facts($1, $2, $3) GROUP BY 1, 2, 3, 4),
        five AS (
            INSERT INTO omni.kpi_rollup AS r (bucket, queue, channel, agent_id, %1$s)
            SELECT * FROM f
            ON CONFLICT (bucket, queue, channel, agent_id) DO UPDATE SET %4$s)
        INSERT INTO omni.kpi_rollup_hour AS r (bucket, queue, channel, agent_id, %1$s)
        SELECT omni._kpi_hour(bucket), queue, channel, agent_id, %3$s FROM f GROUP BY 1, 2, 3, 4
        ON CONFLICT (bucket, queue, channel, agent_id) DO UPDATE SET %4$s$q$, cols, pivot, total, upd)
    USING ids, t_from, t_to;
    WITH f AS MATERIALIZED (
        SELECT omni._kpi_bucket(fact_at) AS bucket, agent_id, presence, sum(seconds) AS seconds
          FROM omni._kpi_presence_facts(ids, t_from, t_to) GROUP BY 1, 2, 3),
    five AS (
        INSERT INTO omni.kpi_presence_rollup AS r (bucket, agent_id, presence, seconds)
        SELECT * FROM f
        ON CONFLICT (bucket, agent_id, presence) DO UPDATE SET seconds = r.seconds + EXCLUDED.seconds)
    INSERT INTO omni.kpi_presence_rollup_hour AS r (bucket, agent_id, presence, seconds)
    SELECT omni._kpi_hour(bucket), agent_id, presence, sum(seconds) FROM f GROUP BY 1, 2, 3
    ON CONFLICT (bucket, agent_id, presence) DO UPDATE SET seconds = r.seconds + EXCLUDED.seconds;
END $$;
COMMENT ON FUNCTION omni._kpi_add(bigint[], timestamptz, timestamptz) IS 'Adds the facts of some events to the rollups (5-minute and hourly levels).';

CREATE FUNCTION omni._kpi_refresh_views() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_queue_kpi;
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_agent_kpi;
    REFRESH MATERIALIZED VIEW CONCURRENTLY omni.intraday_agent_presence;
END $$;

-- One step of a refresh: adds events since the last step to the rollups.
-- max_events NULL: all of them; else those up to the max_events-th visible
-- id above what earlier steps knew (the KPI worker's steps, each its own
-- transaction, so that no refresh holds back vacuum for long: docs/worker.md).
-- Returns the events counted, the highest id the step read up to, and
-- whether ids above it are visible already; counted is NULL when another
-- refresher holds the lock.
CREATE FUNCTION omni._kpi_add_new_events(max_events integer, OUT counted integer, OUT upto bigint, OUT more boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    st omni.kpi_state;
    snap pg_snapshot;
    known bigint;
    cap bigint;
    hi bigint;
    ids bigint[];
    seen bigint[];
    new_gaps bigint[];
    keep_gaps bigint[];
    keep_horizons xid8[];
BEGIN
    more := false;
    -- One refresher at a time; the others return at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('omnichannel.refresh_kpis')) THEN
        RETURN;
    END IF;
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    -- The highest id earlier steps knew of (counted, or a gap): the step
    -- reads every id up to it (old gaps may have committed since) and the
    -- next max_events visible ids above it.  Counted in visible ids, not in
    -- ids: a step must reach a visible id to learn of the gaps below it.
    known := greatest(st.last_id, coalesce((SELECT max(x) FROM unnest(st.done_above || st.gaps) x), st.last_id));
    IF max_events IS NOT NULL THEN
        SELECT coalesce(max(x.id), known) INTO cap
          FROM (SELECT e.id FROM omni.event e WHERE e.id > known ORDER BY e.id LIMIT greatest(max_events, 1)) x;
    END IF;
    -- One statement, one snapshot: the events visible now above last_id.
    SELECT pg_current_snapshot(), coalesce(max(e.id), st.last_id),
           coalesce(array_agg(e.id ORDER BY e.id), '{}')
      INTO snap, hi, seen
      FROM omni.event e WHERE e.id > st.last_id AND e.id <= coalesce(cap, 9223372036854775807);
    hi := greatest(hi, st.last_id);
    -- Set differences by EXCEPT (hashed or sorted), never "NOT x = ANY (seen)"
    -- per id: seen holds every event since the last refresh (all of them
    -- for omni.refresh_kpis() after a quiet worker), and a scan of it per id
    -- is quadratic (100,000 events: minutes).
    ids := ARRAY(SELECT x FROM unnest(seen) x EXCEPT SELECT y FROM unnest(st.done_above) y ORDER BY 1);
    -- Old gaps still invisible: keep while their writer may still commit.
    SELECT coalesce(array_agg(u.g ORDER BY u.g), '{}'), coalesce(array_agg(u.h ORDER BY u.g), '{}')
      INTO keep_gaps, keep_horizons
      FROM unnest(st.gaps, st.gap_horizons) u(g, h)
     WHERE pg_snapshot_xmin(snap) < u.h
       AND u.g IN (SELECT g FROM unnest(st.gaps) g EXCEPT SELECT x FROM unnest(seen) x);
    -- New gaps: ids below hi we have not seen, above what earlier refreshes knew.
    new_gaps := ARRAY(SELECT g FROM generate_series(known + 1, hi) g EXCEPT SELECT x FROM unnest(seen) x ORDER BY 1);
    keep_gaps := keep_gaps || new_gaps;
    keep_horizons := keep_horizons || array_fill(pg_snapshot_xmax(snap), ARRAY[coalesce(array_length(new_gaps, 1), 0)]);
    IF cardinality(ids) > 0 THEN
        PERFORM omni._kpi_add(ids, '-infinity', 'infinity');
    END IF;
    UPDATE omni.kpi_state
       SET last_id = coalesce((SELECT min(x) FROM unnest(keep_gaps) x) - 1, hi),
           done_above = ARRAY(SELECT x FROM unnest(st.done_above || ids) x
                               WHERE x >= (SELECT min(y) FROM unnest(keep_gaps) y) ORDER BY x),
           gaps = keep_gaps, gap_horizons = keep_horizons,
           events_processed = events_processed + cardinality(ids);
    counted := cardinality(ids);
    upto := greatest(hi, known);
    -- max(id) reads the end of the primary key; EXISTS (... id > cap) was
    -- planned as a sequential scan of the whole log when nothing lies above.
    more := cap IS NOT NULL AND (SELECT max(e.id) FROM omni.event e) > cap;
END $$;
COMMENT ON FUNCTION omni._kpi_add_new_events(integer) IS
    'One step of a KPI refresh: adds the events visible since the last step (all, or those up to the max_events-th new one) to the rollups and moves omni.kpi_state on. Returns the events counted (NULL: another refresher runs), the highest id it read up to and whether more are visible.';

-- The end of a refresh: what omni.kpi_state says of it.
CREATE FUNCTION omni._kpi_refreshed(events integer, started timestamptz) RETURNS void
    LANGUAGE sql AS $$
    UPDATE omni.kpi_state
       SET refreshed_at = omni.now(), last_events = events,
           last_duration_ms = extract(epoch FROM clock_timestamp() - started) * 1000
$$;
COMMENT ON FUNCTION omni._kpi_refreshed(integer, timestamptz) IS
    'Records the end of a KPI refresh in omni.kpi_state (refreshed_at, last_events, last_duration_ms).';

-- jit off, as in the KPI worker: without statistics the facts of a few
-- hundred events were estimated above jit_above_cost, and compiling them
-- took 250 ms of a 350 ms refresh (bench/kpi_bench.sh, KPI_BENCH_ANALYZE=0).
CREATE FUNCTION omni.refresh_kpis() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp SET jit = off AS $$
DECLARE
    st omni.kpi_state;
    step record;
    started timestamptz := clock_timestamp();
BEGIN
    -- One refresher at a time; the others return at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('omnichannel.refresh_kpis')) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    -- Coalescing (docs/security.md, "Limits"): a non-admin caller gets NULL
    -- when the last refresh finished less than kpi_refresh_min_interval ago.
    IF NOT omni._is_admin() AND st.refreshed_at IS NOT NULL
       AND st.refreshed_at + coalesce(st.last_duration_ms, 0) * interval '1 ms'
           > omni.now() - omni._limit('kpi_refresh_min_interval') * interval '1 ms' THEN
        RETURN NULL;
    END IF;
    step := omni._kpi_add_new_events(NULL);
    PERFORM omni._kpi_refresh_views();
    PERFORM omni._kpi_refreshed(step.counted, started);
    RETURN step.counted;
END $$;
COMMENT ON FUNCTION omni.refresh_kpis() IS
    'Adds the events since the last refresh to the KPI rollups and refreshes the intraday views concurrently, in one transaction. Returns the events counted, or NULL when another refresh is running or (for non-admins) one finished less than omnichannel.kpi_refresh_min_interval ago. The background worker does the same in short transactions (docs/worker.md) every omnichannel.kpi_refresh_interval.';

-- Recount the rollups from the event log from a time on (after a threshold
-- change, or to repair): buckets from then on are rebuilt.
CREATE FUNCTION omni.rebuild_kpis(since timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp SET jit = off AS $$
DECLARE
    b timestamptz := omni._kpi_bucket(since);
    st omni.kpi_state;
    ids bigint[];
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('omnichannel.refresh_kpis'));
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    DELETE FROM omni.kpi_rollup WHERE bucket >= b;
    DELETE FROM omni.kpi_presence_rollup WHERE bucket >= b;
    -- the hours from b's on: what is left of the hour holding b, then the recount
    PERFORM omni._kpi_hour_fill(b);
    -- Only the events already counted: the others come with the next refresh.
    ids := ARRAY(SELECT e.id FROM omni.event e
                  WHERE e.at >= b AND (e.id <= st.last_id OR e.id = ANY (st.done_above)));
    PERFORM omni._kpi_add(ids, b, 'infinity');
    PERFORM omni._kpi_refresh_views();
    RETURN cardinality(ids);
END $$;
COMMENT ON FUNCTION omni.rebuild_kpis(timestamptz) IS
    'Recounts the KPI rollups from a time on from the event log, with today''s thresholds (e.g. after changing a queue''s service_level_threshold). Returns the events recounted.';

-- Capacity-and-status timeline ---------------------------------------------------------

-- Interval rows per agent: a new row whenever the presence or the work held
-- changes.  Work segments come from the event log (as for utilization).
CREATE FUNCTION omni.agent_timeline(agent_id bigint, "from" timestamptz DEFAULT omni.now() - interval '12 hours',
                                    "to" timestamptz DEFAULT omni.now())
    RETURNS TABLE (agent_id bigint, started_at timestamptz, ended_at timestamptz, duration_s double precision,
                   presence text, base_status omni.base_status, capacity_units integer, used_units integer,
                   free_units integer, active_items integer, wrap_up_items integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
-- Reads the whole log as the owner: the agent itself, its supervisors, admins and reporting only.
SELECT omni._authorize_agent(agent_timeline.agent_id, 'read the timeline of agent ' || agent_timeline.agent_id, true)
 WHERE NOT pg_has_role(omni.caller(), 'omnichannel_reporting', 'MEMBER');
WITH seg AS (   -- work the agent held: [at, next state event)
    SELECT p.at AS s_at, coalesce(n.at, 'infinity') AS e_at, p.to_state,
           CASE WHEN p.to_state = 'active' OR w.wrap_up_holds_capacity THEN w.capacity_units ELSE 0 END AS units
      FROM omni.event p
      JOIN omni.conversation c ON c.id = p.conversation_id
      JOIN omni.workstream w ON w.name = c.workstream
      LEFT JOIN LATERAL (SELECT x.at FROM omni.event x
                          WHERE x.conversation_id = p.conversation_id AND x.id > p.id
                            AND omni._kpi_is_state_event(x.kind)
                          ORDER BY x.id LIMIT 1) n ON true
     WHERE p.agent_id = agent_timeline.agent_id AND p.conversation_id IS NOT NULL
       AND p.at < "to" AND p.at >= "from" - interval '7 days'
       AND omni._kpi_is_state_event(p.kind) AND p.to_state IN ('active', 'wrap_up')
       AND coalesce(n.at, 'infinity') > "from"),
pres AS (       -- presence intervals
    SELECT h.presence, h.base_status, h.started_at AS s_at, coalesce(h.ended_at, 'infinity') AS e_at
      FROM omni.presence_history h
     WHERE h.agent_id = agent_timeline.agent_id AND h.started_at < "to" AND coalesce(h.ended_at, 'infinity') > "from"),
cuts AS (
    SELECT DISTINCT t FROM (
        SELECT "from" AS t UNION ALL SELECT s_at FROM seg UNION ALL SELECT e_at FROM seg
        UNION ALL SELECT s_at FROM pres UNION ALL SELECT e_at FROM pres) x
     WHERE t >= "from" AND t < "to"),
iv AS (SELECT t AS s_at, coalesce(lead(t) OVER (ORDER BY t), "to") AS e_at FROM cuts)
SELECT agent_timeline.agent_id, iv.s_at, iv.e_at, extract(epoch FROM iv.e_at - iv.s_at)::double precision,
       p.presence, p.base_status, a.capacity_units,
       coalesce(sum(seg.units), 0)::integer, (a.capacity_units - coalesce(sum(seg.units), 0))::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'active')::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'wrap_up')::integer
  FROM iv
  JOIN omni.agent a ON a.id = agent_timeline.agent_id
  LEFT JOIN pres p ON p.s_at <= iv.s_at AND p.e_at > iv.s_at
  LEFT JOIN seg ON seg.s_at <= iv.s_at AND seg.e_at > iv.s_at
 WHERE iv.e_at > iv.s_at
 GROUP BY iv.s_at, iv.e_at, p.presence, p.base_status, a.capacity_units
 ORDER BY iv.s_at
$$;
COMMENT ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz) IS
    'Capacity-and-status timeline of an agent: one row per interval in which its presence and the work it holds stay the same (default: the last 12 hours).';

CREATE VIEW omni.agent_timeline WITH (security_invoker = true) AS
SELECT t.*
  FROM omni.agent a
 CROSS JOIN LATERAL omni.agent_timeline(a.id, omni.now() - interval '24 hours', omni.now()) t
 WHERE omni._sees_agent(a.id);
COMMENT ON VIEW omni.agent_timeline IS
    'Capacity-and-status timeline of the last 24 hours for every agent the reader may see (interval rows; free_units < 0 when over-assigned).';
COMMENT ON COLUMN omni.agent_timeline.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.agent_timeline.started_at IS 'Start of the interval.';
COMMENT ON COLUMN omni.agent_timeline.ended_at IS 'End of the interval (now for the last one).';
COMMENT ON COLUMN omni.agent_timeline.duration_s IS 'Seconds.';
COMMENT ON COLUMN omni.agent_timeline.presence IS 'Presence during the interval (NULL before the first login).';
COMMENT ON COLUMN omni.agent_timeline.base_status IS 'Its base status.';
COMMENT ON COLUMN omni.agent_timeline.capacity_units IS 'Agent''s capacity units (today''s configuration).';
COMMENT ON COLUMN omni.agent_timeline.used_units IS 'Units held by work (active, and wrap-up when it holds capacity).';
COMMENT ON COLUMN omni.agent_timeline.free_units IS 'capacity_units - used_units (negative when over-assigned).';
COMMENT ON COLUMN omni.agent_timeline.active_items IS 'Conversations active with the agent.';
COMMENT ON COLUMN omni.agent_timeline.wrap_up_items IS 'Conversations in wrap-up with the agent.';

-- Comments on the intraday views (BI tools show them) ----------------------------------

COMMENT ON MATERIALIZED VIEW omni.intraday_queue_kpi IS
    'Queue KPIs of the last 24 hours (from the start of the current 5-minute bucket minus 24 h to now), one row per queue and channel; refreshed concurrently by omni.refresh_kpis(). Formulas in docs/kpi.md. Admins only; supervisors read omni.supervised_queue_kpi.';
COMMENT ON MATERIALIZED VIEW omni.intraday_agent_kpi IS
    'Agent KPIs of the last 24 hours, one row per agent; refreshed concurrently by omni.refresh_kpis(). Admins only; supervisors read omni.supervised_agent_kpi.';
COMMENT ON MATERIALIZED VIEW omni.intraday_agent_presence IS
    'Seconds per agent and presence over the last 24 hours, one row per agent and presence.';

CREATE FUNCTION omni._kpi_column_comments() RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
    SELECT '{
      "window_start": "Start of the window (inclusive).",
      "window_end": "End of the window (now for the intraday views).",
      "queue": "Queue.",
      "channel": "Channel.",
      "name": "Agent name.",
      "agent_id": "Agent.",
      "incoming": "Queue entries in the window (new, escalated, transferred in, requeued).",
      "incoming_escalated": "Of incoming, escalations from a bot.",
      "incoming_transferred": "Of incoming, transfers or overflow from another queue or agent.",
      "incoming_requeued": "Of incoming, parked conversations back after a customer reply.",
      "handled": "Queue visits of the window accepted by an agent (accept, pick, supervisor assign).",
      "handled_within_sl": "Of handled, accepted within the queue''s service_level_threshold.",
      "abandoned": "Queue visits of the window the customer left before acceptance, after the short-abandon threshold.",
      "abandoned_within_sl": "Of abandoned, left within the service_level_threshold.",
      "abandoned_after_offer": "Of abandoned, left after an offer had been made.",
      "abandoned_before_offer": "Of abandoned, left before any offer.",
      "short_abandoned": "Customer left before the short_abandon_threshold (excluded from abandoned).",
      "unanswered_other": "Queue visits ended unanswered otherwise (transferred on, force-, auto- or overflow-closed).",
      "waiting_now": "Queue visits of the window still waiting at window_end.",
      "waiting_over_sl": "Of waiting_now, waiting longer than the service_level_threshold.",
      "abandon_rate": "abandoned / incoming (fraction; NULL when no incoming).",
      "avg_speed_to_answer_s": "Mean seconds from queue entry to acceptance over handled.",
      "p50_wait_s": "Median seconds from queue entry to acceptance (histogram estimate).",
      "p90_wait_s": "90th percentile of seconds from queue entry to acceptance (histogram estimate).",
      "service_level_threshold_s": "The queue''s service_level_threshold in seconds (today''s).",
      "service_level": "handled_within_sl / (handled + abandoned + waiting_over_sl).",
      "service_level_2": "(handled_within_sl + abandoned_within_sl) / (handled + abandoned) (Asterisk SL2).",
      "avg_time_to_abandon_s": "Mean seconds from queue entry to abandon over abandoned.",
      "avg_handle_time_s": "Mean active plus wrap-up seconds over handled visits whose handling ended.",
      "avg_wrap_up_time_s": "Mean wrap-up seconds over handled visits that had a wrap-up.",
      "handled_transferred": "Handled visits transferred at least once (to an agent or a queue).",
      "transfer_rate": "handled_transferred / handled.",
      "escalation_rate": "incoming_escalated / incoming (share of the queue''s work that came from bots).",
      "avg_first_response_s": "Mean seconds from the conversation''s first queue entry to the first agent message.",
      "offers": "Offers made in the window.",
      "offers_accepted": "Of offers, accepted.",
      "offers_rejected": "Of offers, rejected.",
      "offers_expired": "Of offers, timed out.",
      "offers_rescinded": "Of offers, withdrawn by the system or a supervisor.",
      "accept_rate": "offers_accepted / offers.",
      "reject_rate": "offers_rejected / offers.",
      "timeout_rate": "offers_expired / offers.",
      "sentiment_count": "Closed conversations whose last queue visit is in the window (sentiment counted).",
      "avg_sentiment_score": "Mean final sentiment score in [-1, 1] over sentiment_count.",
      "sentiment_very_negative": "Of sentiment_count, ending very_negative.",
      "sentiment_negative": "Of sentiment_count, ending negative.",
      "sentiment_slightly_negative": "Of sentiment_count, ending slightly_negative.",
      "sentiment_neutral": "Of sentiment_count, ending neutral.",
      "sentiment_slightly_positive": "Of sentiment_count, ending slightly_positive.",
      "sentiment_positive": "Of sentiment_count, ending positive.",
      "sentiment_very_positive": "Of sentiment_count, ending very_positive.",
      "online_agents": "Queue members logged in (not Offline) at some time in the window.",
      "conversations_per_online_agent": "handled / online_agents.",
      "fairness_cv": "Coefficient of variation (stddev / mean) of handled per 100 capacity units across online_agents; 0 = perfectly even, NULL when nothing handled.",
      "avg_speed_to_answer_s_agent": "",
      "sessions": "The agent''s handling sessions that ended (closed or handed on).",
      "first_responses": "First responses the agent wrote.",
      "available_s": "Seconds in an Available-based presence.",
      "busy_s": "Seconds in a Busy-based presence.",
      "busy_dnd_s": "Seconds in a Busy - DND-based presence.",
      "away_s": "Seconds in an Away-based presence (incl. Inactive).",
      "offline_s": "Seconds Offline (after the agent''s first login).",
      "logged_in_s": "Seconds not Offline.",
      "capacity_units": "The agent''s capacity units (today''s).",
      "work_s": "Seconds holding work (active or wrap-up; concurrent items add up).",
      "held_unit_s": "Capacity unit-seconds held by work.",
      "utilization": "held_unit_s / (capacity_units * logged_in_s): capacity used over capacity available while logged in.",
      "presence": "Presence name.",
      "base_status": "Base status of the presence.",
      "seconds": "Seconds in that presence in the window.",
      "share": "seconds / all seconds tracked for the agent in the window."
    }'::jsonb
$$;

DO $c$
DECLARE
    r record;
    d jsonb := omni._kpi_column_comments();
BEGIN
    FOR r IN SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              WHERE c.oid IN ('omni.intraday_queue_kpi'::regclass, 'omni.intraday_agent_kpi'::regclass,
                              'omni.intraday_agent_presence'::regclass) AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.%I.%I IS %L', r.relname, r.attname,
                       CASE WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'handled'
                                THEN 'Queue visits the agent accepted, picked or was assigned in the window.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_speed_to_answer_s'
                                THEN 'Mean seconds from queue entry to acceptance over the agent''s handled.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'handled_transferred'
                                THEN 'Handled visits the agent transferred on (first transfer of the visit).'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'transfer_rate'
                                THEN 'handled_transferred / handled for the agent.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_handle_time_s'
                                THEN 'Mean active plus wrap-up seconds over the agent''s ended sessions.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_wrap_up_time_s'
                                THEN 'Mean wrap-up seconds over the agent''s sessions with a wrap-up.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'avg_first_response_s'
                                THEN 'Mean seconds from first queue entry to the agent''s first message, over its first responses.'
                            WHEN r.relname = 'intraday_agent_kpi' AND r.attname = 'sentiment_count'
                                THEN 'Closed conversations the agent held last (sentiment counted).'
                            ELSE d ->> r.attname::text END);
    END LOOP;
END
$c$;

-- Supervisors read the intraday figures of their own queues and agents --------------------

CREATE VIEW omni.supervised_queue_kpi WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_queue_kpi k
 WHERE omni._sees_everything() OR k.queue IN (SELECT omni.supervised_queues());
CREATE VIEW omni.supervised_agent_kpi WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_agent_kpi k WHERE omni._sees_agent(k.agent_id);
CREATE VIEW omni.supervised_agent_presence WITH (security_barrier = true) AS
SELECT k.* FROM omni.intraday_agent_presence k WHERE omni._sees_agent(k.agent_id);
COMMENT ON VIEW omni.supervised_queue_kpi IS 'omni.intraday_queue_kpi limited to the queues the reader supervises (admins: all).';
COMMENT ON VIEW omni.supervised_agent_kpi IS 'omni.intraday_agent_kpi limited to the agents of the reader''s queues (an agent: itself).';
COMMENT ON VIEW omni.supervised_agent_presence IS 'omni.intraday_agent_presence limited like omni.supervised_agent_kpi.';

-- BI tools that list information_schema.tables (Power BI's navigator, ...) do
-- not show materialized views: the same rows as plain views (docs/kpi.md).
CREATE VIEW omni.intraday_queue_kpi_v AS SELECT * FROM omni.intraday_queue_kpi;
CREATE VIEW omni.intraday_agent_kpi_v AS SELECT * FROM omni.intraday_agent_kpi;
CREATE VIEW omni.intraday_agent_presence_v AS SELECT * FROM omni.intraday_agent_presence;
COMMENT ON VIEW omni.intraday_queue_kpi_v IS 'omni.intraday_queue_kpi as a plain view, for BI tools that list only tables and views.';
COMMENT ON VIEW omni.intraday_agent_kpi_v IS 'omni.intraday_agent_kpi as a plain view, for BI tools that list only tables and views.';
COMMENT ON VIEW omni.intraday_agent_presence_v IS 'omni.intraday_agent_presence as a plain view, for BI tools that list only tables and views.';
DO $c$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT v.relname AS view, src.relname AS src, a.attname
               FROM (VALUES ('supervised_queue_kpi', 'intraday_queue_kpi'), ('supervised_agent_kpi', 'intraday_agent_kpi'),
                            ('supervised_agent_presence', 'intraday_agent_presence'),
                            ('intraday_queue_kpi_v', 'intraday_queue_kpi'), ('intraday_agent_kpi_v', 'intraday_agent_kpi'),
                            ('intraday_agent_presence_v', 'intraday_agent_presence')) m(v, s)
               JOIN pg_class v ON v.relname = m.v AND v.relnamespace = 'omni'::regnamespace
               JOIN pg_class src ON src.relname = m.s AND src.relnamespace = 'omni'::regnamespace
               JOIN pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.%I.%I IS %L', r.view, r.attname,
                       col_description(format('omni.%I', r.src)::regclass,
                                       (SELECT attnum FROM pg_attribute WHERE attrelid = format('omni.%I', r.src)::regclass
                                           AND attname = r.attname)));
    END LOOP;
END
$c$;

-- Privileges ------------------------------------------------------------------------------

REVOKE ALL ON omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_rollup_hour, omni.kpi_presence_rollup_hour,
    omni.kpi_state FROM PUBLIC;
GRANT SELECT ON omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_rollup_hour, omni.kpi_presence_rollup_hour,
    omni.kpi_state TO omnichannel_admin;
REVOKE ALL ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence FROM PUBLIC;
GRANT SELECT ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence TO omnichannel_admin;
GRANT SELECT ON omni.supervised_queue_kpi, omni.supervised_agent_kpi, omni.supervised_agent_presence
    TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.supervised_agent_kpi, omni.supervised_agent_presence TO omnichannel_agent;
GRANT SELECT ON omni.agent_timeline TO omnichannel_supervisor, omnichannel_admin, omnichannel_agent;
REVOKE ALL ON omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v FROM PUBLIC;
GRANT SELECT ON omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v TO omnichannel_admin;
-- Reporting reads every KPI view, the rollups and the past-window functions.
GRANT SELECT ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence,
    omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v,
    omni.supervised_queue_kpi, omni.supervised_agent_kpi, omni.supervised_agent_presence, omni.agent_timeline,
    omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_rollup_hour, omni.kpi_presence_rollup_hour, omni.kpi_state
    TO omnichannel_reporting;

DO $f$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'omni'::regnamespace AND (p.proname LIKE '\_kpi%' OR p.proname = '_ratio'
                    OR p.proname IN ('kpi', 'agent_kpi', 'agent_presence_kpi', 'refresh_kpis', 'rebuild_kpis',
                                     'kpi_window_start', 'agent_timeline', 'kpi_series')) LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$f$;
-- The refresh and the past-window functions read the whole log: they run as
-- the extension owner (declared on each); callers are limited by these grants.
GRANT EXECUTE ON FUNCTION omni.refresh_kpis() TO omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.rebuild_kpis(timestamptz) TO omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.kpi(timestamptz, timestamptz), omni.agent_kpi(timestamptz, timestamptz),
    omni.agent_presence_kpi(timestamptz, timestamptz), omni.kpi_series(timestamptz, timestamptz, interval)
    TO omnichannel_admin, omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni.kpi_window_start(timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service, omnichannel_reporting;
-- kpi_window_start() is plain SQL: its callers need the bucket function too.
GRANT EXECUTE ON FUNCTION omni._kpi_bucket(timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service, omnichannel_reporting;
REVOKE ALL ON FUNCTION omni.consult_kpi(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.consult_kpi(timestamptz, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_reporting;
