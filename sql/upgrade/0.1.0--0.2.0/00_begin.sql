-- Upgrade omnichannel 0.1.0 → 0.2.0.
--
-- Parts are concatenated in name order by make; each subsystem that changed
-- adds its own part.  The test upgrade (test/upgrade.sh) checks that the
-- result equals a fresh 0.2.0 install, object for object.

-- SECURITY DEFINER and its pinned search_path are declared on each function in
-- 0.2.0 (they were applied from a list of names in 0.1.0); the catalog entries
-- are the same, so nothing changes here for that.

-- Agent desktop push (30_core.sql).
CREATE FUNCTION omni._notify_agent(agent bigint, kind text, ids jsonb DEFAULT '{}') RETURNS void
    LANGUAGE sql AS $$
    SELECT pg_notify('omni_agent_' || agent,
                     (jsonb_build_object('kind', kind, 'agent_id', agent) || coalesce(ids, '{}'))::text)
     WHERE agent IS NOT NULL
$$;
COMMENT ON FUNCTION omni._notify_agent(bigint, text, jsonb) IS
    'NOTIFY omni_agent_<agent_id> with {kind, agent_id, ...ids}: ids and kinds only, never text or names.';
REVOKE ALL ON FUNCTION omni._notify_agent(bigint, text, jsonb) FROM PUBLIC;
