-- 91_insight_kpi.sql — conversation intelligence, part 2: seller figures
-- over a window with the previous window beside them, sentiment per day,
-- mentions, the team view for managers, and coaching comments (SPEC §8,
-- docs/conversation-intelligence.md).  Everything reads omni.call_insight
-- and omni.call_term, computed once at load; nothing recomputes a call.

--- Who may read what -------------------------------------------------------------

-- Insight of agent a as the caller may read it: NULL = every queue (the
-- agent itself, admins, services), else the queues the caller supervises
-- (supervisors of one of the agent's queues); anyone else is refused.
CREATE FUNCTION omni._insight_scope(a bigint) RETURNS text[]
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF a IS NULL OR NOT EXISTS (SELECT 1 FROM omni.agent WHERE id = a) THEN
        IF omni._is_admin() THEN
            RAISE EXCEPTION 'agent % does not exist', a USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM omni._deny('read the insight of agent ' || coalesce(a::text, 'NULL'));
    END IF;
    IF omni._is_agent(a) OR omni._is_admin() THEN
        RETURN NULL;
    END IF;
    IF omni._supervises_agent(a) THEN
        RETURN ARRAY(SELECT DISTINCT s.queue FROM omni.queue_supervisor s
                      WHERE pg_has_role(omni.caller(), s.db_role, 'MEMBER'));
    END IF;
    PERFORM omni._deny('read the insight of agent ' || a,
                       format('Role "%s" is neither agent %s nor a supervisor of its queues.', omni._caller_name(), a));
END $$;
COMMENT ON FUNCTION omni._insight_scope(bigint) IS
    'Queues whose calls of agent a the caller may read (NULL: all); raises insufficient_privilege for anyone but the agent, its supervisors and admins.';

--- Seller figures --------------------------------------------------------------------

CREATE FUNCTION omni._seller_figures(a bigint, t_from timestamptz, t_to timestamptz, queues text[],
    OUT calls integer, OUT avg_duration_s double precision, OUT avg_agent_talk_s double precision,
    OUT avg_customer_talk_s double precision, OUT avg_talk_to_listen_ratio double precision,
    OUT avg_agent_talk_share double precision, OUT avg_switches double precision, OUT avg_pause_ms double precision,
    OUT avg_longest_customer_monologue_s double precision, OUT avg_agent_words_per_minute double precision,
    OUT avg_interruptions double precision, OUT avg_agent_interruptions double precision,
    OUT avg_silence_s double precision, OUT avg_sentiment_score double precision,
    OUT positive_share double precision, OUT neutral_share double precision, OUT negative_share double precision,
    OUT keyword_mentions bigint, OUT competitor_mentions bigint, OUT action_items bigint)
    LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer, avg(duration_s), avg(agent_talk_s), avg(customer_talk_s), avg(talk_to_listen_ratio),
           avg(agent_talk_share), avg(switches), avg(avg_pause_ms), avg(longest_customer_monologue_s),
           avg(agent_words_per_minute), avg(interruptions), avg(agent_interruptions), avg(silence_s),
           avg(sentiment_score),
           avg((sentiment > 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           avg((sentiment = 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           avg((sentiment < 'neutral')::integer) FILTER (WHERE sentiment IS NOT NULL),
           coalesce(sum(keyword_mentions), 0), coalesce(sum(competitor_mentions), 0), coalesce(sum(action_items), 0)
      FROM omni.call_insight
     WHERE agent_id = a AND started_at >= t_from AND started_at < t_to
       AND (queues IS NULL OR queue = ANY (queues))
$$;
COMMENT ON FUNCTION omni._seller_figures(bigint, timestamptz, timestamptz, text[]) IS
    'A seller''s figures over [t_from, t_to): per-call figures averaged over its calls (NULL figures of a call left out), sentiment shares over calls with a sentiment, sums of mentions and action items.';

CREATE FUNCTION omni.seller_kpi(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (figure text, value double precision, previous double precision, change double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    SELECT f.figure, f.value, f.previous, f.value - f.previous
      FROM omni._seller_figures(agent_id, "from", "to", queues) n,
           omni._seller_figures(agent_id, "from" - ("to" - "from"), "from", queues) p,
           LATERAL (VALUES
             (1, 'calls', n.calls::double precision, p.calls::double precision),
             (2, 'avg_duration_s', n.avg_duration_s, p.avg_duration_s),
             (3, 'avg_agent_talk_s', n.avg_agent_talk_s, p.avg_agent_talk_s),
             (4, 'avg_customer_talk_s', n.avg_customer_talk_s, p.avg_customer_talk_s),
             (5, 'talk_to_listen_ratio', n.avg_talk_to_listen_ratio, p.avg_talk_to_listen_ratio),
             (6, 'agent_talk_share', n.avg_agent_talk_share, p.avg_agent_talk_share),
             (7, 'switches', n.avg_switches, p.avg_switches),
             (8, 'avg_pause_ms', n.avg_pause_ms, p.avg_pause_ms),
             (9, 'longest_customer_monologue_s', n.avg_longest_customer_monologue_s, p.avg_longest_customer_monologue_s),
             (10, 'agent_words_per_minute', n.avg_agent_words_per_minute, p.avg_agent_words_per_minute),
             (11, 'interruptions', n.avg_interruptions, p.avg_interruptions),
             (12, 'agent_interruptions', n.avg_agent_interruptions, p.avg_agent_interruptions),
             (13, 'silence_s', n.avg_silence_s, p.avg_silence_s),
             (14, 'sentiment_score', n.avg_sentiment_score, p.avg_sentiment_score),
             (15, 'positive_share', n.positive_share, p.positive_share),
             (16, 'neutral_share', n.neutral_share, p.neutral_share),
             (17, 'negative_share', n.negative_share, p.negative_share),
             (18, 'keyword_mentions', n.keyword_mentions::double precision, p.keyword_mentions::double precision),
             (19, 'competitor_mentions', n.competitor_mentions::double precision, p.competitor_mentions::double precision),
             (20, 'action_items', n.action_items::double precision, p.action_items::double precision)
           ) f(ord, figure, value, previous)
     ORDER BY f.ord;
END $$;
COMMENT ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz) IS
    'A seller''s conversation figures over calls started in [from, to): call count, each per-call figure averaged, sentiment shares (positive / neutral / negative), mentions and action items; each with its value over the previous window of the same length and the change. The agent itself, supervisors (calls of their queues) and admins.';

CREATE FUNCTION omni.seller_sentiment_trend(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (day date, calls integer, positive integer, neutral integer, negative integer,
                   avg_sentiment_score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    -- the seller's calls first (one index range scan whatever the statistics), then days
    WITH calls AS MATERIALIZED (
        SELECT date_trunc('day', ci.started_at) AS day, ci.sentiment, ci.sentiment_score
          FROM omni.call_insight ci
         WHERE ci.agent_id = seller_sentiment_trend.agent_id AND ci.started_at >= "from" AND ci.started_at < "to"
           AND (queues IS NULL OR ci.queue = ANY (queues))),
    per_day AS (
        SELECT c.day, count(*) AS calls, count(*) FILTER (WHERE c.sentiment > 'neutral') AS positive,
               count(*) FILTER (WHERE c.sentiment = 'neutral') AS neutral,
               count(*) FILTER (WHERE c.sentiment < 'neutral') AS negative, avg(c.sentiment_score) AS score
          FROM calls c GROUP BY c.day)
    SELECT d.day::date, coalesce(p.calls, 0)::integer, coalesce(p.positive, 0)::integer,
           coalesce(p.neutral, 0)::integer, coalesce(p.negative, 0)::integer, p.score
      FROM generate_series(date_trunc('day', "from"), "to" - interval '1 microsecond', interval '1 day') d(day)
      LEFT JOIN per_day p ON p.day = d.day
     ORDER BY d.day;
END $$;
COMMENT ON FUNCTION omni.seller_sentiment_trend(bigint, timestamptz, timestamptz) IS
    'A seller''s customer sentiment per day (days of the session time zone, every day of the window): calls, positive / neutral / negative calls and the mean score.';

CREATE FUNCTION omni.seller_mentions(agent_id bigint, "from" timestamptz, "to" timestamptz)
    RETURNS TABLE (term text, kind omni.term_kind, mentions integer, calls integer, by_customer integer,
                   by_agent integer, avg_sentiment_score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[] := omni._insight_scope(agent_id);
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    SELECT m.term, m.kind, sum(m.mentions)::integer, count(*)::integer, sum(m.by_customer)::integer,
           sum(m.by_agent)::integer, sum(m.sentiment_sum) / nullif(sum(m.sentiment_count), 0)
      FROM omni.call_term m
     WHERE m.agent_id = seller_mentions.agent_id AND m.started_at >= "from" AND m.started_at < "to"
       AND (queues IS NULL OR m.queue = ANY (queues))
     GROUP BY m.term, m.kind
     ORDER BY sum(m.mentions) DESC, m.term;
END $$;
COMMENT ON FUNCTION omni.seller_mentions(bigint, timestamptz, timestamptz) IS
    'Tracked keywords and competitors said in a seller''s calls started in [from, to), most frequent first: mentions, calls, said by the customer / the agent, mean sentiment of the customer segments they were said in.';

-- Runs as the caller: row-level security of omni.call_term decides what
-- is counted (an agent its calls, a supervisor its queues, admins all).
CREATE FUNCTION omni.top_customer_terms("from" timestamptz, "to" timestamptz, queue text DEFAULT NULL,
                                        n integer DEFAULT 10)
    RETURNS TABLE (term text, kind omni.term_kind, mentions integer, calls integer, sellers integer,
                   avg_sentiment_score double precision)
    LANGUAGE sql STABLE AS $$
    SELECT m.term, m.kind, sum(m.by_customer)::integer, count(*)::integer,
           count(DISTINCT m.agent_id)::integer, sum(m.sentiment_sum) / nullif(sum(m.sentiment_count), 0)
      FROM omni.call_term m
     WHERE m.by_customer > 0 AND m.started_at >= "from" AND m.started_at < "to"
       AND (top_customer_terms.queue IS NULL OR m.queue = top_customer_terms.queue)
     GROUP BY m.term, m.kind
     ORDER BY sum(m.by_customer) DESC, m.term
     LIMIT greatest(n, 0)
$$;
COMMENT ON FUNCTION omni.top_customer_terms(timestamptz, timestamptz, text, integer) IS
    'The tracked terms customers said most in calls started in [from, to) (optionally in one queue), among the calls the caller may read: mentions, calls, sellers, mean sentiment of the segments.';

--- Team view ----------------------------------------------------------------------------

CREATE FUNCTION omni.team_insight("from" timestamptz, "to" timestamptz, queue text DEFAULT NULL)
    RETURNS TABLE (agent_id bigint, name text, calls integer, avg_sentiment_score double precision,
                   positive_share double precision, negative_share double precision,
                   talk_to_listen_ratio double precision, agent_talk_share double precision,
                   switches double precision, avg_pause_ms double precision,
                   longest_customer_monologue_s double precision, agent_words_per_minute double precision,
                   agent_interruptions double precision,
                   team_sentiment_score double precision, team_agent_talk_share double precision,
                   team_agent_interruptions double precision,
                   needs_coaching boolean, leads boolean, reasons text[])
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    queues text[];
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    IF omni._is_admin() THEN
        queues := CASE WHEN queue IS NULL THEN NULL ELSE ARRAY[queue] END;
    ELSE
        queues := ARRAY(SELECT DISTINCT s.queue FROM omni.queue_supervisor s
                         WHERE pg_has_role(omni.caller(), s.db_role, 'MEMBER')
                           AND (team_insight.queue IS NULL OR s.queue = team_insight.queue));
        IF cardinality(queues) = 0 THEN
            PERFORM omni._deny('read the team insight',
                               format('Role "%s" supervises no queue%s.', omni._caller_name(),
                                      coalesce(' named ' || team_insight.queue, '')));
        END IF;
    END IF;
    RETURN QUERY
    WITH sellers AS (
        SELECT a.id, a.name FROM omni.agent a
         WHERE a.id IN (SELECT m.agent_id FROM omni.queue_member m WHERE queues IS NULL OR m.queue = ANY (queues))
            OR (queues IS NULL AND a.id IN (SELECT ci.agent_id FROM omni.call_insight ci
                                             WHERE ci.started_at >= "from" AND ci.started_at < "to"))),
    per AS (
        SELECT s.id, s.name, f.*
          FROM sellers s CROSS JOIN LATERAL omni._seller_figures(s.id, "from", "to", queues) f),
    team AS (
        SELECT avg(p.avg_sentiment_score) AS sent, avg(p.avg_agent_talk_share) AS share,
               avg(p.avg_agent_interruptions) AS intr
          FROM per p WHERE p.calls >= omni._team_min_calls()),
    judged AS (
        SELECT p.*, t.sent AS t_sent, t.share AS t_share, t.intr AS t_intr,
               array_remove(ARRAY[
                   CASE WHEN p.avg_sentiment_score <= t.sent - 0.2 THEN 'low customer sentiment' END,
                   CASE WHEN p.avg_agent_talk_share >= 0.65 OR p.avg_agent_talk_share >= t.share + 0.15
                        THEN 'talks more than listens' END,
                   CASE WHEN p.avg_agent_interruptions >= 1 AND p.avg_agent_interruptions >= 2 * t.intr
                        THEN 'interrupts the customer' END], NULL) AS why
          FROM per p CROSS JOIN team t)
    SELECT j.id, j.name, j.calls, j.avg_sentiment_score, j.positive_share, j.negative_share,
           j.avg_talk_to_listen_ratio, j.avg_agent_talk_share, j.avg_switches, j.avg_pause_ms,
           j.avg_longest_customer_monologue_s, j.avg_agent_words_per_minute, j.avg_agent_interruptions,
           j.t_sent, j.t_share, j.t_intr,
           j.calls >= omni._team_min_calls() AND cardinality(j.why) > 0,
           j.calls >= omni._team_min_calls() AND cardinality(j.why) = 0
             AND j.avg_sentiment_score >= j.t_sent + 0.1
             AND j.avg_sentiment_score = (SELECT max(k.avg_sentiment_score) FROM judged k
                                           WHERE k.calls >= omni._team_min_calls() AND cardinality(k.why) = 0),
           CASE WHEN j.calls >= omni._team_min_calls() THEN j.why ELSE ARRAY['fewer calls than ' || omni._team_min_calls()] END
      FROM judged j
     ORDER BY j.avg_sentiment_score DESC NULLS LAST, j.id;
END $$;
COMMENT ON FUNCTION omni.team_insight(timestamptz, timestamptz, text) IS
    'Managers'' team page: every seller of the caller''s queues (admins: all sellers, or one queue) side by side over [from, to) with the team average (mean of the sellers'' averages); needs_coaching and leads by the rule in docs/conversation-intelligence.md, reasons listing what was found.';

CREATE FUNCTION omni._team_min_calls() RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;
COMMENT ON FUNCTION omni._team_min_calls() IS 'Calls a seller needs in the window to be judged by the team view (3).';

--- Coaching comments ----------------------------------------------------------------------

CREATE TABLE omni.coaching_comment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    segment_id       bigint,
    author           name NOT NULL,
    body             text NOT NULL CHECK (btrim(body) <> '' AND length(body) <= 4000),
    created_at       timestamptz NOT NULL,
    agent_id         bigint REFERENCES omni.agent (id),
    queue            text
);
CREATE INDEX coaching_comment_conversation_idx ON omni.coaching_comment (conversation_id);
COMMENT ON TABLE omni.coaching_comment IS
    'Comments of supervisors and admins on a segment of a call''s transcript, shared with the seller.';
COMMENT ON COLUMN omni.coaching_comment.id IS 'Comment id.';
COMMENT ON COLUMN omni.coaching_comment.conversation_id IS 'Conversation (call).';
COMMENT ON COLUMN omni.coaching_comment.segment_id IS 'Segment commented on; NULL once the transcript was replaced (the comment stays on the call).';
COMMENT ON COLUMN omni.coaching_comment.author IS 'Role that wrote it.';
COMMENT ON COLUMN omni.coaching_comment.body IS 'The comment (1 to 4000 characters).';
COMMENT ON COLUMN omni.coaching_comment.created_at IS 'When it was written (omni.now()).';
COMMENT ON COLUMN omni.coaching_comment.agent_id IS 'Seller of the call, who sees the comment.';
COMMENT ON COLUMN omni.coaching_comment.queue IS 'Queue of the call; its supervisors see the comment.';

CREATE FUNCTION omni.add_coaching_comment(segment_id bigint, body text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    s   omni.transcript_segment;
    cid bigint;
BEGIN
    SELECT * INTO s FROM omni.transcript_segment t WHERE t.id = add_coaching_comment.segment_id;
    -- the same refusal whether the segment exists or not: no probing
    IF NOT FOUND AND NOT omni._is_admin() OR FOUND AND NOT (omni._is_admin() OR omni._supervises_queue(s.queue)) THEN
        PERFORM omni._deny('comment on segment ' || coalesce(segment_id::text, 'NULL'),
                           'Only supervisors of the call''s queue and admins comment on its transcript.');
    END IF;
    IF FOUND THEN
        -- a transcript replaced meanwhile takes the segment away: lock the call, look again
        PERFORM omni._lock_conversation(s.conversation_id);
        SELECT * INTO s FROM omni.transcript_segment t WHERE t.id = add_coaching_comment.segment_id;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transcript segment % does not exist', segment_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF body IS NULL OR btrim(body) = '' OR length(body) > 4000 THEN
        RAISE EXCEPTION 'a coaching comment needs 1 to 4000 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO omni.coaching_comment (conversation_id, segment_id, author, body, created_at, agent_id, queue)
    VALUES (s.conversation_id, s.id, omni._caller_name(), body, omni.now(), s.agent_id, s.queue)
    RETURNING id INTO cid;
    IF s.agent_id IS NOT NULL THEN
        PERFORM omni._notify_agent(s.agent_id, 'coaching_comment',
                                   jsonb_build_object('comment_id', cid, 'conversation_id', s.conversation_id,
                                                      'segment_id', s.id));
    END IF;
    RETURN cid;
END $$;
COMMENT ON FUNCTION omni.add_coaching_comment(bigint, text) IS
    'A supervisor of the call''s queue (or an admin) comments on a transcript segment; the seller is notified on its channel; returns the comment id.';

--- Privileges -------------------------------------------------------------------------------

REVOKE ALL ON omni.coaching_comment FROM PUBLIC;
GRANT SELECT ON omni.coaching_comment TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
ALTER TABLE omni.coaching_comment ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_all ON omni.coaching_comment FOR SELECT USING (omni._sees_everything());
CREATE POLICY agent_own ON omni.coaching_comment FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.coaching_comment FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));
SELECT pg_catalog.pg_extension_config_dump('omni.coaching_comment', '');
SELECT pg_catalog.pg_extension_config_dump('omni.coaching_comment_id_seq', '');

REVOKE ALL ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz),
    omni.seller_sentiment_trend(bigint, timestamptz, timestamptz),
    omni.seller_mentions(bigint, timestamptz, timestamptz),
    omni.team_insight(timestamptz, timestamptz, text),
    omni.add_coaching_comment(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.seller_kpi(bigint, timestamptz, timestamptz),
    omni.seller_sentiment_trend(bigint, timestamptz, timestamptz),
    omni.seller_mentions(bigint, timestamptz, timestamptz)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.team_insight(timestamptz, timestamptz, text)
    TO omnichannel_supervisor, omnichannel_admin;
REVOKE ALL ON FUNCTION omni.top_customer_terms(timestamptz, timestamptz, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni.top_customer_terms(timestamptz, timestamptz, text, integer)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.add_coaching_comment(bigint, text) TO omnichannel_supervisor, omnichannel_admin;

-- Internal helpers: for the functions above only.
REVOKE ALL ON FUNCTION omni._store_transcript(omni.conversation, jsonb, bigint[]), omni._analyze_call(bigint),
    omni._transcript_max_segments(), omni._transcript_from_messages(), omni._insight_scope(bigint),
    omni._seller_figures(bigint, timestamptz, timestamptz, text[]), omni._team_min_calls() FROM PUBLIC;
