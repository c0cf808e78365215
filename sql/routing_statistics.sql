-- routing_statistics: a routing cycle's cost does not depend on planner
-- statistics or session planner settings (issue 8; docs/routing.md, "Cost").
-- The router's plans are made while every table is empty, the statistics say
-- the tables are empty, and the session turns off the plans that would be
-- cheap; a burst is routed and the follow-up cycle, which has nothing left
-- to offer, must still read each open conversation and its pending offer
-- once: O(offers), not O(conversations x offers).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

INSERT INTO omni.skill (name) VALUES ('billing');
INSERT INTO omni.queue (name, assignment_method)
SELECT 'q' || g, (ARRAY['highest_capacity', 'round_robin', 'least_active', 'highest_capacity'])[g]::omni.assignment_method
  FROM generate_series(1, 4) g;
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout)
VALUES ('chat', 'chat', 'q1', 1, '1 hour');
INSERT INTO omni.route_rule (workstream, position, condition, queue)
SELECT 'chat', g, format('$.q == %s', g)::jsonpath, 'q' || g FROM generate_series(1, 4) g;
INSERT INTO omni.agent (name, capacity_units) SELECT 'agent' || g, 1000 FROM generate_series(1, 20) g;
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) SELECT id, 'billing', 5 FROM omni.agent;
INSERT INTO omni.queue_member (queue, agent_id) SELECT q.name, a.id FROM omni.queue q CROSS JOIN omni.agent a;
SELECT count(omni.login(id)) AS logged_in FROM omni.agent;

-- case: plans_made_on_empty_tables_and_empty_statistics
-- The first cycle prepares the router's statements while the runtime tables
-- are empty; ANALYZE records them as empty.
SELECT omni.route() AS nothing_to_route;
ANALYZE omni.conversation, omni.offer, omni.capacity_hold, omni.event, omni.queue_rotation;
SELECT relname, reltuples FROM pg_class WHERE oid IN ('omni.conversation'::regclass, 'omni.offer'::regclass) ORDER BY 1;

-- case: a_burst_is_routed_in_one_cycle
SELECT count(omni.enqueue('chat', 'c' || g, jsonb_build_object('q', 1 + g % 4))) AS enqueued
  FROM generate_series(1, 2000) g;
SELECT omni.route() AS offers;

-- case: the_follow_up_cycle_reads_each_pending_offer_once
-- The session's settings would make the planner prefer full scans and hash
-- joins; the cycle plans with its own settings.
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_nestloop = off;
SELECT pg_stat_force_next_flush();  -- the counters below start from zero
BEGIN;
SELECT omni.route() AS follow_up_offers;
-- tuples read by the cycle (this transaction's counters; 2,000 offers pending)
SELECT relname, seq_scan AS full_scans,
       coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) <= 2 * 2000 AS at_most_two_reads_per_offer
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'omni' AND relname IN ('conversation', 'offer')
 ORDER BY relname;
COMMIT;
-- the cycle's settings did not leak into the session
SHOW enable_indexscan;
SHOW enable_seqscan;
RESET enable_indexscan;
RESET enable_indexonlyscan;
RESET enable_nestloop;

-- case: an_idle_cycle_reads_no_configuration
SELECT omni._routing_cache_loads() AS loads_before \gset
SELECT omni.route() AS idle_1, omni.route() AS idle_2;
SELECT omni._routing_cache_loads() - :loads_before AS configuration_reads;
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT omni.route() AS idle;
SELECT relname, seq_scan + coalesce(idx_scan, 0) AS scans
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'omni' AND relname IN ('skill', 'queue', 'workstream', 'assignment_rule')
 ORDER BY relname;
COMMIT;

-- case: routing_is_as_fast_after_analyze
-- (the same plans: the cycle's settings leave only index lookups)
ANALYZE omni.conversation, omni.offer;
SELECT pg_stat_force_next_flush();  -- the counters below start from zero
BEGIN;
SELECT omni.route() AS follow_up_offers;
SELECT relname, seq_scan AS full_scans,
       coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) <= 2 * 2000 AS at_most_two_reads_per_offer
  FROM pg_stat_xact_user_tables
 WHERE schemaname = 'omni' AND relname IN ('conversation', 'offer')
 ORDER BY relname;
COMMIT;
SELECT count(*) AS violations FROM omni.routing_invariant_violations();

-- case: the_cycle_settings_are_its_own
-- A cycle plans with index paths only and generic plans (plan_cache_mode,
-- so the writers it calls keep one plan from their first call); the
-- session's own settings are back when the cycle ends.
SET plan_cache_mode = force_custom_plan;
SET enable_seqscan = on;
SELECT omni.route() >= 0 AS routed;
SELECT current_setting('plan_cache_mode') AS plan_cache_mode, current_setting('enable_seqscan') AS enable_seqscan;
RESET plan_cache_mode;
RESET enable_seqscan;
