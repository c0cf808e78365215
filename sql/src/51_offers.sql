-- 51_offers.sql — conversations, part 2 (part 1: 50_conversation.sql): offers (the one
-- path that writes them, accept, reject, pick) and messages.

-- Offers ------------------------------------------------------------------------------

-- The one path that writes offers, used by the router (C, one call per cycle
-- with every offer of the cycle) and by omni._make_offer (one offer): the
-- offer rows, the capacity holds (kind offer), the agents' and the queues'
-- rotation clocks, the 'offered' events, the routing decisions (restricted
-- to supervisors and admins: omni.offer_decision), NOTIFY omni_offer with ids
-- and state only, the agent's own channel (omni._notify_agent 'offer_made'), and
-- presence following load for the agents in follow.  The caller has locked
-- the conversations, then the agents, and checked eligibility.  Offer ids
-- follow the offers' rotation stamps (then conversation ids).  Returns the
-- offer ids.  In C (src/routing/offer_write.c): the rows are written
-- without statements (src/row_write.c), the events through the event log;
-- one statement of writing CTEs runs instead when a DBA's change requires
-- it (docs/design.md, "Writing rows from C").
CREATE FUNCTION omni._write_offers(conversations bigint[], agents bigint[], queues text[],
                                   expires timestamptz[], units integer[], profiles text[],
                                   channels text[], stamps timestamptz[], events jsonb[],
                                   decisions jsonb[], follow bigint[]) RETURNS SETOF bigint
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_write_offers';
COMMENT ON FUNCTION omni._write_offers(bigint[], bigint[], text[], timestamptz[], integer[], text[], text[],
                                       timestamptz[], jsonb[], jsonb[], bigint[]) IS
    'The one path that writes offers (router and omni._make_offer): offers, capacity holds, rotation clocks, offered events, routing decisions, NOTIFY omni_offer (ids and state) and the agent channel, presence following load. Returns the offer ids.';

-- Offer conversation conv to agent a (tests, scripts and the benchmark's
-- hand-written router): locks, checks eligibility and writes the offer
-- through omni._write_offers, as the router does.
CREATE FUNCTION omni._make_offer(conv bigint, a bigint, why jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
    w omni.workstream;
    refusal text;
    oid_ bigint;
    t timestamptz := omni.now();
BEGIN
    c := omni._lock_conversation(conv);
    PERFORM omni._next_state(c, 'offer');
    IF omni._has_pending_offer(c.id) THEN
        RAISE EXCEPTION 'conversation % already has a pending offer', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    w := omni._workstream(c.workstream);
    PERFORM omni._lock_agent(a);
    refusal := omni._eligibility_refusal(a, c);
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'agent % cannot be offered conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.';
    END IF;
    SELECT w_ INTO oid_ FROM omni._write_offers(ARRAY[c.id], ARRAY[a], ARRAY[c.queue], ARRAY[t + w.offer_timeout],
                              ARRAY[w.capacity_units], ARRAY[w.capacity_profile], ARRAY[c.channel],
                              ARRAY[t], ARRAY[coalesce(why, '{}')], ARRAY[NULL::jsonb], ARRAY[a]) w_;
    RETURN oid_;
END $$;
COMMENT ON FUNCTION omni._make_offer(bigint, bigint, jsonb) IS
    'Offers an open conversation to an eligible agent: locks, checks eligibility, then writes through omni._write_offers (the router''s path).';

-- End a pending offer as rejected, expired or rescinded: capacity released,
-- the conversation keeps its place in the queue.  The conversation must be
-- locked before the agent, as everywhere.
CREATE FUNCTION omni._end_offer(offer_id bigint, outcome omni.offer_state, why text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
    c omni.conversation;
    w omni.workstream;
BEGIN
    o := omni._offer_row(offer_id);
    c := omni._lock_conversation(o.conversation_id);
    o := omni._lock_offer(offer_id);
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'offer % is %; cannot %', o.id, o.state,
            CASE outcome WHEN 'rejected' THEN 'reject' WHEN 'expired' THEN 'expire' ELSE 'rescind' END
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE omni.offer SET state = outcome, decided_at = omni.now(), reason = why WHERE id = o.id;
    IF (SELECT agent_id FROM omni.capacity_hold WHERE conversation_id = c.id) = o.agent_id THEN
        PERFORM omni._release_capacity(c.id);
    END IF;
    PERFORM omni._log('offer_' || outcome::text, c, agent => o.agent_id, offer => o.id, from_state => c.state,
                      detail => CASE WHEN why IS NULL THEN '{}' ELSE jsonb_build_object('reason', why) END);
    PERFORM omni._notify_agent(o.agent_id, 'offer_' || outcome::text,
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
    IF outcome = 'expired' THEN
        w := omni._workstream(c.workstream);
        IF w.block_on_missed THEN
            PERFORM omni._set_presence(o.agent_id, 'Inactive', 'system', true);
            PERFORM omni._notify_agent(o.agent_id, 'presence_changed', jsonb_build_object('presence', 'Inactive'));
        END IF;
    END IF;
    PERFORM omni._wake_router();
END $$;

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

-- Lock and return an offer the caller may decide on.
CREATE FUNCTION omni._pending_offer_for_caller(offer_id bigint, verb text) RETURNS omni.offer
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
BEGIN
    o := omni._offer_row(offer_id);
    IF o.id IS NULL THEN
        RAISE EXCEPTION 'offer % does not exist', offer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_agent(o.agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny(verb || ' offer ' || offer_id, 'Only the agent an offer is for may decide on it.');
    END IF;
    PERFORM omni._lock_conversation(o.conversation_id);
    o := omni._lock_offer(offer_id);
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'offer % is %; cannot %', o.id, o.state, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF o.expires_at <= omni.now() THEN
        RAISE EXCEPTION 'offer % expired at %; cannot %', o.id, o.expires_at, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN o;
END $$;

CREATE FUNCTION omni.accept(offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.offer;
    c omni.conversation;
    ns omni.conversation_state;
    p text;
    t timestamptz := omni.now();
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'accept');
    -- _pending_offer_for_caller locked the conversation: read it as it is now
    -- (locking it again costs a probe, less than a statement)
    c := omni._lock_conversation(o.conversation_id);
    ns := omni._next_state(c, 'accept');
    PERFORM omni._lock_agent(o.agent_id);
    UPDATE omni.offer SET state = 'accepted', decided_at = t WHERE id = o.id;
    UPDATE omni.capacity_hold SET kind = 'work', since = t WHERE conversation_id = c.id RETURNING profile INTO p;
    -- the item is taken now: it counts against an end_of_day profile
    IF p IS NOT NULL THEN
        PERFORM omni._count_profile_item(o.agent_id, p);
    END IF;
    UPDATE omni.conversation
       SET state = ns, agent_id = o.agent_id, last_agent_id = o.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('accepted', c, offer => o.id, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(o.agent_id, 'offer_accepted',
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
    -- No presence to follow: the offer's hold already counted this
    -- conversation's units and profile item (omni._write_offers followed the
    -- load then); accepting changes the hold's kind, not the agent's load.
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.accept(bigint) IS
    'The offered agent accepts: the conversation becomes active with that agent. Returns the conversation id.';

CREATE FUNCTION omni.reject(offer_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.offer;
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'reject');
    PERFORM omni._end_offer(o.id, 'rejected');
END $$;
COMMENT ON FUNCTION omni.reject(bigint) IS
    'The offered agent declines: the conversation keeps its place in the queue and goes on to the next agent.';

CREATE FUNCTION omni.pick(agent_id bigint, conversation_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    o bigint;
    ns omni.conversation_state;
    refusal text;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'pick work for agent ' || agent_id, false);
    c := omni._lock_conversation(conversation_id);
    -- Neutral refusals: an agent learns what it may pick, never who holds what.
    SELECT f.id INTO o FROM omni.offer f
     WHERE f.conversation_id = c.id AND f.state = 'pending' AND f.agent_id = pick.agent_id;
    IF o IS NOT NULL THEN
        RAISE EXCEPTION 'conversation % is offered to agent %; accept the offer instead', c.id, agent_id
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = format('SELECT omni.accept(%s);', o);
    END IF;
    IF c.state <> 'open'
       OR NOT EXISTS (SELECT 1 FROM omni.queue_member m WHERE m.queue = c.queue AND m.agent_id = pick.agent_id)
       OR EXISTS (SELECT 1 FROM omni.offer f WHERE f.conversation_id = c.id AND f.state = 'pending') THEN
        RAISE EXCEPTION 'conversation % is not available to agent % to pick', c.id, agent_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Agents pick open conversations of their queues that are not being offered.';
    END IF;
    ns := omni._next_state(c, 'pick');
    PERFORM omni._lock_agent(agent_id);
    refusal := omni._eligibility_refusal(agent_id, c);
    IF refusal IS NOT NULL THEN
        RAISE EXCEPTION 'agent % cannot pick conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.';
    END IF;
    PERFORM omni._hold_capacity(agent_id, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = pick.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = pick.agent_id, last_agent_id = pick.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('picked', c, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(agent_id, 'conversation_assigned', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(ARRAY[agent_id]);
END $$;
COMMENT ON FUNCTION omni.pick(bigint, bigint) IS
    'An agent takes an open conversation from its queue; eligibility and capacity are checked atomically.';

-- Messages ------------------------------------------------------------------------------

CREATE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
                                  agent_id bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;        -- as locked, before this message
    nc omni.conversation;       -- after it
    q omni.queue;
    ev jsonb;
    conv_score real;
    new_level omni.sentiment_level;
    first_response boolean;
    mid bigint;
    t timestamptz := omni.now();
BEGIN
    IF body IS NULL THEN
        RAISE EXCEPTION 'message body must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF btrim(body, E' \t\r\n') = '' THEN
        RAISE EXCEPTION 'message body must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF octet_length(body) > omni._limit('max_message_bytes') THEN
        RAISE EXCEPTION 'message body is % bytes; the limit is % bytes', octet_length(body), omni._limit('max_message_bytes')
            USING ERRCODE = 'string_data_right_truncation', HINT = 'The limit is omnichannel.max_message_bytes.';
    END IF;
    IF sender IS NULL THEN
        RAISE EXCEPTION 'sender must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF (sender = 'agent') <> (agent_id IS NOT NULL) THEN
        RAISE EXCEPTION 'agent_id must be given for agent messages and only for them'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF sender = 'agent' THEN
        PERFORM omni._authorize_agent(agent_id, 'post messages as agent ' || agent_id, false);
    ELSIF NOT omni._is_service() THEN
        PERFORM omni._deny('post ' || sender::text || ' messages');
    END IF;
    c := omni._lock_conversation(conversation_id);
    IF sender <> 'agent' THEN
        PERFORM omni._authorize_service(c, 'post ' || sender::text || ' messages to');
    END IF;
    -- An agent learns only that it does not hold the conversation, not its state.
    -- A consulted agent (omni.consult) posts while the consult lasts.
    IF sender = 'agent' AND (c.state NOT IN ('active', 'wrap_up')
                             OR (c.agent_id IS DISTINCT FROM post_message.agent_id
                                 AND NOT EXISTS (SELECT 1 FROM omni.conversation_participant p
                                                  WHERE p.conversation_id = c.id AND p.agent_id = post_message.agent_id
                                                    AND p.role = 'consult' AND p.left_at IS NULL))) THEN
        RAISE EXCEPTION 'agent % does not hold conversation %; cannot post message', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF c.state = 'closed' THEN
        RAISE EXCEPTION 'conversation % is closed; cannot post message', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF c.message_count >= omni._limit('max_messages_per_conversation') THEN
        RAISE EXCEPTION 'conversation % has % messages; the limit is reached', c.id,
                        omni._limit('max_messages_per_conversation')
            USING ERRCODE = 'program_limit_exceeded', HINT = 'The limit is omnichannel.max_messages_per_conversation.';
    END IF;
    IF sender = 'bot' AND NOT (c.state = 'active' AND c.agent_id IS NULL) THEN
        RAISE EXCEPTION 'conversation % is % and not served by a bot; cannot post bot message', c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- A customer message is scored before it is stored
    -- (omni._customer_message_evidence), and the conversation row is written
    -- once: a second UPDATE of it in this transaction would run its six
    -- foreign-key checks again.
    IF sender = 'customer' THEN
        IF c.queue IS NOT NULL THEN
            SELECT * INTO q FROM omni.queue WHERE name = c.queue;
        END IF;
        ev := omni._customer_message_evidence(c, q, body);
    END IF;
    INSERT INTO omni.message (conversation_id, sender, agent_id, body, created_at,
                              language, sentiment, sentiment_score, profane, evidence)
    VALUES (c.id, sender, agent_id, body, t,
            ev ->> 'language', (ev ->> 'level')::omni.sentiment_level, (ev ->> 'score')::real,
            (ev ->> 'profane')::boolean, ev)
    RETURNING id INTO mid;
    IF ev IS NOT NULL THEN
        SELECT s.score, s.level INTO conv_score, new_level FROM omni._conversation_sentiment(c.id) s;
    END IF;
    first_response := sender = 'agent' AND c.first_response_at IS NULL AND c.agent_id = post_message.agent_id;
    UPDATE omni.conversation
       SET last_activity_at = t, message_count = message_count + 1,
           first_response_at = CASE WHEN first_response THEN t ELSE first_response_at END,
           sentiment = coalesce(new_level, sentiment), sentiment_score = coalesce(conv_score, sentiment_score)
     WHERE id = c.id RETURNING * INTO nc;
    IF first_response THEN
        PERFORM omni._log('first_response', nc, from_state => nc.state,
                          detail => jsonb_build_object('message_id', mid));
    END IF;
    IF sender = 'customer' THEN
        IF c.state = 'waiting' THEN      -- the customer replied: back to the queue
            nc := omni._requeue(nc, 'customer_reply', 'requeued', c.queue);
        END IF;
        IF new_level IS NOT NULL AND new_level IS DISTINCT FROM c.sentiment THEN
            PERFORM omni._sentiment_changed(nc, q, c.sentiment, new_level, conv_score, mid);
        END IF;
        -- Its agent (unless the reply took a waiting conversation back to the queue) and its monitors.
        PERFORM omni._notify_agent(r.a, 'customer_message', jsonb_build_object('conversation_id', c.id, 'message_id', mid))
           FROM (SELECT c.agent_id WHERE c.state <> 'waiting'
                 UNION SELECT p.agent_id FROM omni.conversation_participant p
                        WHERE p.conversation_id = c.id AND p.left_at IS NULL) r(a)
          ORDER BY r.a;
    END IF;
    RETURN mid;
END $$;
COMMENT ON FUNCTION omni.post_message(bigint, omni.sender, text, bigint) IS
    'Stores a message. Customer messages are scored for sentiment and bring a waiting conversation back to its queue; the first message of the conversation''s agent is the first response. The conversation''s agent and its consulted agents (omni.consult) may post.';

