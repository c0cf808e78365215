-- 70_security.sql — privileges and row-level security (SPEC §7).
--
-- Group roles: omnichannel_agent (its own work), omnichannel_supervisor (its
-- queues), omnichannel_admin (configuration, everything), and
-- omnichannel_service (channel connectors and bots acting for customers).
-- Runtime tables are written only by SECURITY DEFINER functions with a pinned
-- search_path; each of them checks that the caller may act for that agent,
-- conversation or queue.

-- Everyone may look into the schema (omni.sentiment() and the clock are for all);
-- tables and functions carry their own grants below.
GRANT USAGE ON SCHEMA omni TO PUBLIC;

-- Visibility helpers used by the policies (evaluated as the querying role).
-- Services (channel connectors, bots) do not: they see the conversations
-- they created (policies service_own below).
CREATE FUNCTION omni._sees_everything() RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, 'omnichannel_admin', 'MEMBER')
        OR pg_has_role(current_user, 'omnichannel_reporting', 'MEMBER')
        OR pg_has_role(current_user, 'pg_read_all_data', 'MEMBER')
$$;
COMMENT ON FUNCTION omni._sees_everything() IS
    'Row-level security: admins (and superusers), reporting and pg_read_all_data members see every row (what they may read is up to their grants; services see only their own conversations).';

-- Supervision is by exact role identity, like omni._supervises_queue()
-- (docs/security.md, "Who is a person").
CREATE FUNCTION omni.supervised_queues() RETURNS SETOF text
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT queue FROM omni.queue_supervisor
     WHERE db_role = current_user AND omni._is_person(current_user)
$$;
COMMENT ON FUNCTION omni.supervised_queues() IS 'Queues the current role supervises.';

CREATE FUNCTION omni.supervised_agents() RETURNS SETOF bigint
    LANGUAGE sql STABLE AS $$
    SELECT DISTINCT m.agent_id FROM omni.queue_member m
     WHERE m.queue IN (SELECT omni.supervised_queues())
$$;
COMMENT ON FUNCTION omni.supervised_agents() IS 'Agents in the queues the current role supervises.';

-- Conversations the current role monitors.  SECURITY DEFINER so the
-- conversation policy need not read conversation_participant under its own
-- policy (which reads conversation: a cycle).
CREATE FUNCTION omni._monitored_conversations() RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
    SELECT p.conversation_id FROM omni.conversation_participant p JOIN omni.agent a ON a.id = p.agent_id
     WHERE a.db_role = omni._caller_name() AND p.left_at IS NULL
$$;
COMMENT ON FUNCTION omni._monitored_conversations() IS 'Row-level security: conversations the calling role monitors.';

-- Configuration: everyone reads, admins write.
DO $grants$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['presence', 'channel', 'skill', 'capacity_profile', 'agent', 'agent_skill',
                             'agent_capacity_profile', 'queue', 'queue_member', 'queue_supervisor',
                             'workstream', 'route_rule', 'classify_rule', 'conversation_transition']
    LOOP
        EXECUTE format('REVOKE ALL ON omni.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin', t);
        -- connectors need the routing configuration, not who the staff are
        IF t NOT IN ('agent', 'agent_skill', 'agent_capacity_profile', 'queue_member', 'queue_supervisor') THEN
            EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_service', t);
        END IF;
        IF t <> 'conversation_transition' THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON omni.%I TO omnichannel_admin', t);
        END IF;
    END LOOP;
END
$grants$;
GRANT USAGE ON SEQUENCE omni.agent_id_seq TO omnichannel_admin;

-- Runtime: read-only for everyone, rows filtered by policies.
DO $grants$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer', 'customer_identity', 'agent_state', 'presence_history', 'conversation',
                             'conversation_participant', 'offer', 'capacity_hold', 'capacity_profile_use',
                             'message', 'event']
    LOOP
        EXECUTE format('REVOKE ALL ON omni.%I FROM PUBLIC', t);
        EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin', t);
        -- connectors: their conversations, their messages and customers (policies below)
        IF t IN ('customer', 'customer_identity', 'conversation', 'message') THEN
            EXECUTE format('GRANT SELECT ON omni.%I TO omnichannel_service', t);
        END IF;
        IF t <> 'agent_state' THEN
            EXECUTE format('ALTER TABLE omni.%I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('CREATE POLICY staff_all ON omni.%I FOR SELECT USING (omni._sees_everything())', t);
        END IF;
    END LOOP;
END
$grants$;

CREATE POLICY agent_own ON omni.conversation FOR SELECT TO omnichannel_agent USING (
    agent_id = omni.current_agent_id()
    OR id IN (SELECT o.conversation_id FROM omni.offer o
               WHERE o.agent_id = omni.current_agent_id() AND o.state = 'pending')
    OR id IN (SELECT omni._monitored_conversations())
    OR (state = 'open'
        AND queue IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
        AND workstream IN (SELECT w.name FROM omni.workstream w WHERE w.mode = 'pick')));
CREATE POLICY supervisor_queues ON omni.conversation FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));
-- A channel connector or bot sees the conversations its role created.
CREATE POLICY service_own ON omni.conversation FOR SELECT TO omnichannel_service
    USING (created_by = current_user);

CREATE POLICY agent_own ON omni.offer FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.offer FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));

-- Messages and participants follow the visibility of their conversation.
CREATE POLICY via_conversation ON omni.message FOR SELECT TO omnichannel_agent, omnichannel_supervisor, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.id = conversation_id));
CREATE POLICY agent_own ON omni.conversation_participant FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.conversation_participant FOR SELECT TO omnichannel_supervisor
    USING (conversation_id IN (SELECT c.id FROM omni.conversation c WHERE c.queue IN (SELECT omni.supervised_queues())));

CREATE POLICY agent_own ON omni.presence_history FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_agents ON omni.presence_history FOR SELECT TO omnichannel_supervisor
    USING (agent_id IN (SELECT omni.supervised_agents()));

CREATE POLICY agent_own ON omni.capacity_hold FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_agents ON omni.capacity_hold FOR SELECT TO omnichannel_supervisor
    USING (agent_id IN (SELECT omni.supervised_agents()));

CREATE POLICY agent_own ON omni.event FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.event FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues())
           OR (conversation_id IS NULL AND agent_id IN (SELECT omni.supervised_agents())));

CREATE POLICY supervisor_all ON omni.customer FOR SELECT TO omnichannel_supervisor USING (true);
CREATE POLICY supervisor_all ON omni.customer_identity FOR SELECT TO omnichannel_supervisor USING (true);
-- Agents and connectors: the customers of the conversations they see.  The
-- column is qualified: a bare "id" would bind to the conversation (c.id).
CREATE POLICY agent_customers ON omni.customer FOR SELECT TO omnichannel_agent, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = customer.id));
CREATE POLICY agent_customers ON omni.customer_identity FOR SELECT TO omnichannel_agent, omnichannel_service
    USING (EXISTS (SELECT 1 FROM omni.conversation c WHERE c.customer_id = customer_identity.customer_id));

-- Functions: nothing for PUBLIC but the read-only helpers policies need;
-- the API is SECURITY DEFINER with a pinned search_path, declared on each function.
DO $functions$
DECLARE
    f regprocedure;
    -- read-only helpers that policies and CHECK constraints call as the querying role
    public_helpers constant text[] := ARRAY['now', 'caller', 'current_agent_id', '_sees_everything',
                                            'supervised_queues', 'supervised_agents', '_monitored_conversations',
                                            '_is_predicate', '_valid_required_skills', '_conversation_consistent', '_offer_consistent', '_hold_consistent',
                                            '_caller_name', '_is_person',
                                            -- text scoring reads only lexicon data: for everyone
                                            'sentiment', 'sentiment_evidence', 'sentiment_level', 'detect_language'];
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace = 'omni'::regnamespace AND p.proname = ANY (public_helpers) LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
    END LOOP;
END
$functions$;

GRANT EXECUTE ON FUNCTION omni.login(bigint), omni.logout(bigint), omni.set_presence(bigint, text),
    omni.accept(bigint), omni.reject(bigint), omni.pick(bigint, bigint),
    omni.post_message(bigint, omni.sender, text, bigint), omni.end_conversation(bigint),
    omni.close_conversation(bigint), omni.set_waiting(bigint), omni.resume(bigint),
    omni.transfer(bigint, text), omni.transfer_to_agent(bigint, bigint)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
-- Channel connectors and bots (docs/security.md): customers' and bots' side
-- of their own conversations only.
GRANT EXECUTE ON FUNCTION omni.enqueue(text, text, jsonb), omni.start_with_bot(text, text, jsonb),
    omni.escalate(bigint, jsonb), omni.abandon(bigint), omni.link_customer(bigint, text, text),
    omni.post_message(bigint, omni.sender, text, bigint), omni.close_conversation(bigint)
    TO omnichannel_service, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni.assign(bigint, bigint, boolean), omni.force_close(bigint),
    omni.monitor(bigint, bigint)
    TO omnichannel_supervisor, omnichannel_admin;
