-- 30_offers.sql — one way to rescind a conversation's pending offer (the
-- close, requeue and supervisor-assign paths called three copies of it), and
-- one omni._follow_load (its one-agent wrapper is gone: callers pass ARRAY[a]).
-- The callers' new bodies come with 99_sync.sql.

-- Rescind the pending offer of conversation c (locked by the caller), if it
-- has one, because the conversation leaves the queue or changes hands.  Only
-- an open conversation can have a pending offer (invariant offer_for_assigned),
-- so for any other state there is nothing to look for.
CREATE FUNCTION omni._rescind_pending_offer(c omni.conversation, why text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    o bigint;
BEGIN
    IF c.state = 'open' THEN
        SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
        IF o IS NOT NULL THEN
            PERFORM omni._end_offer(o, 'rescinded', why);
        END IF;
    END IF;
END $$;
COMMENT ON FUNCTION omni._rescind_pending_offer(omni.conversation, text) IS
    'Rescinds the pending offer of a locked conversation, if it has one (only an open conversation can): the close, requeue and supervisor-assign paths.';
REVOKE ALL ON FUNCTION omni._rescind_pending_offer(omni.conversation, text) FROM PUBLIC;

DROP FUNCTION omni._follow_load(bigint);
