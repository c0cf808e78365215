-- routing_rules: configuration and presence do what the admin configured
-- (issue 11): percentage splits stay at 100 %, login records one presence
-- change, every configuration refusal names the object, the rule, a proper
-- SQLSTATE and a hint.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

-- Show a refusal the way an admin's tool would: SQLSTATE, message, hint.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; hint text; con text;
BEGIN
    EXECUTE stmt;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT,
                            con = CONSTRAINT_NAME;
    RETURN st || ' ' || msg || coalesce(' [' || nullif(con, '') || ']', '') || E'\n      hint: ' || coalesce(nullif(hint, ''), '(none)');
END $$;

-- Percentage splits -------------------------------------------------------------

INSERT INTO omni.queue (name) VALUES ('a'), ('b'), ('c'), ('fallback');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('web', 'chat', 'fallback');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 1, '$.lang == "en"', 'a');
BEGIN;
INSERT INTO omni.route_rule_split (workstream, position, queue, percent)
VALUES ('web', 1, 'a', 50), ('web', 1, 'b', 30), ('web', 1, 'c', 20);
COMMIT;

-- case: deleting_a_share_of_a_split_is_refused_at_commit
-- (the repro: DELETE ... WHERE queue = 'c' used to leave 80 % and send the
-- missing share to the first queue)
DELETE FROM omni.route_rule_split WHERE queue = 'c';
SELECT queue, percent FROM omni.route_rule_split ORDER BY queue;

-- case: updating_a_share_so_the_total_is_not_100_is_refused
UPDATE omni.route_rule_split SET percent = 40 WHERE queue = 'a';
SELECT sum(percent) AS total FROM omni.route_rule_split;

-- case: moving_a_share_to_another_rule_rechecks_both_rules
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 2, '$.lang == "de"', 'b');
UPDATE omni.route_rule_split SET position = 2 WHERE queue = 'c';
SELECT position, queue, percent FROM omni.route_rule_split ORDER BY position, queue;

-- case: a_split_may_be_rewritten_in_one_transaction
BEGIN;
DELETE FROM omni.route_rule_split WHERE queue = 'c';
UPDATE omni.route_rule_split SET percent = 70 WHERE queue = 'a';
COMMIT;
SELECT queue, percent FROM omni.route_rule_split ORDER BY queue;
SELECT count(omni.enqueue('web', 'en-' || g, '{"lang": "en"}')) FROM generate_series(1, 100) g;
SELECT queue, count(*) FROM omni.conversation GROUP BY queue ORDER BY queue;

-- case: deleting_every_share_removes_the_split
DELETE FROM omni.route_rule_split WHERE workstream = 'web' AND position = 1;
SELECT count(*) AS split_rows FROM omni.route_rule_split;
SELECT omni.enqueue('web', 'en-after', '{"lang": "en"}') IS NOT NULL AS enqueued;
SELECT queue FROM omni.conversation WHERE customer = 'en-after';

-- Login --------------------------------------------------------------------------

INSERT INTO omni.presence (name, base_status) VALUES ('Training', 'away'), ('Ready', 'available');
INSERT INTO omni.agent (name, default_presence) VALUES
    ('busy_default', 'Busy'), ('no_default', NULL), ('away_default', 'Away'), ('offline_default', 'Offline'),
    ('training_default', 'Training'), ('dnd_default', 'Busy - DND'), ('ready_default', 'Ready');
CREATE VIEW history AS
SELECT a.name, h.presence, h.set_by, h.ended_at IS NULL AS current
  FROM omni.presence_history h JOIN omni.agent a ON a.id = h.agent_id ORDER BY a.id, h.id;
CREATE VIEW presence_events AS
SELECT a.name, e.kind, e.detail
  FROM omni.event e JOIN omni.agent a ON a.id = e.agent_id
 WHERE e.kind IN ('presence', 'login') ORDER BY a.id, e.id;

-- case: login_records_what_the_agent_got_as_one_presence_change
-- A Busy default with no load signs in as Available (D365 computes the
-- Available / Busy / DND defaults from capacity at sign-in): one history row,
-- one presence event; the login event carries the configured default.
SELECT omni.login(id) FROM omni.agent WHERE name = 'busy_default';
SELECT * FROM history WHERE name = 'busy_default';
SELECT * FROM presence_events WHERE name = 'busy_default';

-- case: login_without_a_default_is_available_and_an_available_based_default_is_kept
SELECT name, omni.login(id) FROM omni.agent WHERE name IN ('no_default', 'ready_default') ORDER BY id;
SELECT * FROM history WHERE name IN ('no_default', 'ready_default');

-- case: away_offline_dnd_and_custom_away_defaults_are_applied_as_configured
SELECT name, omni.login(id) FROM omni.agent
 WHERE name IN ('away_default', 'offline_default', 'training_default', 'dnd_default') ORDER BY id;
SELECT * FROM history WHERE name IN ('away_default', 'offline_default', 'training_default', 'dnd_default');
SELECT * FROM presence_events WHERE name IN ('away_default', 'training_default');

-- case: login_with_work_still_held_shows_the_load_in_one_change
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'fallback', id FROM omni.agent WHERE name = 'busy_default';
SELECT omni.enqueue('web', 'held') IS NOT NULL AS enqueued;
SELECT omni.pick(a.id, c.id) FROM omni.agent a, omni.conversation c WHERE a.name = 'busy_default' AND c.customer = 'held';
SELECT omni.logout(id) FROM omni.agent WHERE name = 'busy_default';
SELECT omni.login(id) FROM omni.agent WHERE name = 'busy_default';
SELECT * FROM history WHERE name = 'busy_default';

-- Refusals ---------------------------------------------------------------------

-- case: a_pick_mode_voice_workstream_is_refused_naming_the_rule
SELECT pg_temp.refusal($$INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('calls', 'voice', 'a', 'pick')$$);
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('calls', 'voice', 'a');
SELECT pg_temp.refusal($$UPDATE omni.workstream SET mode = 'pick' WHERE name = 'calls'$$);

-- case: a_channel_name_with_capitals_and_spaces_is_refused_with_an_example
SELECT pg_temp.refusal($$INSERT INTO omni.channel (name) VALUES ('Bad Name')$$);

-- case: link_customer_with_an_empty_address_is_refused_before_touching_anything
SELECT pg_temp.refusal($$SELECT omni.link_customer(1, 'chat', '')$$);
SELECT pg_temp.refusal($$SELECT omni.link_customer(1, 'chat', NULL)$$);
SELECT pg_temp.refusal($$SELECT omni.link_customer(NULL, 'chat', 'x@example.com')$$);
SELECT pg_temp.refusal($$SELECT omni.link_customer(1, NULL, 'x@example.com')$$);

-- case: every_check_of_the_configuration_tables_reads_as_a_rule
INSERT INTO omni.skill (name) VALUES ('billing');
SELECT pg_temp.refusal(s) FROM unnest(ARRAY[
    $$INSERT INTO omni.presence (name, base_status) VALUES (' ', 'away')$$,
    $$INSERT INTO omni.skill (name) VALUES ('')$$,
    $$INSERT INTO omni.capacity_profile (name, max_items) VALUES ('voice', 0)$$,
    $$INSERT INTO omni.capacity_profile (name, reset) VALUES ('voice', 'weekly')$$,
    $$INSERT INTO omni.agent (name, capacity_units) VALUES ('neg', -1)$$,
    $$INSERT INTO omni.agent (name, attributes) VALUES ('arr', '[1]')$$,
    $$INSERT INTO omni.agent (name) VALUES ('  ')$$,
    $$UPDATE omni.agent SET capacity_units = -5 WHERE name = 'no_default'$$,
    $$INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'nothing', 11)$$,
    $$INSERT INTO omni.agent_capacity_profile (agent_id, profile, max_items) VALUES (1, 'voice', -1)$$,
    $$INSERT INTO omni.queue (name, sentiment_alert_level) VALUES ('q', 'positive')$$,
    $$INSERT INTO omni.queue (name, service_level_threshold) VALUES ('q', '0 s')$$,
    $$INSERT INTO omni.queue (name, short_abandon_threshold) VALUES ('q', '-1 s')$$,
    $$INSERT INTO omni.queue (name, time_zone) VALUES ('q', 'Mars/Olympus')$$,
    $$INSERT INTO omni.queue (name) VALUES ('')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('w', 'chat', 'a', -1)$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, allowed_presences) VALUES ('w', 'chat', 'a', '{available,offline}')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout) VALUES ('w', 'chat', 'a', '2 days')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, max_declines) VALUES ('w', 'chat', 'a', 0)$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, auto_close_open) VALUES ('w', 'chat', 'a', '0 s')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, auto_close_waiting) VALUES ('w', 'chat', 'a', '-1 s')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue, auto_close_wrap_up) VALUES ('w', 'chat', 'a', '0 s')$$,
    $$INSERT INTO omni.workstream (name, channel, default_queue) VALUES (' ', 'chat', 'a')$$,
    $$INSERT INTO omni.workstream (name, channel) VALUES ('w', 'chat')$$,
    $$INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', -1, '$.x == 1', 'a')$$,
    $$INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 5, '$.lang', 'a')$$,
    $$INSERT INTO omni.classify_rule (workstream, position, condition) VALUES ('web', -1, '$.x == 1')$$,
    $$INSERT INTO omni.classify_rule (workstream, position, condition) VALUES ('web', 1, '$.x')$$,
    $$INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 1, '$.x == 1', '{"billing": 11}')$$,
    $$INSERT INTO omni.assignment_rule (queue, position) VALUES ('a', -1)$$,
    $$INSERT INTO omni.assignment_rule (queue, position, condition) VALUES ('a', 1, '$.attributes')$$,
    $$INSERT INTO omni.assignment_rule (queue, position, order_by) VALUES ('a', 1, '{shoe_size}')$$,
    $$INSERT INTO omni.queue_overflow (queue, position, condition, max_waiting, action) VALUES ('a', -1, 'queue_length', 5, 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action) VALUES ('a', 'weather', 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action) VALUES ('a', 'outside_hours', 'ring')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, max_waiting, action) VALUES ('a', 'queue_length', -1, 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, max_wait, action) VALUES ('a', 'wait_time', '0 s', 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action, close_reason) VALUES ('a', 'outside_hours', 'close', ' ')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action) VALUES ('a', 'queue_length', 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action) VALUES ('a', 'wait_time', 'close')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action) VALUES ('a', 'outside_hours', 'transfer')$$,
    $$INSERT INTO omni.queue_overflow (queue, condition, action, target_queue) VALUES ('a', 'outside_hours', 'transfer', 'a')$$,
    $$INSERT INTO omni.queue_hours (queue, isodow, opens, closes) VALUES ('a', 8, '09:00', '17:00')$$,
    $$INSERT INTO omni.queue_hours (queue, isodow, opens, closes) VALUES ('a', 1, '17:00', '09:00')$$,
    $$INSERT INTO omni.route_rule_split (workstream, position, queue, percent) VALUES ('web', 1, 'a', 0)$$
]) s;

-- case: every_check_of_the_configuration_tables_has_its_rule_written_down
SELECT c.conrelid::regclass AS config_table, c.conname AS unexplained_check
  FROM pg_constraint c JOIN pg_trigger t ON t.tgrelid = c.conrelid AND t.tgname = 'explain_refusal'
 WHERE c.contype = 'c' AND coalesce(obj_description(c.oid, 'pg_constraint'), '') !~ E'^[^\n]+\n[^\n]+$';
SELECT count(DISTINCT tgrelid) AS tables_explained FROM pg_trigger WHERE tgname = 'explain_refusal';

-- case: a_refused_row_changes_nothing
SELECT count(*) AS workstreams FROM omni.workstream;
SELECT count(*) AS queues FROM omni.queue;
