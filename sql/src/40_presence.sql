-- 40_presence.sql — login, logout and set_presence.

-- Login records what the agent got as one presence change.  D365 computes the
-- Available / Busy / Do-not-disturb defaults from capacity at sign-in
-- (research §d.2): a default whose base is available or busy (or none:
-- Available) becomes the chosen presence and presence-follows-load turns it
-- into what the load says, written once (set_by load).  Any other default
-- (Away, Busy - DND, Offline, a custom away-based one) is applied as it is
-- (set_by login).  The login event carries the configured default and the
-- presence the agent got.
CREATE FUNCTION omni.login(agent_id bigint) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    p text;
    follows_load boolean;
    got text;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'log in agent ' || agent_id, false);
    PERFORM omni._lock_agent(agent_id);
    SELECT coalesce(a.default_presence, 'Available') INTO p FROM omni.agent a WHERE a.id = login.agent_id;
    SELECT pr.base_status IN ('available', 'busy') AND NOT pr.system_only INTO follows_load
      FROM omni.presence pr WHERE pr.name = p;
    IF follows_load THEN
        UPDATE omni.agent_state s SET logged_in = true, chosen_presence = p WHERE s.agent_id = login.agent_id;
        PERFORM omni._follow_load(ARRAY[agent_id]);
    ELSE
        UPDATE omni.agent_state s SET logged_in = true WHERE s.agent_id = login.agent_id;
        PERFORM omni._set_presence(agent_id, p, 'login', true);
        -- An agent who logs in with work still held (e.g. after a crash) shows its load.
        PERFORM omni._follow_load(ARRAY[agent_id]);
    END IF;
    got := (SELECT presence FROM omni.agent_state s WHERE s.agent_id = login.agent_id);
    PERFORM omni._log_agent('login', agent_id, jsonb_build_object('presence', got, 'default_presence', p));
    RETURN got;
END $$;
COMMENT ON FUNCTION omni.login(bigint) IS
    'Logs an agent in and returns the presence it got. Rule: a default presence based on available or busy (none: Available) is computed from the agent''s load at sign-in, as D365 does (free: the default if available-based, else Available; partly loaded: Busy; full: Busy - DND) and recorded as one presence change; Away, Busy - DND, Offline and custom away-based defaults are applied as configured. The login event''s detail has default_presence and presence.';

CREATE FUNCTION omni.logout(agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o record;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'log out agent ' || agent_id, true);
    -- Pending offers go back to the queue.  Conversation locks come before the
    -- agent lock, and ending an offer takes the agent's (its capacity is
    -- released): so every conversation is locked first, in id order, then the
    -- offers still pending end.  Ending them one conversation at a time held
    -- the agent while locking the next conversation, which an accept of that
    -- offer, holding the conversation and waiting for the agent, deadlocked.
    FOR o IN SELECT f.conversation_id FROM omni.offer f
              WHERE f.agent_id = logout.agent_id AND f.state = 'pending' ORDER BY f.conversation_id
    LOOP
        PERFORM omni._lock_conversation(o.conversation_id);
    END LOOP;
    FOR o IN SELECT f.id FROM omni.offer f
              WHERE f.agent_id = logout.agent_id AND f.state = 'pending' ORDER BY f.conversation_id
    LOOP
        PERFORM omni._end_offer(o.id, 'rescinded', 'agent logged out');
    END LOOP;
    PERFORM omni._lock_agent(agent_id);
    UPDATE omni.agent_state s SET logged_in = false WHERE s.agent_id = logout.agent_id;
    PERFORM omni._set_presence(agent_id, 'Offline', 'logout', true);
    PERFORM omni._log_agent('logout', agent_id);
    PERFORM omni._notify_agent(agent_id, 'logged_out');   -- not when it logs itself out
END $$;
COMMENT ON FUNCTION omni.logout(bigint) IS
    'Logs an agent out: Offline, pending offers rescinded. Conversations it holds stay with it.';

CREATE FUNCTION omni.set_presence(agent_id bigint, presence text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    p omni.presence;
    by_what text;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'set the presence of agent ' || agent_id, true);
    SELECT * INTO p FROM omni.presence WHERE name = set_presence.presence;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'presence "%" does not exist', presence
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See omni.presence for the presences that exist.';
    END IF;
    IF p.system_only THEN
        RAISE EXCEPTION 'presence "%" is set only by the system', presence
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Choose another presence, e.g. Available.';
    END IF;
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = set_presence.agent_id) THEN
        IF NOT EXISTS (SELECT 1 FROM omni.agent WHERE id = agent_id) THEN
            RAISE EXCEPTION 'agent % does not exist', agent_id USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF p.base_status <> 'offline' THEN
            RAISE EXCEPTION 'agent % is not logged in', agent_id
                USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Call omni.login first.';
        END IF;
    END IF;
    by_what := CASE WHEN omni._is_agent(agent_id) THEN 'agent'
                    WHEN omni._is_admin() THEN 'admin' ELSE 'supervisor' END;
    PERFORM omni._set_presence(agent_id, p.name, by_what, true);
    PERFORM omni._notify_agent(agent_id, 'presence_changed', jsonb_build_object('presence', p.name));
END $$;
COMMENT ON FUNCTION omni.set_presence(bigint, text) IS
    'Sets an agent''s presence (the agent, its supervisors or admins). System-only presences such as Inactive are refused.';
