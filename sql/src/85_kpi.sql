-- 85_kpi.sql — supervisor KPIs (SPEC §6): facts from the event log, rollups
-- kept incrementally, the intraday materialized views, omni.kpi() for any
-- past window and omni.refresh_kpis().
--
-- One definition each.  omni._kpi_facts() turns events into additive facts
-- (measure, value) attributed to a time, a queue, a channel and an agent.
-- The rollups (omni.kpi_rollup, omni.kpi_presence_rollup) are those facts
-- summed per 5-minute bucket, and per hour (omni.kpi_rollup_hour,
-- omni.kpi_presence_rollup_hour), added to as new events arrive; omni.kpi()
-- recomputes the same facts straight from the event log for any window.
-- omni._kpi_queue_rows() / omni._kpi_agent_rows() apply the formulas (the
-- only place a KPI is computed) to sums from either source, so the intraday
-- views and omni.kpi() cannot disagree.  docs/kpi.md states every formula.
--
-- Attribution: a conversation's visit to a queue (an "episode": from a queue
-- entry to the next queue entry or the close) is counted in the bucket of
-- its queue entry, whatever happens later (cohort attribution): abandon and
-- service-level rates stay within [0, 1] at window edges.  Time spent
-- (presence, capacity held) is split across the buckets it covers.
--
-- Why not triggers: KPIs maintained synchronously on the hot tables would
-- serialize writers (pg_ivm #33/#150); the worker calls omni.refresh_kpis()
-- every omnichannel.kpi_refresh_interval instead, which reads only the events
-- added since the last refresh.

-- Buckets and classification helpers ----------------------------------------------

CREATE FUNCTION omni._kpi_bucket(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('5 minutes', t, timestamptz '2000-01-01 00:00:00+00')
$$;
COMMENT ON FUNCTION omni._kpi_bucket(timestamptz) IS 'KPI rollup bucket (5 minutes, UTC-aligned) containing a time.';

CREATE FUNCTION omni.kpi_window_start(at timestamptz DEFAULT omni.now()) RETURNS timestamptz
    LANGUAGE sql STABLE AS $$ SELECT omni._kpi_bucket(at) - interval '24 hours' $$;
COMMENT ON FUNCTION omni.kpi_window_start(timestamptz) IS
    'Start of the intraday window at a time: the start of its 5-minute bucket minus 24 hours.';

-- A queue entry: the event puts the conversation (back) into a queue.
CREATE FUNCTION omni._kpi_is_entry(kind text, from_state omni.conversation_state,
                                   to_state omni.conversation_state, detail jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_state = 'open' AND (from_state IS DISTINCT FROM 'open' OR detail ? 'to_queue')
       AND kind NOT LIKE 'offer%'
$$;
COMMENT ON FUNCTION omni._kpi_is_entry(text, omni.conversation_state, omni.conversation_state, jsonb) IS
    'KPI: whether an event is a queue entry (enqueued, escalated, transferred, requeued, overflow transfer ...).';

-- Events that change who holds a conversation or its state (offers,
-- transfer offers, monitoring and consults do not; first_response changes
-- nothing).
CREATE FUNCTION omni._kpi_is_state_event(kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kind NOT LIKE 'offer%' AND kind NOT LIKE 'transfer_offer%'
       AND kind NOT IN ('monitored', 'first_response', 'customer_linked', 'consult_started', 'consult_ended')
$$;
COMMENT ON FUNCTION omni._kpi_is_state_event(text) IS
    'KPI: whether an event changes a conversation''s state or holder (used to cut time into segments).';

-- Wait-time histogram: 16 bins with these lower bounds (seconds).
CREATE FUNCTION omni._kpi_hist_bounds() RETURNS double precision[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{0,1,2,3,5,10,15,20,30,45,60,90,120,300,600,1800}'::double precision[]
$$;
COMMENT ON FUNCTION omni._kpi_hist_bounds() IS 'Lower bounds (s) of the 16 wait-time histogram bins; the last is open.';

CREATE FUNCTION omni._kpi_hist_bin(s double precision) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'wait_h' || lpad(greatest(1, width_bucket(s, omni._kpi_hist_bounds()))::text, 2, '0')
$$;
COMMENT ON FUNCTION omni._kpi_hist_bin(double precision) IS 'Name of the histogram column a wait time falls in.';

-- p-th percentile (0..1) from bin counts, nearest rank: the lower bound of
-- the bin that holds the ceil(p*N)-th smallest wait.  The histogram keeps
-- counts only, so anything inside a bin would be invented: the answer is
-- exact when the waits sit on bin edges (a day of 0 s waits answers 0) and
-- otherwise below the true percentile by less than the bin's width
-- (docs/kpi.md).  The open last bin answers its lower bound (1800 s).
CREATE FUNCTION omni._kpi_percentile(counts double precision[], p double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    bounds constant double precision[] := omni._kpi_hist_bounds();
    total double precision := 0;
    cum double precision := 0;
    rank double precision;
BEGIN
    -- a loop, not a query: it runs for every row of a series
    FOR i IN 1 .. coalesce(array_length(counts, 1), 0) LOOP
        total := total + coalesce(counts[i], 0);
    END LOOP;
    IF total <= 0 THEN
        RETURN NULL;
    END IF;
    rank := greatest(ceil(total * p), 1);
    FOR i IN 1 .. array_length(counts, 1) LOOP
        cum := cum + coalesce(counts[i], 0);
        IF counts[i] > 0 AND cum >= rank THEN
            RETURN bounds[i];
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._kpi_percentile(double precision[], double precision) IS
    'Percentile from wait-time histogram counts: lower bound of the bin holding the nearest rank (exact at bin edges, under by less than the bin width elsewhere); NULL when empty.';

-- Split [a, b) into the buckets it covers: (start of the piece, seconds).
CREATE FUNCTION omni._kpi_split(a timestamptz, b timestamptz, OUT piece_at timestamptz, OUT seconds double precision)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT greatest(a, g), extract(epoch FROM least(b, g + interval '5 minutes') - greatest(a, g))::double precision
      FROM generate_series(omni._kpi_bucket(a), b, interval '5 minutes') g
     WHERE b > a AND least(b, g + interval '5 minutes') > greatest(a, g)
$$;
COMMENT ON FUNCTION omni._kpi_split(timestamptz, timestamptz) IS 'Cuts an interval at 5-minute bucket boundaries.';

-- Lookups the facts need, kept cheap: presence events per agent.
CREATE INDEX kpi_event_presence_idx ON omni.event (agent_id, id) WHERE kind = 'presence';

-- Rollups --------------------------------------------------------------------------

CREATE TABLE omni.kpi_rollup (
    bucket                 timestamptz NOT NULL,
    queue                  text NOT NULL,
    channel                text NOT NULL,
    agent_id               bigint NOT NULL,
    incoming               double precision NOT NULL DEFAULT 0,
    incoming_escalated     double precision NOT NULL DEFAULT 0,
    incoming_transferred   double precision NOT NULL DEFAULT 0,
    incoming_requeued      double precision NOT NULL DEFAULT 0,
    handled                double precision NOT NULL DEFAULT 0,
    handled_within_sl      double precision NOT NULL DEFAULT 0,
    answer_s               double precision NOT NULL DEFAULT 0,
    wait_h01 double precision NOT NULL DEFAULT 0, wait_h02 double precision NOT NULL DEFAULT 0,
    wait_h03 double precision NOT NULL DEFAULT 0, wait_h04 double precision NOT NULL DEFAULT 0,
    wait_h05 double precision NOT NULL DEFAULT 0, wait_h06 double precision NOT NULL DEFAULT 0,
    wait_h07 double precision NOT NULL DEFAULT 0, wait_h08 double precision NOT NULL DEFAULT 0,
    wait_h09 double precision NOT NULL DEFAULT 0, wait_h10 double precision NOT NULL DEFAULT 0,
    wait_h11 double precision NOT NULL DEFAULT 0, wait_h12 double precision NOT NULL DEFAULT 0,
    wait_h13 double precision NOT NULL DEFAULT 0, wait_h14 double precision NOT NULL DEFAULT 0,
    wait_h15 double precision NOT NULL DEFAULT 0, wait_h16 double precision NOT NULL DEFAULT 0,
    abandoned              double precision NOT NULL DEFAULT 0,
    abandoned_within_sl    double precision NOT NULL DEFAULT 0,
    abandoned_after_offer  double precision NOT NULL DEFAULT 0,
    abandon_s              double precision NOT NULL DEFAULT 0,
    short_abandoned        double precision NOT NULL DEFAULT 0,
    unanswered_other       double precision NOT NULL DEFAULT 0,
    handled_transferred    double precision NOT NULL DEFAULT 0,
    handle_n               double precision NOT NULL DEFAULT 0,
    handle_s               double precision NOT NULL DEFAULT 0,
    wrap_n                 double precision NOT NULL DEFAULT 0,
    wrap_s                 double precision NOT NULL DEFAULT 0,
    session_n              double precision NOT NULL DEFAULT 0,
    session_handle_s       double precision NOT NULL DEFAULT 0,
    session_wrap_n         double precision NOT NULL DEFAULT 0,
    session_wrap_s         double precision NOT NULL DEFAULT 0,
    first_response_n       double precision NOT NULL DEFAULT 0,
    first_response_s       double precision NOT NULL DEFAULT 0,
    offers                 double precision NOT NULL DEFAULT 0,
    offers_accepted        double precision NOT NULL DEFAULT 0,
    offers_rejected        double precision NOT NULL DEFAULT 0,
    offers_expired         double precision NOT NULL DEFAULT 0,
    offers_rescinded       double precision NOT NULL DEFAULT 0,
    sentiment_n            double precision NOT NULL DEFAULT 0,
    sentiment_score_s      double precision NOT NULL DEFAULT 0,
    s_very_negative        double precision NOT NULL DEFAULT 0,
    s_negative             double precision NOT NULL DEFAULT 0,
    s_slightly_negative    double precision NOT NULL DEFAULT 0,
    s_neutral              double precision NOT NULL DEFAULT 0,
    s_slightly_positive    double precision NOT NULL DEFAULT 0,
    s_positive             double precision NOT NULL DEFAULT 0,
    s_very_positive        double precision NOT NULL DEFAULT 0,
    held_unit_s            double precision NOT NULL DEFAULT 0,
    work_s                 double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, queue, channel, agent_id)
);
COMMENT ON TABLE omni.kpi_rollup IS
    'KPI facts summed per 5-minute bucket, queue, channel and agent; maintained by omni.refresh_kpis() from new events only. Sums and counts (additive); formulas in docs/kpi.md.';
DO $c$
DECLARE
    d constant jsonb := jsonb_build_object(
        'bucket', 'Start of the 5-minute bucket the facts are attributed to (queue entry for queue visits; the time itself for durations).',
        'queue', 'Queue (empty string: none).',
        'channel', 'Channel (empty string: none).',
        'agent_id', 'Agent (0: not agent-specific).',
        'incoming', 'Queue entries.',
        'incoming_escalated', 'Queue entries by bot escalation.',
        'incoming_transferred', 'Queue entries by transfer or overflow from another queue or agent.',
        'incoming_requeued', 'Queue entries of parked conversations the customer replied to.',
        'handled', 'Queue visits accepted by an agent (accept, pick or supervisor assign).',
        'handled_within_sl', 'Of those, accepted within the queue''s service_level_threshold.',
        'answer_s', 'Sum of seconds from queue entry to acceptance over handled.',
        'abandoned', 'Customer left while queued, after the short-abandon threshold.',
        'abandoned_within_sl', 'Of those, left within the service_level_threshold.',
        'abandoned_after_offer', 'Of those, left after an offer had been made.',
        'abandon_s', 'Sum of seconds from queue entry to abandon over abandoned.',
        'short_abandoned', 'Customer left before the queue''s short_abandon_threshold (not counted as abandoned).',
        'unanswered_other', 'Queue visits ended otherwise before acceptance (transferred on, force-, auto- or overflow-closed).',
        'handled_transferred', 'Handled queue visits transferred at least once (to an agent or a queue).',
        'handle_n', 'Handled queue visits whose handling ended (closed or transferred away).',
        'handle_s', 'Sum of active plus wrap-up seconds over handle_n.',
        'wrap_n', 'Of handle_n, visits that had a wrap-up.',
        'wrap_s', 'Sum of wrap-up seconds over wrap_n.',
        'session_n', 'Agent sessions (an agent holding a queue visit) whose handling ended.',
        'session_handle_s', 'Sum of the agent''s active plus wrap-up seconds over session_n.',
        'session_wrap_n', 'Of session_n, sessions with a wrap-up.',
        'session_wrap_s', 'Sum of the agent''s wrap-up seconds.',
        'first_response_n', 'First agent responses.',
        'first_response_s', 'Sum of seconds from the conversation''s first queue entry to the first agent message.',
        'offers', 'Offers made (attributed to the offer''s creation).',
        'offers_accepted', 'Offers accepted.',
        'offers_rejected', 'Offers rejected.',
        'offers_expired', 'Offers that timed out.',
        'offers_rescinded', 'Offers withdrawn by the system or a supervisor.',
        'sentiment_n', 'Closed conversations counted for sentiment (their last queue visit).',
        'sentiment_score_s', 'Sum of their final sentiment scores.',
        'held_unit_s', 'Capacity unit-seconds held by work (active, wrap-up when it holds capacity).',
        'work_s', 'Seconds of work held (active or wrap-up) by the agent.');
    col text;
BEGIN
    FOR col IN SELECT attname FROM pg_attribute WHERE attrelid = 'omni.kpi_rollup'::regclass AND attnum > 0 LOOP
        EXECUTE format('COMMENT ON COLUMN omni.kpi_rollup.%I IS %L', col,
            coalesce(d ->> col,
                     CASE WHEN col LIKE 'wait_h%' THEN format('Handled visits whose wait fell in histogram bin %s (see docs/kpi.md).', substr(col, 7))
                          WHEN col LIKE 's\_%' THEN format('Closed conversations whose final sentiment was %s.', substr(col, 3)) END));
    END LOOP;
END
$c$;

CREATE TABLE omni.kpi_presence_rollup (
    bucket    timestamptz NOT NULL,
    agent_id  bigint NOT NULL,
    presence  text NOT NULL,
    seconds   double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, agent_id, presence)
);
COMMENT ON TABLE omni.kpi_presence_rollup IS 'Seconds each agent spent in each presence, per 5-minute bucket (closed intervals).';
COMMENT ON COLUMN omni.kpi_presence_rollup.bucket IS 'Start of the 5-minute bucket.';
COMMENT ON COLUMN omni.kpi_presence_rollup.agent_id IS 'Agent.';
COMMENT ON COLUMN omni.kpi_presence_rollup.presence IS 'Presence name.';
COMMENT ON COLUMN omni.kpi_presence_rollup.seconds IS 'Seconds in that presence within the bucket.';

-- The hourly level: the same sums per clock hour (UTC-aligned), kept by the
-- same statement of omni._kpi_add() that adds to the 5-minute rows, so each
-- hourly row always equals the sum of its twelve 5-minute rows.  Readers
-- (omni._kpi_rollup_rows()) take the whole hours of a range from here and
-- only the edges from the 5-minute level: a 24-hour series or window reads
-- 24 rows per queue, channel and agent instead of 288.
CREATE TABLE omni.kpi_rollup_hour (LIKE omni.kpi_rollup INCLUDING ALL);
COMMENT ON TABLE omni.kpi_rollup_hour IS
    'omni.kpi_rollup summed per clock hour (UTC): each row equals the sum of its twelve 5-minute rows; maintained with them by omni.refresh_kpis().';
COMMENT ON COLUMN omni.kpi_rollup_hour.bucket IS
    'Start of the hour (UTC-aligned) the facts are attributed to (queue entry for queue visits; the time itself for durations).';
CREATE TABLE omni.kpi_presence_rollup_hour (LIKE omni.kpi_presence_rollup INCLUDING ALL);
COMMENT ON TABLE omni.kpi_presence_rollup_hour IS
    'omni.kpi_presence_rollup summed per clock hour (UTC): seconds each agent spent in each presence per hour (closed intervals).';
COMMENT ON COLUMN omni.kpi_presence_rollup_hour.bucket IS 'Start of the hour (UTC-aligned).';
COMMENT ON COLUMN omni.kpi_presence_rollup_hour.seconds IS 'Seconds in that presence within the hour.';

CREATE TABLE omni.kpi_state (
    singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id           bigint NOT NULL DEFAULT 0,
    done_above        bigint[] NOT NULL DEFAULT '{}',
    gaps              bigint[] NOT NULL DEFAULT '{}',
    gap_horizons      xid8[] NOT NULL DEFAULT '{}',
    refreshed_at      timestamptz,
    events_processed  bigint NOT NULL DEFAULT 0,
    last_events       integer NOT NULL DEFAULT 0,
    last_duration_ms  double precision
);
INSERT INTO omni.kpi_state DEFAULT VALUES;
COMMENT ON TABLE omni.kpi_state IS
    'Where omni.refresh_kpis() is in the event log: events up to last_id (and done_above) are in the rollups; gaps are ids of transactions that had not committed.';
COMMENT ON COLUMN omni.kpi_state.singleton IS 'Always true: one row.';
COMMENT ON COLUMN omni.kpi_state.last_id IS 'Every event id up to this one is counted (or was rolled back).';
COMMENT ON COLUMN omni.kpi_state.done_above IS 'Event ids above last_id already counted (they committed before an older gap).';
COMMENT ON COLUMN omni.kpi_state.gaps IS 'Event ids above last_id not visible at the last refresh (in-flight or rolled back).';
COMMENT ON COLUMN omni.kpi_state.gap_horizons IS 'Per gap: once every transaction older than this has ended, an invisible gap was rolled back.';
COMMENT ON COLUMN omni.kpi_state.refreshed_at IS 'omni.now() of the last refresh.';
COMMENT ON COLUMN omni.kpi_state.events_processed IS 'Events counted since the extension was created.';
COMMENT ON COLUMN omni.kpi_state.last_events IS 'Events counted by the last refresh.';
COMMENT ON COLUMN omni.kpi_state.last_duration_ms IS 'Wall-clock duration of the last refresh (ms).';

-- Measure columns of omni.kpi_rollup, in order.
CREATE FUNCTION omni._kpi_measures() RETURNS text[]
    LANGUAGE sql STABLE AS $$
    SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
     WHERE attrelid = 'omni.kpi_rollup'::regclass AND attnum > 4 AND NOT attisdropped
$$;

-- Reading the rollups: one definition for both levels -------------------------------

CREATE FUNCTION omni._kpi_hour(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00')
$$;
COMMENT ON FUNCTION omni._kpi_hour(timestamptz) IS 'Hourly KPI rollup bucket (UTC-aligned) containing a time.';

-- The whole clock hours inside [t_from, t_to) ('empty' when there are none).
CREATE FUNCTION omni._kpi_whole_hours(t_from timestamptz, t_to timestamptz) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN omni._kpi_hour(t_to) > omni._kpi_hour(t_from + interval '1 hour' - interval '1 microsecond')
                THEN tstzrange(omni._kpi_hour(t_from + interval '1 hour' - interval '1 microsecond'),
                               omni._kpi_hour(t_to))
                ELSE 'empty' END
$$;
COMMENT ON FUNCTION omni._kpi_whole_hours(timestamptz, timestamptz) IS
    'The whole clock hours (UTC) inside [t_from, t_to), as a range; empty when none.';

-- The rollup rows of [t_from, t_to) (and of the bucket starting at t_to when
-- with_end): the hours of "hours" (whole hours of the range, or 'empty')
-- from the hourly level, the rest from the 5-minute level.  Each row keeps
-- its own bucket (an hour or 5 minutes); callers regroup.  Both levels hold
-- the same facts, so the choice of hours changes nothing but the cost.
CREATE FUNCTION omni._kpi_rollup_rows(t_from timestamptz, t_to timestamptz, with_end boolean, hours tstzrange)
    RETURNS SETOF omni.kpi_rollup
    LANGUAGE sql STABLE AS $$
    SELECT * FROM omni.kpi_rollup_hour
     WHERE bucket >= lower(hours) AND bucket < upper(hours)
    UNION ALL
    SELECT * FROM omni.kpi_rollup
     WHERE bucket >= t_from AND bucket < coalesce(lower(hours), t_from)
    UNION ALL
    SELECT * FROM omni.kpi_rollup
     WHERE bucket >= coalesce(upper(hours), t_from) AND (bucket < t_to OR (with_end AND bucket = t_to))
$$;
COMMENT ON FUNCTION omni._kpi_rollup_rows(timestamptz, timestamptz, boolean, tstzrange) IS
    'KPI rollup rows of a range: the given whole hours from omni.kpi_rollup_hour, the edges from omni.kpi_rollup.';

CREATE FUNCTION omni._kpi_presence_rollup_rows(t_from timestamptz, t_to timestamptz, with_end boolean, hours tstzrange)
    RETURNS SETOF omni.kpi_presence_rollup
    LANGUAGE sql STABLE AS $$
    SELECT * FROM omni.kpi_presence_rollup_hour
     WHERE bucket >= lower(hours) AND bucket < upper(hours)
    UNION ALL
    SELECT * FROM omni.kpi_presence_rollup
     WHERE bucket >= t_from AND bucket < coalesce(lower(hours), t_from)
    UNION ALL
    SELECT * FROM omni.kpi_presence_rollup
     WHERE bucket >= coalesce(upper(hours), t_from) AND (bucket < t_to OR (with_end AND bucket = t_to))
$$;
COMMENT ON FUNCTION omni._kpi_presence_rollup_rows(timestamptz, timestamptz, boolean, tstzrange) IS
    'Presence rollup rows of a range: the given whole hours from omni.kpi_presence_rollup_hour, the edges from omni.kpi_presence_rollup.';

-- (Re)builds the hourly level from the 5-minute level for the hours from
-- since's on (NULL: all).  Used by the upgrade that introduced it and by
-- omni.rebuild_kpis(); omni.refresh_kpis() keeps both levels in step itself.
CREATE FUNCTION omni._kpi_hour_fill(since timestamptz) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    h timestamptz := omni._kpi_hour(since);
BEGIN
    DELETE FROM omni.kpi_rollup_hour WHERE h IS NULL OR bucket >= h;
    DELETE FROM omni.kpi_presence_rollup_hour WHERE h IS NULL OR bucket >= h;
    EXECUTE format($q$
        INSERT INTO omni.kpi_rollup_hour (bucket, queue, channel, agent_id, %s)
        SELECT omni._kpi_hour(bucket), queue, channel, agent_id, %s FROM omni.kpi_rollup
         WHERE $1 IS NULL OR bucket >= $1 GROUP BY 1, 2, 3, 4$q$,
        (SELECT string_agg(format('%I', m), ', ') FROM unnest(ms) m),
        (SELECT string_agg(format('sum(%I)', m), ', ') FROM unnest(ms) m))
    USING h;
    INSERT INTO omni.kpi_presence_rollup_hour (bucket, agent_id, presence, seconds)
    SELECT omni._kpi_hour(bucket), agent_id, presence, sum(seconds) FROM omni.kpi_presence_rollup
     WHERE h IS NULL OR bucket >= h GROUP BY 1, 2, 3;
END $$;
COMMENT ON FUNCTION omni._kpi_hour_fill(timestamptz) IS
    'Rebuilds the hourly KPI rollups from the 5-minute ones, for the hours from a time on (NULL: all).';

-- Facts ------------------------------------------------------------------------------

-- The additive facts of events: those listed in ids (when not NULL) or else
-- every event in [t_from, t_to); facts attributed outside [t_from, t_to)
-- are dropped and durations are clipped to it.  Each fact is (attribution
-- time, queue, channel, agent, measure, value); measures are the columns of
-- omni.kpi_rollup.
CREATE FUNCTION omni._kpi_facts(ids bigint[], t_from timestamptz, t_to timestamptz)
    RETURNS TABLE (fact_at timestamptz, queue text, channel text, agent_id bigint, measure text, value double precision)
    LANGUAGE sql STABLE AS $$
WITH ev AS MATERIALIZED (
    SELECT e.* FROM omni.event e
     WHERE ids IS NOT NULL AND e.id = ANY (ids)
    UNION ALL
    SELECT e.* FROM omni.event e
     WHERE ids IS NULL AND e.at >= t_from AND e.at < t_to
),
cv AS MATERIALIZED (
    SELECT e.id, e.at, e.kind, e.conversation_id, e.agent_id, e.offer_id, e.queue, e.channel, e.from_state,
           e.to_state, e.detail,
           omni._kpi_is_entry(e.kind, e.from_state, e.to_state, e.detail) AS is_entry,
           en.id AS en_id, en.at AS en_at, en.queue AS en_queue, en.channel AS en_channel,
           ps.at AS ps_at, ps.to_state AS ps_state, ps.agent_id AS ps_agent, ps.queue AS ps_queue
      FROM ev e
      LEFT JOIN LATERAL (
            SELECT p.id, p.at, p.queue, p.channel FROM omni.event p
             WHERE p.conversation_id = e.conversation_id AND p.id < e.id
               AND omni._kpi_is_entry(p.kind, p.from_state, p.to_state, p.detail)
             ORDER BY p.id DESC LIMIT 1) en ON true
      LEFT JOIN LATERAL (
            SELECT p.at, p.to_state, p.agent_id, p.queue FROM omni.event p
             WHERE p.conversation_id = e.conversation_id AND p.id < e.id AND omni._kpi_is_state_event(p.kind)
             ORDER BY p.id DESC LIMIT 1) ps ON omni._kpi_is_state_event(e.kind)
     WHERE e.conversation_id IS NOT NULL
),
facts AS (
    -- Queue entries.
    SELECT cv.at, cv.queue, cv.channel, 0::bigint AS agent, m.measure, 1::double precision AS value
      FROM cv CROSS JOIN LATERAL (VALUES ('incoming'),
            (CASE WHEN cv.kind = 'escalated' THEN 'incoming_escalated'
                  WHEN cv.kind = 'requeued' THEN 'incoming_requeued'
                  WHEN cv.kind <> 'enqueued' THEN 'incoming_transferred' END)) m(measure)
     WHERE cv.is_entry AND m.measure IS NOT NULL
    UNION ALL
    -- Acceptance (accept, pick, supervisor assign): handled, speed to answer.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, cv.agent_id, m.measure, m.value
      FROM cv JOIN omni.queue q ON q.name = cv.en_queue
     CROSS JOIN LATERAL (SELECT extract(epoch FROM cv.at - cv.en_at)::double precision AS w) w
     CROSS JOIN LATERAL (VALUES ('handled', 1), ('answer_s', w.w),
            ('handled_within_sl', (w.w <= extract(epoch FROM q.service_level_threshold))::integer),
            (omni._kpi_hist_bin(w.w), 1)) m(measure, value)
     WHERE cv.kind IN ('accepted', 'picked', 'assigned') AND cv.en_id IS NOT NULL
    UNION ALL
    -- The customer left while queued.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, 0, m.measure, m.value
      FROM cv JOIN omni.queue q ON q.name = cv.en_queue
     CROSS JOIN LATERAL (SELECT extract(epoch FROM cv.at - cv.en_at)::double precision AS w,
                                cv.at - cv.en_at < q.short_abandon_threshold AS short) w
     CROSS JOIN LATERAL (VALUES
            (CASE WHEN w.short THEN 'short_abandoned' ELSE 'abandoned' END, 1),
            (CASE WHEN NOT w.short THEN 'abandon_s' END, w.w),
            (CASE WHEN NOT w.short THEN 'abandoned_within_sl' END,
             (w.w <= extract(epoch FROM q.service_level_threshold))::integer),
            (CASE WHEN NOT w.short THEN 'abandoned_after_offer' END,
             coalesce((cv.detail ->> 'offered')::boolean, false)::integer)) m(measure, value)
     WHERE cv.kind = 'abandoned' AND cv.from_state = 'open' AND cv.en_id IS NOT NULL AND m.measure IS NOT NULL
    UNION ALL
    -- A queue visit ended otherwise before acceptance.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, 0, 'unanswered_other', 1
      FROM cv
     WHERE cv.from_state = 'open' AND cv.en_id IS NOT NULL
       AND ((cv.to_state = 'closed' AND cv.kind <> 'abandoned') OR cv.is_entry)
    UNION ALL
    -- First transfer of a handled queue visit (to an agent, or to a queue).
    SELECT cv.en_at, cv.en_queue, cv.en_channel, coalesce(cv.ps_agent, 0), 'handled_transferred', 1
      FROM cv
     WHERE cv.en_id IS NOT NULL
       AND (cv.kind = 'transferred_to_agent'
            OR (cv.is_entry AND cv.from_state IN ('active', 'waiting', 'wrap_up')
                AND cv.kind NOT IN ('requeued', 'escalated')))
       AND NOT EXISTS (SELECT 1 FROM omni.event p
                        WHERE p.conversation_id = cv.conversation_id AND p.id > cv.en_id AND p.id < cv.id
                          AND p.kind = 'transferred_to_agent')
    UNION ALL
    -- End of a queue visit: handle and wrap-up time, per visit and per agent.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, x.agent, m.measure, m.value
      FROM cv
     CROSS JOIN LATERAL (
            SELECT s.agent_id AS agent,
                   sum(extract(epoch FROM s.next_at - s.at)) FILTER (WHERE s.to_state = 'active') AS active_s,
                   sum(extract(epoch FROM s.next_at - s.at)) FILTER (WHERE s.to_state = 'wrap_up') AS wrap_s
              FROM (SELECT p.at, p.to_state, p.agent_id, lead(p.at) OVER (ORDER BY p.id) AS next_at
                      FROM omni.event p
                     WHERE p.conversation_id = cv.conversation_id AND p.id >= cv.en_id AND p.id <= cv.id
                       AND omni._kpi_is_state_event(p.kind)) s
             WHERE s.to_state IN ('active', 'wrap_up') AND s.agent_id IS NOT NULL AND s.next_at IS NOT NULL
             GROUP BY ROLLUP (s.agent_id) HAVING count(*) > 0) x
     CROSS JOIN LATERAL (VALUES
            (CASE WHEN x.agent IS NULL THEN 'handle_n' ELSE 'session_n' END, 1::double precision),
            (CASE WHEN x.agent IS NULL THEN 'handle_s' ELSE 'session_handle_s' END,
             coalesce(x.active_s, 0) + coalesce(x.wrap_s, 0)),
            (CASE WHEN x.agent IS NULL THEN 'wrap_n' ELSE 'session_wrap_n' END, (x.wrap_s IS NOT NULL)::integer),
            (CASE WHEN x.agent IS NULL THEN 'wrap_s' ELSE 'session_wrap_s' END, coalesce(x.wrap_s, 0))) m(measure, value)
     WHERE cv.en_id IS NOT NULL AND (cv.is_entry OR cv.to_state = 'closed')
    UNION ALL
    -- First agent response, from the conversation's first queue entry.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, cv.agent_id, m.measure, m.value
      FROM cv
     CROSS JOIN LATERAL (
            SELECT p.at FROM omni.event p
             WHERE p.conversation_id = cv.conversation_id AND p.id < cv.id
               AND omni._kpi_is_entry(p.kind, p.from_state, p.to_state, p.detail)
             ORDER BY p.id LIMIT 1) fe
     CROSS JOIN LATERAL (VALUES ('first_response_n', 1::double precision),
                                ('first_response_s', extract(epoch FROM cv.at - fe.at)::double precision)) m(measure, value)
     WHERE cv.kind = 'first_response' AND cv.en_id IS NOT NULL
    UNION ALL
    -- Offers and their outcomes, attributed to the offer's creation.
    SELECT o.created_at, o.queue, cv.channel, o.agent_id,
           CASE cv.kind WHEN 'offered' THEN 'offers' WHEN 'accepted' THEN 'offers_accepted'
                        WHEN 'offer_rejected' THEN 'offers_rejected' WHEN 'offer_expired' THEN 'offers_expired'
                        ELSE 'offers_rescinded' END, 1
      FROM cv JOIN omni.offer o ON o.id = cv.offer_id
     WHERE cv.kind IN ('offered', 'accepted', 'offer_rejected', 'offer_expired', 'offer_rescinded')
    UNION ALL
    -- Final sentiment of a closed conversation, on its last queue visit.
    SELECT cv.en_at, cv.en_queue, cv.en_channel, coalesce(cv.ps_agent, 0), m.measure, m.value
      FROM cv JOIN omni.conversation c ON c.id = cv.conversation_id
     CROSS JOIN LATERAL (VALUES ('sentiment_n', 1::double precision),
                                ('sentiment_score_s', c.sentiment_score::double precision),
                                ('s_' || c.sentiment::text, 1)) m(measure, value)
     WHERE cv.to_state = 'closed' AND cv.en_id IS NOT NULL
    UNION ALL
    -- Work held by an agent, split into buckets (utilization).
    SELECT sp.piece_at, cv.ps_queue, cv.channel, cv.ps_agent, m.measure, m.value
      FROM cv
      JOIN omni.conversation c ON c.id = cv.conversation_id
      JOIN omni.workstream w ON w.name = c.workstream
     CROSS JOIN LATERAL omni._kpi_split(greatest(cv.ps_at, t_from), least(cv.at, t_to)) sp
     CROSS JOIN LATERAL (VALUES ('work_s', sp.seconds),
            ('held_unit_s', CASE WHEN cv.ps_state = 'active' OR w.wrap_up_holds_capacity
                                 THEN sp.seconds * w.capacity_units ELSE 0 END)) m(measure, value)
     WHERE cv.ps_state IN ('active', 'wrap_up') AND cv.ps_agent IS NOT NULL
)
SELECT f.at, coalesce(f.queue, ''), coalesce(f.channel, ''), coalesce(f.agent, 0), f.measure, f.value
  FROM facts f(at, queue, channel, agent, measure, value)
 WHERE f.at >= t_from AND f.at < t_to
$$;
COMMENT ON FUNCTION omni._kpi_facts(bigint[], timestamptz, timestamptz) IS
    'KPI facts of events (ids, or all events in the window): the single definition of every counted quantity.';

-- Presence time: the interval a presence event closes, split into buckets.
CREATE FUNCTION omni._kpi_presence_facts(ids bigint[], t_from timestamptz, t_to timestamptz)
    RETURNS TABLE (fact_at timestamptz, agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT sp.piece_at, e.agent_id, e.detail ->> 'from', sp.seconds
      FROM omni.event e
     CROSS JOIN LATERAL (SELECT p.at FROM omni.event p
                          WHERE p.agent_id = e.agent_id AND p.kind = 'presence' AND p.id < e.id
                          ORDER BY p.id DESC LIMIT 1) prev
     CROSS JOIN LATERAL omni._kpi_split(greatest(prev.at, t_from), least(e.at, t_to)) sp
     WHERE e.kind = 'presence'
       AND ((ids IS NOT NULL AND e.id = ANY (ids)) OR (ids IS NULL AND e.at >= t_from AND e.at < t_to))
$$;
COMMENT ON FUNCTION omni._kpi_presence_facts(bigint[], timestamptz, timestamptz) IS
    'Seconds in each presence closed by presence events, split into buckets and clipped to the window.';

-- What is still running at t_to (inclusive: counts events at exactly t_to as
-- done, as the rollups do): the presence each agent is in, and the work
-- each agent holds, clipped to [t_from, t_to).
CREATE FUNCTION omni._kpi_open_presence(t_from timestamptz, t_to timestamptz, inclusive boolean)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT a.id, p.detail ->> 'to', extract(epoch FROM t_to - greatest(p.at, t_from))::double precision
      FROM omni.agent a
     CROSS JOIN LATERAL (SELECT e.at, e.detail FROM omni.event e
                          WHERE e.agent_id = a.id AND e.kind = 'presence'
                            AND (e.at < t_to OR (inclusive AND e.at = t_to))
                          ORDER BY e.id DESC LIMIT 1) p
     WHERE t_to > greatest(p.at, t_from)
$$;
COMMENT ON FUNCTION omni._kpi_open_presence(timestamptz, timestamptz, boolean) IS
    'Seconds of each agent''s presence interval still open at the end of the window.';

CREATE FUNCTION omni._kpi_open_work(t_from timestamptz, t_to timestamptz, inclusive boolean)
    RETURNS TABLE (fact_at timestamptz, queue text, channel text, agent_id bigint, measure text, value double precision)
    LANGUAGE sql STABLE AS $$
    -- (not closed spelled as the open states, and events after t_to as a
    -- range closed by 'infinity': both estimated small without statistics,
    -- so the partial index conversation_live_idx and event_at_idx are used)
    WITH cand AS (
        SELECT c.id FROM omni.conversation c WHERE c.state IN ('open', 'active', 'waiting', 'wrap_up')
        UNION
        SELECT e.conversation_id FROM omni.event e
         WHERE e.at >= t_to AND e.at <= 'infinity' AND e.conversation_id IS NOT NULL AND NOT inclusive
        UNION
        SELECT e.conversation_id FROM omni.event e
         WHERE e.at > t_to AND e.at <= 'infinity' AND e.conversation_id IS NOT NULL AND inclusive
    )
    -- (one conversation looked up per candidate, OFFSET 0 keeping it a
    -- lookup: a misestimated candidate count must not turn it into a scan)
    SELECT sp.piece_at, coalesce(p.queue, ''), coalesce(p.channel, ''), p.agent_id, m.measure, m.value
      FROM cand
     CROSS JOIN LATERAL (SELECT e.at, e.to_state, e.agent_id, e.queue, e.channel FROM omni.event e
                          WHERE e.conversation_id = cand.id AND omni._kpi_is_state_event(e.kind)
                            AND (e.at < t_to OR (inclusive AND e.at = t_to))
                          ORDER BY e.id DESC LIMIT 1) p
     CROSS JOIN LATERAL (SELECT w.capacity_units, w.wrap_up_holds_capacity
                           FROM omni.conversation c JOIN omni.workstream w ON w.name = c.workstream
                          WHERE c.id = cand.id OFFSET 0) w
     CROSS JOIN LATERAL omni._kpi_split(greatest(p.at, t_from), t_to) sp
     CROSS JOIN LATERAL (VALUES ('work_s', sp.seconds),
            ('held_unit_s', CASE WHEN p.to_state = 'active' OR w.wrap_up_holds_capacity
                                 THEN sp.seconds * w.capacity_units ELSE 0 END)) m(measure, value)
     WHERE p.to_state IN ('active', 'wrap_up') AND p.agent_id IS NOT NULL
$$;
COMMENT ON FUNCTION omni._kpi_open_work(timestamptz, timestamptz, boolean) IS
    'Work still held at the end of the window, split into buckets (capacity used so far).';

-- Queue visits that entered in [t_from, t_to) and are still waiting, and how
-- many of them longer than the queue's service-level threshold.  live: read
-- the conversations as they are now (cohort known now, waits measured to
-- now; with t_to = now, visits entering at now count); else replay the
-- event log as it stood at t_to.
CREATE FUNCTION omni._kpi_waiting(t_from timestamptz, t_to timestamptz, live boolean)
    RETURNS TABLE (queue text, channel text, waiting double precision, waiting_over_sl double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT x.queue, x.channel, count(*)::double precision,
           count(*) FILTER (WHERE x.upto - x.entered > q.service_level_threshold)::double precision
      FROM (SELECT c.queue, c.channel, c.queued_at AS entered, omni.now() AS upto
              FROM omni.conversation c
             WHERE live AND c.state = 'open' AND c.queued_at >= t_from
               AND (c.queued_at < t_to OR (c.queued_at = t_to AND t_to >= omni.now()))
            UNION ALL
            -- only a conversation open now or changed since t_to can have
            -- been waiting at t_to (every state change is an event): it was
            -- if its last queue entry, acceptance or close before t_to is an
            -- entry made in the window
            SELECT l.queue, l.channel, l.at, t_to
              FROM (SELECT c.id FROM omni.conversation c WHERE NOT live AND c.state = 'open'
                    UNION
                    SELECT e.conversation_id FROM omni.event e
                     WHERE NOT live AND e.at >= t_to AND e.at <= 'infinity' AND e.conversation_id IS NOT NULL) k
             CROSS JOIN LATERAL (
                    SELECT n.kind, n.from_state, n.to_state, n.detail, n.queue, n.channel, n.at
                      FROM omni.event n
                     WHERE n.conversation_id = k.id AND n.at < t_to
                       AND (n.kind IN ('accepted', 'picked', 'assigned') OR n.to_state = 'closed'
                            OR omni._kpi_is_entry(n.kind, n.from_state, n.to_state, n.detail))
                     ORDER BY n.id DESC LIMIT 1) l
             WHERE l.at >= t_from AND omni._kpi_is_entry(l.kind, l.from_state, l.to_state, l.detail)) x
      JOIN omni.queue q ON q.name = x.queue
     GROUP BY x.queue, x.channel
$$;
COMMENT ON FUNCTION omni._kpi_waiting(timestamptz, timestamptz, boolean) IS
    'Queue visits of the window still waiting (now, or at the window''s end from the log), and those waiting longer than the service-level threshold.';

-- Events the rollups hold (counted by omni.refresh_kpis()) or not yet.
-- (ranges closed on both sides: estimated small without statistics, so the
-- indexes on event id and time are used, not a scan of the log)
CREATE FUNCTION omni._kpi_uncounted(t_before timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(e.id), '{}') FROM omni.event e
     WHERE e.id > (SELECT last_id FROM omni.kpi_state) AND e.id <= (SELECT max(id) FROM omni.event)
       AND NOT e.id = ANY ((SELECT done_above FROM omni.kpi_state)::bigint[]) AND e.at < t_before
$$;
COMMENT ON FUNCTION omni._kpi_uncounted(timestamptz) IS
    'Events before a time that omni.refresh_kpis() has not counted yet (not in the rollups).';

CREATE FUNCTION omni._kpi_counted_since(t_since timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(e.id), '{}') FROM omni.event e, omni.kpi_state st
     WHERE e.at >= t_since AND e.at <= 'infinity' AND (e.id <= st.last_id OR e.id = ANY (st.done_above))
$$;
COMMENT ON FUNCTION omni._kpi_counted_since(timestamptz) IS
    'Events from a time on that the rollups already hold.';

-- The edge of a window whose start is not on a 5-minute boundary: the facts
-- attributed in [t_from, t_edge) (t_edge: the next boundary), as the window
-- [t_from, t_to) stood at t_to, from the events of [t_from, t_to) of the
-- conversations that can have such facts: those with an event in the edge
-- (visits entered and offers made there, work started or ended there), and
-- those an agent held through the edge, whose next state event comes later
-- in the window (found with one look-up per conversation of the window);
-- plus the work still held at t_to.  The rest of the window comes from the
-- rollups (omni._kpi_sums), so an unaligned window costs the window's
-- conversations once instead of a replay of every event.
CREATE FUNCTION omni._kpi_edge_facts(t_from timestamptz, t_edge timestamptz, t_to timestamptz)
    RETURNS TABLE (fact_at timestamptz, queue text, channel text, agent_id bigint, measure text, value double precision)
    LANGUAGE sql STABLE AS $$
    WITH conv AS (
        SELECT e.conversation_id AS id FROM omni.event e
         WHERE e.at >= t_from AND e.at < t_edge AND e.conversation_id IS NOT NULL
        UNION
        SELECT k.id
          FROM (SELECT DISTINCT e.conversation_id AS id FROM omni.event e
                 WHERE e.at >= t_edge AND e.at < t_to AND e.conversation_id IS NOT NULL) k
         CROSS JOIN LATERAL (SELECT p.to_state, p.agent_id FROM omni.event p
                              WHERE p.conversation_id = k.id AND p.at < t_from AND omni._kpi_is_state_event(p.kind)
                              ORDER BY p.id DESC LIMIT 1) ps
         WHERE ps.to_state IN ('active', 'wrap_up') AND ps.agent_id IS NOT NULL)
    SELECT f.* FROM omni._kpi_facts(ARRAY(
              SELECT e.id FROM conv
               CROSS JOIN LATERAL (SELECT e.id FROM omni.event e
                                    WHERE e.conversation_id = conv.id AND e.at >= t_from AND e.at < t_to OFFSET 0) e),
              t_from, t_edge) f
    UNION ALL
    SELECT w.* FROM omni._kpi_open_work(t_from, t_to, false) w WHERE w.fact_at < t_edge
$$;
COMMENT ON FUNCTION omni._kpi_edge_facts(timestamptz, timestamptz, timestamptz) IS
    'KPI facts attributed in the partial first bucket [t_from, t_edge) of a window [t_from, t_to), as it stood at t_to, from the events of the conversations that touch the edge.';

-- The same for presence time: the presence events of the edge, each agent's
-- first presence event after it (it closes the interval open at t_edge), and
-- the presence still open at t_to, cut to the edge.
CREATE FUNCTION omni._kpi_edge_presence(t_from timestamptz, t_edge timestamptz, t_to timestamptz)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT f.agent_id, f.presence, f.seconds
      FROM omni._kpi_presence_facts(ARRAY(
              SELECT e.id FROM omni.event e WHERE e.kind = 'presence' AND e.at >= t_from AND e.at < t_edge
              UNION
              SELECT n.id FROM omni.agent a
               CROSS JOIN LATERAL (SELECT e.id FROM omni.event e
                                    WHERE e.agent_id = a.id AND e.at >= t_edge AND e.at < t_to AND e.kind = 'presence'
                                    ORDER BY e.at, e.id LIMIT 1) n), t_from, t_edge) f
    UNION ALL
    SELECT o.agent_id, o.presence, o.seconds - extract(epoch FROM t_to - t_edge)::double precision
      FROM omni._kpi_open_presence(t_from, t_to, false) o
     WHERE o.seconds - extract(epoch FROM t_to - t_edge)::double precision > 0
$$;
COMMENT ON FUNCTION omni._kpi_edge_presence(timestamptz, timestamptz, timestamptz) IS
    'Seconds per agent and presence in the partial first bucket [t_from, t_edge) of a window [t_from, t_to), as it stood at t_to.';

-- Sums over a window, per queue, channel and agent, three ways:
--  * from_rollup (intraday views, omni.kpi_series): every visit of the
--    window with what is known of it now (cohort): rollup buckets in the
--    window, plus work still held now cut at the window's end;
--  * as the window stood at t_to (omni.kpi), from the rollups when t_from is
--    on a 5-minute boundary (else the partial first bucket from the log,
--    omni._kpi_edge_facts, and the rest so): buckets [t_from, b) with b the bucket of t_to,
--    corrected by the facts of events not counted yet (added) and of counted
--    events at or after t_to (taken away), plus the events of [b, t_to) and
--    the work held at t_to from the log;
--  * straight from the event log (omni._kpi_log_sums), for a window shorter
--    than its partial first bucket.
-- The second equals the third (test sql/kpi_series.sql): an event's facts are
-- attributed at or before its time, so events before t_from add nothing.
-- These functions run with jit off: their plans are cheap but estimated
-- expensive (set-returning functions, no statistics on fresh tables), and
-- compiling 60 filtered aggregates costs far more than running them.
CREATE FUNCTION omni._kpi_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS SETOF omni.kpi_rollup
    LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    b timestamptz := omni._kpi_bucket(t_to);
    pivot text;
    total text;
    uncounted bigint[];
    counted_since bigint[];
    facts text[];
    edge timestamptz := omni._kpi_bucket(t_from) + interval '5 minutes';
BEGIN
    IF NOT from_rollup AND t_from <> omni._kpi_bucket(t_from) AND edge >= t_to THEN
        RETURN QUERY SELECT * FROM omni._kpi_log_sums(t_from, t_to);
        RETURN;
    END IF;
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', '),
           string_agg(format('sum(%I) AS %I', m, m), ', ')
      INTO pivot, total FROM unnest(ms) m;
    IF NOT from_rollup AND t_from <> omni._kpi_bucket(t_from) THEN
        -- The partial first bucket from the log, the rest as below.
        RETURN QUERY EXECUTE format($q$
            SELECT $1, queue, channel, agent_id, %1$s FROM (
                SELECT queue, channel, agent_id, %2$s FROM omni._kpi_sums($3, $2, false)
                 GROUP BY queue, channel, agent_id
                UNION ALL
                SELECT queue, channel, agent_id, %3$s FROM omni._kpi_edge_facts($1, $3, $2)
                 GROUP BY queue, channel, agent_id) s
             GROUP BY queue, channel, agent_id$q$, total, total, pivot)
        USING t_from, t_to, edge;
        RETURN;
    END IF;
    IF NOT from_rollup AND b <= t_from THEN
        RETURN QUERY SELECT * FROM omni._kpi_log_sums(t_from, t_to);
        RETURN;
    END IF;
    IF from_rollup THEN
        RETURN QUERY EXECUTE format($q$
            SELECT $1, queue, channel, agent_id, %1$s FROM (
                SELECT queue, channel, agent_id, %2$s
                  FROM omni._kpi_rollup_rows($1, $2, $2 >= omni.now(), omni._kpi_whole_hours($1, $2))
                 GROUP BY queue, channel, agent_id
                UNION ALL
                SELECT queue, channel, agent_id, %3$s FROM omni._kpi_open_work($1, omni.now(), true)
                 WHERE fact_at < $2 OR (fact_at = $2 AND $2 >= omni.now())
                 GROUP BY queue, channel, agent_id) s
             GROUP BY queue, channel, agent_id$q$, total, total, pivot)
        USING t_from, t_to;
    ELSE
        -- Only the corrections that have events are planned (the usual
        -- window ends now, on a boundary, after a refresh: none of them).
        uncounted := omni._kpi_uncounted(t_to);
        counted_since := omni._kpi_counted_since(t_to);
        facts := ARRAY['SELECT * FROM omni._kpi_open_work($1, $2, false)'];
        IF cardinality(uncounted) > 0 THEN
            facts := facts || 'SELECT * FROM omni._kpi_facts($4, $1, $3)'::text;
        END IF;
        IF cardinality(counted_since) > 0 THEN
            facts := facts || 'SELECT fact_at, queue, channel, agent_id, measure, -value FROM omni._kpi_facts($5, $1, $3)'::text;
        END IF;
        IF b < t_to THEN
            facts := facts || 'SELECT * FROM omni._kpi_facts(NULL, $3, $2)'::text;
        END IF;
        RETURN QUERY EXECUTE format($q$
            SELECT $1, queue, channel, agent_id, %1$s FROM (
                SELECT queue, channel, agent_id, %2$s
                  FROM omni._kpi_rollup_rows($1, $3, false, omni._kpi_whole_hours($1, $3))
                 GROUP BY queue, channel, agent_id
                UNION ALL
                SELECT queue, channel, agent_id, %3$s FROM (%4$s) f
                 GROUP BY queue, channel, agent_id) s
             GROUP BY queue, channel, agent_id$q$, total, total, pivot, array_to_string(facts, ' UNION ALL '))
        USING t_from, t_to, b, uncounted, counted_since;
    END IF;
END $$;
COMMENT ON FUNCTION omni._kpi_sums(timestamptz, timestamptz, boolean) IS
    'KPI sums over a window per queue, channel and agent: cohort known now from the rollups (from_rollup), or the window as it stood at its end (from the rollups, a partial first bucket from the event log; a window shorter than that from the event log).';

CREATE FUNCTION omni._kpi_log_sums(t_from timestamptz, t_to timestamptz)
    RETURNS SETOF omni.kpi_rollup
    LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    pivot text;
BEGIN
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', ')
      INTO pivot FROM unnest(ms) m;
    RETURN QUERY EXECUTE format($q$
        SELECT $1, queue, channel, agent_id, %s FROM (
            SELECT * FROM omni._kpi_facts(NULL, $1, $2)
            UNION ALL
            SELECT * FROM omni._kpi_open_work($1, $2, false)) f
         GROUP BY queue, channel, agent_id$q$, pivot)
    USING t_from, t_to;
END $$;
COMMENT ON FUNCTION omni._kpi_log_sums(timestamptz, timestamptz) IS
    'KPI sums over a window as it stood at its end, recomputed from the event log alone.';

CREATE FUNCTION omni._kpi_presence_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    b timestamptz := omni._kpi_bucket(t_to);
    uncounted bigint[];
    counted_since bigint[];
BEGIN
    IF from_rollup THEN
        -- Closed intervals from the rollups; the interval still open now, cut
        -- at the window's end.
        RETURN QUERY
        SELECT x.agent_id, x.presence, sum(x.seconds)
          FROM (SELECT r.agent_id, r.presence, r.seconds
                  FROM omni._kpi_presence_rollup_rows(t_from, t_to, t_to >= omni.now(),
                                                      omni._kpi_whole_hours(t_from, t_to)) r
                UNION ALL
                SELECT o.agent_id, o.presence, o.seconds - greatest(0, extract(epoch FROM omni.now() - t_to))
                  FROM omni._kpi_open_presence(t_from, omni.now(), true) o
                 WHERE o.seconds - greatest(0, extract(epoch FROM omni.now() - t_to)) > 0) x
         GROUP BY x.agent_id, x.presence;
    ELSIF t_from <> omni._kpi_bucket(t_from) AND omni._kpi_bucket(t_from) + interval '5 minutes' < t_to THEN
        -- The partial first bucket from the log, the rest as below.
        RETURN QUERY
        SELECT x.agent_id, x.presence, sum(x.seconds)
          FROM (SELECT * FROM omni._kpi_presence_sums(omni._kpi_bucket(t_from) + interval '5 minutes', t_to, false)
                UNION ALL
                SELECT * FROM omni._kpi_edge_presence(t_from, omni._kpi_bucket(t_from) + interval '5 minutes', t_to)) x
         GROUP BY x.agent_id, x.presence;
    ELSIF t_from <> omni._kpi_bucket(t_from) OR b <= t_from THEN
        RETURN QUERY SELECT * FROM omni._kpi_presence_log_sums(t_from, t_to);
    ELSE
        -- As it stood at t_to, from the rollups (see omni._kpi_sums).
        uncounted := omni._kpi_uncounted(t_to);
        counted_since := omni._kpi_counted_since(t_to);
        RETURN QUERY
        SELECT x.agent_id, x.presence, sum(x.seconds)
          FROM (SELECT r.agent_id, r.presence, r.seconds
                  FROM omni._kpi_presence_rollup_rows(t_from, b, false, omni._kpi_whole_hours(t_from, b)) r
                UNION ALL
                SELECT f.agent_id, f.presence, f.seconds FROM omni._kpi_presence_facts(uncounted, t_from, b) f
                UNION ALL
                SELECT f.agent_id, f.presence, -f.seconds FROM omni._kpi_presence_facts(counted_since, t_from, b) f
                UNION ALL
                SELECT f.agent_id, f.presence, f.seconds FROM omni._kpi_presence_facts(NULL, b, t_to) f
                UNION ALL
                SELECT * FROM omni._kpi_open_presence(t_from, t_to, false)) x
         GROUP BY x.agent_id, x.presence;
    END IF;
END $$;
COMMENT ON FUNCTION omni._kpi_presence_sums(timestamptz, timestamptz, boolean) IS
    'Seconds per agent and presence over a window, the three ways of omni._kpi_sums.';

CREATE FUNCTION omni._kpi_presence_log_sums(t_from timestamptz, t_to timestamptz)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT x.agent_id, x.presence, sum(x.seconds)
      FROM (SELECT f.agent_id, f.presence, f.seconds FROM omni._kpi_presence_facts(NULL, t_from, t_to) f
            UNION ALL
            SELECT * FROM omni._kpi_open_presence(t_from, t_to, false)) x
     GROUP BY x.agent_id, x.presence
$$;
COMMENT ON FUNCTION omni._kpi_presence_log_sums(timestamptz, timestamptz) IS
    'Seconds per agent and presence over a window as it stood at its end, from the event log alone.';

-- Per bucket of a series (omni.kpi_series): the rollup sums, presence
-- seconds and waiting visits of each step-long bucket of [t_from, t_to),
-- counted like the intraday views (from_rollup of omni._kpi_sums), in one
-- pass.  The last bucket ends at t_to; when t_to is now it counts what
-- happened at now.
CREATE FUNCTION omni._kpi_series_last(t_from timestamptz, t_to timestamptz, step interval) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin(step, t_to - interval '1 microsecond', t_from)
$$;
COMMENT ON FUNCTION omni._kpi_series_last(timestamptz, timestamptz, interval) IS
    'Start of the last step-long bucket of a series over [t_from, t_to).';

-- The hours a series reads from the hourly level: its whole hours when every
-- clock hour lies inside one of its buckets (buckets of whole hours starting
-- on an hour), else none (15-minute buckets, or a series starting at 09:30).
CREATE FUNCTION omni._kpi_series_hours(t_from timestamptz, t_to timestamptz, step interval) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t_from = omni._kpi_hour(t_from) AND extract(epoch FROM step) % 3600 = 0
                THEN omni._kpi_whole_hours(t_from, t_to) ELSE 'empty' END
$$;
COMMENT ON FUNCTION omni._kpi_series_hours(timestamptz, timestamptz, interval) IS
    'Whole hours a KPI series reads from the hourly rollups (none unless its buckets are whole hours starting on an hour).';

CREATE FUNCTION omni._kpi_series_sums(t_from timestamptz, t_to timestamptz, step interval)
    RETURNS SETOF omni.kpi_rollup
    LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    ms text[] := omni._kpi_measures();
    pivot text;
    total text;
BEGIN
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', '),
           string_agg(format('sum(%I) AS %I', m, m), ', ')
      INTO pivot, total FROM unnest(ms) m;
    -- A key may come twice, from the rollups and from the work still held:
    -- the one caller (omni._kpi_queue_rows_by) sums per key anyway, and a
    -- third aggregation of 60 columns would cost more than all the rest.
    RETURN QUERY EXECUTE format($q$
        SELECT least(date_bin($3, bucket, $1), $4) AS ws, queue, channel, agent_id, %1$s
          FROM omni._kpi_rollup_rows($1, $2, $2 >= omni.now(), omni._kpi_series_hours($1, $2, $3))
         GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT least(date_bin($3, fact_at, $1), $4), queue, channel, agent_id, %2$s
          FROM omni._kpi_open_work($1, omni.now(), true)
         WHERE fact_at < $2 OR (fact_at = $2 AND $2 >= omni.now())
         GROUP BY 1, 2, 3, 4$q$, total, pivot)
    USING t_from, t_to, step, omni._kpi_series_last(t_from, t_to, step);
END $$;
COMMENT ON FUNCTION omni._kpi_series_sums(timestamptz, timestamptz, interval) IS
    'KPI sums per step-long bucket of [t_from, t_to) (bucket column: the bucket''s start), counted like the intraday views; a key may appear twice (rollups, work still held): sum per key.';

CREATE FUNCTION omni._kpi_series_presence(t_from timestamptz, t_to timestamptz, step interval)
    RETURNS TABLE (ws timestamptz, agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT x.ws, x.agent_id, x.presence, sum(x.seconds)
      FROM (SELECT least(date_bin(step, r.bucket, t_from), omni._kpi_series_last(t_from, t_to, step)) AS ws,
                   r.agent_id, r.presence, r.seconds
              FROM omni._kpi_presence_rollup_rows(t_from, t_to, t_to >= omni.now(),
                                                  omni._kpi_series_hours(t_from, t_to, step)) r
            UNION ALL
            -- the presence each agent is in now, from its start to now, cut per bucket
            SELECT b.ws, a.id, p.detail ->> 'to',
                   extract(epoch FROM least(omni.now(), t_to, b.ws + step) - greatest(p.at, t_from, b.ws))::double precision
              FROM omni.agent a
             CROSS JOIN LATERAL (SELECT e.at, e.detail FROM omni.event e
                                  WHERE e.agent_id = a.id AND e.kind = 'presence' AND e.at <= omni.now()
                                  ORDER BY e.id DESC LIMIT 1) p
             CROSS JOIN LATERAL generate_series(t_from, omni._kpi_series_last(t_from, t_to, step), step) b(ws)
             WHERE least(omni.now(), t_to, b.ws + step) > greatest(p.at, t_from, b.ws)) x
     GROUP BY x.ws, x.agent_id, x.presence
$$;
COMMENT ON FUNCTION omni._kpi_series_presence(timestamptz, timestamptz, interval) IS
    'Seconds per agent and presence per step-long bucket of [t_from, t_to), counted like the intraday views.';

CREATE FUNCTION omni._kpi_series_waiting(t_from timestamptz, t_to timestamptz, step interval)
    RETURNS TABLE (ws timestamptz, queue text, channel text, waiting double precision, waiting_over_sl double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT least(date_bin(step, c.queued_at, t_from), omni._kpi_series_last(t_from, t_to, step)), c.queue, c.channel,
           count(*)::double precision,
           count(*) FILTER (WHERE omni.now() - c.queued_at > q.service_level_threshold)::double precision
      FROM omni.conversation c JOIN omni.queue q ON q.name = c.queue
     WHERE c.state = 'open' AND c.queued_at >= t_from
       AND (c.queued_at < t_to OR (c.queued_at = t_to AND t_to >= omni.now()))
     GROUP BY 1, 2, 3
$$;
COMMENT ON FUNCTION omni._kpi_series_waiting(timestamptz, timestamptz, interval) IS
    'Visits still waiting now per step-long bucket of [t_from, t_to) they entered in, and those waiting longer than the service-level threshold.';

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

CREATE FUNCTION omni.refresh_kpis() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    st omni.kpi_state;
    snap pg_snapshot;
    hi bigint;
    ids bigint[];
    seen bigint[];
    new_gaps bigint[];
    keep_gaps bigint[] := '{}';
    keep_horizons xid8[] := '{}';
    i integer;
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
    -- One statement, one snapshot: the events visible now above last_id.
    SELECT pg_current_snapshot(), coalesce(max(e.id), st.last_id),
           coalesce(array_agg(e.id ORDER BY e.id), '{}')
      INTO snap, hi, seen
      FROM omni.event e WHERE e.id > st.last_id;
    hi := greatest(hi, st.last_id);
    ids := ARRAY(SELECT x FROM unnest(seen) x WHERE NOT x = ANY (st.done_above));
    -- Old gaps still invisible: keep while their writer may still commit.
    FOR i IN 1 .. coalesce(array_length(st.gaps, 1), 0) LOOP
        IF NOT st.gaps[i] = ANY (seen) AND pg_snapshot_xmin(snap) < st.gap_horizons[i] THEN
            keep_gaps := keep_gaps || st.gaps[i];
            keep_horizons := keep_horizons || st.gap_horizons[i];
        END IF;
    END LOOP;
    -- New gaps: ids below hi we have not seen, above what earlier refreshes knew.
    new_gaps := ARRAY(SELECT g FROM generate_series(greatest(st.last_id, coalesce(
                          (SELECT max(x) FROM unnest(st.done_above || st.gaps) x), st.last_id)) + 1, hi) g
                       WHERE NOT g = ANY (seen));
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
           refreshed_at = omni.now(), events_processed = events_processed + cardinality(ids),
           last_events = cardinality(ids);
    PERFORM omni._kpi_refresh_views();
    UPDATE omni.kpi_state SET last_duration_ms = extract(epoch FROM clock_timestamp() - started) * 1000;
    RETURN cardinality(ids);
END $$;
COMMENT ON FUNCTION omni.refresh_kpis() IS
    'Adds the events since the last refresh to the KPI rollups and refreshes the intraday views concurrently. Returns the events counted, or NULL when another refresh is running or (for non-admins) one finished less than omnichannel.kpi_refresh_min_interval ago. The background worker calls it every omnichannel.kpi_refresh_interval.';

-- Recount the rollups from the event log from a time on (after a threshold
-- change, or to repair): buckets from then on are rebuilt.
CREATE FUNCTION omni.rebuild_kpis(since timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
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
