-- Backups (sql/src/95_backup.sql; docs/operations.md "Backups"): every
-- configuration and runtime table and sequence registered for pg_dump,
-- seeded rows flagged builtin and filtered out, triggers that derive rows
-- stand aside during a restore.

-- pg_dump scripts and pg_restore sessions always start with row_security = off
-- and check_function_bodies = off (pg_backup_archiver.c); applications never
-- run that way as a superuser.  Triggers that derive new rows or rewrite the
-- row being inserted (queue splits, overflow, runtime rows of a new agent)
-- stand aside then, so a restore gives back the rows exactly as dumped
-- (docs/operations.md, "Backups").
CREATE FUNCTION omni._restoring() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.current_setting('row_security') = 'off'
       AND NOT pg_catalog.current_setting('check_function_bodies')::boolean
       AND coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
$$;
COMMENT ON FUNCTION omni._restoring() IS
    'Whether this session restores a dump (a superuser session with row_security and check_function_bodies off, as pg_restore and pg_dump scripts set them): triggers that derive rows stand aside.';


ALTER TABLE omni.channel ADD COLUMN builtin boolean NOT NULL DEFAULT false;
UPDATE omni.channel SET builtin = true WHERE name IN ('chat', 'sms', 'voice', 'email', 'social');
COMMENT ON COLUMN omni.channel.builtin IS 'true: one of the five channels CREATE EXTENSION seeds (not in a dump; the extension recreates them).';

ALTER TABLE omni.conversation_transition ADD COLUMN builtin boolean NOT NULL DEFAULT false;
UPDATE omni.conversation_transition SET builtin = true;
COMMENT ON COLUMN omni.conversation_transition.builtin IS 'true: shipped with the extension (not in a dump; CREATE EXTENSION recreates it).';

DROP TRIGGER agent_state_row ON omni.agent;
CREATE TRIGGER agent_state_row AFTER INSERT ON omni.agent
    FOR EACH ROW WHEN (NOT omni._restoring()) EXECUTE FUNCTION omni._agent_state_row();
DROP TRIGGER apply_route_split ON omni.conversation;
CREATE TRIGGER apply_route_split BEFORE INSERT ON omni.conversation
    FOR EACH ROW WHEN (NOT omni._restoring()) EXECUTE FUNCTION omni._apply_route_split();
DROP TRIGGER prequeue_overflow ON omni.conversation;
CREATE CONSTRAINT TRIGGER prequeue_overflow AFTER INSERT ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'open' AND NOT omni._restoring())
    EXECUTE FUNCTION omni._prequeue_overflow();

-- Trigger WHEN clauses call it as whoever writes the table (an admin adding an agent).
GRANT EXECUTE ON FUNCTION omni._restoring() TO PUBLIC;

-- On restore, a dumped row replaces the row CREATE EXTENSION seeded with the
-- same key (TG_ARGV: the key columns).
CREATE FUNCTION omni._restore_replace() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    cond text;
BEGIN
    SELECT string_agg(format('%1$I IS NOT DISTINCT FROM ($1).%1$I', k), ' AND ') INTO cond FROM unnest(TG_ARGV) k;
    EXECUTE format('DELETE FROM %I.%I WHERE %s', TG_TABLE_SCHEMA, TG_TABLE_NAME, cond) USING NEW;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION omni._restore_replace() IS
    'Trigger (restore only): the row being restored replaces the seeded row with the same key (arguments: key columns).';
REVOKE ALL ON FUNCTION omni._restore_replace() FROM PUBLIC;
CREATE TRIGGER restore_replace BEFORE INSERT ON omni.sentiment_threshold
    FOR EACH ROW WHEN (omni._restoring()) EXECUTE FUNCTION omni._restore_replace('level');
CREATE TRIGGER restore_replace BEFORE INSERT ON omni.kpi_state
    FOR EACH ROW WHEN (omni._restoring()) EXECUTE FUNCTION omni._restore_replace('singleton');

-- Configuration.
SELECT pg_catalog.pg_extension_config_dump('omni.presence', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.channel', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.skill', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_profile', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_skill', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_capacity_profile', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_member', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_supervisor', '');
SELECT pg_catalog.pg_extension_config_dump('omni.workstream', '');
SELECT pg_catalog.pg_extension_config_dump('omni.route_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.route_rule_split', '');
SELECT pg_catalog.pg_extension_config_dump('omni.classify_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.assignment_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_overflow', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_hours', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_transition', 'WHERE NOT builtin');
-- Sentiment data: admin entries only; thresholds whole (restore_replace).
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon_rule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.profanity', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_threshold', '');

-- Runtime.
SELECT pg_catalog.pg_extension_config_dump('omni.customer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.customer_identity', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_state', '');
SELECT pg_catalog.pg_extension_config_dump('omni.presence_history', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_participant', '');
SELECT pg_catalog.pg_extension_config_dump('omni.offer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_hold', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_profile_use', '');
SELECT pg_catalog.pg_extension_config_dump('omni.message', '');
SELECT pg_catalog.pg_extension_config_dump('omni.event', '');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_history', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_rotation', '');
-- KPI rollups and the refresh cursor (restore_replace): refreshes go on
-- from where they were.
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_rollup', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_presence_rollup', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_state', '');

-- Sequences: their positions (one call per statement: each call rewrites pg_extension's row).
SELECT pg_catalog.pg_extension_config_dump('omni.agent_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.customer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.presence_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.offer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.message_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_history_id_seq', '');

-- BI (sql/src/85_kpi.sql, 80_views.sql, 70_security.sql; docs/kpi.md): the
-- omnichannel_reporting role, plain views over the intraday materialized
-- views, omni.kpi_series(), omni.kpi() from the rollups, KPI helpers without JIT.

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'omnichannel_reporting') THEN
        CREATE ROLE omnichannel_reporting NOLOGIN;
    END IF;
END
$roles$;

CREATE OR REPLACE FUNCTION omni._sees_everything() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'omnichannel_admin', 'MEMBER')
        OR pg_has_role(current_user, 'omnichannel_service', 'MEMBER')
        OR pg_has_role(current_user, 'omnichannel_reporting', 'MEMBER')
        OR pg_has_role(current_user, 'pg_read_all_data', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._sees_everything() IS
    'Row-level security: admins, services, reporting and pg_read_all_data members see every row (what they may read is up to their grants).';

CREATE OR REPLACE FUNCTION omni._kpi_percentile(counts double precision[], p double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    bounds constant double precision[] := omni._kpi_hist_bounds();
    total double precision := 0;
    cum double precision := 0;
    c double precision;
BEGIN
    -- a loop, not a query: it runs for every row of a series
    FOR i IN 1 .. coalesce(array_length(counts, 1), 0) LOOP
        total := total + coalesce(counts[i], 0);
    END LOOP;
    IF total <= 0 THEN
        RETURN NULL;
    END IF;
    FOR i IN 1 .. array_length(counts, 1) LOOP
        c := counts[i];
        cum := cum + coalesce(c, 0);
        IF c > 0 AND cum >= total * p THEN
            IF bounds[i + 1] IS NULL THEN
                RETURN bounds[i];
            END IF;
            RETURN bounds[i] + (total * p - (cum - c)) / c * (bounds[i + 1] - bounds[i]);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._kpi_percentile(double precision[], double precision) IS
    'Percentile estimated from wait-time histogram counts (linear inside a bin); NULL when empty.';

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
                     WHERE NOT live AND e.at >= t_to AND e.conversation_id IS NOT NULL) k
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


CREATE FUNCTION omni._kpi_uncounted(t_before timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(e.id), '{}') FROM omni.event e, omni.kpi_state st
     WHERE e.id > st.last_id AND NOT e.id = ANY (st.done_above) AND e.at < t_before
$$;
COMMENT ON FUNCTION omni._kpi_uncounted(timestamptz) IS
    'Events before a time that omni.refresh_kpis() has not counted yet (not in the rollups).';


CREATE FUNCTION omni._kpi_counted_since(t_since timestamptz) RETURNS bigint[]
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(e.id), '{}') FROM omni.event e, omni.kpi_state st
     WHERE e.at >= t_since AND (e.id <= st.last_id OR e.id = ANY (st.done_above))
$$;
COMMENT ON FUNCTION omni._kpi_counted_since(timestamptz) IS
    'Events from a time on that the rollups already hold.';


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
BEGIN
    IF NOT from_rollup AND (t_from <> omni._kpi_bucket(t_from) OR b <= t_from) THEN
        RETURN QUERY SELECT * FROM omni._kpi_log_sums(t_from, t_to);
        RETURN;
    END IF;
    SELECT string_agg(format('coalesce(sum(value) FILTER (WHERE measure = %L), 0) AS %I', m, m), ', '),
           string_agg(format('sum(%I) AS %I', m, m), ', ')
      INTO pivot, total FROM unnest(ms) m;
    IF from_rollup THEN
        RETURN QUERY EXECUTE format($q$
            SELECT $1, queue, channel, agent_id, %1$s FROM (
                SELECT queue, channel, agent_id, %2$s FROM omni.kpi_rollup
                 WHERE bucket >= $1 AND (bucket < $2 OR (bucket = $2 AND $2 >= omni.now()))
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
                SELECT queue, channel, agent_id, %2$s FROM omni.kpi_rollup
                 WHERE bucket >= $1 AND bucket < $3
                 GROUP BY queue, channel, agent_id
                UNION ALL
                SELECT queue, channel, agent_id, %3$s FROM (%4$s) f
                 GROUP BY queue, channel, agent_id) s
             GROUP BY queue, channel, agent_id$q$, total, total, pivot, array_to_string(facts, ' UNION ALL '))
        USING t_from, t_to, b, uncounted, counted_since;
    END IF;
END $$;
COMMENT ON FUNCTION omni._kpi_sums(timestamptz, timestamptz, boolean) IS
    'KPI sums over a window per queue, channel and agent: cohort known now from the rollups (from_rollup), or the window as it stood at its end (from the rollups when it starts on a 5-minute boundary, else from the event log).';


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
          FROM (SELECT r.agent_id, r.presence, r.seconds FROM omni.kpi_presence_rollup r
                 WHERE r.bucket >= t_from AND (r.bucket < t_to OR (r.bucket = t_to AND t_to >= omni.now()))
                UNION ALL
                SELECT o.agent_id, o.presence, o.seconds - greatest(0, extract(epoch FROM omni.now() - t_to))
                  FROM omni._kpi_open_presence(t_from, omni.now(), true) o
                 WHERE o.seconds - greatest(0, extract(epoch FROM omni.now() - t_to)) > 0) x
         GROUP BY x.agent_id, x.presence;
    ELSIF t_from <> omni._kpi_bucket(t_from) OR b <= t_from THEN
        RETURN QUERY SELECT * FROM omni._kpi_presence_log_sums(t_from, t_to);
    ELSE
        -- As it stood at t_to, from the rollups (see omni._kpi_sums).
        uncounted := omni._kpi_uncounted(t_to);
        counted_since := omni._kpi_counted_since(t_to);
        RETURN QUERY
        SELECT x.agent_id, x.presence, sum(x.seconds)
          FROM (SELECT r.agent_id, r.presence, r.seconds FROM omni.kpi_presence_rollup r
                 WHERE r.bucket >= t_from AND r.bucket < b
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


CREATE FUNCTION omni._kpi_series_last(t_from timestamptz, t_to timestamptz, step interval) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin(step, t_to - interval '1 microsecond', t_from)
$$;
COMMENT ON FUNCTION omni._kpi_series_last(timestamptz, timestamptz, interval) IS
    'Start of the last step-long bucket of a series over [t_from, t_to).';


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
    RETURN QUERY EXECUTE format($q$
        SELECT ws, queue, channel, agent_id, %1$s FROM (
            SELECT least(date_bin($3, bucket, $1), $4) AS ws, queue, channel, agent_id, %2$s FROM omni.kpi_rollup
             WHERE bucket >= $1 AND (bucket < $2 OR (bucket = $2 AND $2 >= omni.now()))
             GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT least(date_bin($3, fact_at, $1), $4), queue, channel, agent_id, %3$s
              FROM omni._kpi_open_work($1, omni.now(), true)
             WHERE fact_at < $2 OR (fact_at = $2 AND $2 >= omni.now())
             GROUP BY 1, 2, 3, 4) s
         GROUP BY ws, queue, channel, agent_id$q$, total, total, pivot)
    USING t_from, t_to, step, omni._kpi_series_last(t_from, t_to, step);
END $$;
COMMENT ON FUNCTION omni._kpi_series_sums(timestamptz, timestamptz, interval) IS
    'KPI sums per step-long bucket of [t_from, t_to) (bucket column: the bucket''s start), counted like the intraday views.';


CREATE FUNCTION omni._kpi_series_presence(t_from timestamptz, t_to timestamptz, step interval)
    RETURNS TABLE (ws timestamptz, agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE SET jit = off AS $$
    SELECT x.ws, x.agent_id, x.presence, sum(x.seconds)
      FROM (SELECT least(date_bin(step, r.bucket, t_from), omni._kpi_series_last(t_from, t_to, step)) AS ws,
                   r.agent_id, r.presence, r.seconds
              FROM omni.kpi_presence_rollup r
             WHERE r.bucket >= t_from AND (r.bucket < t_to OR (r.bucket = t_to AND t_to >= omni.now()))
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


CREATE OR REPLACE FUNCTION omni._kpi_queue_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
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


CREATE OR REPLACE FUNCTION omni._kpi_agent_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
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


CREATE OR REPLACE FUNCTION omni._kpi_presence_rows(t_from timestamptz, t_to timestamptz, from_rollup boolean)
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
    'Queue KPIs (the columns of omni.intraday_queue_kpi) per bucket [window_start, window_end) from "from" to "to" or now, whichever is earlier (bucket: a multiple of 5 minutes, e.g. 15 minutes, 1 hour, 1 day), from the 5-minute rollups; each bucket counts the visits that entered in it with everything known of them now, like the intraday views. docs/kpi.md.';


COMMENT ON FUNCTION omni.kpi(timestamptz, timestamptz) IS
    'Queue KPIs (the columns of omni.intraday_queue_kpi) for any window [from, to) as they stood at "to", with today''s formulas; from the 5-minute rollups when "from" is on a 5-minute boundary (the rest from the event log), else from the event log.';
COMMENT ON FUNCTION omni.agent_kpi(timestamptz, timestamptz) IS
    'Agent KPIs (the columns of omni.intraday_agent_kpi) for any window [from, to) as they stood at "to" (from the rollups when "from" is on a 5-minute boundary, else from the event log).';
COMMENT ON FUNCTION omni.agent_presence_kpi(timestamptz, timestamptz) IS
    'Time per agent and presence for any window [from, to) (from the rollups when "from" is on a 5-minute boundary, else from the event log).';
REVOKE ALL ON FUNCTION omni._kpi_uncounted(timestamptz), omni._kpi_counted_since(timestamptz),
    omni._kpi_log_sums(timestamptz, timestamptz), omni._kpi_presence_log_sums(timestamptz, timestamptz),
    omni.kpi_series(timestamptz, timestamptz, interval), omni._kpi_series_last(timestamptz, timestamptz, interval),
    omni._kpi_series_sums(timestamptz, timestamptz, interval), omni._kpi_series_presence(timestamptz, timestamptz, interval),
    omni._kpi_series_waiting(timestamptz, timestamptz, interval), omni._kpi_queue_rows_by(timestamptz, timestamptz, interval, boolean)
    FROM PUBLIC;

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
               FROM (VALUES ('intraday_queue_kpi_v', 'intraday_queue_kpi'), ('intraday_agent_kpi_v', 'intraday_agent_kpi'),
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

REVOKE ALL ON omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v FROM PUBLIC;
GRANT SELECT ON omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v TO omnichannel_admin;
-- Reporting reads every KPI view, the rollups and the past-window functions.
GRANT SELECT ON omni.intraday_queue_kpi, omni.intraday_agent_kpi, omni.intraday_agent_presence,
    omni.intraday_queue_kpi_v, omni.intraday_agent_kpi_v, omni.intraday_agent_presence_v,
    omni.supervised_queue_kpi, omni.supervised_agent_kpi, omni.supervised_agent_presence, omni.agent_timeline,
    omni.kpi_rollup, omni.kpi_presence_rollup, omni.kpi_state
    TO omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni.kpi(timestamptz, timestamptz), omni.agent_kpi(timestamptz, timestamptz),
    omni.agent_presence_kpi(timestamptz, timestamptz), omni.kpi_series(timestamptz, timestamptz, interval)
    TO omnichannel_admin, omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni.kpi_window_start(timestamptz) TO omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni._kpi_bucket(timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service, omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz) TO omnichannel_reporting;

-- Reporting (SPEC §7): omnichannel_reporting reads every view and KPI and the
-- tables behind them, never message text (nor the sentiment evidence quoting
-- it) and writes nothing.  Views here are security_invoker, so a reader also
-- needs the tables and the visibility helpers; a pg_read_all_data login reads
-- the tables through that role and gets the helpers here.  Views and KPIs of
-- later parts are granted there (85_kpi.sql).
GRANT SELECT ON omni.presence, omni.channel, omni.skill, omni.capacity_profile, omni.agent, omni.agent_skill,
    omni.agent_capacity_profile, omni.queue, omni.queue_member, omni.queue_supervisor, omni.workstream,
    omni.route_rule, omni.classify_rule, omni.conversation_transition, omni.assignment_rule, omni.queue_overflow,
    omni.queue_hours, omni.route_rule_split, omni.queue_rotation,
    omni.customer, omni.customer_identity, omni.agent_state, omni.presence_history, omni.conversation,
    omni.conversation_participant, omni.offer, omni.capacity_hold, omni.capacity_profile_use, omni.event,
    omni.sentiment_history, omni.sentiment_threshold
    TO omnichannel_reporting;
GRANT SELECT (id, conversation_id, sender, agent_id, created_at, language, sentiment, sentiment_score, profane)
    ON omni.message TO omnichannel_reporting;
GRANT SELECT ON omni.agent_status, omni.ongoing_conversations, omni.ongoing_by_state, omni.customer_summary,
    omni.my_work, omni.unassigned_work, omni.escalations, omni.routing_decision, omni.worker_status,
    omni.sentiment_over_time
    TO omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text) TO omnichannel_reporting, pg_read_all_data;
