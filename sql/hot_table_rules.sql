-- hot_table_rules: the rules of the tables every conversation writes, in the
-- forms that cost least per statement (docs/design.md, "Hot tables"): the
-- rules of omni.conversation, omni.offer and omni.capacity_hold as one C
-- function in one CHECK each, the cause of a presence change as a domain,
-- triggers that fire only on the columns their events set, and the
-- configuration triggers of an enqueue called only when such rules exist.
-- Each still holds.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 15:00:00+00';

INSERT INTO omni.queue (name) VALUES ('q'), ('full'), ('spill');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'q'), ('botchat', 'chat', 'full');
INSERT INTO omni.agent (name) VALUES ('Ann');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q', 1), ('full', 1), ('spill', 1);
SELECT omni.login(1);

-- try(sql): runs one statement that must be refused; shows the SQLSTATE and
-- the constraint, and that nothing changed (the statement's row is the same).
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    name text;
BEGIN
    EXECUTE sql;
    RETURN 'accepted';
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS name = CONSTRAINT_NAME;
    RETURN 'refused 23514 ' || coalesce(name, '?');
END $$;

-- case: every_state_rule_of_a_conversation_row_holds_against_a_direct_update
SELECT omni.enqueue('chat', 'c1') AS c1 \gset
SELECT omni.enqueue('chat', 'c2') AS c2 \gset
SELECT omni.assign(:c2, 1);
SELECT rule, try(format('UPDATE omni.conversation SET %s WHERE id = %s', change, conv)) AS outcome
  FROM (VALUES
    ('open has no agent',               'agent_id = 1', :c1),
    ('open has a queue',                'queue = NULL', :c1),
    ('open has a queue time',           'queued_at = NULL', :c1),
    ('only closed has closed_at',       'closed_at = omni.now()', :c1),
    ('closed has closed_at',            'state = ''closed''', :c1),
    ('wrap_up has an agent',            'state = ''wrap_up''', :c1),
    ('waiting has an agent',            'state = ''waiting''', :c1),
    ('active has an agent or a bot',    'state = ''active''', :c1),
    ('active keeps its agent',          'agent_id = NULL', :c2),
    ('closed needs closed_at',          'state = ''closed''', :c2)
  ) t(rule, change, conv);
SELECT id = :c1 AS first, state, agent_id, queue, queued_at IS NOT NULL AS queued, closed_at
  FROM omni.conversation ORDER BY id;

-- case: legal_rows_pass: a bot serves without an agent; the whole agent loop
SELECT omni.start_with_bot('chat', 'b1') AS b1 \gset
SELECT state, agent_id, bot FROM omni.conversation WHERE id = :b1;
SELECT omni.end_conversation(:c2);
SELECT omni.close_conversation(:c2);
SELECT state, closed_at IS NOT NULL AS has_closed_at FROM omni.conversation WHERE id = :c2;

-- case: the_c_rules_agree_with_their_sql_form_on_every_combination
-- (NULL means "passes" for a CHECK, in both forms)
SELECT count(*) AS combinations,
       count(*) FILTER (WHERE coalesce(omni._conversation_consistent(s, a, b, q, qa, ca), true)
                            IS DISTINCT FROM coalesce(sql_form, true)) AS disagreements,
       count(*) FILTER (WHERE coalesce(sql_form, true)) AS legal
  FROM (SELECT s, a, b, q, qa, ca,
               ((s = 'closed') = (ca IS NOT NULL))
               AND (s <> 'open' OR (a IS NULL AND q IS NOT NULL AND qa IS NOT NULL))
               AND (s NOT IN ('waiting', 'wrap_up') OR a IS NOT NULL)
               AND (s <> 'active' OR a IS NOT NULL OR b) AS sql_form
          FROM unnest(enum_range(NULL::omni.conversation_state)) s,
               unnest(ARRAY[NULL, 7]::bigint[]) a,
               unnest(ARRAY[NULL, false, true]) b,
               unnest(ARRAY[NULL, 'q']) q,
               unnest(ARRAY[NULL, now()]) qa,
               unnest(ARRAY[NULL, now()]) ca) x;
SELECT omni._conversation_consistent(NULL, NULL, NULL, NULL, NULL, NULL) AS null_state;
SELECT count(*) AS combinations,
       count(*) FILTER (WHERE coalesce(omni._offer_consistent(s, d, c, e), true)
                            IS DISTINCT FROM coalesce(sql_form, true)) AS disagreements,
       count(*) FILTER (WHERE coalesce(sql_form, true)) AS legal
  FROM (SELECT s, d, c, e,
               ((s = 'pending') = (d IS NULL)) AND (e > c) AS sql_form
          FROM unnest(enum_range(NULL::omni.offer_state) || NULL::omni.offer_state) s,
               unnest(ARRAY[NULL, '2040-01-01 10:00+00']::timestamptz[]) d,
               unnest(ARRAY[NULL, '2040-01-01 10:00+00', '2040-01-01 11:00+00']::timestamptz[]) c,
               unnest(ARRAY[NULL, '2040-01-01 10:00+00', '2040-01-01 11:00+00']::timestamptz[]) e) x;
SELECT count(*) AS combinations,
       count(*) FILTER (WHERE coalesce(omni._hold_consistent(u, k), true)
                            IS DISTINCT FROM coalesce(sql_form, true)) AS disagreements,
       count(*) FILTER (WHERE coalesce(sql_form, true)) AS legal
  FROM (SELECT u, k, (u >= 0) AND (k IN ('offer', 'work')) AS sql_form
          FROM unnest(ARRAY[NULL, -1, 0, 10]) u, unnest(ARRAY[NULL, 'offer', 'work', 'offe', 'works', '']) k) x;

-- case: offers_and_capacity_holds_keep_their_rules_against_a_direct_update
SELECT omni.enqueue('chat', 'o1') AS o1 \gset
SELECT omni._make_offer(:o1, 1) AS offer \gset
SELECT rule, try(format('UPDATE %s SET %s WHERE %s', tbl, change, cond)) AS outcome
  FROM (VALUES
    ('a pending offer is not decided',  'omni.offer', 'decided_at = omni.now()', 'id = ' || :offer),
    ('a decided offer has its time',    'omni.offer', 'state = ''rejected''', 'id = ' || :offer),
    ('an offer expires after it is made', 'omni.offer', 'expires_at = created_at', 'id = ' || :offer),
    ('a hold holds no negative units',  'omni.capacity_hold', 'units = -1', 'conversation_id = ' || :o1),
    ('a hold is an offer''s or work''s', 'omni.capacity_hold', 'kind = ''lunch''', 'conversation_id = ' || :o1)
  ) t(rule, tbl, change, cond);
SELECT o.state, o.decided_at, h.units, h.kind
  FROM omni.offer o JOIN omni.capacity_hold h USING (conversation_id) WHERE o.id = :offer;
SELECT omni.accept(:offer) = :o1 AS accepted;
SELECT count(omni.force_close(:o1)) AS closed;

-- case: the_cause_of_a_presence_change_is_one_of_the_known_ones
SELECT try('INSERT INTO omni.presence_history (agent_id, presence, base_status, started_at, set_by)
            VALUES (1, ''Away'', ''away'', omni.now(), ''robot'')') AS unknown_cause;
SELECT set_by, count(*) FROM omni.presence_history GROUP BY set_by ORDER BY set_by;

-- case: overflow_before_queueing_applies_each_time_a_conversation_enters_a_queue
-- (the trigger fires on queue and queued_at: a transfer, a customer reply,
-- an escalation all set them; accept, end and close do not)
INSERT INTO omni.queue_overflow (queue, position, condition, max_waiting, action, target_queue)
VALUES ('full', 1, 'queue_length', 0, 'transfer', 'spill');
SELECT omni.enqueue('chat', 't1') AS t1 \gset
SELECT omni.assign(:t1, 1);
SELECT omni.transfer(:t1, 'full');
SELECT omni.start_with_bot('botchat', 'e1') AS e1 \gset
SELECT omni.escalate(:e1);
SELECT omni.enqueue('chat', 'w1') AS w1 \gset
SELECT omni.assign(:w1, 1);
SELECT omni.set_waiting(:w1);
UPDATE omni.queue_overflow SET queue = 'q';   -- w1 waits in q, parked with Ann
SELECT omni.post_message(:w1, 'customer', 'still there?');
SELECT string_agg(kind, ', ' ORDER BY id) AS w1_events FROM omni.event WHERE conversation_id = :w1;
SELECT customer, state, queue FROM omni.conversation WHERE id IN (:t1, :e1, :w1) ORDER BY id;
SELECT c.customer, e.kind, e.detail ->> 'from_queue' AS from_queue, e.queue, e.detail ->> 'stage' AS stage
  FROM omni.event e JOIN omni.conversation c ON c.id = e.conversation_id
 WHERE e.kind = 'overflow_transferred' ORDER BY e.id;
DELETE FROM omni.queue_overflow;

-- case: the_configuration_triggers_of_an_enqueue_run_only_when_their_rules_exist
-- (a wait_time rule applies while queued, by the tick, not before queueing)
SELECT omni._has_prequeue_overflow('q') AS none_yet, omni._has_route_split('chat') AS no_split;
INSERT INTO omni.queue_overflow (queue, position, condition, max_wait, action, target_queue)
VALUES ('q', 1, 'wait_time', '5 minutes', 'transfer', 'spill');
SELECT omni._has_prequeue_overflow('q') AS wait_time_only;
INSERT INTO omni.queue_overflow (queue, position, condition, action, target_queue)
VALUES ('q', 2, 'outside_hours', 'transfer', 'spill');
SELECT omni._has_prequeue_overflow('q') AS outside_hours, omni._has_prequeue_overflow(NULL) AS no_queue;
DELETE FROM omni.queue_overflow;
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('chat', 1, '$.vip == true', 'q');
INSERT INTO omni.route_rule_split (workstream, position, queue, percent) VALUES ('chat', 1, 'full', 50), ('chat', 1, 'spill', 50);
SELECT omni._has_route_split('chat') AS split, omni._has_route_split('botchat') AS other_workstream;
SELECT omni.enqueue('chat', 'vip-' || g, '{"vip": true}') IS NOT NULL FROM generate_series(1, 4) g;
SELECT queue, count(*) FROM omni.conversation WHERE customer LIKE 'vip-%' GROUP BY queue ORDER BY queue;
SELECT count(omni.force_close(id)) AS closed FROM omni.conversation WHERE customer LIKE 'vip-%';
DELETE FROM omni.route_rule_split;
DELETE FROM omni.route_rule;

-- case: insight_on_close_runs_at_the_close_only
SELECT omni.enqueue('chat', 'i1') AS i1 \gset
SELECT omni.assign(:i1, 1);
SELECT omni.post_message(:i1, 'customer', 'my order is late');
SELECT omni.post_message(:i1, 'agent', 'let me check', 1);
SELECT omni.end_conversation(:i1);
SELECT count(*) AS insight_before_close FROM omni.call_insight WHERE conversation_id = :i1;
SELECT omni.close_conversation(:i1);
SELECT count(*) AS insight_after_close FROM omni.call_insight WHERE conversation_id = :i1;

-- case: insight_on_close_runs_only_with_agent_or_customer_messages
-- the WHEN clause asks omni._has_transcript_messages: bot and system
-- messages alone make no transcript, so the trigger is not started; a
-- message inserted directly (not through post_message) still counts
SELECT omni.enqueue('chat', 'i2') AS i2 \gset
SELECT omni.enqueue('chat', 'i3') AS i3 \gset
INSERT INTO omni.message (conversation_id, sender, body, created_at)
VALUES (:i2, 'system', 'conversation started', omni.now()), (:i2, 'bot', 'hello, how can I help?', omni.now()),
       (:i3, 'system', 'conversation started', omni.now()), (:i3, 'customer', 'my parcel is lost', omni.now());
SELECT omni._has_transcript_messages(:i2) AS bot_and_system_only, omni._has_transcript_messages(:i3) AS with_customer,
       omni._has_transcript_messages(-1) AS no_such_conversation, omni._has_transcript_messages(NULL) AS null_id;
SELECT omni.force_close(:i2), omni.force_close(:i3);
SELECT c.customer, count(ci.conversation_id) AS insight FROM omni.conversation c
  LEFT JOIN omni.call_insight ci ON ci.conversation_id = c.id
 WHERE c.id IN (:i2, :i3) GROUP BY c.customer ORDER BY c.customer;

-- case: the_four_rules_are_one_check_and_the_triggers_fire_on_their_columns
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('omni.conversation'::regclass, 'omni.offer'::regclass, 'omni.capacity_hold'::regclass)
   AND contype = 'c' ORDER BY 1, 2;
SELECT tgname, pg_get_triggerdef(oid) ~ 'UPDATE OF closed_at ' AS of_closed_at,
       pg_get_triggerdef(oid) ~ 'UPDATE OF queue, queued_at ' AS of_queue_and_queued_at
  FROM pg_trigger WHERE tgrelid = 'omni.conversation'::regclass AND tgname IN ('insight_on_close', 'prequeue_overflow_on_move')
 ORDER BY tgname;

-- case: the_c_classifier_agrees_with_its_sql_form_on_every_context
-- omni._classify is C (src/classify.c); classify_sql is the PL/pgSQL it
-- replaced.  Rules that overlap in skills (the highest level wins, 2.0
-- rounds as numeric::integer), priorities set and left, conditions that
-- are not a boolean for some contexts (a string compared with a number, a
-- missing key, an array); every combination of the contexts below must
-- classify the same in both forms.
CREATE FUNCTION classify_sql(ws omni.workstream, ctx jsonb,
                             OUT priority integer, OUT required_skills jsonb, OUT queue text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    r omni.classify_rule;
BEGIN
    priority := 100;
    required_skills := '{}';
    FOR r IN SELECT * FROM omni.classify_rule WHERE workstream = ws.name ORDER BY position LOOP
        IF jsonb_path_match(ctx, r.condition, silent => true) THEN
            priority := coalesce(r.priority, priority);
            SELECT coalesce(jsonb_object_agg(k, m), '{}') INTO required_skills
              FROM (SELECT k, max(v::numeric)::integer AS m
                      FROM (SELECT * FROM jsonb_each_text(required_skills)
                            UNION ALL SELECT * FROM jsonb_each_text(r.required_skills)) s(k, v)
                     GROUP BY k) t;
        END IF;
    END LOOP;
    SELECT rr.queue INTO queue FROM omni.route_rule rr
     WHERE rr.workstream = ws.name AND jsonb_path_match(ctx, rr.condition, silent => true)
     ORDER BY rr.position LIMIT 1;
    queue := coalesce(queue, ws.default_queue);
END $$;
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('sorted', 'chat', 'q');
INSERT INTO omni.skill (name) VALUES ('billing'), ('french'), ('vip'), ('never'), ('other');
INSERT INTO omni.classify_rule (workstream, position, condition, priority, required_skills) VALUES
    ('sorted', 1, '$.tier == "gold"', 10, '{"billing": 3}'),
    ('sorted', 2, '$.lang == "fr"', NULL, '{"french": 2.0, "billing": 5}'),
    ('sorted', 3, '$.n > 3', 50, '{}'),
    ('sorted', 4, 'exists($.tags[*] ? (@ == "vip"))', 5, '{"vip": 7, "french": 4}'),
    ('sorted', 5, '$.missing == 1', 1, '{"never": 1}');
-- a rule of another workstream never applies
INSERT INTO omni.classify_rule (workstream, position, condition, priority, required_skills) VALUES
    ('chat', 1, '$.tier == "gold"', 99, '{"other": 1}');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES
    ('sorted', 1, '$.n > 10', 'spill'),
    ('sorted', 2, '$.lang == "fr" && $.tier == "gold"', 'full'),
    ('sorted', 3, '$.tier == "silver"', 'spill');
SELECT count(*) AS contexts,
       count(*) FILTER (WHERE c IS DISTINCT FROM s) AS disagreements,
       count(DISTINCT c::text) AS distinct_classifications
  FROM (SELECT omni._classify(w, ctx) AS c, classify_sql(w, ctx) AS s
          FROM omni.workstream w,
               (SELECT jsonb_strip_nulls(jsonb_build_object('tier', tier, 'lang', lang, 'n', n, 'tags', tags)) AS ctx
                  FROM unnest(ARRAY[NULL, 'gold', 'silver']) tier,
                       unnest(ARRAY[NULL, 'fr', 'en']) lang,
                       unnest(ARRAY[NULL, '1', '5', '"five"', '20']::jsonb[]) n,
                       unnest(ARRAY[NULL, '[]', '["vip"]', '["new", "vip"]', '"vip"']::jsonb[]) tags) x
         WHERE w.name = 'sorted') y;
-- a few, as the enqueue stores them
SELECT ctx, (omni._classify(w, ctx)).*
  FROM omni.workstream w,
       unnest(ARRAY['{}', '{"tier": "gold", "lang": "fr"}', '{"lang": "fr", "tags": ["vip"], "n": 5}',
                    '{"tier": "silver", "n": 20}', '{"n": "five"}']::jsonb[]) ctx
 WHERE w.name = 'sorted';
SELECT omni._classify(NULL, '{}');
DELETE FROM omni.classify_rule;
DELETE FROM omni.route_rule;
