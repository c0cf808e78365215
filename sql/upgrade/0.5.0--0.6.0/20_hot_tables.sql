-- 20_hot_tables.sql — the rules of the tables every conversation writes cost
-- less per statement (docs/design.md, "Hot tables"):
--   * omni.conversation: its four state CHECKs become one call of
--     omni._conversation_consistent (C); adding it reads the table once;
--   * omni.presence_history.set_by: a domain instead of a table CHECK; the
--     type change rewrites the table once;
--   * the triggers insight_on_close and prequeue_overflow_on_move fire on
--     the columns only their events set (closed_at; queue and queued_at).

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

CREATE DOMAIN omni.presence_set_by AS text
    CHECK (VALUE IN ('agent', 'supervisor', 'admin', 'login', 'logout', 'load', 'system'));
COMMENT ON DOMAIN omni.presence_set_by IS
    'What caused a presence change: agent, supervisor, admin, login, logout, load (presence follows load) or system.';
ALTER TABLE omni.presence_history
    DROP CONSTRAINT presence_history_set_by_check,
    ALTER COLUMN set_by TYPE omni.presence_set_by;

DROP TRIGGER insight_on_close ON omni.conversation;
CREATE TRIGGER insight_on_close AFTER UPDATE OF closed_at ON omni.conversation
    FOR EACH ROW WHEN (NEW.state = 'closed' AND OLD.state <> 'closed' AND NEW.channel <> 'voice')
    EXECUTE FUNCTION omni._transcript_from_messages();

DROP TRIGGER prequeue_overflow_on_move ON omni.conversation;
CREATE CONSTRAINT TRIGGER prequeue_overflow_on_move AFTER UPDATE OF queue, queued_at ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state = 'open' AND (OLD.state <> 'open' OR OLD.queue IS DISTINCT FROM NEW.queue))
    EXECUTE FUNCTION omni._prequeue_overflow();
