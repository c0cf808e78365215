-- 30_core.sql — the shared helpers every runtime function uses:
-- who is calling, the event log, the conversation state machine, agent
-- locking, capacity and presence-follows-load.  One way to do each thing.

-- Who is calling --------------------------------------------------------------

-- The caller's role name as db_role columns and the event log store it (C:
-- regrole's text output would quote a name such as "Ann").
CREATE FUNCTION omni._caller_name() RETURNS name
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'omni_caller_name';

-- The authorization primitives are in C (src/caller.c): state changes ask
-- them several times per call, and a SQL function called from PL/pgSQL is
-- parsed and planned again on every call.
CREATE FUNCTION omni._is_admin() RETURNS boolean
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'omni_is_admin';
COMMENT ON FUNCTION omni._is_admin() IS 'Whether the caller is a superuser or an omnichannel admin.';

CREATE FUNCTION omni._is_service() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._is_admin() OR pg_has_role(omni.caller(), 'omnichannel_service', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._is_service() IS
    'Whether the caller may act for customers and bots (channel connectors): omnichannel_service members and admins.';

-- Person roles (docs/security.md, "Who is a person").  A role acts as an agent
-- (omni.agent.db_role) or a supervisor (omni.queue_supervisor.db_role) only
-- if it can log in and no role is a member of it: a group role would make
-- every member that person.  Configuration refuses other roles; the checks
-- below also fail closed when a configured role later gains members.
-- Identity is exact (the caller's role name equals db_role): for a role
-- without members that is what pg_has_role(caller, db_role, 'MEMBER') means,
-- without its superuser shortcut (a superuser is an admin anyway).
CREATE FUNCTION omni._person_role_refusal(r name) RETURNS text
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

CREATE FUNCTION omni._check_person_role(r name, as_what text) RETURNS void
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

-- Whether the role has no members (a person); the authorization checks use it.
CREATE FUNCTION omni._is_person(r name) RETURNS boolean
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'omni_is_person';
COMMENT ON FUNCTION omni._is_person(name) IS 'Whether no role is a member of the role (it acts as one person).';

CREATE FUNCTION omni._supervises_queue(q text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_supervisor s
                    WHERE s.queue = q AND s.db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name())
$$;
COMMENT ON FUNCTION omni._supervises_queue(text) IS 'Whether the caller supervises the queue.';

CREATE FUNCTION omni._supervises_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM omni.queue_member m JOIN omni.queue_supervisor s USING (queue)
                    WHERE m.agent_id = a AND s.db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name())
$$;
COMMENT ON FUNCTION omni._supervises_agent(bigint) IS 'Whether the caller supervises a queue the agent belongs to.';

-- Whether the caller is agent a's db_role and a person: C (src/caller.c), one
-- primary-key probe, as it is asked on every notification and authorization.
CREATE FUNCTION omni._is_agent(a bigint) RETURNS boolean
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'omni_is_agent';
COMMENT ON FUNCTION omni._is_agent(bigint) IS 'Whether the caller is the database role of that agent.';

-- For row-level security: the agent the current role acts as (NULL if none).
CREATE FUNCTION omni.current_agent_id() RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT id FROM omni.agent WHERE db_role = current_user $$;
COMMENT ON FUNCTION omni.current_agent_id() IS 'Agent whose db_role is the current role, or NULL.';

CREATE FUNCTION omni._deny(what text, detail text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permission denied to %', what
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = coalesce(detail, format('Role "%s" may not do this.', omni._caller_name()));
END $$;

-- Authorization for acting on an agent: the agent itself, admins, and (when
-- supervisors_too) supervisors of one of the agent's queues.
CREATE FUNCTION omni._authorize_agent(a bigint, what text, supervisors_too boolean) RETURNS void
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

-- Authorization to direct work to agent a (omni.assign, omni.transfer_to_agent):
-- admins to anyone; supervisors to agents of the queues they supervise; the
-- agent holding conversation c to members of c's queue.  The capacity
-- override of omni.assign is therefore a supervisor power within its queues.
CREATE FUNCTION omni._authorize_target_agent(a bigint, c omni.conversation, what text) RETURNS void
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

-- Authorization for a channel connector or bot acting on a conversation:
-- admins, and the service role that created it (omni.conversation.created_by).
CREATE FUNCTION omni._authorize_service(c omni.conversation, what text) RETURNS void
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

-- Limits (docs/security.md, "Limits") -------------------------------------------

-- omni._limit(name): the value of the GUC omnichannel.<name> (src/limits.c).
CREATE FUNCTION omni._limit(name text) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'omni_limit';
COMMENT ON FUNCTION omni._limit(text) IS
    'Value of the limit omnichannel.<name> (max_context_bytes, max_context_depth, max_address_bytes, max_message_bytes, max_messages_per_conversation, kpi_refresh_min_interval).';

CREATE FUNCTION omni._jsonb_depth(jsonb) RETURNS integer
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_jsonb_depth';
COMMENT ON FUNCTION omni._jsonb_depth(jsonb) IS 'How deeply arrays and objects nest in a JSON value (a scalar is 0).';

-- A customer address must be non-empty and within omnichannel.max_address_bytes.
CREATE FUNCTION omni._check_address(address text) RETURNS void
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_check_address';
COMMENT ON FUNCTION omni._check_address(text) IS
    'Refuses an empty customer address (22023) or one longer than omnichannel.max_address_bytes (22001).';

-- Event log -------------------------------------------------------------------

-- The one way to append one event of a conversation (omni._log_agent: of an
-- agent).  In C (src/event_log.c): the row goes into omni.event without a
-- statement of its own, as logical replication applies one; a table with
-- triggers, extra columns or policies for the caller gets a prepared INSERT.
-- The offer and presence writers (C too) append theirs through the same
-- code (omni_log_conversation_event, omni_log_agent_event).
CREATE FUNCTION omni._log(kind text, c omni.conversation, agent bigint DEFAULT NULL,
                          offer bigint DEFAULT NULL, from_state omni.conversation_state DEFAULT NULL,
                          detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_log';
COMMENT ON FUNCTION omni._log(text, omni.conversation, bigint, bigint, omni.conversation_state, jsonb) IS
    'Appends an event of conversation c (its queue, channel and state now; its agent unless agent is given), at omni.now(), by the caller.';

CREATE FUNCTION omni._log_agent(kind text, agent bigint, detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_log_agent';
COMMENT ON FUNCTION omni._log_agent(text, bigint, jsonb) IS
    'Appends an event of an agent (no conversation), at omni.now(), by the caller.';

-- Agent desktop push -----------------------------------------------------------

-- The one way to tell an agent's desktop something happened (SPEC §3): NOTIFY
-- on omni_agent_<agent_id>.  Any database user can LISTEN to any channel, so
-- the payload carries the kind and ids only (never text, names or scores);
-- the desktop reads the rest through row-level security.  Delivered at commit.
-- What the agent's own role did is not echoed: the call returned its result
-- to the desktop that made it, and every notifying commit holds PostgreSQL's
-- notify lock until its WAL is flushed, which offers then wait behind
-- (docs/agent-events.md).
-- In C (src/notify.c): every offer, accept and close calls it.
CREATE FUNCTION omni._notify_agent(agent bigint, kind text, ids jsonb DEFAULT '{}') RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_notify_agent';
COMMENT ON FUNCTION omni._notify_agent(bigint, text, jsonb) IS
    'NOTIFY omni_agent_<agent_id> with {kind, agent_id, ...ids}: ids and kinds only, never text or names; nothing when the caller is that agent''s own role.';

-- Conversation state machine ---------------------------------------------------

CREATE TABLE omni.conversation_transition (
    operation   text NOT NULL,
    from_state  omni.conversation_state NOT NULL,
    served_by   text NOT NULL DEFAULT 'any' CHECK (served_by IN ('any', 'agent', 'bot')),
    to_state    omni.conversation_state NOT NULL,
    builtin     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (operation, from_state, served_by)
);
COMMENT ON TABLE omni.conversation_transition IS
    'The conversation state machine: which operation may move a conversation from which state to which. Every function checks it.';
COMMENT ON COLUMN omni.conversation_transition.operation IS 'Operation name (accept, end, transfer ...).';
COMMENT ON COLUMN omni.conversation_transition.from_state IS 'State the operation is allowed from.';
COMMENT ON COLUMN omni.conversation_transition.served_by IS
    'For active conversations: whether the row applies to one served by an agent, by a bot, or either (any).';
COMMENT ON COLUMN omni.conversation_transition.to_state IS 'Resulting state.';
COMMENT ON COLUMN omni.conversation_transition.builtin IS 'true: shipped with the extension (not in a dump; CREATE EXTENSION recreates it).';

INSERT INTO omni.conversation_transition (operation, from_state, served_by, to_state) VALUES
    ('offer',             'open',    'any',   'open'),
    ('accept',            'open',    'any',   'active'),
    ('pick',              'open',    'any',   'active'),
    ('assign',            'open',    'any',   'active'),
    ('escalate',          'active',  'bot',   'open'),
    ('bot_close',         'active',  'bot',   'closed'),
    ('bot_abandon',       'active',  'bot',   'closed'),
    ('end',               'active',  'agent', 'wrap_up'),
    ('customer_left',     'active',  'agent', 'wrap_up'),
    ('set_waiting',       'active',  'agent', 'waiting'),
    ('transfer',          'active',  'agent', 'open'),
    ('transfer',          'open',    'any',   'open'),
    ('transfer_to_agent', 'active',  'agent', 'active'),
    ('close',             'wrap_up', 'any',   'closed'),
    ('abandon',           'open',    'any',   'closed'),
    ('abandon',           'waiting', 'any',   'closed'),
    ('resume',            'waiting', 'any',   'active'),
    ('customer_reply',    'waiting', 'any',   'open'),
    ('monitor',           'open',    'any',   'open'),
    ('monitor',           'active',  'any',   'active'),
    ('monitor',           'waiting', 'any',   'waiting'),
    ('monitor',           'wrap_up', 'any',   'wrap_up'),
    ('force_close',       'open',    'any',   'closed'),
    ('force_close',       'active',  'any',   'closed'),
    ('force_close',       'waiting', 'any',   'closed'),
    ('force_close',       'wrap_up', 'any',   'closed'),
    ('auto_close',        'open',    'any',   'closed'),
    ('auto_close',        'waiting', 'any',   'closed'),
    ('auto_close',        'wrap_up', 'any',   'closed'),
    ('overflow_close',    'open',    'any',   'closed'),
    ('overflow_transfer', 'open',    'any',   'open');

-- Lock a conversation for a state change: its row, locked as SELECT ... FOR
-- UPDATE locks it; unknown ids are an error (22023).  In C (src/row_lock.c):
-- accept, end and close each start with it.
CREATE FUNCTION omni._lock_conversation(conv bigint) RETURNS omni.conversation
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_lock_conversation';

-- Who serves an active conversation ('agent' or 'bot'); 'any' otherwise.
-- omni._next_state (C, src/transitions.c) applies the same rule.
CREATE FUNCTION omni._served_by(c omni.conversation) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN c.state <> 'active' THEN 'any' WHEN c.agent_id IS NULL THEN 'bot' ELSE 'agent' END
$$;

-- The state an operation leads to from the conversation's current state, or
-- an error naming the conversation, its state and the operation.  In C
-- (src/transitions.c): one probe of omni.conversation_transition's key,
-- with the conversation served as omni._served_by says; the error is
-- omni._transition_refused's.
CREATE FUNCTION omni._next_state(c omni.conversation, op text) RETURNS omni.conversation_state
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_next_state';

-- The error of an operation no transition allows from the conversation's
-- state (omni._next_state found none): worded for the caller, with the
-- states the operation is allowed from.
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

-- Agents: locking, capacity, presence -------------------------------------------

-- Lock an agent's runtime row: every change to its load or presence goes
-- through this lock, so two sessions can never push it over capacity.  As
-- SELECT ... FOR UPDATE locks it; unknown agents are an error (22023).  In C
-- (src/row_lock.c), as omni._lock_conversation.
CREATE FUNCTION omni._lock_agent(a bigint) RETURNS omni.agent_state
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_lock_agent';

-- An offer, locked FOR UPDATE after its conversation (the order every path
-- keeps); unknown offers are an error (22023).  In C (src/row_lock.c).
CREATE FUNCTION omni._lock_offer(offer_id bigint) RETURNS omni.offer
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_lock_offer';
COMMENT ON FUNCTION omni._lock_offer(bigint) IS
    'The offer, locked FOR UPDATE (its conversation is locked first); an unknown offer is an error (22023).';

-- An offer as the statement sees it, unlocked, or NULL: what accept and
-- reject read first to know which conversation to lock.  In C.
CREATE FUNCTION omni._offer_row(offer_id bigint) RETURNS omni.offer
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'omni_offer_row';
COMMENT ON FUNCTION omni._offer_row(bigint) IS
    'The offer as the statement sees it, unlocked, or NULL when there is none.';

-- Units an agent holds now.
CREATE FUNCTION omni._used_units(a bigint) RETURNS integer
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT sum(units) FROM omni.capacity_hold WHERE agent_id = a), 0)::integer;
END $$;

-- Items that count against agent a's capacity profile p for new work: with
-- reset 'immediate' the conversations it holds under p (offers and work);
-- with 'end_of_day' the items it took today (omni.capacity_profile_use, day
-- of omni.now() in UTC) plus its pending offers under p.  The C router
-- (src/routing/statements.c, P_PROFILES) computes the same numbers.
CREATE FUNCTION omni._profile_items(a bigint, p text, reset text) RETURNS integer
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN reset = 'end_of_day' THEN
               (SELECT coalesce(sum(u.items), 0) FROM omni.capacity_profile_use u
                 WHERE u.agent_id = a AND u.profile = p AND u.day = (omni.now() AT TIME ZONE 'UTC')::date)
             + (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = a AND h.profile = p AND h.kind = 'offer')
           ELSE (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = a AND h.profile = p) END::integer
$$;
COMMENT ON FUNCTION omni._profile_items(bigint, text, text) IS
    'Items counting against an agent''s capacity profile for new work: immediate, the conversations held under it; end_of_day, the items taken today (UTC) plus pending offers.';

-- Count one item taken by agent a under profile p when p resets at end of
-- day (a no-op otherwise): called when work starts for the agent (accept,
-- pick, assign, transfer to it), never for its own parked conversation.
CREATE FUNCTION omni._count_profile_item(a bigint, p text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO omni.capacity_profile_use AS u (agent_id, profile, day, items)
    SELECT a, cp.name, (omni.now() AT TIME ZONE 'UTC')::date, 1
      FROM omni.capacity_profile cp WHERE cp.name = p AND cp.reset = 'end_of_day'
    ON CONFLICT (agent_id, profile, day) DO UPDATE SET items = u.items + 1;
END $$;
COMMENT ON FUNCTION omni._count_profile_item(bigint, text) IS
    'Records one item taken today (UTC) by an agent under an end_of_day capacity profile; no-op for other profiles.';

-- Why agent a cannot take conversation c now, as far as capacity goes
-- (NULL when it can).  Checks units and the workstream's capacity profile
-- (items per omni._profile_items).  The agent's own parked conversation
-- (c.agent_id = a, resume) was counted against end_of_day profiles when it
-- was taken and is not counted again.
CREATE FUNCTION omni._capacity_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    total integer;
    used integer;
    held integer;
    p record;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT capacity_units INTO total FROM omni.agent WHERE id = a;
    used := omni._used_units(a);
    IF used + w.capacity_units > total THEN
        RETURN format('agent %s has %s of %s capacity units free; the conversation needs %s',
                      a, greatest(total - used, 0), total, w.capacity_units);
    END IF;
    -- A blocking profile that is exhausted stops all work.
    FOR p IN
        SELECT cp.name, cp.reset, coalesce(acp.max_items, cp.max_items) AS lim
          FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
         WHERE acp.agent_id = a AND (cp.blocking OR cp.name = w.capacity_profile)
           AND NOT (cp.reset = 'end_of_day' AND c.agent_id IS NOT DISTINCT FROM a)
         ORDER BY cp.name
    LOOP
        held := omni._profile_items(a, p.name, p.reset);
        IF held >= p.lim THEN
            RETURN format('agent %s %s %s of %s items of capacity profile "%s"%s', a,
                          CASE WHEN p.reset = 'end_of_day' THEN 'has taken' ELSE 'holds' END, held, p.lim, p.name,
                          CASE WHEN p.reset = 'end_of_day' THEN ' today' ELSE '' END
                          || CASE WHEN p.name <> coalesce(w.capacity_profile, '') THEN ' (blocking)' ELSE '' END);
        END IF;
    END LOOP;
    IF w.capacity_profile IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM omni.agent_capacity_profile WHERE agent_id = a AND profile = w.capacity_profile) THEN
        RETURN format('agent %s does not have capacity profile "%s"', a, w.capacity_profile);
    END IF;
    RETURN NULL;
END $$;

-- Hold capacity on agent a for conversation c (the agent row must be locked).
-- Raises unless there is room or override is set.  Work that starts for
-- the agent counts against its end_of_day profile (not its own parked
-- conversation coming back: resume).
CREATE FUNCTION omni._hold_capacity(a bigint, c omni.conversation, hold_kind text,
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
    IF hold_kind = 'work' AND w.capacity_profile IS NOT NULL AND c.agent_id IS DISTINCT FROM a THEN
        PERFORM omni._count_profile_item(a, w.capacity_profile);
    END IF;
END $$;

-- Release whatever capacity conversation conv holds; returns the agent it
-- was on (NULL: none).  The hold is deleted, the agent's last_released_at
-- set (the update locks the agent's row, as omni._lock_agent would), and
-- presence follows the lighter load.  No omni._wake_router(): the agent's
-- changed rows wake the router (agent ring), which routes then if
-- conversations wait.  In C (src/capacity_release.c): the two rows are
-- written without statements (src/row_write.c).
CREATE FUNCTION omni._release_capacity(conv bigint) RETURNS bigint
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_release_capacity';
COMMENT ON FUNCTION omni._release_capacity(bigint) IS
    'Releases whatever capacity the conversation holds (its hold deleted, the agent''s last_released_at set, presence following the load); returns the agent it was on, or NULL.';

-- The one path that writes presence changes, for one agent or many: per
-- agent, agent_state gets the new presence and its time, the open history
-- row is closed, a new one opened and a 'presence' event (from, to,
-- set_by) appended.  The caller has locked the agents (in id order) and
-- passes each agent once with its current presence (old) and a different
-- new one.  In C (src/presence_write.c), without statements
-- (src/row_write.c): the statements run instead when a DBA has given
-- agent_state or presence_history a statement trigger, a policy that
-- binds the caller or a column the writer does not know.
CREATE FUNCTION omni._write_presence(agents bigint[], old text[], presences text[], by_what text) RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_write_presence_sql';
COMMENT ON FUNCTION omni._write_presence(bigint[], text[], text[], text) IS
    'The one path that writes presence changes (history rows, presence events, agent_state) for one agent or many; the caller has locked the agents.';

-- A presence change for one agent; chosen: the agent (or a supervisor) chose it.
CREATE FUNCTION omni._set_presence(a bigint, p text, by_what text, chosen boolean) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    s omni.agent_state;
BEGIN
    s := omni._lock_agent(a);
    IF chosen THEN
        UPDATE omni.agent_state SET chosen_presence = p WHERE agent_id = a;
    END IF;
    IF s.presence = p AND EXISTS (SELECT 1 FROM omni.presence_history WHERE agent_id = a AND ended_at IS NULL) THEN
        RETURN;
    END IF;
    PERFORM omni._write_presence(ARRAY[a], ARRAY[s.presence], ARRAY[p], by_what);
END $$;

-- Presence follows load, from every capacity source (Dynamics 365, research
-- §d.2), when the chosen presence is Available- or Busy-based:
--   Busy - DND  a blocking capacity profile is exhausted, or the units are
--               exhausted and so is every non-blocking profile of the agent;
--   Busy        (else) it holds any units or any item of one of its profiles;
--   otherwise   its chosen presence if Available-based, else Available.
-- Profiles count what the agent holds now (omni.capacity_hold), for both
-- reset modes: the items of the day of an end_of_day profile limit new work
-- (omni._capacity_refusal) but do not keep an idle agent in DND.  Away,
-- Offline, DND and system presences chosen by hand are left alone.
-- One definition in C (src/routing/follow.c, rt_presence_target), which the
-- router also applies in memory: each agent's rows are read by index probes,
-- whatever the statistics, and the changes go through omni._write_presence.
-- The caller has locked the agents' agent_state rows (omni._lock_agent, an
-- update of the row, or the router's lock of the agents it offers to), as
-- every change of an agent's load does: no second lock here.
CREATE FUNCTION omni._follow_load(agents bigint[]) RETURNS void
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_follow_load';
COMMENT ON FUNCTION omni._follow_load(bigint[]) IS
    'Recomputes the presence of each agent from its load over every capacity source (units and capacity profiles; presence follows load) and writes the changes (the caller has locked the agents); the router calls it once per cycle for the agents it offered to.';

-- omni._wake_router() is defined by the router (55_routing.sql).
