-- 90_profiles.sql — issue 11 defects 2 and 6 (capacity profiles):
-- end_of_day profiles are enforced wherever work is given to an agent
-- (items of the day plus pending offers; counted when work starts, accept
-- included), and presence follows every capacity source (units and
-- profiles, research §d.2).  Final definitions of sql/src 30_core.sql,
-- 50_conversation.sql (accept) and 55_routing.sql (invariants).
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
    LANGUAGE sql AS $$
    INSERT INTO omni.capacity_profile_use AS u (agent_id, profile, day, items)
    SELECT a, cp.name, (omni.now() AT TIME ZONE 'UTC')::date, 1
      FROM omni.capacity_profile cp WHERE cp.name = p AND cp.reset = 'end_of_day'
    ON CONFLICT (agent_id, profile, day) DO UPDATE SET items = u.items + 1
$$;
COMMENT ON FUNCTION omni._count_profile_item(bigint, text) IS
    'Records one item taken today (UTC) by an agent under an end_of_day capacity profile; no-op for other profiles.';

-- Why agent a cannot take conversation c now, as far as capacity goes
-- (NULL when it can).  Checks units and the workstream's capacity profile
-- (items per omni._profile_items).  The agent's own parked conversation
-- (c.agent_id = a, resume) was counted against end_of_day profiles when it
-- was taken and is not counted again.
CREATE OR REPLACE FUNCTION omni._capacity_refusal(a bigint, c omni.conversation) RETURNS text
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
    IF hold_kind = 'work' AND w.capacity_profile IS NOT NULL AND c.agent_id IS DISTINCT FROM a THEN
        PERFORM omni._count_profile_item(a, w.capacity_profile);
    END IF;
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
-- Offline, DND and system presences chosen by hand are left alone.  The C
-- router mirrors this in memory (src/routing/eligibility.c, rt_load_level).
CREATE OR REPLACE FUNCTION omni._follow_load(a bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    s omni.agent_state;
    chosen_base omni.base_status;
    total integer;
    used integer;
    any_held boolean;
    profiles_full boolean;
    blocked boolean;
    target text;
BEGIN
    s := omni._lock_agent(a);
    IF NOT s.logged_in THEN
        RETURN;
    END IF;
    SELECT base_status INTO chosen_base FROM omni.presence
     WHERE name = s.chosen_presence AND NOT system_only;
    IF chosen_base IS NULL OR chosen_base NOT IN ('available', 'busy') THEN
        RETURN;
    END IF;
    SELECT capacity_units INTO total FROM omni.agent WHERE id = a;
    used := omni._used_units(a);
    SELECT coalesce(bool_or(p.held > 0), false),
           coalesce(bool_and(p.held >= p.lim) FILTER (WHERE NOT p.blocking), true),
           coalesce(bool_or(p.held >= p.lim) FILTER (WHERE p.blocking), false)
      INTO any_held, profiles_full, blocked
      FROM (SELECT cp.blocking, coalesce(acp.max_items, cp.max_items) AS lim,
                   (SELECT count(*) FROM omni.capacity_hold h WHERE h.agent_id = a AND h.profile = cp.name) AS held
              FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
             WHERE acp.agent_id = a) p;
    target := CASE
        WHEN blocked OR (used >= total AND profiles_full) THEN 'Busy - DND'
        WHEN used > 0 OR any_held THEN CASE WHEN chosen_base = 'busy' THEN s.chosen_presence ELSE 'Busy' END
        WHEN chosen_base = 'available' THEN s.chosen_presence
        ELSE 'Available' END;
    IF target <> s.presence THEN
        PERFORM omni._set_presence(a, target, 'load', false);
    END IF;
END $$;
COMMENT ON FUNCTION omni._follow_load(bigint) IS
    'Recomputes an agent''s presence from its load over every capacity source (units and capacity profiles; presence follows load); routing calls it after every capacity change.';

-- omni._follow_load no longer uses it (blocking profiles are part of the rule above).
DROP FUNCTION omni._profile_blocked(bigint);

CREATE OR REPLACE FUNCTION omni.accept(offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.offer;
    c omni.conversation;
    ns omni.conversation_state;
    t timestamptz := omni.now();
BEGIN
    o := omni._pending_offer_for_caller(offer_id, 'accept');
    c := omni._lock_conversation(o.conversation_id);
    ns := omni._next_state(c, 'accept');
    PERFORM omni._lock_agent(o.agent_id);
    UPDATE omni.offer SET state = 'accepted', decided_at = t WHERE id = o.id;
    UPDATE omni.capacity_hold SET kind = 'work', since = t WHERE conversation_id = c.id;
    -- the item is taken now: it counts against an end_of_day profile
    PERFORM omni._count_profile_item(o.agent_id, (SELECT profile FROM omni.capacity_hold WHERE conversation_id = c.id));
    UPDATE omni.conversation
       SET state = ns, agent_id = o.agent_id, last_agent_id = o.agent_id, accepted_at = t, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log('accepted', c, offer => o.id, from_state => 'open',
                      detail => jsonb_build_object('wait_s', extract(epoch FROM t - c.queued_at)));
    PERFORM omni._notify_agent(o.agent_id, 'offer_accepted',
                               jsonb_build_object('offer_id', o.id, 'conversation_id', c.id));
    PERFORM omni._follow_load(o.agent_id);
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.accept(bigint) IS
    'The offered agent accepts: the conversation becomes active with that agent. Returns the conversation id.';

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
    -- (items per omni._profile_items: held now, or taken today for end_of_day;
    -- a supervisor's override counts while held, or for end_of_day all day)
    SELECT 'over_profile', NULL, acp.agent_id,
           format('%s of %s items of %s%s', k.n, coalesce(acp.max_items, cp.max_items), cp.name,
                  CASE WHEN cp.reset = 'end_of_day' THEN ' today' ELSE '' END)
      FROM omni.agent_capacity_profile acp JOIN omni.capacity_profile cp ON cp.name = acp.profile
     CROSS JOIN LATERAL (SELECT omni._profile_items(acp.agent_id, cp.name, cp.reset) AS n) k
     WHERE k.n > coalesce(acp.max_items, cp.max_items)
       AND NOT EXISTS (SELECT 1 FROM omni.capacity_hold h
                        WHERE h.agent_id = acp.agent_id AND h.profile = cp.name AND h.override)
       AND NOT (cp.reset = 'end_of_day' AND EXISTS (
                SELECT 1 FROM omni.event e
                 WHERE e.agent_id = acp.agent_id AND e.kind = 'assigned'
                   AND e.at >= (omni.now() AT TIME ZONE 'UTC')::date::timestamp AT TIME ZONE 'UTC'
                   AND (e.detail ->> 'override_capacity')::boolean))
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

-- New helpers: nothing for PUBLIC (sql/src/70_security.sql revokes every function).
REVOKE ALL ON FUNCTION omni._profile_items(bigint, text, text), omni._count_profile_item(bigint, text) FROM PUBLIC;

COMMENT ON COLUMN omni.capacity_profile.reset IS
    'immediate: a slot frees when the item is released; end_of_day: items taken (accepted, picked, assigned, transferred in) count until midnight UTC of omni.now(), pending offers count too.';
