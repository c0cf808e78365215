-- hot_table_rules: the rules of the tables every conversation writes, in the
-- forms that cost least per statement (docs/design.md, "Hot tables"): the
-- state rules of omni.conversation as one C function in one CHECK, the
-- cause of a presence change as a domain, and the triggers that fire only on
-- the columns their events set.  Each still holds.
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

-- case: insight_on_close_runs_at_the_close_only
SELECT omni.enqueue('chat', 'i1') AS i1 \gset
SELECT omni.assign(:i1, 1);
SELECT omni.post_message(:i1, 'customer', 'my order is late');
SELECT omni.post_message(:i1, 'agent', 'let me check', 1);
SELECT omni.end_conversation(:i1);
SELECT count(*) AS insight_before_close FROM omni.call_insight WHERE conversation_id = :i1;
SELECT omni.close_conversation(:i1);
SELECT count(*) AS insight_after_close FROM omni.call_insight WHERE conversation_id = :i1;

-- case: the_four_rules_are_one_check_and_the_triggers_fire_on_their_columns
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'omni.conversation'::regclass AND contype = 'c';
SELECT tgname, pg_get_triggerdef(oid) ~ 'UPDATE OF closed_at ' AS of_closed_at,
       pg_get_triggerdef(oid) ~ 'UPDATE OF queue, queued_at ' AS of_queue_and_queued_at
  FROM pg_trigger WHERE tgrelid = 'omni.conversation'::regclass AND tgname IN ('insight_on_close', 'prequeue_overflow_on_move')
 ORDER BY tgname;
