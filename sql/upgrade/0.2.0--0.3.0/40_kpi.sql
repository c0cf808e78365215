-- 40_kpi.sql (kpi) — the hourly KPI rollup level (issue 9, item 6).
--
-- omni.kpi_rollup_hour / omni.kpi_presence_rollup_hour hold the 5-minute
-- rollups summed per clock hour; omni.refresh_kpis() keeps both levels in
-- one statement; omni.kpi_series(), omni.kpi() and the intraday views read
-- whole hours from the hourly level and only the edges from the 5-minute
-- level; look-ups keep their index plans without planner statistics; a
-- window not starting on a 5-minute boundary reads only its partial first
-- bucket from the log.  This part creates the two tables, fills them from
-- the 5-minute rollups the database already has (so nothing waits for a
-- refresh), and replaces the functions that changed with their 0.3.0
-- definitions (copied from sql/src/85_kpi.sql).

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

CREATE OR REPLACE FUNCTION omni._kpi_hour(t timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00')
$$;
COMMENT ON FUNCTION omni._kpi_hour(timestamptz) IS 'Hourly KPI rollup bucket (UTC-aligned) containing a time.';

-- The whole clock hours inside [t_from, t_to) ('empty' when there are none).
CREATE OR REPLACE FUNCTION omni._kpi_whole_hours(t_from timestamptz, t_to timestamptz) RETURNS tstzrange
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
CREATE OR REPLACE FUNCTION omni._kpi_rollup_rows(t_from timestamptz, t_to timestamptz, with_end boolean, hours tstzrange)
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

CREATE OR REPLACE FUNCTION omni._kpi_presence_rollup_rows(t_from timestamptz, t_to timestamptz, with_end boolean, hours tstzrange)
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
CREATE OR REPLACE FUNCTION omni._kpi_hour_fill(since timestamptz) RETURNS void
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
CREATE OR REPLACE FUNCTION omni._kpi_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
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

CREATE OR REPLACE FUNCTION omni._kpi_presence_sums(t_from timestamptz, t_to timestamptz, from_rollup boolean)
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

-- The hours a series reads from the hourly level: its whole hours when every
-- clock hour lies inside one of its buckets (buckets of whole hours starting
-- on an hour), else none (15-minute buckets, or a series starting at 09:30).
CREATE OR REPLACE FUNCTION omni._kpi_series_hours(t_from timestamptz, t_to timestamptz, step interval) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t_from = omni._kpi_hour(t_from) AND extract(epoch FROM step) % 3600 = 0
                THEN omni._kpi_whole_hours(t_from, t_to) ELSE 'empty' END
$$;
COMMENT ON FUNCTION omni._kpi_series_hours(timestamptz, timestamptz, interval) IS
    'Whole hours a KPI series reads from the hourly rollups (none unless its buckets are whole hours starting on an hour).';

CREATE OR REPLACE FUNCTION omni._kpi_series_sums(t_from timestamptz, t_to timestamptz, step interval)
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

CREATE OR REPLACE FUNCTION omni._kpi_series_presence(t_from timestamptz, t_to timestamptz, step interval)
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

CREATE OR REPLACE FUNCTION omni._kpi_add(ids bigint[], t_from timestamptz, t_to timestamptz) RETURNS void
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

-- Recount the rollups from the event log from a time on (after a threshold
-- change, or to repair): buckets from then on are rebuilt.
CREATE OR REPLACE FUNCTION omni.rebuild_kpis(since timestamptz) RETURNS bigint
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

CREATE OR REPLACE FUNCTION omni._kpi_open_work(t_from timestamptz, t_to timestamptz, inclusive boolean)
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
CREATE OR REPLACE FUNCTION omni._kpi_waiting(t_from timestamptz, t_to timestamptz, live boolean)
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
CREATE OR REPLACE FUNCTION omni._kpi_uncounted(t_before timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(e.id), '{}') FROM omni.event e
     WHERE e.id > (SELECT last_id FROM omni.kpi_state) AND e.id <= (SELECT max(id) FROM omni.event)
       AND NOT e.id = ANY ((SELECT done_above FROM omni.kpi_state)::bigint[]) AND e.at < t_before
$$;
COMMENT ON FUNCTION omni._kpi_uncounted(timestamptz) IS
    'Events before a time that omni.refresh_kpis() has not counted yet (not in the rollups).';

CREATE OR REPLACE FUNCTION omni._kpi_counted_since(t_since timestamptz) RETURNS bigint[]
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
CREATE OR REPLACE FUNCTION omni._kpi_edge_facts(t_from timestamptz, t_edge timestamptz, t_to timestamptz)
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
CREATE OR REPLACE FUNCTION omni._kpi_edge_presence(t_from timestamptz, t_edge timestamptz, t_to timestamptz)
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

COMMENT ON FUNCTION omni.kpi(timestamptz, timestamptz) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) for any window [from, to) as they stood at "to", with today''s formulas; from the rollups (hourly and 5-minute), the partial first 5-minute bucket when "from" is not on a boundary and what the rollups do not hold from the event log.';
COMMENT ON FUNCTION omni.agent_kpi(timestamptz, timestamptz) IS
    'Agent KPIs (the columns of omni.intraday_agent_kpi) for any window [from, to) as they stood at "to" (from the rollups; a partial first 5-minute bucket and what the rollups do not hold from the event log).';
COMMENT ON FUNCTION omni.agent_presence_kpi(timestamptz, timestamptz) IS
    'Time per agent and presence for any window [from, to) (from the rollups; a partial first 5-minute bucket and what the rollups do not hold from the event log).';
COMMENT ON FUNCTION omni.kpi_series(timestamptz, timestamptz, interval) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) per bucket [window_start, window_end) from "from" to "to" or now, whichever is earlier (bucket: a multiple of 5 minutes, e.g. 15 minutes, 1 hour, 1 day), from the rollups (whole hours from the hourly level when the buckets are whole hours starting on an hour, the rest from the 5-minute level); each bucket counts the visits that entered in it with everything known of them now, like the intraday views. docs/kpi.md.';

-- Privileges and backups, as sql/src/85_kpi.sql and 95_backup.sql.
REVOKE ALL ON omni.kpi_rollup_hour, omni.kpi_presence_rollup_hour FROM PUBLIC;
GRANT SELECT ON omni.kpi_rollup_hour, omni.kpi_presence_rollup_hour TO omnichannel_admin, omnichannel_reporting;
REVOKE ALL ON FUNCTION omni._kpi_hour(timestamptz), omni._kpi_whole_hours(timestamptz, timestamptz),
    omni._kpi_rollup_rows(timestamptz, timestamptz, boolean, tstzrange),
    omni._kpi_presence_rollup_rows(timestamptz, timestamptz, boolean, tstzrange),
    omni._kpi_hour_fill(timestamptz), omni._kpi_series_hours(timestamptz, timestamptz, interval),
    omni._kpi_edge_facts(timestamptz, timestamptz, timestamptz),
    omni._kpi_edge_presence(timestamptz, timestamptz, timestamptz) FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_rollup_hour', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_presence_rollup_hour', '');

-- The hourly level of the rollups the database already has.
SELECT omni._kpi_hour_fill(NULL);
