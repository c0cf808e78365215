-- Routing (sql/src/55_routing.sql, src/routing/; docs/routing.md).

-- Routing configuration cache (src/routing/config.c) ----------------------------------

-- Each backend keeps the routing configuration (skills, queues, custom rules,
-- push workstreams) in memory; a change to these tables invalidates every
-- backend's copy when it commits (relcache invalidation), so the next cycle
-- reads it again and an idle cycle reads no configuration at all.
CREATE FUNCTION omni._routing_config_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_routing_config_changed';
COMMENT ON FUNCTION omni._routing_config_changed() IS
    'Statement trigger on the routing configuration tables: invalidates every backend''s cached routing configuration at commit.';
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.skill
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.queue
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.workstream
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.assignment_rule
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();

CREATE FUNCTION omni._routing_cache_loads() RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_routing_cache_loads';
COMMENT ON FUNCTION omni._routing_cache_loads() IS
    'How many times this backend has read the routing configuration (tests: an idle cycle reads none).';
REVOKE ALL ON FUNCTION omni._routing_config_changed(), omni._routing_cache_loads() FROM PUBLIC;

CREATE FUNCTION omni._has_pending_offer(conversation_id bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'omni_has_pending_offer';
COMMENT ON FUNCTION omni._has_pending_offer(bigint) IS
    'Whether the conversation has a pending offer: one probe of offer_one_pending_idx from C, so the routing cycle''s candidate scan costs the same whatever the planner statistics say.';
REVOKE ALL ON FUNCTION omni._has_pending_offer(bigint) FROM PUBLIC;

-- The candidate scan of a routing cycle walks this index in queue order and
-- stops after a batch; ties on queued_at (a burst enqueued in one
-- transaction) are broken by id without a sort.
CREATE INDEX conversation_route_idx ON omni.conversation (queue, priority, queued_at, id) WHERE state = 'open';


-- Offer decisions apart from the agents' events (issue 10, finding 2) -----------------
-- Decision log -------------------------------------------------------------------

-- Why each offer went to its agent, with the colleagues it was compared with
-- (the runner-up's id and key values, custom-rule attribute values, how many
-- were eligible): routing data about other agents, so it is kept apart from
-- the agent's own 'offered' event and only the queue's supervisors and
-- admins read it (issue 10, finding 2).  Written by omni._write_offers.
CREATE TABLE omni.offer_decision (
    offer_id         bigint PRIMARY KEY,
    conversation_id  bigint NOT NULL,
    agent_id         bigint NOT NULL,
    queue            text NOT NULL,
    at               timestamptz NOT NULL,
    detail           jsonb NOT NULL
);
COMMENT ON TABLE omni.offer_decision IS
    'The routing decision behind each offer the router made (read it through omni.routing_decision): supervisors of the queue and admins only, since it compares the chosen agent with its colleagues.';
COMMENT ON COLUMN omni.offer_decision.offer_id IS 'Offer (omni.offer.id).';
COMMENT ON COLUMN omni.offer_decision.conversation_id IS 'Conversation offered.';
COMMENT ON COLUMN omni.offer_decision.agent_id IS 'Agent chosen.';
COMMENT ON COLUMN omni.offer_decision.queue IS 'Queue the conversation was in.';
COMMENT ON COLUMN omni.offer_decision.at IS 'When the offer was made.';
COMMENT ON COLUMN omni.offer_decision.detail IS
    '{method, skill_match, eligible, rule, order_by, key, runner_up: {agent_id, key}, cycle}.';
SELECT pg_catalog.pg_extension_config_dump('omni.offer_decision', '');
ALTER TABLE omni.offer_decision ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_all ON omni.offer_decision FOR SELECT TO omnichannel_admin USING (true);
CREATE POLICY supervisor_queues ON omni.offer_decision FOR SELECT TO omnichannel_supervisor
    USING (EXISTS (SELECT 1 FROM omni.queue_supervisor s
                    WHERE s.queue = offer_decision.queue AND pg_has_role(current_user, s.db_role, 'MEMBER')));

-- Decisions logged by 0.1.0 in the agents' own 'offered' events move to the
-- restricted table; the events keep the agent's own part only.
INSERT INTO omni.offer_decision (offer_id, conversation_id, agent_id, queue, at, detail)
SELECT e.offer_id, e.conversation_id, e.agent_id, e.queue, e.at, e.detail
  FROM omni.event e
 WHERE e.kind = 'offered' AND e.offer_id IS NOT NULL AND e.detail ? 'runner_up'
ON CONFLICT (offer_id) DO NOTHING;
UPDATE omni.event SET detail = detail - 'runner_up' - 'eligible'
 WHERE kind = 'offered' AND (detail ? 'runner_up' OR detail ? 'eligible');

CREATE OR REPLACE VIEW omni.routing_decision WITH (security_invoker = true) AS
SELECT d.offer_id,
       d.conversation_id,
       d.agent_id,
       d.queue,
       d.at,
       d.detail ->> 'method' AS method,
       d.detail ->> 'skill_match' AS skill_match,
       (d.detail ->> 'rule')::integer AS rule_position,
       (d.detail ->> 'eligible')::integer AS eligible_count,
       ARRAY(SELECT jsonb_array_elements_text(d.detail -> 'order_by')) AS order_by,
       d.detail -> 'key' AS chosen_key,
       (d.detail #>> '{runner_up,agent_id}')::bigint AS runner_up_agent_id,
       d.detail #> '{runner_up,key}' AS runner_up_key,
       (d.detail ->> 'cycle')::bigint AS cycle
  FROM omni.offer_decision d;
COMMENT ON VIEW omni.routing_decision IS
    'Why each offer the router made went to its agent: the assignment method, the key values compared for the chosen agent and the runner-up, and how many agents were eligible (omni.offer_decision; supervisors of the queue and admins).';
COMMENT ON COLUMN omni.routing_decision.offer_id IS 'Offer.';
COMMENT ON COLUMN omni.routing_decision.conversation_id IS 'Conversation offered.';
COMMENT ON COLUMN omni.routing_decision.agent_id IS 'Agent chosen.';
COMMENT ON COLUMN omni.routing_decision.queue IS 'Queue the conversation was in.';
COMMENT ON COLUMN omni.routing_decision.at IS 'When the offer was made.';
COMMENT ON COLUMN omni.routing_decision.method IS 'highest_capacity, round_robin, least_active or custom.';
COMMENT ON COLUMN omni.routing_decision.skill_match IS 'exact or closest (the workstream''s).';
COMMENT ON COLUMN omni.routing_decision.rule_position IS 'Custom method: position of the assignment rule that matched.';
COMMENT ON COLUMN omni.routing_decision.eligible_count IS 'Agents eligible for the conversation at that moment (NULL when omnichannel.route_count_eligible is off).';
COMMENT ON COLUMN omni.routing_decision.order_by IS 'Names of the key values in the order they were compared (smaller/better first; the agent id breaks the last tie).';
COMMENT ON COLUMN omni.routing_decision.chosen_key IS 'Key values of the chosen agent (by name; see order_by for the comparison order).';
COMMENT ON COLUMN omni.routing_decision.runner_up_agent_id IS 'Next best eligible agent (NULL when there was none).';
COMMENT ON COLUMN omni.routing_decision.runner_up_key IS 'Key values of the runner-up.';
COMMENT ON COLUMN omni.routing_decision.cycle IS 'Number of the routing cycle in the backend that made the offer.';

REVOKE ALL ON omni.offer_decision FROM PUBLIC;
GRANT SELECT ON omni.offer_decision TO omnichannel_supervisor, omnichannel_admin;

-- One path that writes offers (50_conversation.sql) --------------------------------
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
    PERFORM omni._follow_load(f) FROM unnest(follow) f ORDER BY f;
END $$;
COMMENT ON FUNCTION omni._write_offers(bigint[], bigint[], text[], timestamptz[], integer[], text[], text[],
                                       timestamptz[], jsonb[], jsonb[], bigint[]) IS
    'The one path that writes offers (router and omni._make_offer): offers, capacity holds, rotation clocks, offered events, routing decisions, NOTIFY omni_offer (ids and state) and the agent channel, presence following load. Returns the offer ids.';

-- Offer conversation conv to agent a (tests, scripts and the benchmark's
-- hand-written router): locks, checks eligibility and writes the offer
-- through omni._write_offers, as the router does.
CREATE OR REPLACE FUNCTION omni._make_offer(conv bigint, a bigint, why jsonb DEFAULT '{}') RETURNS bigint
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

REVOKE ALL ON FUNCTION omni._write_offers(bigint[], bigint[], text[], timestamptz[], integer[], text[], text[],
                                           timestamptz[], jsonb[], jsonb[], bigint[]) FROM PUBLIC;

-- Invariants: a custom queue whose rules match nobody is named as such (issue 11, defect 8).
CREATE OR REPLACE FUNCTION omni.routing_invariant_violations(
    OUT invariant text, OUT conversation_id bigint, OUT agent_id bigint, OUT detail text)
    RETURNS SETOF record
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
    -- 1. at most one live offer per conversation
    SELECT 'two_live_offers', o.conversation_id, NULL::bigint, count(*) || ' pending offers'
      FROM omni.offer o WHERE o.state = 'pending' GROUP BY o.conversation_id HAVING count(*) > 1
    UNION ALL
    -- 2. a pending offer only for an open conversation, never one already with an agent
    SELECT 'offer_for_assigned', o.conversation_id, o.agent_id, 'conversation is ' || c.state
      FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
     WHERE o.state = 'pending' AND (c.state <> 'open' OR c.agent_id IS NOT NULL)
    UNION ALL
    -- 3. capacity is held by the conversation's own agent (or its offered agent)
    SELECT 'hold_mismatch', h.conversation_id, h.agent_id,
           format('held by %s, conversation %s with %s', h.agent_id, c.state, coalesce(c.agent_id::text, 'no agent'))
      FROM omni.capacity_hold h JOIN omni.conversation c ON c.id = h.conversation_id
     WHERE (h.kind = 'work' AND (c.agent_id IS DISTINCT FROM h.agent_id OR c.state NOT IN ('active', 'wrap_up')))
        OR (h.kind = 'offer' AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = h.conversation_id
                                                AND o.state = 'pending' AND o.agent_id = h.agent_id))
    UNION ALL
    -- 4. no agent over capacity unless a supervisor override is recorded
    SELECT 'over_capacity', NULL, a.id, format('%s of %s units', sum(h.units), a.capacity_units)
      FROM omni.agent a JOIN omni.capacity_hold h ON h.agent_id = a.id
     GROUP BY a.id, a.capacity_units
    HAVING sum(h.units) > a.capacity_units AND NOT bool_or(h.override)
    UNION ALL
    SELECT 'over_profile', NULL, acp.agent_id, format('%s of %s items of %s', count(*), coalesce(acp.max_items, cp.max_items), cp.name)
      FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
      JOIN omni.capacity_hold h ON h.agent_id = acp.agent_id AND h.profile = cp.name
     GROUP BY acp.agent_id, cp.name, acp.max_items, cp.max_items
    HAVING count(*) > coalesce(acp.max_items, cp.max_items) AND NOT bool_or(h.override)
    UNION ALL
    -- 5. no expired offer left pending
    SELECT 'expired_offer_pending', o.conversation_id, o.agent_id, 'expired at ' || o.expires_at
      FROM omni.offer o WHERE o.state = 'pending' AND o.expires_at <= omni.now()
    UNION ALL
    -- 6. no open push conversation left while an eligible agent has room
    SELECT 'open_with_eligible_agent', c.id, m.agent_id,
           'queue ' || c.queue || CASE WHEN q.assignment_method = 'custom'
                                       THEN ' (custom: no assignment rule matches the agent, or it is being routed)'
                                       ELSE '' END
      FROM omni.conversation c
      JOIN omni.workstream w ON w.name = c.workstream AND w.mode = 'push'
      JOIN omni.queue q ON q.name = c.queue
      JOIN omni.queue_member m ON m.queue = c.queue
     WHERE c.state = 'open'
       AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')
       AND omni._eligibility_refusal(m.agent_id, c) IS NULL
$$;
COMMENT ON FUNCTION omni.routing_invariant_violations() IS
    'Rows that break a routing invariant (empty when all hold): two live offers, an offer for an assigned conversation, capacity held by the wrong agent, an agent over capacity or over a profile without a supervisor override, an expired offer still pending, an open conversation while an eligible agent has room (call omni.route() first; in a custom queue this also lists agents no assignment rule matches, whose work stays queued by design).';

