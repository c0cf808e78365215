-- routing_overflow: overflow before queueing (queue length, operating hours
-- in the queue's time zone) and while queued (wait time), each transferring
-- or closing; percentage split of route rules; auto-close by state.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 15:00:00+00';   -- a Monday, 10:00 in New York

INSERT INTO omni.queue (name) VALUES ('small'), ('big'), ('night');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('chat', 'chat', 'small');
CREATE VIEW where_are_they AS
SELECT customer, state, queue, close_reason FROM omni.conversation ORDER BY id;

-- case: queue_length_overflow_transfers_before_queueing
INSERT INTO omni.queue_overflow (queue, position, condition, max_waiting, action, target_queue)
VALUES ('small', 1, 'queue_length', 2, 'transfer', 'big');
SELECT omni.enqueue('chat', 'len-' || g) FROM generate_series(1, 3) g;
SELECT * FROM where_are_they;
SELECT kind, queue, detail ->> 'from_queue' AS from_queue, detail ->> 'stage' AS stage
  FROM omni.event WHERE conversation_id = 3 ORDER BY id;

-- case: queue_length_overflow_can_close_with_a_reason
UPDATE omni.queue_overflow SET action = 'close', target_queue = NULL, close_reason = 'queue_full';
SELECT omni.enqueue('chat', 'len-4');
SELECT * FROM where_are_they WHERE customer = 'len-4';

-- case: an_overflow_transfer_is_accepted_by_the_target_queue
INSERT INTO omni.queue_overflow (queue, position, condition, max_waiting, action, target_queue)
VALUES ('big', 1, 'queue_length', 0, 'transfer', 'small');
UPDATE omni.queue_overflow SET action = 'transfer', target_queue = 'big', close_reason = 'overflow' WHERE queue = 'small';
SELECT omni.enqueue('chat', 'len-5');
SELECT * FROM where_are_they WHERE customer = 'len-5';
DELETE FROM omni.queue_overflow;

-- case: outside_hours_overflow_uses_the_queue_time_zone
UPDATE omni.queue SET time_zone = 'America/New_York' WHERE name = 'small';
INSERT INTO omni.queue_hours (queue, isodow, opens, closes)
SELECT 'small', d, '09:00', '17:00' FROM generate_series(1, 5) d;
INSERT INTO omni.queue_overflow (queue, position, condition, action, target_queue)
VALUES ('small', 1, 'outside_hours', 'transfer', 'night');
SELECT omni.queue_is_open('small'), omni.queue_is_open('small', '2040-01-02 23:00+00'),
       omni.queue_is_open('small', '2040-01-07 15:00+00') AS saturday, omni.queue_is_open('big');
SELECT omni.enqueue('chat', 'day-1');
SET omnichannel.mock_now = '2040-01-02 23:00:00+00';   -- 18:00 in New York
SELECT omni.enqueue('chat', 'evening-1');
SELECT * FROM where_are_they WHERE customer IN ('day-1', 'evening-1');
-- case: outside_hours_overflow_can_close
UPDATE omni.queue_overflow SET action = 'close', target_queue = NULL, close_reason = 'closed_for_the_day';
SELECT omni.enqueue('chat', 'evening-2');
SELECT * FROM where_are_they WHERE customer = 'evening-2';
DELETE FROM omni.queue_overflow;
DELETE FROM omni.queue_hours;

-- case: wait_time_overflow_transfers_while_queued
SELECT count(omni.force_close(id)) FROM omni.conversation WHERE state <> 'closed';
INSERT INTO omni.queue_overflow (queue, position, condition, max_wait, action, target_queue)
VALUES ('small', 1, 'wait_time', '5 minutes', 'transfer', 'big');
SELECT omni.enqueue('chat', 'wait-1');
SELECT omni.next_deadline() - omni.now() AS next_deadline_in;
SET omnichannel.mock_now = '2040-01-02 23:04:59+00';
SELECT omni.tick();
SET omnichannel.mock_now = '2040-01-02 23:05:00+00';
SELECT omni.tick();
SELECT * FROM where_are_they WHERE customer = 'wait-1';
-- case: wait_time_overflow_can_close
UPDATE omni.queue_overflow SET action = 'close', target_queue = NULL, close_reason = 'waited_too_long';
SELECT omni.enqueue('chat', 'wait-2');
SET omnichannel.mock_now = '2040-01-02 23:11:00+00';
SELECT omni.tick();
SELECT * FROM where_are_they WHERE customer = 'wait-2';
-- case: a_conversation_being_offered_is_not_moved_by_wait_time
INSERT INTO omni.agent (name) VALUES ('solo');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'small', id FROM omni.agent;
SELECT omni.login(id) FROM omni.agent;
UPDATE omni.workstream SET offer_timeout = '1 hour';
SELECT omni.enqueue('chat', 'wait-3');
SELECT omni.route();
SET omnichannel.mock_now = '2040-01-02 23:30:00+00';
SELECT omni.tick();
SELECT * FROM where_are_they WHERE customer = 'wait-3';
SELECT count(omni.force_close(id)) FROM omni.conversation WHERE state <> 'closed';
DELETE FROM omni.queue_overflow;

-- case: percentage_split_spreads_a_route_rule_across_queues
INSERT INTO omni.queue (name) VALUES ('s1'), ('s2'), ('s3');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('split', 'chat', 'small');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('split', 1, '$.lang == "en"', 's1');
BEGIN;
INSERT INTO omni.route_rule_split (workstream, position, queue, percent)
VALUES ('split', 1, 's1', 50), ('split', 1, 's2', 30), ('split', 1, 's3', 20);
COMMIT;
SELECT count(omni.enqueue('split', 'sp-' || g, '{"lang": "en"}')) FROM generate_series(1, 100) g;
SELECT omni.enqueue('split', 'sp-other', '{"lang": "de"}');
SELECT queue, count(*) FROM omni.conversation WHERE workstream = 'split' GROUP BY queue ORDER BY queue;
-- case: a_split_must_total_100_percent_over_at_most_five_queues
INSERT INTO omni.route_rule_split (workstream, position, queue, percent) VALUES ('split', 1, 'big', 10);
BEGIN;
DELETE FROM omni.route_rule_split;
INSERT INTO omni.route_rule_split (workstream, position, queue, percent)
SELECT 'split', 1, q, 16 FROM unnest(ARRAY['s1', 's2', 's3', 'big', 'small', 'night']) q;
COMMIT;
SELECT count(*) AS split_rows FROM omni.route_rule_split;

-- case: auto_close_by_state
INSERT INTO omni.queue (name) VALUES ('ac'), ('ac_nobody');
INSERT INTO omni.workstream (name, channel, default_queue, auto_close_open, auto_close_waiting, auto_close_wrap_up)
VALUES ('ac', 'chat', 'ac', '20 minutes', '1 hour', '15 minutes');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('ac', 1, '$.nobody == true', 'ac_nobody');
INSERT INTO omni.agent (name) VALUES ('acer');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'ac', id FROM omni.agent WHERE name = 'acer';
SELECT omni.enqueue('ac', 'ac-open', '{"nobody": true}');
SELECT omni.login(id) FROM omni.agent WHERE name = 'acer';
SELECT omni.logout(id) FROM omni.agent WHERE name = 'solo';
SELECT omni.enqueue('ac', 'ac-wait'), omni.enqueue('ac', 'ac-wrap');
SELECT omni.route();
SELECT count(omni.accept(o.id)) FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE o.state = 'pending' AND c.workstream = 'ac';
SELECT omni.set_waiting(id) FROM omni.conversation WHERE customer = 'ac-wait' AND state = 'active';
SELECT omni.end_conversation(id) FROM omni.conversation WHERE customer = 'ac-wrap' AND state = 'active';
SELECT customer, state FROM omni.conversation WHERE workstream = 'ac' ORDER BY id;
SET omnichannel.mock_now = '2040-01-02 23:46:00+00';
SELECT omni.tick();
SELECT customer, state, close_reason FROM omni.conversation WHERE workstream = 'ac' ORDER BY id;
SET omnichannel.mock_now = '2040-01-03 00:31:00+00';
SELECT omni.tick();
SELECT customer, state, close_reason FROM omni.conversation WHERE workstream = 'ac' ORDER BY id;
SELECT * FROM omni.routing_invariant_violations() WHERE invariant <> 'open_with_eligible_agent';
