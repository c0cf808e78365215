-- 86_kpi_facts.sql — supervisor KPIs, part 2 (part 1: 85_kpi.sql): the facts, from
-- the event log, that the rollups sum and omni.kpi() recomputes for any window.

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
    -- The two ways to name the events are two branches, as in
    -- omni._kpi_facts, fenced off: the presence test comes after them.  A
    -- condition that OR-ed them, or a branch that also tested the kind, was
    -- planned (without statistics, or with a few ids) as a scan of every
    -- presence event ever in kpi_event_presence_idx: a refresh step then
    -- cost O(history x step).
    WITH ev AS MATERIALIZED (
        SELECT e.id, e.at, e.kind, e.agent_id, e.detail FROM omni.event e
         WHERE ids IS NOT NULL AND e.id = ANY (ids)
        UNION ALL
        SELECT e.id, e.at, e.kind, e.agent_id, e.detail FROM omni.event e
         WHERE ids IS NULL AND e.at >= t_from AND e.at < t_to
    )
    SELECT sp.piece_at, e.agent_id, e.detail ->> 'from', sp.seconds
      FROM ev e
     CROSS JOIN LATERAL (SELECT p.at FROM omni.event p
                          WHERE p.agent_id = e.agent_id AND p.kind = 'presence' AND p.id < e.id
                          ORDER BY p.id DESC LIMIT 1) prev
     CROSS JOIN LATERAL omni._kpi_split(greatest(prev.at, t_from), least(e.at, t_to)) sp
     WHERE e.kind = 'presence'
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
-- conversations once instead of a replay of every event.  Each
-- conversation's events are found by its id alone and the window applied
-- after (OFFSET 0): without statistics the planner ANDed in a bitmap of every
-- event of the window, once per conversation.
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
               CROSS JOIN LATERAL (SELECT e.id, e.at FROM omni.event e
                                    WHERE e.conversation_id = conv.id OFFSET 0) e
               WHERE e.at >= t_from AND e.at < t_to),
              t_from, t_edge) f
    UNION ALL
    SELECT w.* FROM omni._kpi_open_work(t_from, t_to, false) w WHERE w.fact_at < t_edge
$$;
COMMENT ON FUNCTION omni._kpi_edge_facts(timestamptz, timestamptz, timestamptz) IS
    'KPI facts attributed in the partial first bucket [t_from, t_edge) of a window [t_from, t_to), as it stood at t_to, from the events of the conversations that touch the edge.';

-- The same for presence time: the presence events of the edge, each agent's
-- first presence event after it (it closes the interval open at t_edge), and
-- the presence still open at t_to, cut to the edge.  Both found by time
-- (event_at_idx, event_agent_idx) with the kind tested after (OFFSET 0):
-- without statistics the planner took every presence event the agent ever
-- had (kpi_event_presence_idx), a cost that grew with the history.
CREATE FUNCTION omni._kpi_edge_presence(t_from timestamptz, t_edge timestamptz, t_to timestamptz)
    RETURNS TABLE (agent_id bigint, presence text, seconds double precision)
    LANGUAGE sql STABLE AS $$
    SELECT f.agent_id, f.presence, f.seconds
      FROM omni._kpi_presence_facts(ARRAY(
              SELECT e.id FROM (SELECT e.id, e.kind FROM omni.event e
                                 WHERE e.at >= t_from AND e.at < t_edge OFFSET 0) e
               WHERE e.kind = 'presence'
              UNION
              SELECT n.id FROM omni.agent a
               CROSS JOIN LATERAL (SELECT n.id FROM (SELECT e.id, e.at, e.kind FROM omni.event e
                                                      WHERE e.agent_id = a.id AND e.at >= t_edge AND e.at < t_to
                                                      ORDER BY e.at, e.id OFFSET 0) n
                                    WHERE n.kind = 'presence' ORDER BY n.at, n.id LIMIT 1) n), t_from, t_edge) f
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

