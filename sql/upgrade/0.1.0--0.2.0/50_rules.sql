-- Upgrade part of the rules work (issue 11): percentage splits checked on
-- every change, exact histogram percentiles, login's one presence change,
-- configuration refusals in words, explain_routing, consult.
-- Function bodies are copies of the final definitions in sql/src.

CREATE OR REPLACE FUNCTION omni._check_route_rule_split() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT s.workstream, s.position, count(*) AS n, sum(s.percent) AS total
               FROM omni.route_rule_split s
              WHERE (s.workstream, s.position) = (NEW.workstream, NEW.position)
                 OR (s.workstream, s.position) = (OLD.workstream, OLD.position)
              GROUP BY 1, 2
    LOOP
        IF r.n > 5 THEN
            RAISE EXCEPTION 'route rule % of workstream "%" is split across % queues; at most 5 are allowed',
                r.position, r.workstream, r.n USING ERRCODE = 'check_violation',
                HINT = 'Merge the shares of some queues so that at most five remain.';
        END IF;
        IF r.total <> 100 THEN
            RAISE EXCEPTION 'the split of route rule % of workstream "%" totals % percent; it must total 100',
                r.position, r.workstream, r.total USING ERRCODE = 'check_violation',
                DETAIL = 'Checked when the transaction commits, after every insert, update or delete of omni.route_rule_split.',
                HINT = 'Change the shares in the same transaction so they add up to 100, or delete every row of the rule to remove its split.';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION omni._check_route_rule_split() IS
    'Constraint trigger (at commit, after any insert, update or delete): a route rule is split across at most five queues totalling 100 percent, or not split at all.';

DROP TRIGGER check_split ON omni.route_rule_split;

CREATE CONSTRAINT TRIGGER check_split AFTER INSERT OR UPDATE OR DELETE ON omni.route_rule_split

    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION omni._check_route_rule_split();

CREATE OR REPLACE FUNCTION omni._kpi_percentile(counts double precision[], p double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH b AS (
        SELECT i, c, sum(c) OVER (ORDER BY i) AS cum, (omni._kpi_hist_bounds())[i] AS lo
          FROM unnest(counts) WITH ORDINALITY u(c, i)),
    n AS (SELECT sum(c) AS total FROM b)
    SELECT b.lo
      FROM b, n
     WHERE n.total > 0 AND b.c > 0 AND b.cum >= greatest(ceil(n.total * p), 1)
     ORDER BY b.i LIMIT 1
$$;
COMMENT ON FUNCTION omni._kpi_percentile(double precision[], double precision) IS
    'Percentile from wait-time histogram counts: lower bound of the bin holding the nearest rank (exact at bin edges, under by less than the bin width elsewhere); NULL when empty.';

CREATE OR REPLACE FUNCTION omni.login(agent_id bigint) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    p text;
    follows_load boolean;
    got text;
BEGIN
    PERFORM omni._authorize_agent(agent_id, 'log in agent ' || agent_id, false);
    PERFORM omni._lock_agent(agent_id);
    SELECT coalesce(a.default_presence, 'Available') INTO p FROM omni.agent a WHERE a.id = login.agent_id;
    SELECT pr.base_status IN ('available', 'busy') AND NOT pr.system_only INTO follows_load
      FROM omni.presence pr WHERE pr.name = p;
    IF follows_load THEN
        UPDATE omni.agent_state s SET logged_in = true, chosen_presence = p WHERE s.agent_id = login.agent_id;
        PERFORM omni._follow_load(agent_id);
    ELSE
        UPDATE omni.agent_state s SET logged_in = true WHERE s.agent_id = login.agent_id;
        PERFORM omni._set_presence(agent_id, p, 'login', true);
        -- An agent who logs in with work still held (e.g. after a crash) shows its load.
        PERFORM omni._follow_load(agent_id);
    END IF;
    got := (SELECT presence FROM omni.agent_state s WHERE s.agent_id = login.agent_id);
    PERFORM omni._log_agent('login', agent_id, jsonb_build_object('presence', got, 'default_presence', p));
    RETURN got;
END $$;
COMMENT ON FUNCTION omni.login(bigint) IS
    'Logs an agent in and returns the presence it got. Rule: a default presence based on available or busy (none: Available) is computed from the agent''s load at sign-in, as D365 does (free: the default if available-based, else Available; partly loaded: Busy; full: Busy - DND) and recorded as one presence change; Away, Busy - DND, Offline and custom away-based defaults are applied as configured. The login event''s detail has default_presence and presence.';

CREATE OR REPLACE FUNCTION omni.link_customer(customer_id bigint, channel text, address text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    old bigint;
BEGIN
    IF NOT omni._is_service() THEN
        PERFORM omni._deny('link customer identities');
    END IF;
    IF address IS NULL OR btrim(address) = '' THEN
        RAISE EXCEPTION 'cannot link customer % on channel "%": the address is empty', customer_id, channel
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the customer''s address on that channel (phone number, e-mail, chat visitor id ...).';
    END IF;
    IF customer_id IS NULL OR NOT EXISTS (SELECT 1 FROM omni.customer WHERE id = customer_id) THEN
        RAISE EXCEPTION 'customer % does not exist', coalesce(customer_id::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See omni.customer for the customers that exist.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.channel WHERE name = link_customer.channel) THEN
        RAISE EXCEPTION 'channel "%" does not exist', coalesce(channel, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See omni.channel for the channels that exist.';
    END IF;
    SELECT i.customer_id INTO old FROM omni.customer_identity i
     WHERE i.channel = link_customer.channel AND i.address = link_customer.address FOR UPDATE;
    IF old IS NULL THEN
        INSERT INTO omni.customer_identity (channel, address, customer_id, created_at)
        VALUES (channel, address, customer_id, omni.now());
    ELSIF old <> customer_id THEN
        -- The address was a separate customer so far: merge its conversations.
        UPDATE omni.customer_identity i SET customer_id = link_customer.customer_id WHERE i.customer_id = old;
        UPDATE omni.conversation c SET customer_id = link_customer.customer_id WHERE c.customer_id = old;
        DELETE FROM omni.customer WHERE id = old;
    END IF;
    INSERT INTO omni.event (at, kind, actor, detail)
    VALUES (omni.now(), 'customer_linked', omni._caller_name(),
            jsonb_build_object('customer_id', customer_id, 'channel', channel, 'address', address,
                               'merged', CASE WHEN old <> customer_id THEN old END));
END $$;
COMMENT ON FUNCTION omni.link_customer(bigint, text, text) IS
    'Links a channel address to a customer (merging the customer that address had), so conversations across channels belong together.';

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

-- Why not routed: one eligibility definition, explain_routing, unassigned_work.blocked_by.

CREATE OR REPLACE FUNCTION omni._eligibility(a bigint, c omni.conversation, OUT reason text, OUT detail text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    w omni.workstream;
    s omni.agent_state;
    base omni.base_status;
    missing text;
    declines integer;
BEGIN
    SELECT * INTO w FROM omni.workstream WHERE name = c.workstream;
    SELECT * INTO s FROM omni.agent_state WHERE agent_id = a;
    IF NOT FOUND THEN
        reason := 'agent does not exist';
        detail := format('agent %s does not exist', a);
        RETURN;
    END IF;
    IF NOT s.logged_in THEN
        reason := 'not logged in';
        detail := format('agent %s is not logged in', a);
        RETURN;
    END IF;
    SELECT base_status INTO base FROM omni.presence WHERE name = s.presence;
    IF NOT base = ANY (w.allowed_presences) THEN
        reason := 'presence not allowed';
        detail := format('agent %s is %s (%s); workstream "%s" allows %s', a, s.presence, base, w.name,
                         array_to_string(w.allowed_presences, ', '));
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member WHERE queue = c.queue AND agent_id = a) THEN
        reason := 'not a member of the queue';
        detail := format('agent %s is not a member of queue "%s"', a, c.queue);
        RETURN;
    END IF;
    IF w.skill_match = 'exact' THEN
        SELECT k INTO missing FROM jsonb_each_text(c.required_skills) r(k, v)
         WHERE NOT EXISTS (SELECT 1 FROM omni.agent_skill sk
                            WHERE sk.agent_id = a AND sk.skill = r.k AND sk.proficiency >= r.v::integer)
         ORDER BY k LIMIT 1;
        IF missing IS NOT NULL THEN
            reason := 'missing skill';
            detail := format('agent %s lacks skill "%s" at proficiency %s', a, missing, c.required_skills ->> missing);
            RETURN;
        END IF;
    END IF;
    SELECT count(*) INTO declines FROM omni.offer
     WHERE conversation_id = c.id AND agent_id = a AND state IN ('rejected', 'expired');
    IF declines >= w.max_declines THEN
        reason := 'declined too often';
        detail := format('agent %s declined conversation %s %s times (max_declines %s)', a, c.id, declines, w.max_declines);
        RETURN;
    END IF;
    -- Capacity: omni._capacity_refusal (30_core.sql) words its refusals in
    -- three shapes; name each for a supervisor.
    detail := omni._capacity_refusal(a, c);
    reason := CASE WHEN detail IS NULL THEN NULL
                   WHEN detail LIKE '% capacity units free;%' THEN 'no free capacity'
                   WHEN detail LIKE '% items of capacity profile %(blocking)' THEN 'blocked by a capacity profile'
                   WHEN detail LIKE '% items of capacity profile %' THEN 'capacity profile full'
                   WHEN detail LIKE '% does not have capacity profile %' THEN 'no capacity profile'
                   ELSE 'no room' END;
END $$;
COMMENT ON FUNCTION omni._eligibility(bigint, omni.conversation) IS
    'The eligibility definition: (reason, detail) why an agent may not take a conversation now, reason NULL when it may (docs/routing.md, "Why not routed").';

CREATE OR REPLACE FUNCTION omni._eligibility_refusal(a bigint, c omni.conversation) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT (omni._eligibility(a, c)).detail
$$;
COMMENT ON FUNCTION omni._eligibility_refusal(bigint, omni.conversation) IS
    'Why an agent may not take a conversation now (NULL when it may): the detail of omni._eligibility.';

CREATE OR REPLACE FUNCTION omni._custom_rules_match(a bigint, c omni.conversation) RETURNS boolean
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    doc jsonb;
BEGIN
    IF (SELECT q.assignment_method FROM omni.queue q WHERE q.name = c.queue) IS DISTINCT FROM 'custom' THEN
        RETURN true;
    END IF;
    SELECT jsonb_build_object('id', ag.id, 'name', ag.name, 'attributes', ag.attributes,
                              'presence', s.presence, 'base_status', p.base_status,
                              'capacity_units', ag.capacity_units, 'used_units', omni._used_units(ag.id),
                              'free_units', ag.capacity_units - omni._used_units(ag.id),
                              'skills', coalesce((SELECT jsonb_object_agg(k.skill, k.proficiency)
                                                    FROM omni.agent_skill k WHERE k.agent_id = ag.id), '{}'))
      INTO doc
      FROM omni.agent ag JOIN omni.agent_state s ON s.agent_id = ag.id
      JOIN omni.presence p ON p.name = s.presence
     WHERE ag.id = a;
    RETURN EXISTS (
        SELECT 1 FROM omni.assignment_rule r
         WHERE r.queue = c.queue
           AND (r.condition IS NULL
                OR coalesce(jsonb_path_match(doc, r.condition,
                                             jsonb_build_object('conversation', jsonb_build_object(
                                                 'id', c.id, 'priority', c.priority, 'required_skills', c.required_skills,
                                                 'context', c.context, 'queue', c.queue, 'workstream', c.workstream,
                                                 'channel', c.channel)),
                                             true), false)));
END $$;
COMMENT ON FUNCTION omni._custom_rules_match(bigint, omni.conversation) IS
    'Whether some custom assignment rule of the conversation''s queue matches the agent (always true for the other methods).';

CREATE OR REPLACE FUNCTION omni.explain_routing(conversation_id bigint)
    RETURNS TABLE (agent_id bigint, agent text, eligible boolean, reason text, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    pending omni.offer;
BEGIN
    SELECT * INTO c FROM omni.conversation cv WHERE cv.id = explain_routing.conversation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'conversation % does not exist', conversation_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('explain the routing of conversation ' || c.id,
                           format('Only admins and supervisors of queue "%s" may.', coalesce(c.queue, '(none)')));
    END IF;
    SELECT * INTO pending FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending';
    RETURN QUERY
    SELECT m.agent_id, a.name, r.reason IS NULL, r.reason, r.detail
      FROM omni.queue_member m JOIN omni.agent a ON a.id = m.agent_id
      CROSS JOIN LATERAL (
          SELECT e.reason, e.detail FROM (
              SELECT 1 AS step,
                     CASE WHEN c.state <> 'open' THEN 'not waiting for an agent'
                          WHEN pending.id IS NOT NULL AND pending.agent_id = m.agent_id THEN 'offered, awaiting an answer'
                          WHEN pending.id IS NOT NULL THEN 'offered to another agent' END AS reason,
                     CASE WHEN c.state <> 'open' THEN format('conversation %s is %s', c.id, c.state)
                          WHEN pending.id IS NOT NULL
                          THEN format('offer %s to agent %s is pending until %s', pending.id, pending.agent_id,
                                      pending.expires_at) END AS detail
              UNION ALL
              SELECT 2, el.reason, el.detail FROM omni._eligibility(m.agent_id, c) el
              UNION ALL
              SELECT 3, 'no custom rule matches',
                     format('no assignment rule of queue "%s" matches agent %s', c.queue, m.agent_id)
               WHERE NOT omni._custom_rules_match(m.agent_id, c)) e
           ORDER BY e.reason IS NULL, e.step
           LIMIT 1) r
     WHERE m.queue = c.queue
     ORDER BY m.agent_id;
END $$;
COMMENT ON FUNCTION omni.explain_routing(bigint) IS
    'Why not routed (SPEC §3): one row per member of the conversation''s queue with eligible and, when not, the first rule that excludes the agent in a supervisor''s words (not logged in, presence not allowed, missing skill, declined too often, no free capacity, capacity profile full, no custom rule matches, ...) and the numbers in detail. Supervisors of the queue and admins.';

CREATE OR REPLACE FUNCTION omni._routing_block(conversation_id bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    m record;
    why text;
    counts jsonb := '{}';
    summary text;
BEGIN
    SELECT * INTO c FROM omni.conversation cv WHERE cv.id = _routing_block.conversation_id;
    IF NOT FOUND OR c.state <> 'open' OR NOT (omni._is_admin() OR omni._supervises_queue(c.queue)) THEN
        RETURN NULL;        -- not waiting, or not the caller's to know
    END IF;
    IF EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending') THEN
        RETURN 'offered, awaiting the agent''s answer';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member qm WHERE qm.queue = c.queue) THEN
        RETURN 'the queue has no members';
    END IF;
    -- Cheap cases first; then the members, logged-in ones first, until one
    -- is eligible.
    IF NOT EXISTS (SELECT 1 FROM omni.queue_member qm JOIN omni.agent_state s ON s.agent_id = qm.agent_id
                    WHERE qm.queue = c.queue AND s.logged_in) THEN
        RETURN 'no member logged in';
    END IF;
    FOR m IN SELECT qm.agent_id FROM omni.queue_member qm JOIN omni.agent_state s ON s.agent_id = qm.agent_id
              WHERE qm.queue = c.queue ORDER BY s.logged_in DESC, qm.agent_id
    LOOP
        why := coalesce((omni._eligibility(m.agent_id, c)).reason,
                        CASE WHEN NOT omni._custom_rules_match(m.agent_id, c) THEN 'no custom rule matches' END);
        IF why IS NULL THEN      -- somebody may take it now
            RETURN CASE WHEN (SELECT w.mode FROM omni.workstream w WHERE w.name = c.workstream) = 'push'
                        THEN 'an agent is eligible: waiting for the next routing cycle'
                        ELSE 'waiting for an agent to pick it' END;
        END IF;
        counts := jsonb_set(counts, ARRAY[why], to_jsonb(coalesce((counts ->> why)::integer, 0) + 1));
    END LOOP;
    IF (SELECT count(*) FROM jsonb_object_keys(counts)) = 1 THEN   -- every member excluded for one reason
        why := (SELECT k FROM jsonb_object_keys(counts) k);
        RETURN CASE why
            WHEN 'presence not allowed' THEN 'no member in an allowed presence'
            WHEN 'missing skill' THEN 'nobody with the skill'
            WHEN 'declined too often' THEN 'everyone declined'
            WHEN 'no free capacity' THEN 'no member with free capacity'
            WHEN 'capacity profile full' THEN 'every member''s capacity profile is full'
            WHEN 'blocked by a capacity profile' THEN 'every member is blocked by a capacity profile'
            WHEN 'no capacity profile' THEN 'no member has the capacity profile'
            WHEN 'no custom rule matches' THEN 'custom rules match nobody'
            ELSE why END;
    END IF;
    SELECT string_agg(e.value || ' ' || e.key, ', ' ORDER BY e.value::integer DESC, e.key) INTO summary
      FROM jsonb_each_text(counts) e;
    RETURN 'no eligible member: ' || summary;
END $$;
COMMENT ON FUNCTION omni._routing_block(bigint) IS
    'What keeps an open conversation from an agent, in a supervisor''s words (omni.unassigned_work.blocked_by); NULL when not open or when the caller neither supervises its queue nor is an admin.';

REVOKE ALL ON FUNCTION omni._eligibility(bigint, omni.conversation), omni._eligibility_refusal(bigint, omni.conversation),

    omni._custom_rules_match(bigint, omni.conversation), omni.explain_routing(bigint), omni._routing_block(bigint) FROM PUBLIC;

CREATE OR REPLACE VIEW omni.unassigned_work WITH (security_invoker = true) AS
SELECT c.id AS conversation_id, c.queue, c.channel, c.workstream, w.mode, c.priority, c.customer, c.escalated,
       c.transfer_count, c.queued_at,
       extract(epoch FROM omni.now() - c.queued_at)::double precision AS wait_s,
       omni.now() - c.queued_at > q.service_level_threshold AS over_service_level,
       (SELECT count(*) FROM omni.offer o WHERE o.conversation_id = c.id
           AND o.state IN ('rejected', 'expired') AND o.created_at >= c.queued_at)::integer AS declines,
       o.id AS pending_offer_id, o.agent_id AS offered_agent_id, c.required_skills, c.sentiment,
       omni._routing_block(c.id) AS blocked_by
  FROM omni.conversation c
  JOIN omni.queue q ON q.name = c.queue
  JOIN omni.workstream w ON w.name = c.workstream
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending'
 WHERE c.state = 'open';
COMMENT ON COLUMN omni.unassigned_work.blocked_by IS
    'What keeps it from an agent, in a supervisor''s words: no member logged in, nobody with the skill, everyone declined, no member with free capacity, custom rules match nobody, offered (awaiting an answer), ... (omni.explain_routing gives each member''s reason).';

GRANT EXECUTE ON FUNCTION omni.explain_routing(bigint) TO omnichannel_supervisor, omnichannel_admin;

GRANT EXECUTE ON FUNCTION omni._routing_block(bigint) TO omnichannel_supervisor, omnichannel_admin;

-- Consult and transfer offers.
ALTER TABLE omni.workstream ADD COLUMN transfer_needs_accept boolean NOT NULL DEFAULT false,
                            ADD COLUMN consult_needs_capacity boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN omni.workstream.transfer_needs_accept IS
    'A transfer to an agent is offered to that agent, who accepts or rejects it (omni.transfer_offer), as in D365; default false: it is handed over at once.';
COMMENT ON COLUMN omni.workstream.consult_needs_capacity IS
    'A consulted agent must have free capacity for one of its conversations (a consult itself holds none); default false, as in D365.';
ALTER TABLE omni.conversation_participant DROP CONSTRAINT conversation_participant_role_check,
    ADD CONSTRAINT conversation_participant_role_check CHECK (role IN ('monitor', 'consult'));
COMMENT ON TABLE omni.conversation_participant IS 'People other than the handling agent on a conversation (supervisors monitoring, consulted agents).';
COMMENT ON COLUMN omni.conversation_participant.role IS 'monitor: silent, sees the conversation, holds no capacity; consult: a consulted agent (omni.consult), sees it and may post, holds no capacity.';
INSERT INTO omni.conversation_transition (operation, from_state, served_by, to_state) VALUES
    ('consult', 'active', 'agent', 'active');

-- Transfer offers (D365: a transfer to an agent reaches the agent as a request to accept) ----

CREATE TABLE omni.transfer_offer (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  bigint NOT NULL REFERENCES omni.conversation (id),
    from_agent_id    bigint NOT NULL REFERENCES omni.agent (id),
    agent_id         bigint NOT NULL REFERENCES omni.agent (id),
    queue            text NOT NULL,
    state            omni.offer_state NOT NULL DEFAULT 'pending',
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    decided_at       timestamptz,
    reason           text,
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX transfer_offer_one_pending_idx ON omni.transfer_offer (conversation_id) WHERE state = 'pending';
CREATE INDEX transfer_offer_agent_idx ON omni.transfer_offer (agent_id, created_at);
COMMENT ON TABLE omni.transfer_offer IS
    'Transfers to an agent waiting for that agent''s answer (workstreams with transfer_needs_accept); at most one pending per conversation. The conversation stays with its agent until the offer is accepted.';
COMMENT ON COLUMN omni.transfer_offer.id IS 'Transfer offer id (omni.accept_transfer / omni.reject_transfer take it).';
COMMENT ON COLUMN omni.transfer_offer.conversation_id IS 'Conversation to hand over.';
COMMENT ON COLUMN omni.transfer_offer.from_agent_id IS 'Agent who held the conversation when the transfer was asked.';
COMMENT ON COLUMN omni.transfer_offer.agent_id IS 'Agent asked to take it.';
COMMENT ON COLUMN omni.transfer_offer.queue IS 'Queue of the conversation when asked.';
COMMENT ON COLUMN omni.transfer_offer.state IS 'pending, accepted, rejected, expired (not answered within the workstream''s offer_timeout) or rescinded (the conversation moved on).';
COMMENT ON COLUMN omni.transfer_offer.created_at IS 'When the transfer was offered.';
COMMENT ON COLUMN omni.transfer_offer.expires_at IS 'Accepting is refused from then on (created_at + the workstream''s offer_timeout).';
COMMENT ON COLUMN omni.transfer_offer.decided_at IS 'When it stopped being pending.';
COMMENT ON COLUMN omni.transfer_offer.reason IS 'Why it was rescinded or expired.';
SELECT pg_catalog.pg_extension_config_dump('omni.transfer_offer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.transfer_offer_id_seq', '');

CREATE OR REPLACE FUNCTION omni._end_consults(c omni.conversation, a bigint DEFAULT NULL, why text DEFAULT 'ended')
    RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer := 0;
    t timestamptz := omni.now();
BEGIN
    FOR r IN UPDATE omni.conversation_participant p SET left_at = t
              WHERE p.conversation_id = c.id AND p.role = 'consult' AND p.left_at IS NULL
                AND (a IS NULL OR p.agent_id = a)
             RETURNING p.agent_id, p.joined_at
    LOOP
        PERFORM omni._log('consult_ended', c, agent => r.agent_id, from_state => c.state,
                          detail => jsonb_build_object('consult_s', extract(epoch FROM t - r.joined_at), 'reason', why));
        PERFORM omni._notify_agent(r.agent_id, 'consult_ended', jsonb_build_object('conversation_id', c.id));
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;


CREATE OR REPLACE FUNCTION omni._close(c omni.conversation, op text, kind text, reason text,
                            detail jsonb DEFAULT '{}') RETURNS omni.conversation
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, op);
    from_state omni.conversation_state := c.state;
    o bigint;
    t timestamptz := omni.now();
BEGIN
    SELECT id INTO o FROM omni.offer WHERE conversation_id = c.id AND state = 'pending';
    IF o IS NOT NULL THEN
        PERFORM omni._end_offer(o, 'rescinded', reason);
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._end_consults(c, why => 'closed');
    UPDATE omni.conversation_participant SET left_at = t WHERE conversation_id = c.id AND left_at IS NULL;
    UPDATE omni.conversation
       SET state = ns, closed_at = t, close_reason = reason, last_activity_at = t
     WHERE id = c.id RETURNING * INTO c;
    PERFORM omni._log(kind, c, from_state => from_state, detail => detail || jsonb_build_object('reason', reason));
    RETURN c;
END $$;


CREATE OR REPLACE FUNCTION omni.post_message(conversation_id bigint, sender omni.sender, body text,
                                  agent_id bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation;
    mid bigint;
    t timestamptz := omni.now();
BEGIN
    IF body IS NULL THEN
        RAISE EXCEPTION 'message body must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF octet_length(body) > 1048576 THEN
        RAISE EXCEPTION 'message body is % bytes; the limit is 1 MiB', octet_length(body)
            USING ERRCODE = 'string_data_right_truncation';
    END IF;
    IF sender IS NULL THEN
        RAISE EXCEPTION 'sender must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF (sender = 'agent') <> (agent_id IS NOT NULL) THEN
        RAISE EXCEPTION 'agent_id must be given for agent messages and only for them'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF sender = 'agent' THEN
        PERFORM omni._authorize_agent(agent_id, 'post messages as agent ' || agent_id, false);
    ELSIF NOT omni._is_service() THEN
        PERFORM omni._deny('post ' || sender::text || ' messages');
    END IF;
    c := omni._lock_conversation(conversation_id);
    IF c.state = 'closed' THEN
        RAISE EXCEPTION 'conversation % is closed; cannot post message', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'agent' AND (c.state NOT IN ('active', 'wrap_up')
                             OR (c.agent_id IS DISTINCT FROM post_message.agent_id
                                 AND NOT EXISTS (SELECT 1 FROM omni.conversation_participant p
                                                  WHERE p.conversation_id = c.id AND p.agent_id = post_message.agent_id
                                                    AND p.role = 'consult' AND p.left_at IS NULL))) THEN
        RAISE EXCEPTION 'agent % does not hold conversation % (%); cannot post message', agent_id, c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF sender = 'bot' AND NOT (c.state = 'active' AND c.agent_id IS NULL) THEN
        RAISE EXCEPTION 'conversation % is % and not served by a bot; cannot post bot message', c.id, c.state
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO omni.message (conversation_id, sender, agent_id, body, created_at)
    VALUES (c.id, sender, agent_id, body, t) RETURNING id INTO mid;
    UPDATE omni.conversation SET last_activity_at = t WHERE id = c.id;
    IF sender = 'agent' AND c.first_response_at IS NULL AND c.agent_id = post_message.agent_id THEN
        UPDATE omni.conversation SET first_response_at = t WHERE id = c.id RETURNING * INTO c;
        PERFORM omni._log('first_response', c, from_state => c.state,
                          detail => jsonb_build_object('message_id', mid));
    END IF;
    IF sender = 'customer' THEN
        IF c.state = 'waiting' THEN      -- the customer replied: back to the queue
            PERFORM omni._requeue(c, 'customer_reply', 'requeued', c.queue);
        END IF;
        PERFORM omni._score_customer_message(mid);
    END IF;
    RETURN mid;
END $$;
COMMENT ON FUNCTION omni.post_message(bigint, omni.sender, text, bigint) IS
    'Stores a message. Customer messages are scored for sentiment and bring a waiting conversation back to its queue; the first message of the conversation''s agent is the first response. The conversation''s agent and its consulted agents (omni.consult) may post.';

CREATE OR REPLACE FUNCTION omni._transfer_to_agent(c omni.conversation, a bigint, detail jsonb DEFAULT '{}') RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    ns omni.conversation_state := omni._next_state(c, 'transfer_to_agent');
    from_agent bigint := c.agent_id;
    t timestamptz := omni.now();
BEGIN
    IF a = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, a
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(a);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = a) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot receive conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM omni._release_capacity(c.id);
    PERFORM omni._hold_capacity(a, c, 'work');
    UPDATE omni.agent_state s SET last_assigned_at = t WHERE s.agent_id = a;
    -- a consultant who receives the conversation stops consulting
    PERFORM omni._end_consults(c, a, 'transferred to the consultant');
    UPDATE omni.conversation
       SET state = ns, agent_id = a, last_agent_id = a,
           accepted_at = t, transfer_count = transfer_count + 1, last_activity_at = t
     WHERE conversation.id = c.id RETURNING * INTO c;
    PERFORM omni._log('transferred_to_agent', c, from_state => 'active',
                      detail => jsonb_build_object('from_agent', from_agent) || detail);
    PERFORM omni._follow_load(a);
END $$;


CREATE OR REPLACE FUNCTION omni.transfer_to_agent(id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(id);
BEGIN
    PERFORM omni._authorize_handling(c, 'transfer');
    PERFORM omni._next_state(c, 'transfer_to_agent');
    IF (omni._workstream(c.workstream)).transfer_needs_accept THEN
        PERFORM omni._offer_transfer(c, agent_id);
    ELSE
        PERFORM omni._transfer_to_agent(c, agent_id);
    END IF;
END $$;
COMMENT ON FUNCTION omni.transfer_to_agent(bigint, bigint) IS
    'Hands an active conversation to another logged-in agent with free capacity (it stays active). When the workstream''s transfer_needs_accept is on, the agent is offered the transfer instead (omni.transfer_offer) and the hand-over happens when it accepts (omni.accept_transfer).';

CREATE OR REPLACE FUNCTION omni._end_transfer_offer(o omni.transfer_offer, outcome omni.offer_state, why text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c omni.conversation;
BEGIN
    UPDATE omni.transfer_offer SET state = outcome, decided_at = omni.now(), reason = why WHERE id = o.id;
    SELECT * INTO c FROM omni.conversation WHERE id = o.conversation_id;
    PERFORM omni._log('transfer_offer_' || outcome::text, c, agent => o.agent_id, from_state => c.state,
                      detail => jsonb_build_object('transfer_offer_id', o.id, 'from_agent', o.from_agent_id)
                                || CASE WHEN why IS NULL THEN '{}' ELSE jsonb_build_object('reason', why) END);
    PERFORM omni._notify_agent(o.agent_id, 'transfer_offer_' || outcome::text,
                               jsonb_build_object('transfer_offer_id', o.id, 'conversation_id', o.conversation_id));
END $$;


CREATE OR REPLACE FUNCTION omni._offer_transfer(c omni.conversation, a bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    w omni.workstream := omni._workstream(c.workstream);
    old omni.transfer_offer;
    tid bigint;
    t timestamptz := omni.now();
BEGIN
    IF a = c.agent_id THEN
        RAISE EXCEPTION 'conversation % is already with agent %', c.id, a
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM omni._lock_agent(a);
    IF NOT (SELECT logged_in FROM omni.agent_state s WHERE s.agent_id = a) THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be offered conversation %', a, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT * INTO old FROM omni.transfer_offer WHERE conversation_id = c.id AND state = 'pending';
    IF FOUND THEN
        PERFORM omni._end_transfer_offer(old, 'rescinded', 'another transfer was asked');
    END IF;
    INSERT INTO omni.transfer_offer (conversation_id, from_agent_id, agent_id, queue, created_at, expires_at)
    VALUES (c.id, c.agent_id, a, c.queue, t, t + w.offer_timeout) RETURNING id INTO tid;
    PERFORM omni._log('transfer_offered', c, agent => a, from_state => c.state,
                      detail => jsonb_build_object('transfer_offer_id', tid, 'from_agent', c.agent_id));
    PERFORM omni._notify_agent(a, 'transfer_offered', jsonb_build_object('transfer_offer_id', tid, 'conversation_id', c.id));
    RETURN tid;
END $$;


CREATE OR REPLACE FUNCTION omni._pending_transfer_offer(transfer_offer_id bigint, verb text) RETURNS omni.transfer_offer
    LANGUAGE plpgsql AS $$
DECLARE
    o omni.transfer_offer;
    c omni.conversation;
BEGIN
    SELECT * INTO o FROM omni.transfer_offer WHERE id = transfer_offer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer offer % does not exist', transfer_offer_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (omni._is_agent(o.agent_id) OR omni._is_admin()) THEN
        PERFORM omni._deny(verb || ' transfer offer ' || transfer_offer_id,
                           format('Transfer offer %s is for agent %s.', transfer_offer_id, o.agent_id));
    END IF;
    c := omni._lock_conversation(o.conversation_id);
    SELECT * INTO o FROM omni.transfer_offer WHERE id = transfer_offer_id FOR UPDATE;
    IF o.state <> 'pending' THEN
        RAISE EXCEPTION 'transfer offer % is %; cannot %', o.id, o.state, verb
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF c.state <> 'active' OR c.agent_id IS DISTINCT FROM o.from_agent_id THEN
        PERFORM omni._end_transfer_offer(o, 'rescinded', 'the conversation moved on');
        RETURN NULL;
    END IF;
    IF o.expires_at <= omni.now() THEN
        PERFORM omni._end_transfer_offer(o, 'expired', 'not answered in time');
        RETURN NULL;
    END IF;
    RETURN o;
END $$;


CREATE OR REPLACE FUNCTION omni.accept_transfer(transfer_offer_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.transfer_offer := omni._pending_transfer_offer(transfer_offer_id, 'accept');
    c omni.conversation;
BEGIN
    IF o.id IS NULL THEN
        RETURN NULL;        -- rescinded or expired just now (see omni.transfer_offer.state)
    END IF;
    c := omni._lock_conversation(o.conversation_id);
    UPDATE omni.transfer_offer SET state = 'accepted', decided_at = omni.now() WHERE id = o.id;
    PERFORM omni._transfer_to_agent(c, o.agent_id, jsonb_build_object('transfer_offer_id', o.id));
    RETURN c.id;
END $$;
COMMENT ON FUNCTION omni.accept_transfer(bigint) IS
    'The agent offered a transfer accepts: the conversation moves to it (as omni.transfer_to_agent does directly). Returns the conversation id, or NULL when the offer was found expired or the conversation had moved on (the offer is then marked so).';

CREATE OR REPLACE FUNCTION omni.reject_transfer(transfer_offer_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    o omni.transfer_offer := omni._pending_transfer_offer(transfer_offer_id, 'reject');
BEGIN
    IF o.id IS NOT NULL THEN
        PERFORM omni._end_transfer_offer(o, 'rejected');
    END IF;
END $$;
COMMENT ON FUNCTION omni.reject_transfer(bigint) IS
    'The agent offered a transfer declines it: the conversation stays with its agent.';

CREATE OR REPLACE FUNCTION omni.consult(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
    w omni.workstream;
    s omni.agent_state;
    refusal text;
BEGIN
    IF NOT ((c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_admin()
            OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('start a consult on conversation ' || c.id,
                           'Only the conversation''s agent, a supervisor of its queue or an admin may.');
    END IF;
    PERFORM omni._next_state(c, 'consult');
    IF agent_id = c.agent_id THEN
        RAISE EXCEPTION 'agent % holds conversation %; it cannot consult itself', agent_id, c.id
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Consult another agent.';
    END IF;
    IF EXISTS (SELECT 1 FROM omni.conversation_participant p
                WHERE p.conversation_id = c.id AND p.agent_id = consult.agent_id AND p.left_at IS NULL) THEN
        RAISE EXCEPTION 'agent % already takes part in conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF (SELECT count(*) FROM omni.conversation_participant p
         WHERE p.conversation_id = c.id AND p.role = 'consult' AND p.left_at IS NULL) >= 5 THEN
        RAISE EXCEPTION 'conversation % already has 5 consultants', c.id
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'End a consult with omni.end_consult first.';
    END IF;
    s := omni._lock_agent(agent_id);
    IF NOT s.logged_in THEN
        RAISE EXCEPTION 'agent % is not logged in; cannot be consulted on conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    w := omni._workstream(c.workstream);
    IF w.consult_needs_capacity THEN
        refusal := omni._capacity_refusal(agent_id, c);
        IF refusal IS NOT NULL THEN
            RAISE EXCEPTION 'agent % has no room to be consulted on conversation %', agent_id, c.id
                USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = refusal || '.',
                      HINT = format('Workstream "%s" needs free capacity for a consult (consult_needs_capacity).', w.name);
        END IF;
    END IF;
    INSERT INTO omni.conversation_participant AS p (conversation_id, agent_id, role, joined_at)
    VALUES (c.id, agent_id, 'consult', omni.now())
    ON CONFLICT ON CONSTRAINT conversation_participant_pkey DO UPDATE SET role = 'consult', left_at = NULL;
    PERFORM omni._log('consult_started', c, agent => agent_id, from_state => c.state,
                      detail => jsonb_build_object('by_agent', c.agent_id));
    PERFORM omni._notify_agent(agent_id, 'consult_started', jsonb_build_object('conversation_id', c.id));
END $$;
COMMENT ON FUNCTION omni.consult(bigint, bigint) IS
    'Brings a second, logged-in agent into an active conversation without transferring it (D365 consult): the consulted agent sees the conversation and may post in it until omni.end_consult or the close. Only the conversation''s agent, a supervisor of its queue or an admin; at most 5 consultants; free capacity needed only when the workstream''s consult_needs_capacity is on (a consult holds none).';

CREATE OR REPLACE FUNCTION omni.end_consult(conversation_id bigint, agent_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
DECLARE
    c omni.conversation := omni._lock_conversation(conversation_id);
BEGIN
    IF NOT ((c.agent_id IS NOT NULL AND omni._is_agent(c.agent_id)) OR omni._is_agent(agent_id)
            OR omni._is_admin() OR (c.queue IS NOT NULL AND omni._supervises_queue(c.queue))) THEN
        PERFORM omni._deny('end a consult on conversation ' || c.id,
                           'Only the conversation''s agent, the consulted agent, a supervisor of its queue or an admin may.');
    END IF;
    IF omni._end_consults(c, agent_id) = 0 THEN
        RAISE EXCEPTION 'agent % is not consulting on conversation %', agent_id, c.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
END $$;
COMMENT ON FUNCTION omni.end_consult(bigint, bigint) IS
    'Ends an agent''s consult on a conversation (the conversation''s agent, the consulted agent, a supervisor of its queue or an admin); the consulted agent no longer sees it.';

REVOKE ALL ON FUNCTION omni._end_consults(omni.conversation, bigint, text), omni._transfer_to_agent(omni.conversation, bigint, jsonb),

    omni._end_transfer_offer(omni.transfer_offer, omni.offer_state, text), omni._offer_transfer(omni.conversation, bigint),

    omni._pending_transfer_offer(bigint, text), omni.accept_transfer(bigint), omni.reject_transfer(bigint),

    omni.consult(bigint, bigint), omni.end_consult(bigint, bigint) FROM PUBLIC;

-- Consult and transfer offers (50_conversation.sql).
REVOKE ALL ON omni.transfer_offer FROM PUBLIC;
GRANT SELECT ON omni.transfer_offer TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
ALTER TABLE omni.transfer_offer ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_all ON omni.transfer_offer FOR SELECT USING (omni._sees_everything());
CREATE POLICY agent_own ON omni.transfer_offer FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id() OR from_agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.transfer_offer FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));
GRANT EXECUTE ON FUNCTION omni.consult(bigint, bigint), omni.end_consult(bigint, bigint),
    omni.accept_transfer(bigint), omni.reject_transfer(bigint)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;

-- Consult KPIs; consult and transfer-offer events do not cut KPI time segments.

CREATE OR REPLACE FUNCTION omni._kpi_is_state_event(kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kind NOT LIKE 'offer%' AND kind NOT LIKE 'transfer_offer%'
       AND kind NOT IN ('monitored', 'first_response', 'customer_linked', 'consult_started', 'consult_ended')
$$;
COMMENT ON FUNCTION omni._kpi_is_state_event(text) IS
    'KPI: whether an event changes a conversation''s state or holder (used to cut time into segments).';

CREATE INDEX kpi_event_consult_idx ON omni.event (at) WHERE kind IN ('consult_started', 'consult_ended');

CREATE OR REPLACE FUNCTION omni.consult_kpi("from" timestamptz, "to" timestamptz,
    OUT queue text, OUT agent_id bigint, OUT consults_requested bigint, OUT consults_given bigint,
    OUT consults_ended bigint, OUT consult_time_s double precision, OUT avg_consult_s double precision)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, omni, pg_temp AS $$
BEGIN
    PERFORM omni._kpi_check_window("from", "to");
    RETURN QUERY
    WITH f AS (
        SELECT e.queue AS q, (e.detail ->> 'by_agent')::bigint AS agent, 1 AS requested, 0 AS given,
               0 AS ended, 0::double precision AS secs
          FROM omni.event e
         WHERE e.kind = 'consult_started' AND e.at >= "from" AND e.at < "to" AND e.detail ? 'by_agent'
        UNION ALL
        SELECT e.queue, e.agent_id, 0, 1, 0, 0 FROM omni.event e
         WHERE e.kind = 'consult_started' AND e.at >= "from" AND e.at < "to"
        UNION ALL
        SELECT e.queue, e.agent_id, 0, 0, 1, (e.detail ->> 'consult_s')::double precision FROM omni.event e
         WHERE e.kind = 'consult_ended' AND e.at >= "from" AND e.at < "to")
    SELECT coalesce(f.q, ''), f.agent, sum(f.requested)::bigint, sum(f.given)::bigint, sum(f.ended)::bigint,
           sum(f.secs), omni._ratio(sum(f.secs), sum(f.ended))
      FROM f
     WHERE omni._is_admin() OR (f.q IS NOT NULL AND omni._supervises_queue(f.q)) OR omni._is_agent(f.agent)
     GROUP BY 1, 2
     ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION omni.consult_kpi(timestamptz, timestamptz) IS
    'Consults per queue and agent in [from, to): consults_requested (the agent holding the conversation brought someone in), consults_given (the agent was consulted), consults_ended, consult_time_s and avg_consult_s = consult_time_s / consults_ended (seconds from omni.consult to its end). Admins see all, supervisors their queues, an agent its own rows.';

REVOKE ALL ON FUNCTION omni.consult_kpi(timestamptz, timestamptz) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION omni.consult_kpi(timestamptz, timestamptz)

    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
