-- 52_handling.sql — conversations, part 3: handling (end, wrap-up, close, transfer,
-- park, resume, requeue) and consults.

-- Handling ---------------------------------------------------------------------------------

-- Authorization to handle a conversation: its agent, a supervisor of its
-- queue, or an admin.
CREATE FUNCTION omni._authorize_handling(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF (c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_admin()
       OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       'Only the agent holding the conversation, a supervisor of its queue or an admin may do this.');
END $$;

-- Put a conversation (back) into a queue with no agent: releases capacity,
-- rescinds a pending offer, restarts the queue clock.
CREATE FUNCTION omni._requeue(c omni.conversation, op text, kind text, to_queue text,
                              detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    from_queue text := c.queue;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._rescind_pending_offer(c, kind);
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._notify_agent(c.agent_id, CASE kind WHEN 'transferred' THEN 'conversation_transferred_out'
                                                     ELSE 'conversation_requeued' END,
                               jsonb_build_object('conversation_id', c.id));
    UPDATE omni.conversation
       SET state = ns, agent_id = NULL, queue = to_queue, queued_at = t, last_activity_at = t,
           transfer_count = transfer_count + CASE WHEN kind IN ('transferred') THEN 1 ELSE 0 END
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, agent => NULL, from_state => from_state,
                      detail => detail || jsonb_build_object('from_queue', from_queue, 'to_queue', to_queue));
    PERFORM omni._wake_router();
    RETURN c;
END $$;

-- End the consults of conversation c (of one agent when a is given): the
-- participant row is closed and a consult_ended event logged with its
-- length.  Returns how many ended.  end_consult, the close and a transfer
-- to the consultant use it.
CREATE FUNCTION omni._end_consults(c omni.conversation, a bigint DEFAULT NULL, why text DEFAULT 'ended')
    RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer := 0;
    t timestamptz := omni.now();
BEGIN
    FOR r IN UPDATE omni.conversation_participant p SET left_at = t
              WHERE p.conversation_id = c.id AND p.role = 'consult' AND p.left_at IS NULL
                AND (a IS NULL OR p.agent_id = a)
             RETURNING p.agent_id, p.joined_at
    LOOP
        PERFORM omni._log('consult_ended', c, agent => r.agent_id, from_state => c.state,
                          detail => jsonb_build_object('consult_s', extract(epoch FROM t - r.joined_at), 'reason', why));
        PERFORM omni._notify_agent(r.agent_id, 'consult_ended', jsonb_build_object('conversation_id', c.id));
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- Whether a monitor or consultant is still on conversation c (one probe of
-- the participants' primary key).  In C (src/row_read.c).
CREATE FUNCTION omni._has_open_participants(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_has_open_participants';
COMMENT ON FUNCTION omni._has_open_participants(bigint) IS
    'Whether a monitor or consultant is still on the conversation (a participant row without left_at).';

-- Close a conversation: capacity released, pending offer rescinded,
-- monitors leave.  Every path to closed goes through here.
CREATE FUNCTION omni._close(c omni.conversation, op text, kind text, reason text,
                            detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._rescind_pending_offer(c, reason);
    PERFORM omni._release_capacity(c.id);
    -- consultants and monitors leave (one probe when there are none, as usual)
    IF omni._has_open_participants(c.id) THEN
        PERFORM omni._end_consults(c, why => 'closed');
        UPDATE omni.conversation_participant SET left_at = t WHERE conversation_id = c.id AND left_at IS NULL;
    END IF;
    UPDATE omni.conversation
       SET state = ns, closed_at = t, close_reason = reason, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, from_state => from_state, detail => detail || jsonb_build_object('reason', reason));
    PERFORM omni._notify_agent(c.agent_id, CASE kind WHEN 'force_closed' THEN 'conversation_force_closed'
                                                     ELSE 'conversation_closed' END,
                               jsonb_build_object('conversation_id', c.id));
    RETURN c;
END $$;

CREATE FUNCTION omni.end_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_handling(c, 'end');
    ns := omni._next_state(c, 'end');
    UPDATE omni.conversation SET state = ns, wrap_up_at = t, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    IF NOT (omni._workstream(c.workstream)).wrap_up_holds_capacity THEN
        PERFORM omni._release_capacity(c.id);
    END IF;
    PERFORM omni._log('ended', c, from_state => 'active');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_ended', jsonb_build_object('conversation_id', c.id));
END $$;
COMMENT ON FUNCTION omni.end_conversation(bigint) IS
    'The agent ends the conversation: active to wrap_up (capacity kept if the workstream says so).';

CREATE FUNCTION omni.close_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    IF omni._served_by(c) = 'bot' THEN     -- a bot resolved it
        PERFORM omni._authorize_service(c, 'close bot');
        PERFORM omni._close(c, 'bot_close', 'closed', 'bot_resolved');
        RETURN;
    END IF;
    PERFORM omni._authorize_handling(c, 'close');
    PERFORM omni._close(c, 'close', 'closed', 'completed');
END $$;
COMMENT ON FUNCTION omni.close_conversation(bigint) IS
    'Closes a conversation in wrap_up (or one a bot resolved); capacity is released.';

CREATE FUNCTION omni.abandon(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    offered boolean;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_service(c, 'abandon');
    IF omni._served_by(c) = 'agent' THEN
        -- The customer left while talking to an agent: the agent wraps up.
        UPDATE omni.conversation SET state = omni._next_state(c, 'customer_left'), wrap_up_at = t,
               last_activity_at = t
         WHERE conversation.id = c.id RETURNING * INTO c;
        IF NOT (omni._workstream(c.workstream)).wrap_up_holds_capacity THEN
            PERFORM omni._release_capacity(c.id);
        END IF;
        PERFORM omni._log('customer_left', c, from_state => 'active');
        PERFORM omni._notify_agent(c.agent_id, 'customer_left', jsonb_build_object('conversation_id', c.id));
        RETURN;
    END IF;
    offered := EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = c.id AND created_at >= c.queued_at);
    PERFORM omni._close(c, CASE omni._served_by(c) WHEN 'bot' THEN 'bot_abandon' ELSE 'abandon' END,
                        'abandoned', 'abandoned',
                        jsonb_build_object('offered', offered,
                                           'wait_s', extract(epoch FROM t - coalesce(c.queued_at, c.created_at))));
END $$;
COMMENT ON FUNCTION omni.abandon(bigint) IS
    'The customer left: an open, waiting or bot conversation closes as abandoned; one with an agent goes to wrap_up.';

CREATE FUNCTION omni.set_waiting(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
BEGIN
    PERFORM omni._authorize_handling(c, 'park');
    ns := omni._next_state(c, 'set_waiting');
    UPDATE omni.conversation SET state = ns, last_activity_at = omni.now()
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._log('waiting', c, from_state => 'active');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_waiting', jsonb_build_object('conversation_id', c.id));
END $$;
COMMENT ON FUNCTION omni.set_waiting(bigint) IS
    'Parks an active conversation (active to waiting): the agent keeps it but its capacity is released.';

CREATE FUNCTION omni.resume(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
BEGIN
    PERFORM omni._authorize_handling(c, 'resume');
    ns := omni._next_state(c, 'resume');
    PERFORM omni._lock_agent(c.agent_id);
    PERFORM omni._hold_capacity(c.agent_id, c, 'work');
    UPDATE omni.conversation SET state = ns, last_activity_at = omni.now()
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('resumed', c, from_state => 'waiting');
    PERFORM omni._notify_agent(c.agent_id, 'conversation_resumed', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(ARRAY[c.agent_id]);
END $$;
COMMENT ON FUNCTION omni.resume(bigint) IS
    'The agent revives a waiting conversation (waiting to active); needs free capacity.';

CREATE FUNCTION omni.transfer(id bigint, queue text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    IF NOT EXISTS (SELECT 1 FROM omni.queue q WHERE q.name = transfer.queue) THEN
        RAISE EXCEPTION 'queue "%" does not exist', queue USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._requeue(c, 'transfer', 'transferred', queue);
END $$;
COMMENT ON FUNCTION omni.transfer(bigint, text) IS
    'Moves a conversation to a queue (active to open, agent released; or an open one to another queue).';

-- Hand active conversation c to agent a now (the target's row is locked
-- here): the one path of a transfer to an agent, direct or through an
-- accepted transfer offer.
CREATE FUNCTION omni._transfer_to_agent(c omni.conversation, a bigint, detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, 'transfer_to_agent');
    from_agent bigint := c.agent_id;
    t timestamptz := omni.now();
BEGIN
    IF a = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, a
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(a);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = a) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot receive conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._hold_capacity(a, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = a;
    -- a consultant who receives the conversation stops consulting
    PERFORM omni._end_consults(c, a, 'transferred to the consultant');
    UPDATE omni.conversation
       SET state = ns, agent_id = a, last_agent_id = a,
           accepted_at = t, transfer_count = transfer_count + 1, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('transferred_to_agent', c, from_state => 'active',
                      detail => jsonb_build_object('from_agent', from_agent) || detail);
    PERFORM omni._notify_agent(from_agent, 'conversation_transferred_out', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._notify_agent(a, 'conversation_transferred_in', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(ARRAY[a]);
END $$;

CREATE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    PERFORM omni._authorize_target_agent(agent_id, c, 'transfer conversation ' || c.id || ' to');
    PERFORM omni._next_state(c, 'transfer_to_agent');
    IF agent_id = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, agent_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The receiving agent's presence must allow work on this workstream
    -- (allowed_presences; by default Available and Busy, not Away or DND).
    IF omni._presence_refusal(agent_id, omni._workstream(c.workstream)) IS NOT NULL THEN
        RAISE EXCEPTION 'agent % is not available for work; cannot receive conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Its presence is %s.', (SELECT s.presence FROM omni.agent_state s
                                                           WHERE s.agent_id = transfer_to_agent.agent_id)),
                  HINT = 'Transfer to an agent whose presence the workstream allows, or to a queue.';
    END IF;
    IF (omni._workstream(c.workstream)).transfer_needs_accept THEN
        PERFORM omni._offer_transfer(c, agent_id);
    ELSE
        PERFORM omni._transfer_to_agent(c, agent_id);
    END IF;
END $$;
COMMENT ON FUNCTION omni.transfer_to_agent(bigint, bigint) IS
    'Hands an active conversation to another logged-in agent with free capacity (it stays active). When the workstream''s transfer_needs_accept is on, the agent is offered the transfer instead (omni.transfer_offer) and the hand-over happens when it accepts (omni.accept_transfer).';

-- Transfer offers (D365: a transfer to an agent reaches the agent as a request to accept) ----

CREATE TABLE omni.transfer_offer (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    from_agent_id    bigint NOT NULL REFERENCES omni.agent (id),
    agent_id         bigint NOT NULL REFERENCES omni.agent (id),
    queue            text NOT NULL,
    state            omni.offer_state NOT NULL DEFAULT 'pending',
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    reason           text,
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX transfer_offer_one_pending_idx ON omni.transfer_offer (conversation_id) WHERE state = 'pending';
CREATE INDEX transfer_offer_agent_idx ON omni.transfer_offer (agent_id, created_at);
COMMENT ON TABLE omni.transfer_offer IS
    'Transfers to an agent waiting for that agent''s answer (workstreams with transfer_needs_accept); at most one pending per conversation. The conversation stays with its agent until the offer is accepted.';
COMMENT ON COLUMN omni.transfer_offer.id IS 'Transfer offer id (omni.accept_transfer / omni.reject_transfer take it).';
COMMENT ON COLUMN omni.transfer_offer.conversation_id IS 'Conversation to hand over.';
COMMENT ON COLUMN omni.transfer_offer.from_agent_id IS 'Agent who held the conversation when the transfer was asked.';
COMMENT ON COLUMN omni.transfer_offer.agent_id IS 'Agent asked to take it.';
COMMENT ON COLUMN omni.transfer_offer.queue IS 'Queue of the conversation when asked.';
COMMENT ON COLUMN omni.transfer_offer.state IS 'pending, accepted, rejected, expired (not answered within the workstream''s offer_timeout) or rescinded (the conversation moved on).';
COMMENT ON COLUMN omni.transfer_offer.created_at IS 'When the transfer was offered.';
COMMENT ON COLUMN omni.transfer_offer.expires_at IS 'Accepting is refused from then on (created_at + the workstream''s offer_timeout).';
COMMENT ON COLUMN omni.transfer_offer.decided_at IS 'When it stopped being pending.';
COMMENT ON COLUMN omni.transfer_offer.reason IS 'Why it was rescinded or expired.';
SELECT pg_catalog.pg_extension_config_dump('omni.transfer_offer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.transfer_offer_id_seq', '');

-- End a pending transfer offer (rejected, expired, rescinded) and log it.
CREATE FUNCTION omni._end_transfer_offer(o omni.transfer_offer, outcome omni.offer_state, why text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
BEGIN
    UPDATE omni.transfer_offer SET state = outcome, decided_at = omni.now(), reason = why WHERE id = o.id;
    SELECT * INTO c FROM omni.conversation WHERE id = o.conversation_id;
    PERFORM omni._log('transfer_offer_' || outcome::text, c, agent => o.agent_id, from_state => c.state,
                      detail => jsonb_build_object('transfer_offer_id', o.id, 'from_agent', o.from_agent_id)
                                || CASE WHEN why IS NULL THEN '{}' ELSE jsonb_build_object('reason', why) END);
    PERFORM omni._notify_agent(o.agent_id, 'transfer_offer_' || outcome::text,
                               jsonb_build_object('transfer_offer_id', o.id, 'conversation_id', o.conversation_id));
END $$;

-- Offer active conversation c to agent a (the caller may transfer it): a
-- pending transfer offer of the conversation is rescinded first.
CREATE FUNCTION omni._offer_transfer(c omni.conversation, a bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream := omni._workstream(c.workstream);
    old omni.transfer_offer;
    tid bigint;
    t timestamptz := omni.now();
BEGIN
    IF a = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, a
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(a);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = a) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be offered conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT * INTO old FROM omni.transfer_offer WHERE conversation_id = c.id AND state = 'pending';
    IF FOUND THEN
        PERFORM omni._end_transfer_offer(old, 'rescinded', 'another transfer was asked');
    END IF;
    INSERT INTO omni.transfer_offer (conversation_id, from_agent_id, agent_id, queue, created_at, expires_at)
    VALUES (c.id, c.agent_id, a, c.queue, t, t + w.offer_timeout) RETURNING id INTO tid;
    PERFORM omni._log('transfer_offered', c, agent => a, from_state => c.state,
                      detail => jsonb_build_object('transfer_offer_id', tid, 'from_agent', c.agent_id));
    PERFORM omni._notify_agent(a, 'transfer_offered', jsonb_build_object('transfer_offer_id', tid, 'conversation_id', c.id));
    RETURN tid;
END $$;

-- Lock and return a pending transfer offer the caller (its agent or an admin)
-- may answer; an offer whose conversation moved on is rescinded, one past
-- its expiry expires.
CREATE FUNCTION omni._pending_transfer_offer(transfer_offer_id bigint, verb text) RETURNS omni.transfer_offer
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.transfer_offer;
    c omni.conversation;
BEGIN
    SELECT * INTO o FROM omni.transfer_offer WHERE id = transfer_offer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer offer % does not exist', transfer_offer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_agent(o.agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny(verb || ' transfer offer ' || transfer_offer_id,
                           format('Transfer offer %s is for agent %s.', transfer_offer_id, o.agent_id));
    END IF;
    c := omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.transfer_offer WHERE id = transfer_offer_id FOR UPDATE;
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'transfer offer % is %; cannot %', o.id, o.state, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF c.state <> 'active' OR c.agent_id IS DISTINCT FROM o.from_agent_id THEN
        PERFORM omni._end_transfer_offer(o, 'rescinded', 'the conversation moved on');
        RETURN NULL;
    END IF;
    IF o.expires_at <= omni.now() THEN
        PERFORM omni._end_transfer_offer(o, 'expired', 'not answered in time');
        RETURN NULL;
    END IF;
    RETURN o;
END $$;

CREATE FUNCTION omni.accept_transfer(transfer_offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.transfer_offer := omni._pending_transfer_offer(transfer_offer_id, 'accept');
    c omni.conversation;
BEGIN
    IF o.id IS NULL THEN
        RETURN NULL;        -- rescinded or expired just now (see omni.transfer_offer.state)
    END IF;
    c := omni._lock_conversation(o.conversation_id);
    UPDATE omni.transfer_offer SET state = 'accepted', decided_at = omni.now() WHERE id = o.id;
    PERFORM omni._transfer_to_agent(c, o.agent_id, jsonb_build_object('transfer_offer_id', o.id));
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.accept_transfer(bigint) IS
    'The agent offered a transfer accepts: the conversation moves to it (as omni.transfer_to_agent does directly). Returns the conversation id, or NULL when the offer was found expired or the conversation had moved on (the offer is then marked so).';

CREATE FUNCTION omni.reject_transfer(transfer_offer_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.transfer_offer := omni._pending_transfer_offer(transfer_offer_id, 'reject');
BEGIN
    IF o.id IS NOT NULL THEN
        PERFORM omni._end_transfer_offer(o, 'rejected');
    END IF;
END $$;
COMMENT ON FUNCTION omni.reject_transfer(bigint) IS
    'The agent offered a transfer declines it: the conversation stays with its agent.';

-- Consult (D365: a second agent joins an active conversation without taking it) --------

INSERT INTO omni.conversation_transition (operation, from_state, served_by, to_state) VALUES
    ('consult', 'active', 'agent', 'active');

-- Active consultants of a conversation are conversation_participant rows with
-- role 'consult' and no left_at: they see it (row-level security, as monitors
-- do) and may post in it; omni._close ends them with the conversation.
CREATE FUNCTION omni.consult(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
    w omni.workstream;
    s omni.agent_state;
    refusal text;
BEGIN
    IF NOT ((c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_admin()
            OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('start a consult on conversation ' || c.id,
                           'Only the conversation''s agent, a supervisor of its queue or an admin may.');
    END IF;
    PERFORM omni._next_state(c, 'consult');
    IF agent_id = c.agent_id THEN
        RAISE EXCEPTION 'agent % holds conversation %; it cannot consult itself', agent_id, c.id
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Consult another agent.';
    END IF;
    IF EXISTS (SELECT 1 FROM omni.conversation_participant p
                WHERE p.conversation_id = c.id AND p.agent_id = consult.agent_id AND p.left_at IS NULL) THEN
        RAISE EXCEPTION 'agent % already takes part in conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF (SELECT count(*) FROM omni.conversation_participant p
         WHERE p.conversation_id = c.id AND p.role = 'consult' AND p.left_at IS NULL) >= 5 THEN
        RAISE EXCEPTION 'conversation % already has 5 consultants', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'End a consult with omni.end_consult first.';
    END IF;
    s := omni._lock_agent(agent_id);
    IF NOT s.logged_in THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be consulted on conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    w := omni._workstream(c.workstream);
    IF w.consult_needs_capacity THEN
        refusal := omni._capacity_refusal(agent_id, c);
        IF refusal IS NOT NULL THEN
            RAISE EXCEPTION 'agent % has no room to be consulted on conversation %', agent_id, c.id
                USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.',
                      HINT = format('Workstream "%s" needs free capacity for a consult (consult_needs_capacity).', w.name);
        END IF;
    END IF;
    INSERT INTO omni.conversation_participant AS p (conversation_id, agent_id, role, joined_at)
    VALUES (c.id, agent_id, 'consult', omni.now())
    ON CONFLICT ON CONSTRAINT conversation_participant_pkey DO UPDATE SET role = 'consult', left_at = NULL;
    PERFORM omni._log('consult_started', c, agent => agent_id, from_state => c.state,
                      detail => jsonb_build_object('by_agent', c.agent_id));
    PERFORM omni._notify_agent(agent_id, 'consult_started', jsonb_build_object('conversation_id', c.id));
END $$;
COMMENT ON FUNCTION omni.consult(bigint, bigint) IS
    'Brings a second, logged-in agent into an active conversation without transferring it (D365 consult): the consulted agent sees the conversation and may post in it until omni.end_consult or the close. Only the conversation''s agent, a supervisor of its queue or an admin; at most 5 consultants; free capacity needed only when the workstream''s consult_needs_capacity is on (a consult holds none).';

CREATE FUNCTION omni.end_consult(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    IF NOT ((c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_agent(agent_id)
            OR omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('end a consult on conversation ' || c.id,
                           'Only the conversation''s agent, the consulted agent, a supervisor of its queue or an admin may.');
    END IF;
    IF omni._end_consults(c, agent_id) = 0 THEN
        RAISE EXCEPTION 'agent % is not consulting on conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
END $$;
COMMENT ON FUNCTION omni.end_consult(bigint, bigint) IS
    'Ends an agent''s consult on a conversation (the conversation''s agent, the consulted agent, a supervisor of its queue or an admin); the consulted agent no longer sees it.';
