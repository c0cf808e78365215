-- bench/routing_chaos.sql — shared by sql/routing_concurrency.sql (small run)
-- and bench/routing_stress.sh (big run): a world of queues and agents, and a
-- procedure that performs random API calls, one transaction each.
-- Errors the API raises by design when two sessions race (a state that
-- changed, an offer already decided) are expected; anything else is recorded
-- in routing_chaos_error for the caller to check.

CREATE TABLE IF NOT EXISTS public.routing_chaos_error (
    sqlstate  text,
    message   text,
    op        text,
    detail    text,     -- a deadlock's: which lock each process waited for
    context   text      -- where the call was when it failed
);

CREATE OR REPLACE PROCEDURE public.routing_chaos(seed double precision, steps integer)
    LANGUAGE plpgsql AS $$
DECLARE
    op integer;
    a bigint;
    c bigint;
    o bigint;
    name text;
    err_detail text;
    err_context text;
BEGIN
    PERFORM setseed(seed);
    FOR i IN 1 .. steps LOOP
        op := floor(random() * 14);
        BEGIN
            CASE op
            WHEN 0, 1, 2 THEN
                name := 'enqueue';
                PERFORM omni.enqueue((ARRAY['chaos_chat', 'chaos_voice', 'chaos_skilled'])[1 + floor(random() * 3)::int],
                                     'cust-' || floor(random() * 1000), jsonb_build_object('fr', random() < 0.5));
            WHEN 3 THEN
                name := 'set_presence';
                SELECT id INTO a FROM omni.agent ORDER BY random() LIMIT 1;
                PERFORM omni.set_presence(a, (ARRAY['Available', 'Busy', 'Away', 'Available'])[1 + floor(random() * 4)::int]);
            WHEN 4 THEN
                name := 'login/logout';
                SELECT id INTO a FROM omni.agent ORDER BY random() LIMIT 1;
                IF random() < 0.7 THEN PERFORM omni.login(a); ELSE PERFORM omni.logout(a); END IF;
            WHEN 5, 6 THEN
                name := 'accept';
                SELECT id INTO o FROM omni.offer WHERE state = 'pending' ORDER BY random() LIMIT 1;
                IF o IS NOT NULL THEN PERFORM omni.accept(o); END IF;
            WHEN 7 THEN
                name := 'reject';
                SELECT id INTO o FROM omni.offer WHERE state = 'pending' ORDER BY random() LIMIT 1;
                IF o IS NOT NULL THEN PERFORM omni.reject(o); END IF;
            WHEN 8 THEN
                name := 'end/close';
                SELECT id INTO c FROM omni.conversation WHERE state IN ('active', 'wrap_up') ORDER BY random() LIMIT 1;
                IF c IS NOT NULL THEN
                    IF (SELECT state FROM omni.conversation WHERE id = c) = 'active' THEN
                        PERFORM omni.end_conversation(c);
                    ELSE
                        PERFORM omni.close_conversation(c);
                    END IF;
                END IF;
            WHEN 9 THEN
                name := 'transfer';
                SELECT id INTO c FROM omni.conversation WHERE state IN ('active', 'open') ORDER BY random() LIMIT 1;
                IF c IS NOT NULL THEN
                    PERFORM omni.transfer(c, (ARRAY['chaos_a', 'chaos_b', 'chaos_c'])[1 + floor(random() * 3)::int]);
                END IF;
            WHEN 10, 11 THEN
                name := 'route';
                PERFORM omni.route();
            WHEN 12 THEN
                name := 'tick';
                PERFORM omni.tick();
            ELSE
                name := 'force_close/assign';
                SELECT id INTO c FROM omni.conversation WHERE state = 'open' ORDER BY random() LIMIT 1;
                IF c IS NOT NULL THEN
                    IF random() < 0.5 THEN
                        PERFORM omni.force_close(c);
                    ELSE
                        SELECT id INTO a FROM omni.agent a JOIN omni.agent_state s ON s.agent_id = a.id
                         WHERE s.logged_in ORDER BY random() LIMIT 1;
                        IF a IS NOT NULL THEN PERFORM omni.assign(c, a, random() < 0.5); END IF;
                    END IF;
                END IF;
            END CASE;
        EXCEPTION
            WHEN object_not_in_prerequisite_state OR invalid_parameter_value THEN
                NULL;           -- another session got there first: by design
            WHEN deadlock_detected THEN
                GET STACKED DIAGNOSTICS err_detail = PG_EXCEPTION_DETAIL, err_context = PG_EXCEPTION_CONTEXT;
                INSERT INTO public.routing_chaos_error VALUES (SQLSTATE, SQLERRM, name || ' (deadlock)', err_detail, err_context);
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS err_detail = PG_EXCEPTION_DETAIL, err_context = PG_EXCEPTION_CONTEXT;
                INSERT INTO public.routing_chaos_error VALUES (SQLSTATE, SQLERRM, name, err_detail, err_context);
        END;
        COMMIT;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION public.routing_chaos_world(agents integer) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO omni.skill (name) VALUES ('french') ON CONFLICT DO NOTHING;
    INSERT INTO omni.capacity_profile (name, max_items) VALUES ('chaos_voice', 1);
    INSERT INTO omni.queue (name, assignment_method) VALUES
        ('chaos_a', 'highest_capacity'), ('chaos_b', 'round_robin'), ('chaos_c', 'least_active');
    INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout, capacity_profile,
                                 block_on_missed, max_declines, skill_match)
    VALUES ('chaos_chat', 'chat', 'chaos_a', 30, '2 seconds', NULL, true, 3, 'exact'),
           ('chaos_voice', 'voice', 'chaos_b', 50, '1 second', 'chaos_voice', false, 2, 'exact'),
           ('chaos_skilled', 'chat', 'chaos_c', 20, '2 seconds', NULL, false, 1, 'closest');
    INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
    VALUES ('chaos_skilled', 1, '$.fr == true', '{"french": 5}');
    INSERT INTO omni.agent (name, capacity_units)
    SELECT 'chaos' || g, (ARRAY[60, 100, 150])[1 + g % 3] FROM generate_series(1, agents) g;
    INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
    SELECT id, 'french', 1 + id % 10 FROM omni.agent WHERE id % 2 = 0;
    INSERT INTO omni.agent_capacity_profile (agent_id, profile) SELECT id, 'chaos_voice' FROM omni.agent WHERE id % 3 <> 0;
    INSERT INTO omni.queue_member (queue, agent_id)
    SELECT q, id FROM omni.agent, unnest(ARRAY['chaos_a', 'chaos_b', 'chaos_c']) WITH ORDINALITY u(q, n)
     WHERE (id + n) % 3 <> 0;
    PERFORM omni.login(id) FROM omni.agent;
END $$;
