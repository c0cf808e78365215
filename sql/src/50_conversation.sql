-- 50_conversation.sql — the conversation life cycle (SPEC §3, §5) except
-- the assignment algorithm itself, which lives in the router.

-- Customers --------------------------------------------------------------------

-- The customer known at this address on this channel, created when new.
CREATE FUNCTION omni._customer_for(ch text, address text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    IF address IS NULL OR btrim(address) = '' THEN
        RAISE EXCEPTION 'customer address must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT customer_id INTO cid FROM omni.customer_identity WHERE channel = ch AND customer_identity.address = _customer_for.address;
    IF cid IS NULL THEN
        INSERT INTO omni.customer (name, created_at) VALUES (NULL, omni.now()) RETURNING id INTO cid;
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (ch, address, cid, omni.now())
        ON CONFLICT ON CONSTRAINT customer_identity_pkey DO NOTHING;
        IF NOT FOUND THEN   -- another session created it first: use theirs
            DELETE FROM omni.customer WHERE id = cid;
            SELECT customer_id INTO cid FROM omni.customer_identity
             WHERE channel = ch AND customer_identity.address = _customer_for.address;
        END IF;
    END IF;
    RETURN cid;
END $$;

CREATE FUNCTION omni.link_customer(customer_id bigint, channel text, address text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    old bigint;
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('link customer identities');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.customer WHERE id = customer_id) THEN
        RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.channel WHERE name = link_customer.channel) THEN
        RAISE EXCEPTION 'channel "%" does not exist', channel USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT i.customer_id INTO old FROM omni.customer_identity i
     WHERE i.channel = link_customer.channel AND i.address = link_customer.address FOR UPDATE;
    IF old IS NULL THEN
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (channel, address, customer_id, omni.now());
    ELSIF old <> customer_id THEN
        -- The address was a separate customer so far: merge its conversations.
        UPDATE omni.customer_identity i SET customer_id = link_customer.customer_id WHERE i.customer_id = old;
        UPDATE omni.conversation c SET customer_id = link_customer.customer_id WHERE c.customer_id = old;
        DELETE FROM omni.customer WHERE id = old;
    END IF;
    INSERT INTO omni.event (at, kind, actor, detail)
    VALUES (omni.now(), 'customer_linked', omni._caller_name(),
            jsonb_build_object('customer_id', customer_id, 'channel', channel, 'address', address,
                               'merged', CASE WHEN old <> customer_id THEN old END));
END $$;
COMMENT ON FUNCTION omni.link_customer(bigint, text, text) IS
    'Links a channel address to a customer (merging the customer that address had), so conversations across channels belong together.';

-- Classification and route-to-queue ----------------------------------------------

-- Classify a context on a workstream: every matching classify rule sets the
-- priority and adds required skills; the first matching route rule picks the
-- queue, else the workstream's default queue.
CREATE FUNCTION omni._classify(ws omni.workstream, ctx jsonb,
                               OUT priority integer, OUT required_skills jsonb, OUT queue text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    r omni.classify_rule;
BEGIN
    priority := 100;
    required_skills := '{}';
    FOR r IN SELECT * FROM omni.classify_rule WHERE workstream = ws.name ORDER BY position LOOP
        IF jsonb_path_match(ctx, r.condition, silent => true) THEN
            priority := coalesce(r.priority, priority);
            SELECT coalesce(jsonb_object_agg(k, m), '{}') INTO required_skills
              FROM (SELECT k, max(v::numeric)::integer AS m
                      FROM (SELECT * FROM jsonb_each_text(required_skills)
                            UNION ALL SELECT * FROM jsonb_each_text(r.required_skills)) s(k, v)
                     GROUP BY k) t;
        END IF;
    END LOOP;
    SELECT rr.queue INTO queue FROM omni.route_rule rr
     WHERE rr.workstream = ws.name AND jsonb_path_match(ctx, rr.condition, silent => true)
     ORDER BY rr.position LIMIT 1;
    queue := coalesce(queue, ws.default_queue);
END $$;

CREATE FUNCTION omni._workstream(name text) RETURNS omni.workstream
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE workstream.name = _workstream.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'workstream "%" does not exist', name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN w;
END $$;

CREATE FUNCTION omni._check_context(ctx jsonb) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF ctx IS NULL OR jsonb_typeof(ctx) <> 'object' THEN
        RAISE EXCEPTION 'context must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Got %s.', coalesce(jsonb_typeof(ctx), 'NULL'));
    END IF;
END $$;

-- Arrival --------------------------------------------------------------------------

CREATE FUNCTION omni.enqueue(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    w omni.workstream;
    cl record;
    c omni.conversation;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('enqueue conversations');
    END IF;
    w := omni._workstream(workstream);
    PERFORM omni._check_context(context);
    cl := omni._classify(w, context);
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state,
                                   priority, required_skills, created_at, queued_at, last_activity_at)
    VALUES (w.name, w.channel, cl.queue, customer, omni._customer_for(w.channel, customer), context, 'open',
            cl.priority, cl.required_skills, t, t, t)
    RETURNING * INTO c;
    PERFORM omni._log('enqueued', c, detail => jsonb_build_object('priority', cl.priority,
                                                                   'required_skills', cl.required_skills));
    PERFORM omni._wake_router();
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.enqueue(text, text, jsonb) IS
    'Creates an open conversation from a customer on a workstream: classified, routed to a queue, then offered by the router. Returns its id.';

CREATE FUNCTION omni.start_with_bot(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    w omni.workstream;
    c omni.conversation;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('start bot conversations');
    END IF;
    w := omni._workstream(workstream);
    PERFORM omni._check_context(context);
    INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, context, state, bot,
                                   created_at, last_activity_at)
    VALUES (w.name, w.channel, NULL, customer, omni._customer_for(w.channel, customer), context, 'active', true, t, t)
    RETURNING * INTO c;
    PERFORM omni._log('bot_started', c);
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.start_with_bot(text, text, jsonb) IS
    'Creates a conversation served by a bot (active, no agent). omni.escalate hands it to humans.';

CREATE FUNCTION omni.escalate(conversation_id bigint, context jsonb DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    w omni.workstream;
    cl record;
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('escalate conversations');
    END IF;
    c := omni._lock_conversation(conversation_id);
    ns := omni._next_state(c, 'escalate');
    IF context IS NOT NULL THEN
        PERFORM omni._check_context(context);
    END IF;
    w := omni._workstream(c.workstream);
    cl := omni._classify(w, c.context || coalesce(context, '{}'));
    UPDATE omni.conversation
       SET state = ns, escalated = true, queue = cl.queue, priority = cl.priority,
           required_skills = cl.required_skills, context = c.context || coalesce(escalate.context, '{}'),
           queued_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('escalated', c, from_state => 'active');
    PERFORM omni._wake_router();
    RETURN c.queue;
END $$;
COMMENT ON FUNCTION omni.escalate(bigint, jsonb) IS
    'Hands a bot conversation to humans: classified with its context (merged with the given one) and queued. Returns the queue.';

-- Eligibility ------------------------------------------------------------------------

-- Why agent a may not take conversation c now (NULL when it may): logged in,
-- presence allowed by the workstream, member of the queue, skills, declines
-- and capacity.  Shared by offers and pick; the router applies the same rules.
CREATE FUNCTION omni._eligibility_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    s omni.agent_state;
    base omni.base_status;
    missing text;
    declines integer;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT * INTO s FROM omni.agent_state WHERE agent_id = a;
    IF NOT FOUND THEN
        RETURN format('agent %s does not exist', a);
    END IF;
    IF NOT s.logged_in THEN
        RETURN format('agent %s is not logged in', a);
    END IF;
    SELECT base_status INTO base FROM omni.presence WHERE name = s.presence;
    IF NOT base = ANY (w.allowed_presences) THEN
        RETURN format('agent %s is %s (%s); workstream "%s" allows %s', a, s.presence, base, w.name,
                      array_to_string(w.allowed_presences, ', '));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member WHERE queue = c.queue AND agent_id = a) THEN
        RETURN format('agent %s is not a member of queue "%s"', a, c.queue);
    END IF;
    IF w.skill_match = 'exact' THEN
        SELECT k INTO missing FROM jsonb_each_text(c.required_skills) r(k, v)
         WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                            WHERE sk.agent_id = a AND sk.skill = r.k AND sk.proficiency >= r.v::integer)
         LIMIT 1;
        IF missing IS NOT NULL THEN
            RETURN format('agent %s lacks skill "%s" at proficiency %s', a, missing, c.required_skills ->> missing);
        END IF;
    END IF;
    SELECT count(*) INTO declines FROM omni.offer
     WHERE conversation_id = c.id AND agent_id = a AND state IN ('rejected', 'expired');
    IF declines >= w.max_declines THEN
        RETURN format('agent %s declined conversation %s %s times (max_declines %s)', a, c.id, declines, w.max_declines);
    END IF;
    RETURN omni._capacity_refusal(a, c);
END $$;
COMMENT ON FUNCTION omni._eligibility_refusal(bigint, omni.conversation) IS
    'Why an agent may not take a conversation now (NULL when it may).';

-- Offers ------------------------------------------------------------------------------

-- The one path that writes offers, used by the router (C, one call per cycle
-- with every offer of the cycle) and by omni._make_offer (one offer): the
-- offer rows, the capacity holds (kind offer), the agents' and the queues'
-- rotation clocks, the 'offered' events, the routing decisions (restricted
-- to supervisors and admins: omni.offer_decision), NOTIFY omni_offer with ids
-- and state only, the agent's own channel (omni._notify_agent 'offer'), and
-- presence following load for the agents in follow.  The caller has locked
-- the conversations, then the agents, and checked eligibility.  Offer ids are
-- taken from the sequence first so that every write is driven by the input
-- rows alone (no join between the written rows: the cost is linear in the
-- number of offers whatever plan is chosen).  Returns the offer ids.
CREATE FUNCTION omni._write_offers(conversations bigint[], agents bigint[], queues text[],
                                   expires timestamptz[], units integer[], profiles text[],
                                   channels text[], stamps timestamptz[], events jsonb[],
                                   decisions jsonb[], follow bigint[]) RETURNS SETOF bigint
    LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := omni.now();
BEGIN
    RETURN QUERY
    WITH u AS MATERIALIZED (
        SELECT nextval('omni.offer_id_seq'::regclass) AS id, i.*
          FROM (SELECT * FROM unnest(conversations, agents, queues, expires, units, profiles, channels,
                                     stamps, events, decisions) AS i(c, a, q, e, n, p, ch, st, ev, d)
                 ORDER BY i.st, i.c) i),
    o AS (INSERT INTO omni.offer (id, conversation_id, agent_id, queue, created_at, expires_at)
          OVERRIDING SYSTEM VALUE
          SELECT u.id, u.c, u.a, u.q, t, u.e FROM u),
    h AS (INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)
          SELECT u.c, u.a, u.n, u.p, t, 'offer', false FROM u
          ON CONFLICT (conversation_id) DO UPDATE
             SET agent_id = EXCLUDED.agent_id, units = EXCLUDED.units, profile = EXCLUDED.profile,
                 since = EXCLUDED.since, kind = EXCLUDED.kind, override = EXCLUDED.override),
    s AS (UPDATE omni.agent_state s SET last_assigned_at = m.st
            FROM (SELECT u.a, max(u.st) AS st FROM u GROUP BY u.a) m WHERE s.agent_id = m.a),
    r AS (INSERT INTO omni.queue_rotation (queue, agent_id, last_assigned_at)
          SELECT u.q, u.a, max(u.st) FROM u GROUP BY u.q, u.a
          ON CONFLICT (queue, agent_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at),
    ev AS (INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue, channel,
                                   from_state, to_state, actor, detail)
           SELECT t, 'offered', u.c, u.a, u.id, u.q, u.ch, 'open', 'open', omni._caller_name(),
                  coalesce(u.ev, '{}') FROM u ORDER BY u.id),
    d AS (INSERT INTO omni.offer_decision (offer_id, conversation_id, agent_id, queue, at, detail)
          SELECT u.id, u.c, u.a, u.q, t, u.d FROM u WHERE u.d IS NOT NULL)
    SELECT u.id FROM u
     CROSS JOIN LATERAL (SELECT pg_notify('omni_offer', json_build_object('offer_id', u.id, 'agent_id', u.a,
                                          'conversation_id', u.c, 'expires_at', u.e)::text),
                                omni._notify_agent(u.a, 'offer',
                                                   jsonb_build_object('offer_id', u.id, 'conversation_id', u.c))) n
     ORDER BY u.id;
    -- Presence follows load (after the holds above are visible).
    PERFORM omni._follow_load(f) FROM unnest(follow) f ORDER BY f;
END $$;
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
    SELECT * INTO o FROM omni.offer WHERE id = offer_id;
    c := omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.offer WHERE id = offer_id FOR UPDATE;
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
    IF outcome = 'expired' THEN
        w := omni._workstream(c.workstream);
        IF w.block_on_missed THEN
            PERFORM omni._set_presence(o.agent_id, 'Inactive', 'system', true);
        END IF;
    END IF;
    PERFORM omni._wake_router();
END $$;

-- Lock and return an offer the caller may decide on.
CREATE FUNCTION omni._pending_offer_for_caller(offer_id bigint, verb text) RETURNS omni.offer
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.offer;
BEGIN
    SELECT * INTO o FROM omni.offer WHERE id = offer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', offer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_agent(o.agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny(verb || ' offer ' || offer_id,
                           format('Offer %s is for agent %s.', offer_id, o.agent_id));
    END IF;
    PERFORM omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.offer WHERE id = offer_id FOR UPDATE;
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
    t timestamptz := omni.now();
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'accept');
    c := omni._lock_conversation(o.conversation_id);
    ns := omni._next_state(c, 'accept');
    PERFORM omni._lock_agent(o.agent_id);
    UPDATE omni.offer SET state = 'accepted', decided_at = t WHERE id = o.id;
    UPDATE omni.capacity_hold SET kind = 'work', since = t WHERE conversation_id = c.id;
    UPDATE omni.conversation
       SET state = ns, agent_id = o.agent_id, last_agent_id = o.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('accepted', c, offer => o.id, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._follow_load(o.agent_id);
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
    ns omni.conversation_state;
    refusal text;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'pick work for agent ' || agent_id, false);
    c := omni._lock_conversation(conversation_id);
    ns := omni._next_state(c, 'pick');
    IF EXISTS (SELECT 1 FROM omni.offer f WHERE f.conversation_id = c.id AND f.state = 'pending') THEN
        RAISE EXCEPTION 'conversation % is being offered to another agent', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
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
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.pick(bigint, bigint) IS
    'An agent takes an open conversation from its queue; eligibility and capacity are checked atomically.';

-- Messages ------------------------------------------------------------------------------

CREATE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
                                  agent_id bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    mid bigint;
    t timestamptz := omni.now();
BEGIN
    IF body IS NULL THEN
        RAISE EXCEPTION 'message body must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF octet_length(body) > 1048576 THEN
        RAISE EXCEPTION 'message body is % bytes; the limit is 1 MiB', octet_length(body)
            USING ERRCODE = 'string_data_right_truncation';
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
    IF c.state = 'closed' THEN
        RAISE EXCEPTION 'conversation % is closed; cannot post message', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'agent' AND (c.agent_id IS DISTINCT FROM post_message.agent_id OR c.state NOT IN ('active', 'wrap_up')) THEN
        RAISE EXCEPTION 'agent % does not hold conversation % (%); cannot post message', agent_id, c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'bot' AND NOT (c.state = 'active' AND c.agent_id IS NULL) THEN
        RAISE EXCEPTION 'conversation % is % and not served by a bot; cannot post bot message', c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO omni.message (conversation_id, sender, agent_id, body, created_at)
    VALUES (c.id, sender, agent_id, body, t) RETURNING id INTO mid;
    UPDATE omni.conversation SET last_activity_at = t WHERE id = c.id;
    IF sender = 'agent' AND c.first_response_at IS NULL THEN
        UPDATE omni.conversation SET first_response_at = t WHERE id = c.id RETURNING * INTO c;
        PERFORM omni._log('first_response', c, from_state => c.state,
                          detail => jsonb_build_object('message_id', mid));
    END IF;
    IF sender = 'customer' THEN
        IF c.state = 'waiting' THEN      -- the customer replied: back to the queue
            PERFORM omni._requeue(c, 'customer_reply', 'requeued', c.queue);
        END IF;
        PERFORM omni._score_customer_message(mid);
    END IF;
    RETURN mid;
END $$;
COMMENT ON FUNCTION omni.post_message(bigint, omni.sender, text, bigint) IS
    'Stores a message. Customer messages are scored for sentiment and bring a waiting conversation back to its queue; the first agent message is the first response.';

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
                       format('Conversation %s is held by %s.', c.id, coalesce('agent ' || c.agent_id, 'no agent')));
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
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', kind);
    END IF;
    PERFORM omni._release_capacity(c.id);
    UPDATE omni.conversation
       SET state = ns, agent_id = NULL, queue = to_queue, queued_at = t, last_activity_at = t,
           transfer_count = transfer_count + CASE WHEN kind IN ('transferred') THEN 1 ELSE 0 END
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, agent => NULL, from_state => from_state,
                      detail => detail || jsonb_build_object('from_queue', from_queue, 'to_queue', to_queue));
    PERFORM omni._wake_router();
    RETURN c;
END $$;

-- Close a conversation: capacity released, pending offer rescinded,
-- monitors leave.  Every path to closed goes through here.
CREATE FUNCTION omni._close(c omni.conversation, op text, kind text, reason text,
                            detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', reason);
    END IF;
    PERFORM omni._release_capacity(c.id);
    UPDATE omni.conversation_participant SET left_at = t WHERE conversation_id = c.id AND left_at IS NULL;
    UPDATE omni.conversation
       SET state = ns, closed_at = t, close_reason = reason, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, from_state => from_state, detail => detail || jsonb_build_object('reason', reason));
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
    IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
        PERFORM omni._release_capacity(c.id);
    END IF;
    PERFORM omni._log('ended', c, from_state => 'active');
END $$;
COMMENT ON FUNCTION omni.end_conversation(bigint) IS
    'The agent ends the conversation: active to wrap_up (capacity kept if the workstream says so).';

CREATE FUNCTION omni.close_conversation(id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    IF omni._served_by(c) = 'bot' THEN     -- a bot resolved it
        IF NOT omni._is_service() THEN
            PERFORM omni._deny('close bot conversation ' || c.id);
        END IF;
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
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('abandon conversation ' || c.id);
    END IF;
    IF omni._served_by(c) = 'agent' THEN
        -- The customer left while talking to an agent: the agent wraps up.
        UPDATE omni.conversation SET state = omni._next_state(c, 'customer_left'), wrap_up_at = t,
               last_activity_at = t
         WHERE conversation.id = c.id RETURNING * INTO c;
        IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
            PERFORM omni._release_capacity(c.id);
        END IF;
        PERFORM omni._log('customer_left', c, from_state => 'active');
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
    PERFORM omni._follow_load(c.agent_id);
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

CREATE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
    from_agent bigint := c.agent_id;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    ns := omni._next_state(c, 'transfer_to_agent');
    IF agent_id = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, agent_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(agent_id);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = transfer_to_agent.agent_id) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot receive conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._hold_capacity(agent_id, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = transfer_to_agent.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = transfer_to_agent.agent_id, last_agent_id = transfer_to_agent.agent_id,
           accepted_at = t, transfer_count = transfer_count + 1, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('transferred_to_agent', c, from_state => 'active',
                      detail => jsonb_build_object('from_agent', from_agent));
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.transfer_to_agent(bigint, bigint) IS
    'Hands an active conversation to another logged-in agent with free capacity (it stays active).';
