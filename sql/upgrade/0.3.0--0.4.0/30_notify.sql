-- 30_notify.sql — 0.3.0 -> 0.4.0: the agent's channel no longer echoes what
-- the agent's own role did (docs/agent-events.md).
CREATE OR REPLACE FUNCTION omni._notify_agent(agent bigint, kind text, ids jsonb DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF agent IS NOT NULL AND NOT omni._is_agent(agent) THEN
        PERFORM pg_notify('omni_agent_' || agent,
                          (jsonb_build_object('kind', kind, 'agent_id', agent) || coalesce(ids, '{}'))::text);
    END IF;
END $$;
COMMENT ON FUNCTION omni._notify_agent(bigint, text, jsonb) IS
    'NOTIFY omni_agent_<agent_id> with {kind, agent_id, ...ids}: ids and kinds only, never text or names; nothing when the caller is that agent''s own role.';
