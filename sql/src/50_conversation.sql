-- 50_conversation.sql — the conversation life cycle (SPEC §3, §5) except
-- the assignment algorithm itself, which lives in the router.

-- Customers --------------------------------------------------------------------

-- The customer known at this address on this channel, created when new.
CREATE FUNCTION omni._customer_for(ch text, address text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    PERFORM omni._check_address(address);
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
    IF address IS NULL OR btrim(address) = '' THEN
        RAISE EXCEPTION 'cannot link customer % on channel "%": the address is empty', customer_id, channel
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the customer''s address on that channel (phone number, e-mail, chat visitor id ...).';
    END IF;
    IF customer_id IS NULL OR NOT EXISTS (SELECT 1 FROM omni.customer WHERE id = customer_id) THEN
        RAISE EXCEPTION 'customer % does not exist', coalesce(customer_id::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See omni.customer for the customers that exist.';
    END IF;
    -- A connector links only customers of conversations it created.
    IF NOT omni._is_admin() AND NOT EXISTS (SELECT 1 FROM omni.conversation c
                                             WHERE c.customer_id = link_customer.customer_id
                                               AND c.created_by = omni._caller_name()) THEN
        PERFORM omni._deny('link customer ' || customer_id,
                           'Channel connectors link only customers of the conversations they created.');
    END IF;
    PERFORM omni._check_address(address);
    IF NOT EXISTS (SELECT 1 FROM omni.channel WHERE name = link_customer.channel) THEN
        RAISE EXCEPTION 'channel "%" does not exist', coalesce(channel, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See omni.channel for the channels that exist.';
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

-- A context must be a JSON object within omnichannel.max_context_bytes (as
-- JSON text) and omnichannel.max_context_depth (docs/security.md, "Limits").
CREATE FUNCTION omni._check_context(ctx jsonb) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    bytes integer;
    depth integer;
BEGIN
    IF ctx IS NULL OR jsonb_typeof(ctx) <> 'object' THEN
        RAISE EXCEPTION 'context must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('Got %s.', coalesce(jsonb_typeof(ctx), 'NULL'));
    END IF;
    bytes := octet_length(ctx::text);
    IF bytes > omni._limit('max_context_bytes') THEN
        RAISE EXCEPTION 'context is % bytes; the limit is % bytes', bytes, omni._limit('max_context_bytes')
            USING ERRCODE = 'string_data_right_truncation',
                  HINT = 'Send identifiers and routing facts, not documents; the limit is omnichannel.max_context_bytes.';
    END IF;
    depth := omni._jsonb_depth(ctx);
    IF depth > omni._limit('max_context_depth') THEN
        RAISE EXCEPTION 'context nests % levels deep; the limit is %', depth, omni._limit('max_context_depth')
            USING ERRCODE = 'program_limit_exceeded', HINT = 'The limit is omnichannel.max_context_depth.';
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
                                   priority, required_skills, created_at, queued_at, last_activity_at, created_by)
    VALUES (w.name, w.channel, cl.queue, customer, omni._customer_for(w.channel, customer), context, 'open',
            cl.priority, cl.required_skills, t, t, t, omni._caller_name())
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
                                   created_at, last_activity_at, created_by)
    VALUES (w.name, w.channel, NULL, customer, omni._customer_for(w.channel, customer), context, 'active', true, t, t,
            omni._caller_name())
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
    PERFORM omni._authorize_service(c, 'escalate');
    ns := omni._next_state(c, 'escalate');
    IF context IS NOT NULL THEN
        PERFORM omni._check_context(context);
        PERFORM omni._check_context(c.context || context);   -- the merged context is what is stored
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

-- Whether agent a's presence lets it take work of workstream w (its
-- allowed_presences): NULL when it does, else its presence and base, e.g.
-- 'Away (away)'.  The eligibility definition below and transfers to an agent
-- use it.
CREATE FUNCTION omni._presence_refusal(a bigint, w omni.workstream) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT format('%s (%s)', s.presence, p.base_status)
      FROM omni.agent_state s JOIN omni.presence p ON p.name = s.presence
     WHERE s.agent_id = a AND NOT p.base_status = ANY (w.allowed_presences)
$$;
COMMENT ON FUNCTION omni._presence_refusal(bigint, omni.workstream) IS
    'Why agent a''s presence keeps it from work of workstream w (its presence and base), NULL when the workstream allows it.';

-- THE eligibility definition: whether agent a may take conversation c now,
-- as (reason, detail).  reason is NULL when it may, else the first rule that
-- excludes it in a supervisor's words (docs/routing.md, "Why not routed"):
--   not logged in | presence not allowed | not a member of the queue |
--   missing skill | declined too often | no free capacity |
--   capacity profile full | blocked by a capacity profile |
--   no capacity profile
-- and detail says it with the numbers.  Offers, pick, the invariant check,
-- omni.explain_routing and omni.unassigned_work all use it; the router (C)
-- applies the same rules and sql/explain_routing.sql proves they agree.
CREATE FUNCTION omni._eligibility(a bigint, c omni.conversation, OUT reason text, OUT detail text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    s omni.agent_state;
    missing text;
    declines integer;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT * INTO s FROM omni.agent_state WHERE agent_id = a;
    IF NOT FOUND THEN
        reason := 'agent does not exist';
        detail := format('agent %s does not exist', a);
        RETURN;
    END IF;
    IF NOT s.logged_in THEN
        reason := 'not logged in';
        detail := format('agent %s is not logged in', a);
        RETURN;
    END IF;
    detail := omni._presence_refusal(a, w);
    IF detail IS NOT NULL THEN
        reason := 'presence not allowed';
        detail := format('agent %s is %s; workstream "%s" allows %s', a, detail, w.name,
                         array_to_string(w.allowed_presences, ', '));
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member WHERE queue = c.queue AND agent_id = a) THEN
        reason := 'not a member of the queue';
        detail := format('agent %s is not a member of queue "%s"', a, c.queue);
        RETURN;
    END IF;
    IF w.skill_match = 'exact' THEN
        SELECT k INTO missing FROM jsonb_each_text(c.required_skills) r(k, v)
         WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                            WHERE sk.agent_id = a AND sk.skill = r.k AND sk.proficiency >= r.v::integer)
         ORDER BY k LIMIT 1;
        IF missing IS NOT NULL THEN
            reason := 'missing skill';
            detail := format('agent %s lacks skill "%s" at proficiency %s', a, missing, c.required_skills ->> missing);
            RETURN;
        END IF;
    END IF;
    SELECT count(*) INTO declines FROM omni.offer
     WHERE conversation_id = c.id AND agent_id = a AND state IN ('rejected', 'expired');
    IF declines >= w.max_declines THEN
        reason := 'declined too often';
        detail := format('agent %s declined conversation %s %s times (max_declines %s)', a, c.id, declines, w.max_declines);
        RETURN;
    END IF;
    -- Capacity: omni._capacity_refusal (30_core.sql) words its refusals in
    -- three shapes; name each for a supervisor.
    detail := omni._capacity_refusal(a, c);
    reason := CASE WHEN detail IS NULL THEN NULL
                   WHEN detail LIKE '% capacity units free;%' THEN 'no free capacity'
                   WHEN detail LIKE '% items of capacity profile %(blocking)' THEN 'blocked by a capacity profile'
                   WHEN detail LIKE '% items of capacity profile %' THEN 'capacity profile full'
                   WHEN detail LIKE '% does not have capacity profile %' THEN 'no capacity profile'
                   ELSE 'no room' END;
END $$;
COMMENT ON FUNCTION omni._eligibility(bigint, omni.conversation) IS
    'The eligibility definition: (reason, detail) why an agent may not take a conversation now, reason NULL when it may (docs/routing.md, "Why not routed").';

-- Why agent a may not take conversation c now (NULL when it may), with the
-- numbers: the detail of omni._eligibility.
CREATE FUNCTION omni._eligibility_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT (omni._eligibility(a, c)).detail
$$;
COMMENT ON FUNCTION omni._eligibility_refusal(bigint, omni.conversation) IS
    'Why an agent may not take a conversation now (NULL when it may): the detail of omni._eligibility.';

-- Whether a custom queue's assignment rules let agent a take conversation c:
-- some rule's condition (NULL: any agent) matches the agent document the
-- router builds (docs/routing.md).  True for the other methods.
CREATE FUNCTION omni._custom_rules_match(a bigint, c omni.conversation) RETURNS boolean
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    doc jsonb;
BEGIN
    IF (SELECT q.assignment_method FROM omni.queue q WHERE q.name = c.queue) IS DISTINCT FROM 'custom' THEN
        RETURN true;
    END IF;
    SELECT jsonb_build_object('id', ag.id, 'name', ag.name, 'attributes', ag.attributes,
                              'presence', s.presence, 'base_status', p.base_status,
                              'capacity_units', ag.capacity_units, 'used_units', omni._used_units(ag.id),
                              'free_units', ag.capacity_units - omni._used_units(ag.id),
                              'skills', coalesce((SELECT jsonb_object_agg(k.skill, k.proficiency)
                                                    FROM omni.agent_skill k WHERE k.agent_id = ag.id), '{}'))
      INTO doc
      FROM omni.agent ag JOIN omni.agent_state s ON s.agent_id = ag.id
      JOIN omni.presence p ON p.name = s.presence
     WHERE ag.id = a;
    RETURN EXISTS (
        SELECT 1 FROM omni.assignment_rule r
         WHERE r.queue = c.queue
           AND (r.condition IS NULL
                OR coalesce(jsonb_path_match(doc, r.condition,
                                             jsonb_build_object('conversation', jsonb_build_object(
                                                 'id', c.id, 'priority', c.priority, 'required_skills', c.required_skills,
                                                 'context', c.context, 'queue', c.queue, 'workstream', c.workstream,
                                                 'channel', c.channel)),
                                             true), false)));
END $$;
COMMENT ON FUNCTION omni._custom_rules_match(bigint, omni.conversation) IS
    'Whether some custom assignment rule of the conversation''s queue matches the agent (always true for the other methods).';

-- Why not routed: one row per member of the conversation's queue.  The
-- conversation's own state comes first (not waiting, an offer pending), then
-- omni._eligibility, then the custom rules.
CREATE FUNCTION omni.explain_routing(conversation_id bigint)
    RETURNS TABLE (agent_id bigint, agent text, eligible boolean, reason text, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    pending omni.offer;
BEGIN
    SELECT * INTO c FROM omni.conversation cv WHERE cv.id = explain_routing.conversation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'conversation % does not exist', conversation_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('explain the routing of conversation ' || c.id,
                           format('Only admins and supervisors of queue "%s" may.', coalesce(c.queue, '(none)')));
    END IF;
    SELECT * INTO pending FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending';
    RETURN QUERY
    SELECT m.agent_id, a.name, r.reason IS NULL, r.reason, r.detail
      FROM omni.queue_member m JOIN omni.agent a ON a.id = m.agent_id
      CROSS JOIN LATERAL (
          SELECT e.reason, e.detail FROM (
              SELECT 1 AS step,
                     CASE WHEN c.state <> 'open' THEN 'not waiting for an agent'
                          WHEN pending.id IS NOT NULL AND pending.agent_id = m.agent_id THEN 'offered, awaiting an answer'
                          WHEN pending.id IS NOT NULL THEN 'offered to another agent' END AS reason,
                     CASE WHEN c.state <> 'open' THEN format('conversation %s is %s', c.id, c.state)
                          WHEN pending.id IS NOT NULL
                          THEN format('offer %s to agent %s is pending until %s', pending.id, pending.agent_id,
                                      pending.expires_at) END AS detail
              UNION ALL
              SELECT 2, el.reason, el.detail FROM omni._eligibility(m.agent_id, c) el
              UNION ALL
              SELECT 3, 'no custom rule matches',
                     format('no assignment rule of queue "%s" matches agent %s', c.queue, m.agent_id)
               WHERE NOT omni._custom_rules_match(m.agent_id, c)) e
           ORDER BY e.reason IS NULL, e.step
           LIMIT 1) r
     WHERE m.queue = c.queue
     ORDER BY m.agent_id;
END $$;
COMMENT ON FUNCTION omni.explain_routing(bigint) IS
    'Why not routed (SPEC §3): one row per member of the conversation''s queue with eligible and, when not, the first rule that excludes the agent in a supervisor''s words (not logged in, presence not allowed, missing skill, declined too often, no free capacity, capacity profile full, no custom rule matches, ...) and the numbers in detail. Supervisors of the queue and admins.';

-- What keeps an open conversation from an agent, in a supervisor's words
-- (omni.unassigned_work): a pending offer, nobody in the queue, or what
-- excludes the members (one reason shared by all of them, e.g. "no member
-- logged in", "nobody with the skill", "everyone declined"; else the counts).
-- NULL for a conversation that is not open.
CREATE FUNCTION omni._routing_block(conversation_id bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    m record;
    why text;
    counts jsonb := '{}';
    summary text;
BEGIN
    SELECT * INTO c FROM omni.conversation cv WHERE cv.id = _routing_block.conversation_id;
    IF NOT FOUND OR c.state <> 'open' OR NOT (omni._is_admin() OR omni._supervises_queue(c.queue)) THEN
        RETURN NULL;        -- not waiting, or not the caller's to know
    END IF;
    IF EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending') THEN
        RETURN 'offered, awaiting the agent''s answer';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member qm WHERE qm.queue = c.queue) THEN
        RETURN 'the queue has no members';
    END IF;
    -- Cheap cases first; then the members, logged-in ones first, until one
    -- is eligible.
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member qm JOIN omni.agent_state s ON s.agent_id = qm.agent_id
                    WHERE qm.queue = c.queue AND s.logged_in) THEN
        RETURN 'no member logged in';
    END IF;
    FOR m IN SELECT qm.agent_id FROM omni.queue_member qm JOIN omni.agent_state s ON s.agent_id = qm.agent_id
              WHERE qm.queue = c.queue ORDER BY s.logged_in DESC, qm.agent_id
    LOOP
        why := coalesce((omni._eligibility(m.agent_id, c)).reason,
                        CASE WHEN NOT omni._custom_rules_match(m.agent_id, c) THEN 'no custom rule matches' END);
        IF why IS NULL THEN      -- somebody may take it now
            RETURN CASE WHEN (SELECT w.mode FROM omni.workstream w WHERE w.name = c.workstream) = 'push'
                        THEN 'an agent is eligible: waiting for the next routing cycle'
                        ELSE 'waiting for an agent to pick it' END;
        END IF;
        counts := jsonb_set(counts, ARRAY[why], to_jsonb(coalesce((counts ->> why)::integer, 0) + 1));
    END LOOP;
    IF (SELECT count(*) FROM jsonb_object_keys(counts)) = 1 THEN   -- every member excluded for one reason
        why := (SELECT k FROM jsonb_object_keys(counts) k);
        RETURN CASE why
            WHEN 'presence not allowed' THEN 'no member in an allowed presence'
            WHEN 'missing skill' THEN 'nobody with the skill'
            WHEN 'declined too often' THEN 'everyone declined'
            WHEN 'no free capacity' THEN 'no member with free capacity'
            WHEN 'capacity profile full' THEN 'every member''s capacity profile is full'
            WHEN 'blocked by a capacity profile' THEN 'every member is blocked by a capacity profile'
            WHEN 'no capacity profile' THEN 'no member has the capacity profile'
            WHEN 'no custom rule matches' THEN 'custom rules match nobody'
            ELSE why END;
    END IF;
    SELECT string_agg(e.value || ' ' || e.key, ', ' ORDER BY e.value::integer DESC, e.key) INTO summary
      FROM jsonb_each_text(counts) e;
    RETURN 'no eligible member: ' || summary;
END $$;
COMMENT ON FUNCTION omni._routing_block(bigint) IS
    'What keeps an open conversation from an agent, in a supervisor''s words (omni.unassigned_work.blocked_by); NULL when not open or when the caller neither supervises its queue nor is an admin.';

-- Offers ------------------------------------------------------------------------------

-- The one path that writes offers, used by the router (C, one call per cycle
-- with every offer of the cycle) and by omni._make_offer (one offer): the
-- offer rows, the capacity holds (kind offer), the agents' and the queues'
-- rotation clocks, the 'offered' events, the routing decisions (restricted
-- to supervisors and admins: omni.offer_decision), NOTIFY omni_offer with ids
-- and state only, the agent's own channel (omni._notify_agent 'offer_made'), and
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
                                omni._notify_agent(u.a, 'offer_made',
                                                   jsonb_build_object('offer_id', u.id, 'conversation_id', u.c))) n
     ORDER BY u.id;
    -- Presence follows load (after the holds above are visible).
    PERFORM omni._follow_load(follow);
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
        PERFORM omni._deny(verb || ' offer ' || offer_id, 'Only the agent an offer is for may decide on it.');
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
    -- the item is taken now: it counts against an end_of_day profile
    PERFORM omni._count_profile_item(o.agent_id, (SELECT profile FROM omni.capacity_hold WHERE conversation_id = c.id));
    UPDATE omni.conversation
       SET state = ns, agent_id = o.agent_id, last_agent_id = o.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('accepted', c, offer => o.id, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(o.agent_id, 'offer_accepted',
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
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
    INSERT INTO omni.message (conversation_id, sender, agent_id, body, created_at)
    VALUES (c.id, sender, agent_id, body, t) RETURNING id INTO mid;
    UPDATE omni.conversation SET last_activity_at = t, message_count = message_count + 1 WHERE id = c.id;
    IF sender = 'agent' AND c.first_response_at IS NULL AND c.agent_id = post_message.agent_id THEN
        UPDATE omni.conversation SET first_response_at = t WHERE id = c.id RETURNING * INTO c;
        PERFORM omni._log('first_response', c, from_state => c.state,
                          detail => jsonb_build_object('message_id', mid));
    END IF;
    IF sender = 'customer' THEN
        IF c.state = 'waiting' THEN      -- the customer replied: back to the queue
            PERFORM omni._requeue(c, 'customer_reply', 'requeued', c.queue);
        END IF;
        PERFORM omni._score_customer_message(mid);
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
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', kind);
    END IF;
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
    PERFORM omni._end_consults(c, why => 'closed');
    UPDATE omni.conversation_participant SET left_at = t WHERE conversation_id = c.id AND left_at IS NULL;
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
    IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
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
        IF NOT (SELECT wrap_up_holds_capacity FROM omni.workstream WHERE name = c.workstream) THEN
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
    PERFORM omni._follow_load(a);
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
