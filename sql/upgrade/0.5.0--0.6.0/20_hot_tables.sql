-- 20_hot_tables.sql — the rules of the tables every conversation writes cost
-- less per statement (docs/design.md, "Hot tables"):
--   * omni.conversation: its four state CHECKs become one call of
--     omni._conversation_consistent (C); adding it reads the table once;
--   * omni.presence_history.set_by: a domain instead of a table CHECK; the
--     type change rewrites the table once;
--   * omni.offer's two CHECKs and omni.capacity_hold's two become one each
--     (omni._offer_consistent, omni._hold_consistent; each table read once);
--   * the triggers insight_on_close and prequeue_overflow_on_move fire on
--     the columns only their events set (closed_at; queue and queued_at),
--     and insight_on_close only when there are messages to transcribe;
--   * the enqueue's configuration triggers (route split, before-queueing
--     overflow) are called only when such rules exist (C probes in their
--     WHEN clauses).

CREATE FUNCTION omni._conversation_consistent(state omni.conversation_state, agent_id bigint, bot boolean,
                                              queue text, queued_at timestamptz, closed_at timestamptz)
    RETURNS boolean LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_conversation_consistent';
COMMENT ON FUNCTION omni._conversation_consistent(omni.conversation_state, bigint, boolean, text, timestamptz, timestamptz) IS
    'The state rules of a conversation row (CHECK conversation_state_rules): closed exactly when closed_at is set; open: no agent, a queue and a queue time; waiting and wrap_up: an agent; active: an agent or a bot.';
-- a CHECK helper: for everyone, as sql/src/70_security.sql grants them
REVOKE ALL ON FUNCTION omni._conversation_consistent(omni.conversation_state, bigint, boolean, text, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni._conversation_consistent(omni.conversation_state, bigint, boolean, text, timestamptz, timestamptz) TO PUBLIC;

ALTER TABLE omni.conversation
    DROP CONSTRAINT conversation_check,
    DROP CONSTRAINT conversation_check1,
    DROP CONSTRAINT conversation_check2,
    DROP CONSTRAINT conversation_check3,
    ADD CONSTRAINT conversation_state_rules
        CHECK (omni._conversation_consistent(state, agent_id, bot, queue, queued_at, closed_at));

CREATE FUNCTION omni._offer_consistent(state omni.offer_state, decided_at timestamptz,
                                       created_at timestamptz, expires_at timestamptz)
    RETURNS boolean LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_offer_consistent';
COMMENT ON FUNCTION omni._offer_consistent(omni.offer_state, timestamptz, timestamptz, timestamptz) IS
    'The rules of an offer row (CHECK offer_rules): decided exactly when no longer pending; expires after it was made.';
CREATE FUNCTION omni._hold_consistent(units integer, kind text)
    RETURNS boolean LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'omni_hold_consistent';
COMMENT ON FUNCTION omni._hold_consistent(integer, text) IS
    'The rules of a capacity hold (CHECK capacity_hold_rules): units are not negative; kind is offer or work.';
REVOKE ALL ON FUNCTION omni._offer_consistent(omni.offer_state, timestamptz, timestamptz, timestamptz),
                       omni._hold_consistent(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni._offer_consistent(omni.offer_state, timestamptz, timestamptz, timestamptz),
                          omni._hold_consistent(integer, text) TO PUBLIC;
ALTER TABLE omni.offer
    DROP CONSTRAINT offer_check,
    DROP CONSTRAINT offer_check1,
    ADD CONSTRAINT offer_rules CHECK (omni._offer_consistent(state, decided_at, created_at, expires_at));
ALTER TABLE omni.capacity_hold
    DROP CONSTRAINT capacity_hold_units_check,
    DROP CONSTRAINT capacity_hold_kind_check,
    ADD CONSTRAINT capacity_hold_rules CHECK (omni._hold_consistent(units, kind));

CREATE DOMAIN omni.presence_set_by AS text
    CHECK (VALUE IN ('agent', 'supervisor', 'admin', 'login', 'logout', 'load', 'system'));
COMMENT ON DOMAIN omni.presence_set_by IS
    'What caused a presence change: agent, supervisor, admin, login, logout, load (presence follows load) or system.';
ALTER TABLE omni.presence_history
    DROP CONSTRAINT presence_history_set_by_check,
    ALTER COLUMN set_by TYPE omni.presence_set_by;

CREATE FUNCTION omni._has_transcript_messages(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_transcript_messages';
COMMENT ON FUNCTION omni._has_transcript_messages(bigint) IS
    'Whether the conversation has an agent or customer message (what becomes its transcript): the WHEN clause of trigger insight_on_close.';
REVOKE ALL ON FUNCTION omni._has_transcript_messages(bigint) FROM PUBLIC;
DROP TRIGGER insight_on_close ON omni.conversation;
CREATE TRIGGER insight_on_close AFTER UPDATE OF closed_at ON omni.conversation
    FOR EACH ROW WHEN (NEW.state = 'closed' AND OLD.state <> 'closed' AND NEW.channel <> 'voice'
                       AND omni._has_transcript_messages(NEW.id))
    EXECUTE FUNCTION omni._transcript_from_messages();

CREATE FUNCTION omni._has_route_split(workstream text) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_route_split';
COMMENT ON FUNCTION omni._has_route_split(text) IS
    'Whether a route rule of the workstream is split (omni.route_rule_split): the WHEN clause of trigger apply_route_split.';
CREATE FUNCTION omni._has_prequeue_overflow(queue text) RETURNS boolean
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_has_prequeue_overflow';
COMMENT ON FUNCTION omni._has_prequeue_overflow(text) IS
    'Whether the queue has a before-queueing overflow rule (queue_length, outside_hours): the WHEN clauses of the prequeue_overflow triggers.';
REVOKE ALL ON FUNCTION omni._has_route_split(text), omni._has_prequeue_overflow(text) FROM PUBLIC;

DROP TRIGGER apply_route_split ON omni.conversation;
CREATE TRIGGER apply_route_split BEFORE INSERT ON omni.conversation
    FOR EACH ROW WHEN (NOT omni._restoring() AND omni._has_route_split(NEW.workstream))
    EXECUTE FUNCTION omni._apply_route_split();

DROP TRIGGER prequeue_overflow ON omni.conversation;
CREATE CONSTRAINT TRIGGER prequeue_overflow AFTER INSERT ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND NOT omni._restoring() AND omni._has_prequeue_overflow(NEW.queue))
    EXECUTE FUNCTION omni._prequeue_overflow();

DROP TRIGGER prequeue_overflow_on_move ON omni.conversation;
CREATE CONSTRAINT TRIGGER prequeue_overflow_on_move AFTER UPDATE OF queue, queued_at ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND (OLD.state <> 'open' OR OLD.queue IS DISTINCT FROM NEW.queue)
          AND omni._has_prequeue_overflow(NEW.queue))
    EXECUTE FUNCTION omni._prequeue_overflow();

-- omni._next_state and the row locks of omni._lock_conversation and
-- omni._lock_agent are C probes now (99_sync replaces them); the error of a
-- refused transition stays in PL/pgSQL, in a function of its own.
CREATE FUNCTION omni._transition_refused(c omni.conversation, op text) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    by_whom text := omni._served_by(c);
BEGIN
    RAISE EXCEPTION 'conversation % is %; cannot %', c.id,
        CASE by_whom WHEN 'bot' THEN 'active with a bot'
                     -- connectors are not told which agent (they do not see the staff)
                     WHEN 'agent' THEN 'active with ' || CASE WHEN omni._is_service() AND NOT omni._is_admin()
                                                              THEN 'an agent' ELSE 'agent ' || c.agent_id END
                     ELSE c.state::text END,
        replace(op, '_', ' ')
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = format('Operation %s is allowed from: %s.', op,
                              coalesce((SELECT string_agg(from_state::text
                                               || CASE served_by WHEN 'any' THEN '' ELSE ' (' || served_by || ')' END,
                                               ', ' ORDER BY from_state, served_by)
                                          FROM omni.conversation_transition WHERE operation = op), 'nowhere'));
END $$;
COMMENT ON FUNCTION omni._transition_refused(omni.conversation, text) IS
    'Raises the error of an operation that no transition allows from the conversation''s state (55000), worded for the caller.';
REVOKE ALL ON FUNCTION omni._transition_refused(omni.conversation, text) FROM PUBLIC;

-- Accept, reject and the offer's end read and lock the offer from C
-- (src/row_lock.c) instead of two statements.
CREATE FUNCTION omni._lock_offer(offer_id bigint) RETURNS omni.offer
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_lock_offer';
COMMENT ON FUNCTION omni._lock_offer(bigint) IS
    'The offer, locked FOR UPDATE (its conversation is locked first); an unknown offer is an error (22023).';
REVOKE ALL ON FUNCTION omni._lock_offer(bigint) FROM PUBLIC;
CREATE FUNCTION omni._offer_row(offer_id bigint) RETURNS omni.offer
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_offer_row';
COMMENT ON FUNCTION omni._offer_row(bigint) IS
    'The offer as the statement sees it, unlocked, or NULL when there is none.';
REVOKE ALL ON FUNCTION omni._offer_row(bigint) FROM PUBLIC;

-- The customer's identity and the close's participants: probes, not statements.
CREATE FUNCTION omni._customer_of(channel text, address text) RETURNS bigint
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_customer_of';
COMMENT ON FUNCTION omni._customer_of(text, text) IS
    'The customer known at this address on this channel, or NULL.';
REVOKE ALL ON FUNCTION omni._customer_of(text, text) FROM PUBLIC;
CREATE FUNCTION omni._has_open_participants(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_has_open_participants';
COMMENT ON FUNCTION omni._has_open_participants(bigint) IS
    'Whether a monitor or consultant is still on the conversation (a participant row without left_at).';
REVOKE ALL ON FUNCTION omni._has_open_participants(bigint) FROM PUBLIC;

-- omni._release_capacity and omni._write_presence become C
-- (src/capacity_release.c, src/presence_write.c): 99_sync.sql replaces them.
COMMENT ON FUNCTION omni._release_capacity(bigint) IS
    'Releases whatever capacity the conversation holds (its hold deleted, the agent''s last_released_at set, presence following the load); returns the agent it was on, or NULL.';

-- A message written once (omni.post_message scores it before storing it):
-- the two parts of the sentiment rule it shares with _score_customer_message.
-- The conversation's sentiment: the rule of omni._sentiment_of_latest over
-- its scored customer messages, newest first.  PL/pgSQL, not SQL: called
-- from a statement, a SQL function would be planned again at every call.
CREATE FUNCTION omni._conversation_sentiment(conversation_id bigint, OUT score real, OUT level omni.sentiment_level)
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT r.score, r.level INTO score, level
      FROM (SELECT array_agg(w.sentiment_score ORDER BY w.id DESC) AS scores,
                   array_agg(w.sev ORDER BY w.id DESC) AS sevs
              FROM (SELECT mm.id, mm.sentiment_score,
                           coalesce((mm.evidence ->> 'severity')::integer, CASE WHEN mm.profane THEN 2 ELSE 0 END) AS sev
                      FROM omni.message mm
                     WHERE mm.conversation_id = _conversation_sentiment.conversation_id AND mm.sender = 'customer'
                       AND mm.sentiment_score IS NOT NULL
                     ORDER BY mm.id DESC
                     LIMIT 6) w) a
     CROSS JOIN LATERAL omni._sentiment_of_latest(a.scores, a.sevs) r;
END
$$;
COMMENT ON FUNCTION omni._conversation_sentiment(bigint) IS
    'The conversation''s sentiment score and level over its latest six scored customer messages (omni._sentiment_of_latest).';
REVOKE ALL ON FUNCTION omni._conversation_sentiment(bigint) FROM PUBLIC;

-- A conversation's level changed from previous to level (c: the conversation
-- as it is now, q: its queue): the history row and, on a drop to the queue's
-- alert level, the alert.
CREATE FUNCTION omni._sentiment_changed(c omni.conversation, q omni.queue, previous omni.sentiment_level,
                                        level omni.sentiment_level, score real, message_id bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    alert boolean := c.queue IS NOT NULL AND level <= q.sentiment_alert_level AND previous > q.sentiment_alert_level;
BEGIN
    INSERT INTO omni.sentiment_history (conversation_id, at, level, score, previous_level, message_id, alerted)
    VALUES (c.id, omni.now(), level, score, previous, message_id, alert);
    IF alert THEN
        -- Ids and levels only (SPEC §3): anyone may LISTEN; the queue, score
        -- and text are read through row-level security.
        PERFORM pg_notify('omni_sentiment_alert', json_build_object(
            'conversation_id', c.id, 'level', level, 'previous_level', previous,
            'message_id', message_id, 'agent_id', c.agent_id)::text);
    END IF;
END
$$;
COMMENT ON FUNCTION omni._sentiment_changed(omni.conversation, omni.queue, omni.sentiment_level, omni.sentiment_level, real, bigint) IS
    'Records a change of a conversation''s sentiment level (omni.sentiment_history) and NOTIFYs omni_sentiment_alert on a drop to its queue''s alert level.';
REVOKE ALL ON FUNCTION omni._sentiment_changed(omni.conversation, omni.queue, omni.sentiment_level, omni.sentiment_level, real, bigint) FROM PUBLIC;

-- The evidence of a customer message, or NULL when its conversation is not
-- scored: the one rule omni.post_message and omni._score_customer_message
-- apply.
CREATE FUNCTION omni._customer_message_evidence(c omni.conversation, q omni.queue, body text) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.queue IS NULL OR q.sentiment_enabled
                THEN omni.sentiment_evidence(body, c.context ->> 'language') END
$$;
COMMENT ON FUNCTION omni._customer_message_evidence(omni.conversation, omni.queue, text) IS
    'The sentiment evidence of a customer message of the conversation, or NULL when its queue does not score sentiment (scored without a queue or with sentiment_enabled; a language in the context wins over detection).';
REVOKE ALL ON FUNCTION omni._customer_message_evidence(omni.conversation, omni.queue, text) FROM PUBLIC;

-- conversation_live_idx gains the queue (omni.ongoing_by_state looks up the
-- live conversations of each queue; without statistics it scanned the whole
-- table per queue).  Building it reads the table once; writes to
-- omni.conversation wait for it, as for the other steps of this update.
DROP INDEX omni.conversation_live_idx;
CREATE INDEX conversation_live_idx ON omni.conversation (state, queue) WHERE state <> 'closed';
