-- routing_one_clock: offers, the agents' last_assigned_at, the per-queue
-- rotation and the events all take their time from omni.now(), the mock
-- clock in tests (issue 11, defect 5).  The clock here is set years before
-- the real one while queue members are added with the real time, so a
-- router that took a stamp from another clock would show it.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2020-06-01 09:00:00+00';

INSERT INTO omni.queue (name, assignment_method) VALUES ('rr', 'round_robin'), ('hc', 'highest_capacity');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'rr', 10);
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('chat', 1, '$.q == "hc"', 'hc');
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 100), ('bob', 100);
INSERT INTO omni.queue_member (queue, agent_id) SELECT q, a.id FROM omni.agent a, unnest(ARRAY['rr', 'hc']) q;
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;
SELECT bool_and(added_at > '2020-06-02') AS members_added_on_the_real_clock FROM omni.queue_member;

-- case: router_stamps_come_from_omni_now
SELECT omni.enqueue('chat', 'c' || g) FROM generate_series(1, 3) g;
SELECT omni.enqueue('chat', 'h1', '{"q": "hc"}');
SELECT omni.route() AS offers;
-- round robin alternates: a member never offered work from the queue goes
-- before one that was, whatever clock stamped its added_at
SELECT o.id, a.name, o.queue, o.created_at, o.expires_at FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id ORDER BY o.id;
SELECT a.name, s.last_assigned_at < '2020-06-01 09:00:01+00' AS last_assigned_on_the_mock_clock
  FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id ORDER BY a.name;
SELECT queue, count(*) AS rotations, bool_and(last_assigned_at < '2020-06-01 09:00:01+00') AS on_the_mock_clock
  FROM omni.queue_rotation GROUP BY queue ORDER BY queue;
SELECT kind, min(at), max(at) FROM omni.event WHERE kind = 'offered' GROUP BY kind;

-- case: make_offer_stamps_come_from_omni_now
SET omnichannel.mock_now = '2020-06-01 09:05:00+00';
SELECT omni.enqueue('chat', 'c4') AS c4;
SELECT omni._make_offer(5, 2) AS offer;
SELECT a.name, s.last_assigned_at FROM omni.agent_state s JOIN omni.agent a ON a.id = s.agent_id WHERE a.name = 'bob';
SELECT last_assigned_at FROM omni.queue_rotation WHERE queue = 'rr' AND agent_id = 2;
