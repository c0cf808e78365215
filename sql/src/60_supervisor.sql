-- 60_supervisor.sql — supervisor actions: assign, force close, monitor.  All audited in omni.event.

CREATE FUNCTION omni._authorize_supervision(c omni.conversation, what text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue)) THEN
        RETURN;
    END IF;
    PERFORM omni._deny(what || ' conversation ' || c.id,
                       format('Role "%s" does not supervise queue "%s".', omni._caller_name(), coalesce(c.queue, '(none)')));
END $$;

CREATE FUNCTION omni.assign(conversation_id bigint, agent_id bigint, override_capacity boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
    ns omni.conversation_state;
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
    PERFORM omni._rescind_pending_offer(c, 'assigned by supervisor');
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
    PERFORM omni._notify_agent(agent_id, 'conversation_assigned', jsonb_build_object('conversation_id', c.id));
    PERFORM omni._follow_load(ARRAY[agent_id]);
END $$;
COMMENT ON FUNCTION omni.assign(bigint, bigint, boolean) IS
    'Supervisor assigns an open conversation to a logged-in agent (active at once). override_capacity lets it exceed capacity; audited with before/after units.';

CREATE FUNCTION omni.force_close(conversation_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    PERFORM omni._authorize_supervision(c, 'force close');
    PERFORM omni._close(c, 'force_close', 'force_closed', 'force_closed',
                        jsonb_build_object('agent_id', c.agent_id));
END $$;
COMMENT ON FUNCTION omni.force_close(bigint) IS
    'Supervisor closes a conversation in any state but closed; offers rescinded, capacity released.';

CREATE FUNCTION omni.monitor(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    PERFORM omni._authorize_supervision(c, 'monitor');
    IF NOT (omni._is_agent(agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny('monitor as agent ' || agent_id, 'A supervisor monitors under its own agent record.');
    END IF;
    PERFORM omni._next_state(c, 'monitor');
    IF EXISTS (SELECT 1 FROM omni.conversation_participant p
                WHERE p.conversation_id = c.id AND p.agent_id = monitor.agent_id AND left_at IS NULL) THEN
        RAISE EXCEPTION 'agent % already monitors conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO omni.conversation_participant (conversation_id, agent_id, role, joined_at)
    VALUES (c.id, agent_id, 'monitor', omni.now());
    PERFORM omni._log('monitored', c, agent => agent_id, from_state => c.state);
    PERFORM omni._notify_agent(c.agent_id, 'monitor_joined',
                               jsonb_build_object('conversation_id', c.id, 'monitor_agent_id', agent_id));
END $$;
COMMENT ON FUNCTION omni.monitor(bigint, bigint) IS
    'Supervisor joins a conversation silently (sees it and its messages, holds no capacity); audited.';
