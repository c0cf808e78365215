-- 90_config_refusals.sql — how the configuration says no (SPEC §2: "constraints
-- and triggers reject nonsense with clear errors").
--
-- Every CHECK constraint of a configuration table carries a COMMENT: its first
-- line is the rule in an admin's words, the second the hint.  One BEFORE
-- trigger per table (omni._explain_refusal) tests the row against those
-- constraints and the NOT NULL columns first (omni._refusal explains a
-- failure), so a refusal names the object (table and name or key), the rule,
-- the constraint, SQLSTATE 23514 / 23502 and a hint instead of PostgreSQL's
-- bare 'violates check constraint "x_check"'.  Foreign keys keep PostgreSQL's
-- own message (it names the key and the table); checking them here could
-- refuse rows a data-modifying CTE inserts in the same statement.
-- The constraints stay the backstop; a pgTAP-style regression check
-- (sql/routing_rules.sql) makes sure no CHECK of these tables lacks a comment.

-- Raise the refusal of row r of table rel (called when a rule fails).
CREATE FUNCTION omni._refusal(rel oid, r anyelement) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    tab name := (SELECT relname FROM pg_class WHERE oid = rel);
    row_json jsonb := to_jsonb(r);
    object text;
    k record;
    ok boolean;
    failure text;
BEGIN
    -- The object: the table in words and its name, else its primary key value(s).
    IF tab = 'agent' THEN
        object := format('agent "%s"', row_json ->> 'name');
    ELSE
        SELECT replace(tab, '_', ' ') || ' ' ||
               CASE WHEN count(*) = 1 THEN format('"%s"', min(row_json ->> a.attname))
                    ELSE '(' || string_agg(coalesce(row_json ->> a.attname, 'NULL'), ', ' ORDER BY pk.o) || ')' END
          INTO object
          FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY pk(n, o)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = pk.n
         WHERE i.indrelid = rel AND i.indisprimary;
    END IF;
    -- Columns that must be given.
    FOR k IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS what
               FROM pg_attribute a
              WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
              ORDER BY a.attnum
    LOOP
        IF row_json -> k.attname = 'null'::jsonb THEN
            RAISE EXCEPTION '%: % must be given', coalesce(object, tab), k.attname
                USING ERRCODE = 'not_null_violation', COLUMN = k.attname, TABLE = tab,
                      SCHEMA = 'omni',
                      HINT = coalesce(k.attname || ': ' || k.what, 'See \d+ omni.' || tab || '.');
        END IF;
    END LOOP;
    -- The rules, in constraint name order.
    FOR k IN SELECT c.conname, pg_get_expr(c.conbin, c.conrelid) AS expr,
                    obj_description(c.oid, 'pg_constraint') AS said
               FROM pg_constraint c
              WHERE c.conrelid = rel AND c.contype = 'c'
              ORDER BY c.conname
    LOOP
        failure := NULL;
        BEGIN
            EXECUTE format('SELECT %s FROM (SELECT ($1).*) AS t', k.expr) INTO ok USING r;
        EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
            ok := false;            -- e.g. an unknown time zone
            failure := SQLERRM;
        END;
        IF NOT ok THEN
            RAISE EXCEPTION '%: %', coalesce(object, tab),
                coalesce(split_part(k.said, E'\n', 1), 'breaks rule ' || k.conname)
                USING ERRCODE = 'check_violation', CONSTRAINT = k.conname, TABLE = tab,
                      SCHEMA = 'omni',
                      DETAIL = coalesce(failure || '.', format('Constraint %s: %s.', k.conname, k.expr)),
                      HINT = nullif(split_part(coalesce(k.said, ''), E'\n', 2), '');
        END IF;
    END LOOP;
END $$;
COMMENT ON FUNCTION omni._refusal(oid, anyelement) IS
    'Raises the refusal of a configuration row: the first empty NOT NULL column (23502) or broken CHECK constraint (23514) with the object, the rule (the constraint''s comment) and its hint.';

-- The trigger: one statement tests every rule of the row (cheap: bulk loads
-- of agents pay about one extra query per row); the explanation runs only
-- when a rule fails.
CREATE FUNCTION omni._explain_refusal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    test text;
    failed boolean;
BEGIN
    SELECT 'SELECT ' || concat_ws(' OR ',
               (SELECT string_agg(format('%I IS NULL', a.attname), ' OR ' ORDER BY a.attnum)
                  FROM pg_attribute a
                 WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull),
               (SELECT string_agg(format('NOT coalesce((%s), true)', pg_get_expr(c.conbin, c.conrelid)), ' OR ')
                  FROM pg_constraint c WHERE c.conrelid = TG_RELID AND c.contype = 'c'))
           || ' FROM (SELECT ($1).*) AS t'
      INTO test;
    BEGIN
        EXECUTE test INTO failed USING NEW;
    EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
        failed := true;          -- e.g. an unknown time zone: explained below
    END;
    IF failed THEN
        PERFORM omni._refusal(TG_RELID, NEW);
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION omni._explain_refusal() IS
    'BEFORE trigger of the configuration tables: a row that breaks a CHECK constraint or leaves a NOT NULL column empty is refused with the object, the rule (the constraint''s comment), SQLSTATE 23514/23502 and a hint (omni._refusal).';
REVOKE ALL ON FUNCTION omni._refusal(oid, anyelement) FROM PUBLIC;
REVOKE ALL ON FUNCTION omni._explain_refusal() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['presence', 'channel', 'skill', 'capacity_profile', 'agent', 'agent_skill',
                             'agent_capacity_profile', 'queue', 'queue_member', 'queue_supervisor', 'workstream',
                             'route_rule', 'classify_rule', 'assignment_rule', 'queue_overflow', 'queue_hours',
                             'route_rule_split']
    LOOP
        EXECUTE format('CREATE TRIGGER explain_refusal BEFORE INSERT OR UPDATE ON omni.%I'
                       ' FOR EACH ROW EXECUTE FUNCTION omni._explain_refusal()', t);
    END LOOP;
END $$;

-- The rules, one sentence each (line 2: the hint).
COMMENT ON CONSTRAINT presence_name_check ON omni.presence IS
    E'a presence needs a name that is not blank\nGive the presence a name, e.g. ''Training''.';
COMMENT ON CONSTRAINT channel_name_check ON omni.channel IS
    E'a channel name is lower case letters, digits and underscores, starting with a letter\nFor example ''whatsapp'' or ''web_chat''.';
COMMENT ON CONSTRAINT skill_name_check ON omni.skill IS
    E'a skill needs a name that is not blank\nGive the skill a name, e.g. ''billing''.';
COMMENT ON CONSTRAINT capacity_profile_name_check ON omni.capacity_profile IS
    E'a capacity profile needs a name that is not blank\nGive the profile a name, e.g. ''voice''.';
COMMENT ON CONSTRAINT capacity_profile_max_items_check ON omni.capacity_profile IS
    E'a capacity profile allows at least 1 item at once\nSet max_items to 1 or more (an agent override may be 0).';
COMMENT ON CONSTRAINT capacity_profile_reset_check ON omni.capacity_profile IS
    E'a capacity profile resets ''immediate'' or ''end_of_day''\nSet reset to immediate (a slot frees when the item is released) or end_of_day.';
COMMENT ON CONSTRAINT agent_name_check ON omni.agent IS
    E'an agent needs a name that is not blank\nGive the agent a display name.';
COMMENT ON CONSTRAINT agent_capacity_units_check ON omni.agent IS
    E'an agent''s capacity units cannot be negative\nSet capacity_units to 0 or more (default 100).';
COMMENT ON CONSTRAINT agent_attributes_check ON omni.agent IS
    E'an agent''s attributes are a JSON object\nFor example ''{"tier": 2}''.';
COMMENT ON CONSTRAINT agent_skill_proficiency_check ON omni.agent_skill IS
    E'a proficiency is from 1 (novice) to 10 (expert)\nSet proficiency between 1 and 10.';
COMMENT ON CONSTRAINT agent_capacity_profile_max_items_check ON omni.agent_capacity_profile IS
    E'an agent''s override of a profile''s max_items cannot be negative\nSet max_items to 0 or more, or NULL to use the profile''s.';
COMMENT ON CONSTRAINT queue_name_check ON omni.queue IS
    E'a queue needs a name that is not blank\nGive the queue a name.';
COMMENT ON CONSTRAINT queue_sentiment_alert_level_check ON omni.queue IS
    E'a sentiment alert fires at slightly_negative, negative or very_negative\nSet sentiment_alert_level to one of those three levels.';
COMMENT ON CONSTRAINT queue_service_level_threshold_check ON omni.queue IS
    E'a service level threshold is longer than 0\nFor example ''20 seconds''.';
COMMENT ON CONSTRAINT queue_short_abandon_threshold_check ON omni.queue IS
    E'a short-abandon threshold cannot be negative\nFor example ''5 seconds'', or 0 to count every abandon.';
COMMENT ON CONSTRAINT queue_time_zone_check ON omni.queue IS
    E'a queue''s time zone must be one PostgreSQL knows\nUse a name from pg_timezone_names, e.g. ''Europe/Madrid''.';
COMMENT ON CONSTRAINT workstream_name_check ON omni.workstream IS
    E'a workstream needs a name that is not blank\nGive the workstream a name.';
COMMENT ON CONSTRAINT workstream_check ON omni.workstream IS
    E'voice work is push only: a voice workstream cannot be in pick mode\nSet mode = ''push'', or use another channel for work agents pick.';
COMMENT ON CONSTRAINT workstream_capacity_units_check ON omni.workstream IS
    E'a workstream''s capacity units cannot be negative\nSet capacity_units to 0 or more (default 10).';
COMMENT ON CONSTRAINT workstream_allowed_presences_check ON omni.workstream IS
    E'allowed presences list at least one base status, no NULL and never offline\nFor example ''{available,busy}''.';
COMMENT ON CONSTRAINT workstream_offer_timeout_check ON omni.workstream IS
    E'an offer timeout is longer than 0 and at most 1 day\nFor example ''120 seconds''.';
COMMENT ON CONSTRAINT workstream_max_declines_check ON omni.workstream IS
    E'max_declines is from 1 to 5\nSet max_declines between 1 and 5 (default 3).';
COMMENT ON CONSTRAINT workstream_auto_close_open_check ON omni.workstream IS
    E'auto_close_open is longer than 0\nUse NULL to never close open conversations automatically.';
COMMENT ON CONSTRAINT workstream_auto_close_waiting_check ON omni.workstream IS
    E'auto_close_waiting is longer than 0\nFor example ''1 day''.';
COMMENT ON CONSTRAINT workstream_auto_close_wrap_up_check ON omni.workstream IS
    E'auto_close_wrap_up is longer than 0\nFor example ''15 minutes''.';
COMMENT ON CONSTRAINT route_rule_position_check ON omni.route_rule IS
    E'a rule position cannot be negative\nNumber rules from 0 or 1 upwards.';
COMMENT ON CONSTRAINT route_rule_condition_check ON omni.route_rule IS
    E'a route rule condition must be a SQL/JSON path predicate on the context\nFor example ''$.lang == "es"'' (a path alone such as ''$.lang'' is not a predicate).';
COMMENT ON CONSTRAINT classify_rule_position_check ON omni.classify_rule IS
    E'a rule position cannot be negative\nNumber rules from 0 or 1 upwards.';
COMMENT ON CONSTRAINT classify_rule_condition_check ON omni.classify_rule IS
    E'a classify rule condition must be a SQL/JSON path predicate on the context\nFor example ''$.topic == "billing"''.';
COMMENT ON CONSTRAINT classify_rule_required_skills_check ON omni.classify_rule IS
    E'required skills are a JSON object of skill names to a minimum proficiency 1..10\nFor example ''{"billing": 5}''.';
COMMENT ON CONSTRAINT assignment_rule_position_check ON omni.assignment_rule IS
    E'a rule position cannot be negative\nNumber rules from 0 or 1 upwards.';
COMMENT ON CONSTRAINT assignment_rule_condition_check ON omni.assignment_rule IS
    E'an assignment rule condition must be a SQL/JSON path predicate on the agent ($conversation may be used)\nFor example ''$.skills.billing >= 5'', or NULL to match every eligible agent.';
COMMENT ON CONSTRAINT assignment_rule_order_by_check ON omni.assignment_rule IS
    E'order_by lists at most 8 known keys, each optionally followed by asc or desc\nKeys: proficiency[:skill], free_capacity, idle_time, least_active, round_robin, skill_count, attribute:<name>.';
COMMENT ON CONSTRAINT queue_overflow_position_check ON omni.queue_overflow IS
    E'a rule position cannot be negative\nNumber rules from 0 or 1 upwards.';
COMMENT ON CONSTRAINT queue_overflow_condition_check ON omni.queue_overflow IS
    E'an overflow condition is queue_length, outside_hours or wait_time\nSet condition to one of those three.';
COMMENT ON CONSTRAINT queue_overflow_action_check ON omni.queue_overflow IS
    E'an overflow action is transfer or close\nSet action to transfer (with target_queue) or close.';
COMMENT ON CONSTRAINT queue_overflow_max_waiting_check ON omni.queue_overflow IS
    E'max_waiting cannot be negative\nSet max_waiting to 0 or more.';
COMMENT ON CONSTRAINT queue_overflow_max_wait_check ON omni.queue_overflow IS
    E'max_wait is longer than 0\nFor example ''5 minutes''.';
COMMENT ON CONSTRAINT queue_overflow_close_reason_check ON omni.queue_overflow IS
    E'a close reason is not blank\nLeave the default ''overflow'' or name the reason.';
COMMENT ON CONSTRAINT queue_length_needs_max_waiting ON omni.queue_overflow IS
    E'max_waiting is set for a queue_length rule and only for it\nGive max_waiting with condition queue_length; leave it NULL otherwise.';
COMMENT ON CONSTRAINT wait_time_needs_max_wait ON omni.queue_overflow IS
    E'max_wait is set for a wait_time rule and only for it\nGive max_wait with condition wait_time; leave it NULL otherwise.';
COMMENT ON CONSTRAINT transfer_needs_target ON omni.queue_overflow IS
    E'target_queue is set for a transfer and only for it\nGive target_queue with action transfer; leave it NULL for close.';
COMMENT ON CONSTRAINT target_differs ON omni.queue_overflow IS
    E'an overflow cannot transfer to the queue it protects\nChoose another target_queue.';
COMMENT ON CONSTRAINT queue_hours_isodow_check ON omni.queue_hours IS
    E'a day of the week is 1 (Monday) to 7 (Sunday)\nSet isodow between 1 and 7.';
COMMENT ON CONSTRAINT queue_hours_check ON omni.queue_hours IS
    E'opening hours close after they open\nSplit hours across midnight into two rows; use 24:00 for midnight.';
COMMENT ON CONSTRAINT route_rule_split_percent_check ON omni.route_rule_split IS
    E'a share of a split is from 1 to 100 percent\nSet percent between 1 and 100; the shares of a rule total 100.';
