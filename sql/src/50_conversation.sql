-- 50_conversation.sql — the conversation life cycle (SPEC §3, §5) except
-- the assignment algorithm itself, which lives in the router.  Part 1 of 3
-- (customers, classification, arrival, eligibility); 51_offers.sql and
-- 52_handling.sql follow.

-- Customers --------------------------------------------------------------------

-- The customer known at an address on a channel, or NULL: one probe of
-- customer_identity's primary key.  In C (src/row_read.c).
CREATE FUNCTION omni._customer_of(channel text, address text) RETURNS bigint
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_customer_of';
COMMENT ON FUNCTION omni._customer_of(text, text) IS
    'The customer known at this address on this channel, or NULL.';

-- The customer known at this address on this channel, created when new.
CREATE FUNCTION omni._customer_for(ch text, address text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    cid bigint;
BEGIN
    PERFORM omni._check_address(address);
    cid := omni._customer_of(ch, address);
    IF cid IS NULL THEN
        INSERT INTO omni.customer (name, created_at) VALUES (NULL, omni.now()) RETURNING id INTO cid;
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (ch, address, cid, omni.now())
        ON CONFLICT ON CONSTRAINT customer_identity_pkey DO NOTHING;
        IF NOT FOUND THEN   -- another session created it first: use theirs
            DELETE FROM omni.customer WHERE id = cid;
            cid := omni._customer_of(ch, address);
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
-- queue, else the workstream's default queue.  In C (src/classify.c): two
-- index probes of the rules in position order, one jsonb_path_match (silent)
-- per rule.
CREATE FUNCTION omni._classify(ws omni.workstream, ctx jsonb,
                               OUT priority integer, OUT required_skills jsonb, OUT queue text)
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_classify';
COMMENT ON FUNCTION omni._classify(omni.workstream, jsonb) IS
    'Classifies a context on a workstream: priority (100 unless a matching classify rule sets it), required skills (highest level of each over the matching rules), queue (first matching route rule, else the default queue).';

-- A workstream's row; unknown names are an error (22023).  In C
-- (src/row_lock.c): one probe of the primary key.
CREATE FUNCTION omni._workstream(name text) RETURNS omni.workstream
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_workstream';

-- A context must be a JSON object within omnichannel.max_context_bytes (as
-- JSON text) and omnichannel.max_context_depth (docs/security.md, "Limits").
-- In C (src/limits.c).
CREATE FUNCTION omni._check_context(ctx jsonb) RETURNS void
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_check_context';

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

