-- routing_methods: each assignment method, closest skill matching, and the
-- order in which conversations are served (SPEC §2-§3, docs/routing.md).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

-- A queue with its own workstream, and logged-in agents in it.
CREATE FUNCTION pg_temp.setup(q text, method omni.assignment_method, agents text[], units integer[],
                              skill_match omni.skill_match DEFAULT 'exact') RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO omni.queue (name, assignment_method) VALUES (q, method);
    INSERT INTO omni.workstream (name, channel, default_queue, skill_match) VALUES ('ws_' || q, 'chat', q, skill_match);
    FOR i IN 1 .. cardinality(agents) LOOP
        INSERT INTO omni.agent (name, capacity_units) VALUES (agents[i], units[i]);
        INSERT INTO omni.queue_member (queue, agent_id, added_at)
        SELECT q, id, timestamptz '2040-01-01 08:00+00' + i * interval '1 minute' FROM omni.agent WHERE name = agents[i];
        PERFORM omni.login(id) FROM omni.agent WHERE name = agents[i];
    END LOOP;
END $$;
-- Pending offers: which conversation went to whom.
CREATE VIEW pending AS
SELECT o.id AS offer, c.customer, a.name AS agent, o.queue
  FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE o.state = 'pending' ORDER BY o.id;
CREATE VIEW why AS
SELECT d.offer_id, c.customer, a.name AS agent, d.method, d.eligible_count, d.chosen_key,
       r.name AS runner_up, d.runner_up_key
  FROM omni.routing_decision d JOIN omni.agent a ON a.id = d.agent_id JOIN omni.conversation c ON c.id = d.conversation_id
  LEFT JOIN omni.agent r ON r.id = d.runner_up_agent_id ORDER BY d.offer_id;

-- case: highest_capacity_offers_to_the_agent_with_most_free_capacity
SELECT pg_temp.setup('hc', 'highest_capacity', ARRAY['hc_small', 'hc_big1', 'hc_big2'], ARRAY[30, 50, 50]);
SELECT omni.enqueue('ws_hc', 'hc-1');
SELECT omni.route();
-- case: highest_capacity_ties_go_to_the_earliest_last_assignment
SELECT omni.enqueue('ws_hc', 'hc-' || g) FROM generate_series(2, 4) g;
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'hc';
SELECT customer, agent, method, eligible_count, chosen_key ->> 'free_units' AS free, runner_up,
       runner_up_key ->> 'free_units' AS runner_up_free
  FROM why WHERE method = 'highest_capacity';

-- case: round_robin_rotates_by_last_assignment_in_the_queue
SELECT pg_temp.setup('rr', 'round_robin', ARRAY['rr_x', 'rr_y', 'rr_z'], ARRAY[100, 100, 100]);
SELECT omni.enqueue('ws_rr', 'rr-' || g) FROM generate_series(1, 5) g;
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'rr';
-- case: round_robin_rotation_is_per_queue (offers from another queue do not move rr_y back)
INSERT INTO omni.queue (name, assignment_method) VALUES ('rr2', 'round_robin');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ws_rr2', 'chat', 'rr2');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'rr2', id FROM omni.agent WHERE name = 'rr_z';
SELECT omni.enqueue('ws_rr2', 'rr2-1');
SELECT omni.enqueue('ws_rr', 'rr-6');
SELECT omni.route();
SELECT * FROM pending WHERE customer IN ('rr2-1', 'rr-6');

-- case: least_active_offers_to_the_agent_longest_since_releasing_capacity
SELECT pg_temp.setup('la', 'least_active', ARRAY['la_recent', 'la_early', 'la_never'], ARRAY[10, 10, 10]);
UPDATE omni.agent_state SET last_released_at = '2040-01-02 08:30+00'
 WHERE agent_id = (SELECT id FROM omni.agent WHERE name = 'la_recent');
UPDATE omni.agent_state SET last_released_at = '2040-01-02 07:00+00'
 WHERE agent_id = (SELECT id FROM omni.agent WHERE name = 'la_early');
SELECT omni.enqueue('ws_la', 'la-' || g) FROM generate_series(1, 3) g;
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'la';
SELECT customer, agent, chosen_key, runner_up FROM why WHERE method = 'least_active';

-- case: custom_first_rule_that_matches_any_agent_wins
SELECT pg_temp.setup('cu', 'custom', ARRAY['cu_gold_lo', 'cu_gold_hi', 'cu_silver'], ARRAY[100, 100, 100]);
UPDATE omni.agent SET attributes = '{"tier": "gold", "level": 2}' WHERE name = 'cu_gold_lo';
UPDATE omni.agent SET attributes = '{"tier": "gold", "level": 5}' WHERE name = 'cu_gold_hi';
UPDATE omni.agent SET attributes = '{"tier": "silver", "level": 9}' WHERE name = 'cu_silver';
INSERT INTO omni.assignment_rule (queue, position, condition, order_by) VALUES
    ('cu', 1, '$.attributes.tier == "gold" && $.free_units >= 50', '{"attribute:level desc"}'),
    ('cu', 2, NULL, '{free_capacity}');
SELECT omni.enqueue('ws_cu', 'cu-1');
SELECT omni.route();
SELECT w.customer, w.agent, d.rule_position, w.chosen_key, w.runner_up, w.runner_up_key
  FROM why w JOIN omni.routing_decision d USING (offer_id) WHERE w.method = 'custom';
-- case: custom_falls_through_to_the_next_rule_when_no_agent_matches
SELECT omni.set_presence(id, 'Away') FROM omni.agent WHERE name IN ('cu_gold_lo', 'cu_gold_hi') ORDER BY id;
SELECT omni.enqueue('ws_cu', 'cu-2');
SELECT omni.route();
SELECT w.customer, w.agent, d.rule_position, w.chosen_key FROM why w JOIN omni.routing_decision d USING (offer_id)
 WHERE w.customer = 'cu-2';
-- case: custom_conditions_can_compare_with_the_conversation
INSERT INTO omni.skill (name) VALUES ('billing'), ('spanish');
INSERT INTO omni.queue (name, assignment_method) VALUES ('cu2', 'custom');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ws_cu2', 'chat', 'cu2');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('ws_cu2', 1, '$.topic == "billing"', '{"billing": 4}');
INSERT INTO omni.agent (name) VALUES ('cu2_novice'), ('cu2_expert'), ('cu2_mid');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'billing', CASE name WHEN 'cu2_novice' THEN 4 WHEN 'cu2_expert' THEN 9 ELSE 6 END
  FROM omni.agent WHERE name LIKE 'cu2_%';
INSERT INTO omni.queue_member (queue, agent_id, added_at)
SELECT 'cu2', id, '2040-01-01 08:00+00' FROM omni.agent WHERE name LIKE 'cu2_%';
SELECT count(omni.login(id)) FROM omni.agent WHERE name LIKE 'cu2_%';
INSERT INTO omni.assignment_rule (queue, position, condition, order_by) VALUES
    ('cu2', 1, '$.skills.billing >= $conversation.required_skills.billing + 2', '{proficiency}');
SELECT omni.enqueue('ws_cu2', 'cu2-1', '{"topic": "billing"}');
SELECT omni.route();
SELECT customer, agent, eligible_count, chosen_key, runner_up, runner_up_key FROM why WHERE customer = 'cu2-1';
-- case: custom_rule_conditions_must_be_predicates
INSERT INTO omni.assignment_rule (queue, position, condition) VALUES ('cu2', 9, '$.attributes.tier');
INSERT INTO omni.assignment_rule (queue, position, order_by) VALUES ('cu2', 9, '{"shoe_size"}');

-- case: closest_match_orders_exact_then_over_then_under_qualified
SELECT pg_temp.setup('cl', 'highest_capacity', ARRAY['cl_exact', 'cl_over', 'cl_under', 'cl_none'],
                     ARRAY[10, 10, 10, 10], 'closest');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('ws_cl', 1, 'true', '{"spanish": 5}');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'spanish', CASE name WHEN 'cl_exact' THEN 5 WHEN 'cl_over' THEN 8 ELSE 2 END
  FROM omni.agent WHERE name IN ('cl_exact', 'cl_over', 'cl_under');
SELECT omni.enqueue('ws_cl', 'cl-' || g) FROM generate_series(1, 4) g;
SELECT omni.route();
SELECT customer, agent, chosen_key ->> 'closeness' AS closeness, chosen_key ->> 'distance' AS distance
  FROM why WHERE customer LIKE 'cl-%';
-- case: closest_match_balances_ties_by_the_queue_method
SELECT pg_temp.setup('cl2', 'highest_capacity', ARRAY['cl2_a', 'cl2_b'], ARRAY[100, 100], 'closest');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('ws_cl2', 1, 'true', '{"spanish": 5}');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'spanish', 5 FROM omni.agent WHERE name IN ('cl2_a', 'cl2_b');
SELECT omni.enqueue('ws_cl2', 'cl2-' || g) FROM generate_series(1, 4) g;
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'cl2';

-- case: smaller_queue_priority_is_served_first
INSERT INTO omni.queue (name, priority) VALUES ('prio_low', 200), ('prio_high', 10);
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ws_prio_low', 'chat', 'prio_low'),
                                                                 ('ws_prio_high', 'chat', 'prio_high');
INSERT INTO omni.agent (name, capacity_units) VALUES ('both', 10);
INSERT INTO omni.queue_member (queue, agent_id) SELECT q, id FROM omni.agent, unnest(ARRAY['prio_low', 'prio_high']) q
 WHERE name = 'both';
SELECT omni.login(id) FROM omni.agent WHERE name = 'both';
SELECT omni.enqueue('ws_prio_low', 'low-first');
SET omnichannel.mock_now = '2040-01-02 09:01:00+00';
SELECT omni.enqueue('ws_prio_high', 'high-later');
SELECT omni.route();
SELECT * FROM pending WHERE agent = 'both';

-- case: conversation_priority_then_time_in_queue
INSERT INTO omni.queue (name) VALUES ('order');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('ws_order', 'chat', 'order');
INSERT INTO omni.classify_rule (workstream, position, condition, priority) VALUES ('ws_order', 1, '$.vip == true', 1);
INSERT INTO omni.agent (name, capacity_units) VALUES ('order_agent', 10);
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'order', id FROM omni.agent WHERE name = 'order_agent';
SELECT omni.enqueue('ws_order', 'order-old');
SET omnichannel.mock_now = '2040-01-02 09:02:00+00';
SELECT omni.enqueue('ws_order', 'order-new');
SELECT omni.enqueue('ws_order', 'order-vip', '{"vip": true}');
SELECT omni.login(id) FROM omni.agent WHERE name = 'order_agent';
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'order';
-- case: a_declined_conversation_keeps_its_place
SELECT omni.reject(offer) FROM pending WHERE queue = 'order';
SELECT omni.set_presence(id, 'Available') FROM omni.agent WHERE name = 'order_agent';
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'order';
SELECT omni.reject(offer) FROM pending WHERE queue = 'order';
SELECT omni.route();
SELECT omni.reject(offer) FROM pending WHERE queue = 'order';
-- after three declines (max_declines) the vip goes to nobody; the next in line is served
SELECT omni.route();
SELECT * FROM pending WHERE queue = 'order';

-- case: invariants_hold_after_tick_and_route
SET omnichannel.mock_now = '2040-01-02 10:00:00+00';
SELECT omni.tick() AS expired;
SELECT omni.route() > 0 AS offered_again;
SELECT * FROM omni.routing_invariant_violations();

-- case: decision_log_keeps_each_kind_of_key_value
-- Fractions to the millisecond, whole numbers as they are, a missing
-- attribute as null, times as timestamps; the agent's own 'offered' event
-- carries the same keys as the decision without the colleagues.
SELECT pg_temp.setup('dl', 'custom', ARRAY['dl_frac', 'dl_whole', 'dl_none'], ARRAY[100, 100, 100]);
UPDATE omni.agent SET attributes = '{"score": 4.25}' WHERE name = 'dl_frac';
UPDATE omni.agent SET attributes = '{"score": 4.2504}' WHERE name = 'dl_whole';
UPDATE omni.agent SET attributes = '{"other": 1}' WHERE name = 'dl_none';
INSERT INTO omni.assignment_rule (queue, position, condition, order_by) VALUES
    ('dl', 1, '$.free_units >= 0', '{"attribute:score", "free_capacity"}');
SELECT omni.enqueue('ws_dl', 'dl-1');
SELECT omni.route();
SELECT agent, eligible_count, chosen_key, runner_up, runner_up_key FROM why WHERE customer = 'dl-1';
SELECT jsonb_typeof(d.chosen_key -> 'attribute:score') AS score_type,
       jsonb_typeof(d.chosen_key -> 'rotation_at') AS rotation_type
  FROM why d WHERE customer = 'dl-1';
SELECT e.detail - 'cycle' AS offered_event, jsonb_typeof(e.detail -> 'cycle') AS cycle_type
  FROM omni.event e JOIN omni.conversation c ON c.id = e.conversation_id
 WHERE c.customer = 'dl-1' AND e.kind = 'offered';
SELECT omni.set_presence(id, 'Away') FROM omni.agent WHERE name IN ('dl_frac', 'dl_whole') ORDER BY id;
SELECT omni.enqueue('ws_dl', 'dl-2');
SELECT omni.route();
SELECT agent, eligible_count, chosen_key, runner_up, runner_up_key FROM why WHERE customer = 'dl-2';
