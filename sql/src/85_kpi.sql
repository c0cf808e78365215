-- 85_kpi.sql — supervisor KPIs (SPEC §6): facts from the event log, rollups
-- kept incrementally, the intraday materialized views, omni.kpi() for any
-- past window and omni.refresh_kpis().  Part 1 of 4 (buckets, rollups, reading
-- them); 86_kpi_facts.sql, 87_kpi_formulas.sql and 88_kpi_refresh.sql follow.
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

