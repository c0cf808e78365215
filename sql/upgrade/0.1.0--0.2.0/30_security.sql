-- Security hardening (issue 10; docs/security.md).  Owner: security.
--
-- Who is a person: agents' and supervisors' roles must be LOGIN roles without
-- members; identity is exact (no pg_has_role membership); the limits; the
-- service role's least privilege (its own conversations, recorded in
-- conversation.created_by); neutral refusals for agents; agent_timeline runs
-- as the owner after its own check; refresh_kpis coalesces non-admin calls.

-- conversation.created_by: the role that created it.  Conversations of 0.1.0
-- get the actor of their first event (enqueued or bot_started).
ALTER TABLE omni.conversation ADD COLUMN created_by name;
COMMENT ON COLUMN omni.conversation.created_by IS
    'Role that created the conversation (enqueue, start_with_bot): a channel connector sees and acts on its own conversations only.';
UPDATE omni.conversation c SET created_by = e.actor
  FROM omni.event e
 WHERE e.conversation_id = c.id AND e.kind IN ('enqueued', 'bot_started');

-- conversation.message_count: the limit omnichannel.max_messages_per_conversation
-- is checked against it (O(1) per message), counted once here.
ALTER TABLE omni.conversation ADD COLUMN message_count integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN omni.conversation.message_count IS
    'Messages posted so far (bounded by omnichannel.max_messages_per_conversation).';
UPDATE omni.conversation c SET message_count = m.n
  FROM (SELECT conversation_id, count(*)::integer AS n FROM omni.message GROUP BY conversation_id) m
 WHERE m.conversation_id = c.id;

-- Authorization helpers and limits (30_core.sql) ---------------------------------
CREATE OR REPLACE FUNCTION omni._person_role_refusal(r name) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN ro.oid IS NULL THEN format('role "%s" does not exist', r)
                WHEN NOT ro.rolcanlogin THEN format('role "%s" cannot log in (NOLOGIN)', r)
                WHEN EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = ro.oid)
                    THEN format('role "%s" is a group role (other roles are members of it)', r)
           END
      FROM (SELECT r AS rolname) x LEFT JOIN pg_roles ro USING (rolname)
$$;
COMMENT ON FUNCTION omni._person_role_refusal(name) IS
    'Why a role may not act as one agent or supervisor (NULL when it may): it must exist, be LOGIN and have no members.';
CREATE OR REPLACE FUNCTION omni._check_person_role(r name, as_what text) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    refusal text := omni._person_role_refusal(r);
BEGIN
    IF refusal IS NULL THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
        RAISE EXCEPTION 'role "%" does not exist', r
            USING ERRCODE = 'undefined_object', HINT = 'Create the login role first.';
    END IF;
    RAISE EXCEPTION 'role "%" cannot act as %', r, as_what
        USING ERRCODE = 'invalid_role_specification', DETAIL = refusal || '.',
              HINT = 'Use the login role of one person (CREATE ROLE ... LOGIN IN ROLE omnichannel_agent).';
END $$;
COMMENT ON FUNCTION omni._check_person_role(name, text) IS
    'Raises 42704 (no such role) or 0P000 (NOLOGIN or group role) unless the role may act as one agent or supervisor.';
CREATE OR REPLACE FUNCTION omni._is_person(r name) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles ro ON ro.oid = m.roleid WHERE ro.rolname = r)
$$;
COMMENT ON FUNCTION omni._is_person(name) IS 'Whether no role is a member of the role (it acts as one person).';
CREATE OR REPLACE FUNCTION omni._supervises_queue(q text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_supervisor s
                    WHERE s.queue = q AND s.db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name())
$$;
COMMENT ON FUNCTION omni._supervises_queue(text) IS 'Whether the caller supervises the queue.';
CREATE OR REPLACE FUNCTION omni._supervises_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_member m JOIN omni.queue_supervisor s USING (queue)
                    WHERE m.agent_id = a AND s.db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name())
$$;
COMMENT ON FUNCTION omni._supervises_agent(bigint) IS 'Whether the caller supervises a queue the agent belongs to.';
CREATE OR REPLACE FUNCTION omni._is_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.agent WHERE id = a AND db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name())
$$;
COMMENT ON FUNCTION omni._is_agent(bigint) IS 'Whether the caller is the database role of that agent.';
CREATE OR REPLACE FUNCTION omni._authorize_agent(a bigint, what text, supervisors_too boolean) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF a IS NULL THEN
        RAISE EXCEPTION 'agent id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF omni._is_agent(a) OR omni._is_admin() OR (supervisors_too AND omni._supervises_agent(a)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what, format('Role "%s" does not act for agent %s.', omni._caller_name(), a));
END $$;
CREATE OR REPLACE FUNCTION omni._authorize_target_agent(a bigint, c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF a IS NULL THEN
        RAISE EXCEPTION 'agent id must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF omni._is_admin() OR omni._supervises_agent(a)
       OR (c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)
           AND EXISTS (SELECT 1 FROM omni.queue_member m WHERE m.queue = c.queue AND m.agent_id = a)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' agent ' || a,
                       'Supervisors direct work only to agents of the queues they supervise; agents transfer only to members of the conversation''s queue.');
END $$;
COMMENT ON FUNCTION omni._authorize_target_agent(bigint, omni.conversation, text) IS
    'Whether the caller may direct conversation c to agent a: admins; supervisors of one of a''s queues; c''s agent to members of c''s queue.';
CREATE OR REPLACE FUNCTION omni._authorize_service(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF omni._is_admin() OR (omni._is_service() AND c.created_by = omni._caller_name()) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       'Channel connectors and bots act only on the conversations they created.');
END $$;
COMMENT ON FUNCTION omni._authorize_service(omni.conversation, text) IS
    'Whether the caller may act for the customer or bot of a conversation: admins, and the service role that created it.';
CREATE OR REPLACE FUNCTION omni._limit(name text) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_limit';
COMMENT ON FUNCTION omni._limit(text) IS
    'Value of the limit omnichannel.<name> (max_context_bytes, max_context_depth, max_address_bytes, max_message_bytes, max_messages_per_conversation, kpi_refresh_min_interval).';
CREATE OR REPLACE FUNCTION omni._jsonb_depth(jsonb) RETURNS integer
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_jsonb_depth';
COMMENT ON FUNCTION omni._jsonb_depth(jsonb) IS 'How deeply arrays and objects nest in a JSON value (a scalar is 0).';
CREATE OR REPLACE FUNCTION omni._check_address(address text) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF address IS NULL OR btrim(address) = '' THEN
        RAISE EXCEPTION 'customer address must not be empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF octet_length(address) > omni._limit('max_address_bytes') THEN
        RAISE EXCEPTION 'customer address is % bytes; the limit is % bytes', octet_length(address),
                        omni._limit('max_address_bytes')
            USING ERRCODE = 'string_data_right_truncation', HINT = 'The limit is omnichannel.max_address_bytes.';
    END IF;
END $$;
COMMENT ON FUNCTION omni._check_address(text) IS
    'Refuses an empty customer address (22023) or one longer than omnichannel.max_address_bytes (22001).';
CREATE OR REPLACE FUNCTION omni._next_state(c omni.conversation, op text) RETURNS omni.conversation_state
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    s omni.conversation_state;
    by_whom text := omni._served_by(c);
BEGIN
    SELECT to_state INTO s FROM omni.conversation_transition
     WHERE operation = op AND from_state = c.state AND served_by IN ('any', by_whom);
    IF NOT FOUND THEN
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
    END IF;
    RETURN s;
END $$;
CREATE OR REPLACE FUNCTION omni._hold_capacity(a bigint, c omni.conversation, hold_kind text,
                                    override boolean DEFAULT false) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream;
    refusal text;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    refusal := omni._capacity_refusal(a, c);
    IF refusal IS NOT NULL AND NOT override THEN
        -- the load of a colleague is for itself, its supervisors and admins
        RAISE EXCEPTION 'agent % has no room for conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = CASE WHEN omni._is_agent(a) OR omni._is_admin() OR omni._supervises_agent(a)
                                THEN refusal || '.' ELSE 'Its capacity is taken.' END,
                  HINT = 'A supervisor may use omni.assign(conversation, agent, override_capacity => true).';
    END IF;
    INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)
    VALUES (c.id, a, w.capacity_units, w.capacity_profile, omni.now(), hold_kind, override AND refusal IS NOT NULL)
    ON CONFLICT (conversation_id) DO UPDATE
       SET agent_id = EXCLUDED.agent_id, units = EXCLUDED.units, profile = EXCLUDED.profile,
           since = EXCLUDED.since, kind = EXCLUDED.kind, override = EXCLUDED.override;
    IF hold_kind = 'work' AND w.capacity_profile IS NOT NULL
       AND (SELECT reset FROM omni.capacity_profile WHERE name = w.capacity_profile) = 'end_of_day' THEN
        INSERT INTO omni.capacity_profile_use AS u (agent_id, profile, day, items)
        VALUES (a, w.capacity_profile, (omni.now() AT TIME ZONE 'UTC')::date, 1)
        ON CONFLICT (agent_id, profile, day) DO UPDATE SET items = u.items + 1;
    END IF;
END $$;
REVOKE ALL ON FUNCTION omni._person_role_refusal(name), omni._check_person_role(name, text),
    omni._authorize_target_agent(bigint, omni.conversation, text), omni._authorize_service(omni.conversation, text),
    omni._limit(text), omni._jsonb_depth(jsonb), omni._check_address(text) FROM PUBLIC;
-- omni._is_person is called by omni.supervised_queues() as the querying role.
GRANT EXECUTE ON FUNCTION omni._is_person(name) TO PUBLIC;

-- Configuration triggers (10_config.sql) ------------------------------------------
CREATE OR REPLACE FUNCTION omni._check_agent() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    IF NEW.db_role IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.db_role IS DISTINCT FROM OLD.db_role) THEN
        PERFORM omni._check_person_role(NEW.db_role, 'an agent');
    END IF;
    IF NEW.default_presence IS NOT NULL
       AND (SELECT system_only FROM omni.presence WHERE name = NEW.default_presence) THEN
        RAISE EXCEPTION 'presence "%" is set only by the system and cannot be a default', NEW.default_presence
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION omni._check_queue_supervisor() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._check_person_role(NEW.db_role, 'a supervisor');
    RETURN NEW;
END $$;

-- Rows configured under 0.1.0 with roles that no longer qualify stay, but
-- group roles stop counting at once (fail closed); say which ones.
DO $warn$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT 'omni.agent ' || a.id AS what, a.db_role, omni._person_role_refusal(a.db_role) AS why
               FROM omni.agent a WHERE a.db_role IS NOT NULL AND omni._person_role_refusal(a.db_role) IS NOT NULL
             UNION ALL
             SELECT 'omni.queue_supervisor ' || s.queue, s.db_role, omni._person_role_refusal(s.db_role)
               FROM omni.queue_supervisor s WHERE omni._person_role_refusal(s.db_role) IS NOT NULL
    LOOP
        RAISE WARNING '% names role "%", which cannot act as one person: %', r.what, r.db_role, r.why
            USING HINT = 'Point it at a person''s LOGIN role without members (docs/security.md, "Who is a person").';
    END LOOP;
END
$warn$;

-- Conversations (50_conversation.sql) -----------------------------------------------
CREATE OR REPLACE FUNCTION omni._customer_for(ch text, address text) RETURNS bigint
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
CREATE OR REPLACE FUNCTION omni.link_customer(customer_id bigint, channel text, address text) RETURNS void
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
    -- A connector links only customers of conversations it created.
    IF NOT omni._is_admin() AND NOT EXISTS (SELECT 1 FROM omni.conversation c
                                             WHERE c.customer_id = link_customer.customer_id
                                               AND c.created_by = omni._caller_name()) THEN
        PERFORM omni._deny('link customer ' || customer_id,
                           'Channel connectors link only customers of the conversations they created.');
    END IF;
    PERFORM omni._check_address(address);
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
CREATE OR REPLACE FUNCTION omni._check_context(ctx jsonb) RETURNS void
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
CREATE OR REPLACE FUNCTION omni.enqueue(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
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
CREATE OR REPLACE FUNCTION omni.start_with_bot(workstream text, customer text, context jsonb DEFAULT '{}') RETURNS bigint
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
CREATE OR REPLACE FUNCTION omni.escalate(conversation_id bigint, context jsonb DEFAULT NULL) RETURNS text
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
CREATE OR REPLACE FUNCTION omni._pending_offer_for_caller(offer_id bigint, verb text) RETURNS omni.offer
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
CREATE OR REPLACE FUNCTION omni.pick(agent_id bigint, conversation_id bigint) RETURNS void
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
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.pick(bigint, bigint) IS
    'An agent takes an open conversation from its queue; eligibility and capacity are checked atomically.';
CREATE OR REPLACE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
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
    IF sender = 'agent' AND (c.agent_id IS DISTINCT FROM post_message.agent_id OR c.state NOT IN ('active', 'wrap_up')) THEN
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
CREATE OR REPLACE FUNCTION omni._authorize_handling(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF (c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_admin()
       OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       'Only the agent holding the conversation, a supervisor of its queue or an admin may do this.');
END $$;
CREATE OR REPLACE FUNCTION omni.close_conversation(id bigint) RETURNS void
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
CREATE OR REPLACE FUNCTION omni.abandon(id bigint) RETURNS void
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
CREATE OR REPLACE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
    ns omni.conversation_state;
    from_agent bigint := c.agent_id;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    PERFORM omni._authorize_target_agent(agent_id, c, 'transfer conversation ' || c.id || ' to');
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
    -- The receiving agent's presence must allow work on this workstream
    -- (allowed_presences; by default Available and Busy, not Away or DND).
    IF NOT (SELECT p.base_status = ANY (w.allowed_presences)
              FROM omni.agent_state s JOIN omni.presence p ON p.name = s.presence
              JOIN omni.workstream w ON w.name = c.workstream
             WHERE s.agent_id = transfer_to_agent.agent_id) THEN
        RAISE EXCEPTION 'agent % is not available for work; cannot receive conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Its presence is %s.', (SELECT s.presence FROM omni.agent_state s
                                                           WHERE s.agent_id = transfer_to_agent.agent_id)),
                  HINT = 'Transfer to an agent whose presence the workstream allows, or to a queue.';
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

-- Supervisors (60_supervisor.sql) ----------------------------------------------------
CREATE OR REPLACE FUNCTION omni.assign(conversation_id bigint, agent_id bigint, override_capacity boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
    ns omni.conversation_state;
    o bigint;
    total integer;
    before_units integer;
    refusal text;
    t timestamptz := omni.now();
BEGIN
    PERFORM omni._authorize_supervision(c, 'assign');
    ns := omni._next_state(c, 'assign');
    PERFORM omni._authorize_target_agent(agent_id, c, 'assign conversation ' || c.id || ' to');
    IF NOT EXISTS (SELECT 1 FROM omni.agent a WHERE a.id = assign.agent_id) THEN
        RAISE EXCEPTION 'agent % does not exist', agent_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT id INTO o FROM omni.offer f WHERE f.conversation_id = c.id AND f.state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', 'assigned by supervisor');
    END IF;
    PERFORM omni._lock_agent(agent_id);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = assign.agent_id) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be assigned conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT capacity_units INTO total FROM omni.agent a WHERE a.id = assign.agent_id;
    before_units := omni._used_units(agent_id);
    refusal := omni._capacity_refusal(agent_id, c);
    PERFORM omni._hold_capacity(agent_id, c, 'work', override_capacity);
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = assign.agent_id;
    UPDATE omni.conversation
       SET state = ns, agent_id = assign.agent_id, last_agent_id = assign.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('assigned', c, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at),
                                                   'override_capacity', refusal IS NOT NULL AND override_capacity,
                                                   'refusal', refusal,
                                                   'units_before', before_units,
                                                   'units_after', omni._used_units(agent_id),
                                                   'capacity_units', total));
    PERFORM omni._follow_load(agent_id);
END $$;
COMMENT ON FUNCTION omni.assign(bigint, bigint, boolean) IS
    'Supervisor assigns an open conversation to a logged-in agent (active at once). override_capacity lets it exceed capacity; audited with before/after units.';

-- KPIs (85_kpi.sql) ------------------------------------------------------------------
CREATE OR REPLACE FUNCTION omni.refresh_kpis() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    st omni.kpi_state;
    snap pg_snapshot;
    hi bigint;
    ids bigint[];
    seen bigint[];
    new_gaps bigint[];
    keep_gaps bigint[] := '{}';
    keep_horizons xid8[] := '{}';
    i integer;
    started timestamptz := clock_timestamp();
BEGIN
    -- One refresher at a time; the others return at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('omnichannel.refresh_kpis')) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    -- Coalescing (docs/security.md, "Limits"): a non-admin caller gets NULL
    -- when the last refresh finished less than kpi_refresh_min_interval ago.
    IF NOT omni._is_admin() AND st.refreshed_at IS NOT NULL
       AND st.refreshed_at + coalesce(st.last_duration_ms, 0) * interval '1 ms'
           > omni.now() - omni._limit('kpi_refresh_min_interval') * interval '1 ms' THEN
        RETURN NULL;
    END IF;
    -- One statement, one snapshot: the events visible now above last_id.
    SELECT pg_current_snapshot(), coalesce(max(e.id), st.last_id),
           coalesce(array_agg(e.id ORDER BY e.id), '{}')
      INTO snap, hi, seen
      FROM omni.event e WHERE e.id > st.last_id;
    hi := greatest(hi, st.last_id);
    ids := ARRAY(SELECT x FROM unnest(seen) x WHERE NOT x = ANY (st.done_above));
    -- Old gaps still invisible: keep while their writer may still commit.
    FOR i IN 1 .. coalesce(array_length(st.gaps, 1), 0) LOOP
        IF NOT st.gaps[i] = ANY (seen) AND pg_snapshot_xmin(snap) < st.gap_horizons[i] THEN
            keep_gaps := keep_gaps || st.gaps[i];
            keep_horizons := keep_horizons || st.gap_horizons[i];
        END IF;
    END LOOP;
    -- New gaps: ids below hi we have not seen, above what earlier refreshes knew.
    new_gaps := ARRAY(SELECT g FROM generate_series(greatest(st.last_id, coalesce(
                          (SELECT max(x) FROM unnest(st.done_above || st.gaps) x), st.last_id)) + 1, hi) g
                       WHERE NOT g = ANY (seen));
    keep_gaps := keep_gaps || new_gaps;
    keep_horizons := keep_horizons || array_fill(pg_snapshot_xmax(snap), ARRAY[coalesce(array_length(new_gaps, 1), 0)]);
    IF cardinality(ids) > 0 THEN
        PERFORM omni._kpi_add(ids, '-infinity', 'infinity');
    END IF;
    UPDATE omni.kpi_state
       SET last_id = coalesce((SELECT min(x) FROM unnest(keep_gaps) x) - 1, hi),
           done_above = ARRAY(SELECT x FROM unnest(st.done_above || ids) x
                               WHERE x >= (SELECT min(y) FROM unnest(keep_gaps) y) ORDER BY x),
           gaps = keep_gaps, gap_horizons = keep_horizons,
           refreshed_at = omni.now(), events_processed = events_processed + cardinality(ids),
           last_events = cardinality(ids);
    PERFORM omni._kpi_refresh_views();
    UPDATE omni.kpi_state SET last_duration_ms = extract(epoch FROM clock_timestamp() - started) * 1000;
    RETURN cardinality(ids);
END $$;
COMMENT ON FUNCTION omni.refresh_kpis() IS
    'Adds the events since the last refresh to the KPI rollups and refreshes the intraday views concurrently. Returns the events counted, or NULL when another refresh is running or (for non-admins) one finished less than omnichannel.kpi_refresh_min_interval ago. The background worker calls it every omnichannel.kpi_refresh_interval.';
CREATE OR REPLACE FUNCTION omni.agent_timeline(agent_id bigint, "from" timestamptz DEFAULT omni.now() - interval '12 hours',
                                    "to" timestamptz DEFAULT omni.now())
    RETURNS TABLE (agent_id bigint, started_at timestamptz, ended_at timestamptz, duration_s double precision,
                   presence text, base_status omni.base_status, capacity_units integer, used_units integer,
                   free_units integer, active_items integer, wrap_up_items integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
-- Reads the whole log as the owner: the agent itself, its supervisors and admins only.
SELECT omni._authorize_agent(agent_timeline.agent_id, 'read the timeline of agent ' || agent_timeline.agent_id, true);
WITH seg AS (   -- work the agent held: [at, next state event)
    SELECT p.at AS s_at, coalesce(n.at, 'infinity') AS e_at, p.to_state,
           CASE WHEN p.to_state = 'active' OR w.wrap_up_holds_capacity THEN w.capacity_units ELSE 0 END AS units
      FROM omni.event p
      JOIN omni.conversation c ON c.id = p.conversation_id
      JOIN omni.workstream w ON w.name = c.workstream
      LEFT JOIN LATERAL (SELECT x.at FROM omni.event x
                          WHERE x.conversation_id = p.conversation_id AND x.id > p.id
                            AND omni._kpi_is_state_event(x.kind)
                          ORDER BY x.id LIMIT 1) n ON true
     WHERE p.agent_id = agent_timeline.agent_id AND p.conversation_id IS NOT NULL
       AND p.at < "to" AND p.at >= "from" - interval '7 days'
       AND omni._kpi_is_state_event(p.kind) AND p.to_state IN ('active', 'wrap_up')
       AND coalesce(n.at, 'infinity') > "from"),
pres AS (       -- presence intervals
    SELECT h.presence, h.base_status, h.started_at AS s_at, coalesce(h.ended_at, 'infinity') AS e_at
      FROM omni.presence_history h
     WHERE h.agent_id = agent_timeline.agent_id AND h.started_at < "to" AND coalesce(h.ended_at, 'infinity') > "from"),
cuts AS (
    SELECT DISTINCT t FROM (
        SELECT "from" AS t UNION ALL SELECT s_at FROM seg UNION ALL SELECT e_at FROM seg
        UNION ALL SELECT s_at FROM pres UNION ALL SELECT e_at FROM pres) x
     WHERE t >= "from" AND t < "to"),
iv AS (SELECT t AS s_at, coalesce(lead(t) OVER (ORDER BY t), "to") AS e_at FROM cuts)
SELECT agent_timeline.agent_id, iv.s_at, iv.e_at, extract(epoch FROM iv.e_at - iv.s_at)::double precision,
       p.presence, p.base_status, a.capacity_units,
       coalesce(sum(seg.units), 0)::integer, (a.capacity_units - coalesce(sum(seg.units), 0))::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'active')::integer,
       count(seg.s_at) FILTER (WHERE seg.to_state = 'wrap_up')::integer
  FROM iv
  JOIN omni.agent a ON a.id = agent_timeline.agent_id
  LEFT JOIN pres p ON p.s_at <= iv.s_at AND p.e_at > iv.s_at
  LEFT JOIN seg ON seg.s_at <= iv.s_at AND seg.e_at > iv.s_at
 WHERE iv.e_at > iv.s_at
 GROUP BY iv.s_at, iv.e_at, p.presence, p.base_status, a.capacity_units
 ORDER BY iv.s_at
$$;
COMMENT ON FUNCTION omni.agent_timeline(bigint, timestamptz, timestamptz) IS
    'Capacity-and-status timeline of an agent: one row per interval in which its presence and the work it holds stay the same (default: the last 12 hours).';

-- Row-level security and privileges (70_security.sql) ---------------------------------
CREATE OR REPLACE FUNCTION omni._sees_everything() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'omnichannel_admin', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._sees_everything() IS 'Row-level security: admins (and superusers) see every row.';
CREATE OR REPLACE FUNCTION omni.supervised_queues() RETURNS SETOF text
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT queue FROM omni.queue_supervisor
     WHERE db_role = current_user AND omni._is_person(current_user)
$$;
COMMENT ON FUNCTION omni.supervised_queues() IS 'Queues the current role supervises.';

REVOKE SELECT ON omni.agent, omni.agent_skill, omni.agent_capacity_profile, omni.queue_member,
    omni.queue_supervisor, omni.agent_state, omni.presence_history, omni.conversation_participant,
    omni.offer, omni.capacity_hold, omni.capacity_profile_use, omni.event FROM omnichannel_service;
REVOKE EXECUTE ON FUNCTION omni.login(bigint), omni.logout(bigint), omni.set_presence(bigint, text),
    omni.accept(bigint), omni.reject(bigint), omni.pick(bigint, bigint), omni.end_conversation(bigint),
    omni.set_waiting(bigint), omni.resume(bigint), omni.transfer(bigint, text),
    omni.transfer_to_agent(bigint, bigint) FROM omnichannel_service;

CREATE POLICY service_own ON omni.conversation FOR SELECT TO omnichannel_service
    USING (created_by = current_user);
DROP POLICY via_conversation ON omni.message;
CREATE POLICY via_conversation ON omni.message FOR SELECT TO omnichannel_agent, omnichannel_supervisor, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.id = conversation_id));
DROP POLICY agent_customers ON omni.customer;
CREATE POLICY agent_customers ON omni.customer FOR SELECT TO omnichannel_agent, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = customer.id));
DROP POLICY agent_customers ON omni.customer_identity;
CREATE POLICY agent_customers ON omni.customer_identity FOR SELECT TO omnichannel_agent, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = customer_identity.customer_id));
