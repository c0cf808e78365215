-- 25_hold_changes.sql — an update of a capacity hold notes its agent for the
-- routers' agent cache only when it changes what they read of the hold
-- (agent, units, profile; kind when a profile counts it): the accept, which
-- turns an offer's hold into work, no longer makes the router read the agent
-- again (docs/routing.md, "Agent cache").  The rule is in the C trigger
-- function, chosen by the trigger's argument.

DROP TRIGGER agents_changed ON omni.capacity_hold;
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.capacity_hold
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed('hold');

CREATE FUNCTION omni._agents_noted() RETURNS integer
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_agents_noted';
COMMENT ON FUNCTION omni._agents_noted() IS
    'How many agents this transaction has noted as changed so far, -1 when every agent is (tests: which changes make the routers read an agent again).';
REVOKE ALL ON FUNCTION omni._agents_noted() FROM PUBLIC;
