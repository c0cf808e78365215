-- bench/routing_baseline.sql — the same routing written the way an application
-- developer would: PL/pgSQL, one transaction per conversation: the next
-- conversation taken with ORDER BY ... LIMIT 1 FOR UPDATE SKIP LOCKED, the
-- best agent found with ORDER BY ... LIMIT 1 FOR UPDATE SKIP LOCKED, the
-- offer made with omni._make_offer (so the bookkeeping is identical to the
-- engine's).  Eligibility: queue member, logged in, allowed presence, free
-- units, exact skills, max declines.  (Simplification: it stops at the first
-- conversation nobody can take; in the benchmark everyone can be served.)
-- Custom plans: with generic plans it is three times slower.  The benchmark
-- calls it from one pgbench client, one transaction per call (the engine
-- also routes in one backend).
CREATE OR REPLACE FUNCTION public.baseline_route_one() RETURNS integer
    LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    c record;
    a bigint;
    n integer := 0;
BEGIN
    FOR c IN SELECT cv.id, cv.queue, cv.workstream, cv.required_skills, q.assignment_method
               FROM omni.conversation cv
               JOIN omni.queue q ON q.name = cv.queue
               JOIN omni.workstream w ON w.name = cv.workstream
              WHERE cv.state = 'open' AND w.mode = 'push'
                AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = cv.id AND o.state = 'pending')
              ORDER BY q.priority, cv.priority, cv.queued_at, cv.id
              LIMIT 1
              FOR UPDATE OF cv SKIP LOCKED
    LOOP
        SELECT s.agent_id INTO a
          FROM omni.queue_member m
          JOIN omni.agent_state s ON s.agent_id = m.agent_id
          JOIN omni.agent ag ON ag.id = s.agent_id
          JOIN omni.presence p ON p.name = s.presence
          JOIN omni.workstream w ON w.name = c.workstream
          CROSS JOIN LATERAL (SELECT ag.capacity_units - coalesce(sum(h.units), 0) AS free
                                FROM omni.capacity_hold h WHERE h.agent_id = s.agent_id) f
         WHERE m.queue = c.queue AND s.logged_in AND p.base_status = ANY (w.allowed_presences)
           AND f.free >= w.capacity_units
           AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(c.required_skills) r(k, v)
                            WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                                               WHERE sk.agent_id = s.agent_id AND sk.skill = r.k
                                                 AND sk.proficiency >= r.v::integer))
           AND (SELECT count(*) FROM omni.offer o
                 WHERE o.conversation_id = c.id AND o.agent_id = s.agent_id
                   AND o.state IN ('rejected', 'expired')) < w.max_declines
         ORDER BY CASE c.assignment_method WHEN 'highest_capacity' THEN -f.free ELSE 0 END,
                  CASE c.assignment_method WHEN 'least_active' THEN coalesce(s.last_released_at, '-infinity')
                       ELSE coalesce(s.last_assigned_at, '-infinity') END,
                  s.agent_id
         LIMIT 1
         FOR UPDATE OF s SKIP LOCKED;
        IF a IS NOT NULL THEN
            PERFORM omni._make_offer(c.id, a, jsonb_build_object('method', 'baseline'));
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;


-- The whole job in one call, as omni.route() does it: every open push
-- conversation without a pending offer, in routing order, locked with
-- FOR UPDATE SKIP LOCKED; for each the best agent by the same query as
-- above (FOR UPDATE SKIP LOCKED), offered through omni._make_offer.
-- Returns the number of offers (bench/routing_cold.sh).
CREATE OR REPLACE FUNCTION public.baseline_route_all() RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    c record;
    a bigint;
    n integer := 0;
BEGIN
    FOR c IN SELECT cv.id, cv.queue, cv.workstream, cv.required_skills, q.assignment_method
               FROM omni.conversation cv
               JOIN omni.queue q ON q.name = cv.queue
               JOIN omni.workstream w ON w.name = cv.workstream
              WHERE cv.state = 'open' AND w.mode = 'push'
                AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = cv.id AND o.state = 'pending')
              ORDER BY q.priority, cv.priority, cv.queued_at, cv.id
              FOR UPDATE OF cv SKIP LOCKED
    LOOP
        a := NULL;
        SELECT s.agent_id INTO a
          FROM omni.queue_member m
          JOIN omni.agent_state s ON s.agent_id = m.agent_id
          JOIN omni.agent ag ON ag.id = s.agent_id
          JOIN omni.presence p ON p.name = s.presence
          JOIN omni.workstream w ON w.name = c.workstream
          CROSS JOIN LATERAL (SELECT ag.capacity_units - coalesce(sum(h.units), 0) AS free
                                FROM omni.capacity_hold h WHERE h.agent_id = s.agent_id) f
         WHERE m.queue = c.queue AND s.logged_in AND p.base_status = ANY (w.allowed_presences)
           AND f.free >= w.capacity_units
           AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(c.required_skills) r(k, v)
                            WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                                               WHERE sk.agent_id = s.agent_id AND sk.skill = r.k
                                                 AND sk.proficiency >= r.v::integer))
           AND (SELECT count(*) FROM omni.offer o
                 WHERE o.conversation_id = c.id AND o.agent_id = s.agent_id
                   AND o.state IN ('rejected', 'expired')) < w.max_declines
         ORDER BY CASE c.assignment_method WHEN 'highest_capacity' THEN -f.free ELSE 0 END,
                  CASE c.assignment_method WHEN 'least_active' THEN coalesce(s.last_released_at, '-infinity')
                       ELSE coalesce(s.last_assigned_at, '-infinity') END,
                  s.agent_id
         LIMIT 1
         FOR UPDATE OF s SKIP LOCKED;
        IF a IS NOT NULL THEN
            PERFORM omni._make_offer(c.id, a, jsonb_build_object('method', 'baseline'));
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;
