-- 20_routing.sql — 0.2.0 -> 0.3.0, routing under load (issue 8): the authorization
-- primitives in C, hot SQL helpers in PL/pgSQL (plans kept per session), one set-based
-- presence writer (omni._write_presence) and presence following load for many agents
-- at once.  Definitions as in sql/src (written by test/upgrade/make_sync.sh).
CREATE OR REPLACE FUNCTION omni._count_profile_item(a bigint, p text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO omni.capacity_profile_use AS u (agent_id, profile, day, items)
    SELECT a, cp.name, (omni.now() AT TIME ZONE 'UTC')::date, 1
      FROM omni.capacity_profile cp WHERE cp.name = p AND cp.reset = 'end_of_day'
    ON CONFLICT (agent_id, profile, day) DO UPDATE SET items = u.items + 1;
END $function$;
CREATE OR REPLACE FUNCTION omni._follow_load(a bigint)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM omni._follow_load(ARRAY[a]);
END $function$;
CREATE OR REPLACE FUNCTION omni._follow_load(agents bigint[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    changed bigint[];
    old text[];
    targets text[];
BEGIN
    PERFORM 1 FROM omni.agent_state s WHERE s.agent_id = ANY (agents) ORDER BY s.agent_id FOR UPDATE;
    SELECT array_agg(x.agent_id ORDER BY x.agent_id), array_agg(x.presence ORDER BY x.agent_id),
           array_agg(x.target ORDER BY x.agent_id)
      INTO changed, old, targets
      FROM (SELECT s.agent_id, s.presence,
                   CASE WHEN pf.blocked OR (u.used >= ag.capacity_units AND pf.profiles_full) THEN 'Busy - DND'
                        WHEN u.used > 0 OR pf.any_held
                            THEN CASE WHEN cp.base_status = 'busy' THEN s.chosen_presence ELSE 'Busy' END
                        WHEN cp.base_status = 'available' THEN s.chosen_presence
                        ELSE 'Available' END AS target
              FROM (SELECT DISTINCT i FROM unnest(agents) i) i
              JOIN omni.agent_state s ON s.agent_id = i.i
              JOIN omni.presence cp ON cp.name = s.chosen_presence
              JOIN omni.agent ag ON ag.id = s.agent_id
             CROSS JOIN LATERAL (SELECT coalesce(sum(h.units), 0)::integer AS used
                                   FROM omni.capacity_hold h WHERE h.agent_id = s.agent_id) u
             CROSS JOIN LATERAL (
                   SELECT coalesce(bool_or(p.held > 0), false) AS any_held,
                          coalesce(bool_and(p.held >= p.lim) FILTER (WHERE NOT p.blocking), true) AS profiles_full,
                          coalesce(bool_or(p.held >= p.lim) FILTER (WHERE p.blocking), false) AS blocked
                     FROM (SELECT pr.blocking, coalesce(acp.max_items, pr.max_items) AS lim,
                                  (SELECT count(*) FROM omni.capacity_hold h
                                    WHERE h.agent_id = s.agent_id AND h.profile = pr.name) AS held
                             FROM omni.agent_capacity_profile acp
                             JOIN omni.capacity_profile pr ON pr.name = acp.profile
                            WHERE acp.agent_id = s.agent_id) p) pf
             WHERE s.logged_in AND NOT cp.system_only AND cp.base_status IN ('available', 'busy')) x
     WHERE x.target <> x.presence;
    IF changed IS NOT NULL THEN
        PERFORM omni._write_presence(changed, old, targets, 'load');
    END IF;
END $function$;
COMMENT ON FUNCTION omni._follow_load(bigint[]) IS 'Recomputes the presence of each agent from its load over every capacity source (units and capacity profiles; presence follows load) and writes the changes; the router calls it once per cycle for the agents it offered to.';
CREATE OR REPLACE FUNCTION omni._is_admin()
 RETURNS boolean
 LANGUAGE c
 STABLE
AS '$libdir/omnichannel', $function$omni_is_admin$function$;
CREATE OR REPLACE FUNCTION omni._is_agent(a bigint)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
AS $function$
BEGIN
    RETURN EXISTS (SELECT 1 FROM omni.agent WHERE id = a AND db_role = omni._caller_name())
       AND omni._is_person(omni._caller_name());
END $function$;
CREATE OR REPLACE FUNCTION omni._is_person(r name)
 RETURNS boolean
 LANGUAGE c
 STABLE
AS '$libdir/omnichannel', $function$omni_is_person$function$;
CREATE OR REPLACE FUNCTION omni._log(kind text, c omni.conversation, agent bigint DEFAULT NULL::bigint, offer bigint DEFAULT NULL::bigint, from_state omni.conversation_state DEFAULT NULL::omni.conversation_state, detail jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO omni.event (at, kind, conversation_id, agent_id, offer_id, queue, channel,
                            from_state, to_state, actor, detail)
    VALUES (omni.now(), kind, c.id, coalesce(agent, c.agent_id), offer, c.queue, c.channel,
            from_state, c.state, omni._caller_name(), coalesce(detail, '{}'));
END $function$;
CREATE OR REPLACE FUNCTION omni._log_agent(kind text, agent bigint, detail jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO omni.event (at, kind, agent_id, actor, detail)
    VALUES (omni.now(), kind, agent, omni._caller_name(), coalesce(detail, '{}'));
END $function$;
CREATE OR REPLACE FUNCTION omni._notify_agent(agent bigint, kind text, ids jsonb DEFAULT '{}'::jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF agent IS NOT NULL THEN
        PERFORM pg_notify('omni_agent_' || agent,
                          (jsonb_build_object('kind', kind, 'agent_id', agent) || coalesce(ids, '{}'))::text);
    END IF;
END $function$;
CREATE OR REPLACE FUNCTION omni._restoring()
 RETURNS boolean
 LANGUAGE c
 STABLE PARALLEL SAFE
AS '$libdir/omnichannel', $function$omni_restoring$function$;
CREATE OR REPLACE FUNCTION omni._set_presence(a bigint, p text, by_what text, chosen boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
END $function$;
CREATE OR REPLACE FUNCTION omni._used_units(a bigint)
 RETURNS integer
 LANGUAGE plpgsql
 STABLE
AS $function$
BEGIN
    RETURN coalesce((SELECT sum(units) FROM omni.capacity_hold WHERE agent_id = a), 0)::integer;
END $function$;
CREATE OR REPLACE FUNCTION omni._write_offers(conversations bigint[], agents bigint[], queues text[], expires timestamp with time zone[], units integer[], profiles text[], channels text[], stamps timestamp with time zone[], events jsonb[], decisions jsonb[], follow bigint[])
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
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
    PERFORM omni._follow_load(follow);
END $function$;
CREATE OR REPLACE FUNCTION omni._write_presence(agents bigint[], old text[], presences text[], by_what text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    t timestamptz := omni.now();
    i integer;
BEGIN
    FOR i IN 1 .. coalesce(array_length(agents, 1), 0) LOOP
        UPDATE omni.presence_history SET ended_at = greatest(t, started_at)
         WHERE agent_id = agents[i] AND ended_at IS NULL;
        UPDATE omni.agent_state SET presence = presences[i], presence_since = t WHERE agent_id = agents[i];
        PERFORM omni._log_agent('presence', agents[i],
                                jsonb_build_object('from', old[i], 'to', presences[i], 'set_by', by_what));
    END LOOP;
    INSERT INTO omni.presence_history (agent_id, presence, base_status, started_at, set_by, actor)
    SELECT x.a, x.p, pr.base_status, t, by_what, omni._caller_name()
      FROM unnest(agents, presences) x(a, p) JOIN omni.presence pr ON pr.name = x.p
     ORDER BY x.a;
    PERFORM omni._wake_router();
END $function$;
COMMENT ON FUNCTION omni._write_presence(bigint[],text[],text[],text) IS 'The one path that writes presence changes (history rows, presence events, agent_state) for one agent or many; the caller has locked the agents.';

REVOKE ALL ON FUNCTION omni._follow_load(bigint[]), omni._write_presence(bigint[], text[], text[], text) FROM PUBLIC;

-- The router keeps presences (names and bases) in its configuration cache.
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.presence
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();

-- The routers' agent cache (src/routing/agent_cache.c): the agents' configuration
-- invalidates it like the rest of the configuration; their runtime rows are
-- noted per agent and read again by the next cycle after the change commits.
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent_skill
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.queue_member
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.agent_capacity_profile
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE TRIGGER routing_config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON omni.capacity_profile
    FOR EACH STATEMENT EXECUTE FUNCTION omni._routing_config_changed();
CREATE FUNCTION omni._agents_changed() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'omni_agents_changed';
COMMENT ON FUNCTION omni._agents_changed() IS
    'Row trigger on the agents'' runtime tables (and TRUNCATE trigger): the routers read the agents changed again once the transaction commits.';
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.agent_state
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.capacity_hold
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.queue_rotation
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_changed AFTER INSERT OR UPDATE OR DELETE ON omni.capacity_profile_use
    FOR EACH ROW EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.agent_state
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.capacity_hold
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.queue_rotation
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE TRIGGER agents_truncated AFTER TRUNCATE ON omni.capacity_profile_use
    FOR EACH STATEMENT EXECUTE FUNCTION omni._agents_changed();
CREATE FUNCTION omni._agent_cache_reads() RETURNS bigint
    LANGUAGE c VOLATILE AS 'MODULE_PATHNAME', 'omni_agent_cache_reads';
COMMENT ON FUNCTION omni._agent_cache_reads() IS
    'How many times this backend read every agent into its routing cache (tests: a cycle after a change reads only the agents changed).';
REVOKE ALL ON FUNCTION omni._agents_changed(), omni._agent_cache_reads() FROM PUBLIC;
