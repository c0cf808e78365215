-- routing_eligibility: who may receive an offer (presence, capacity units,
-- capacity profiles, skills, declines, pending offers, pick mode).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET omnichannel.mock_now = '2040-01-02 09:00:00+00';

CREATE FUNCTION pg_temp.agent(n text, q text, units integer DEFAULT 100) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    a bigint;
BEGIN
    INSERT INTO omni.agent (name, capacity_units) VALUES (n, units) RETURNING id INTO a;
    INSERT INTO omni.queue_member (queue, agent_id, added_at) VALUES (q, a, '2040-01-01 08:00+00');
    PERFORM omni.login(a);
    RETURN a;
END $$;
CREATE VIEW pending AS
SELECT o.id AS offer, c.customer, a.name AS agent
  FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE o.state = 'pending' ORDER BY o.id;
CREATE VIEW load AS
SELECT a.name, s.presence, coalesce(sum(h.units), 0) AS used, a.capacity_units
  FROM omni.agent a JOIN omni.agent_state s ON s.agent_id = a.id LEFT JOIN omni.capacity_hold h ON h.agent_id = a.id
 GROUP BY a.name, s.presence, a.capacity_units ORDER BY a.name;

INSERT INTO omni.queue (name) VALUES ('q');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q', 40);

-- case: only_agents_in_an_allowed_presence_are_offered_work
SELECT pg_temp.agent('away_agent', 'q');
SELECT omni.set_presence(id, 'Away') FROM omni.agent WHERE name = 'away_agent';
SELECT omni.enqueue('chat', 'p-1');
SELECT omni.route();
UPDATE omni.workstream SET allowed_presences = '{available,busy,away}' WHERE name = 'chat';
SELECT omni.route();
SELECT * FROM pending;
UPDATE omni.workstream SET allowed_presences = '{available,busy}' WHERE name = 'chat';

-- case: logged_out_agents_get_nothing
SELECT pg_temp.agent('gone', 'q');
SELECT omni.logout(id) FROM omni.agent WHERE name = 'gone';
SELECT omni.enqueue('chat', 'p-2');
SELECT omni.route();

-- case: presence_follows_load_within_one_cycle
-- an agent allowed only while Available turns Busy after its first offer
INSERT INTO omni.queue (name) VALUES ('avail_only');
INSERT INTO omni.workstream (name, channel, default_queue, allowed_presences, capacity_units)
VALUES ('avail_chat', 'chat', 'avail_only', '{available}', 10);
SELECT pg_temp.agent('avail', 'avail_only');
SELECT omni.enqueue('avail_chat', 'av-' || g) FROM generate_series(1, 2) g;
SELECT omni.route();
SELECT * FROM pending WHERE customer LIKE 'av-%';
SELECT * FROM load WHERE name = 'avail';

-- case: an_offer_needs_enough_free_capacity_units
SELECT pg_temp.agent('small', 'q', 100);
SELECT omni.enqueue('chat', 'cap-' || g) FROM generate_series(1, 3) g;
SELECT omni.route();
SELECT * FROM pending WHERE agent = 'small';
SELECT * FROM load WHERE name = 'small';

-- case: capacity_profile_limits_items_per_agent
INSERT INTO omni.capacity_profile (name, max_items) VALUES ('voice', 1), ('chat3', 3);
INSERT INTO omni.queue (name) VALUES ('vq');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
VALUES ('voice', 'voice', 'vq', 1, 'voice');
SELECT pg_temp.agent('v_with', 'vq'), pg_temp.agent('v_without', 'vq');
INSERT INTO omni.agent_capacity_profile (agent_id, profile) SELECT id, 'voice' FROM omni.agent WHERE name = 'v_with';
SELECT omni.enqueue('voice', 'call-' || g) FROM generate_series(1, 2) g;
SELECT omni.route();
-- one call for v_with (max 1); v_without lacks the profile
SELECT * FROM pending WHERE customer LIKE 'call-%';
-- case: per_agent_override_of_a_profile_limit
UPDATE omni.agent_capacity_profile SET max_items = 2 WHERE profile = 'voice';
SELECT omni.route();
SELECT * FROM pending WHERE customer LIKE 'call-%';

-- case: an_exhausted_blocking_profile_stops_all_work
INSERT INTO omni.capacity_profile (name, max_items, blocking) VALUES ('focus', 1, true);
INSERT INTO omni.queue (name) VALUES ('fq'), ('other');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile)
VALUES ('focus', 'chat', 'fq', 1, 'focus'), ('other', 'chat', 'other', 1, NULL);
SELECT pg_temp.agent('focused', 'fq');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'other', id FROM omni.agent WHERE name = 'focused';
INSERT INTO omni.agent_capacity_profile (agent_id, profile) SELECT id, 'focus' FROM omni.agent WHERE name = 'focused';
SELECT omni.enqueue('focus', 'focus-1');
SELECT omni.enqueue('other', 'other-1');
SELECT omni.route();
SELECT * FROM pending WHERE agent = 'focused';
SELECT * FROM load WHERE name = 'focused';

-- case: exact_skill_match_requires_every_skill_at_the_level
INSERT INTO omni.skill (name) VALUES ('french'), ('billing');
INSERT INTO omni.queue (name) VALUES ('sq');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('skilled', 'chat', 'sq');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('skilled', 1, '$.lang == "fr"', '{"french": 6}'), ('skilled', 2, '$.topic == "billing"', '{"billing": 3}');
SELECT pg_temp.agent('fr_low', 'sq'), pg_temp.agent('fr_high', 'sq'), pg_temp.agent('fr_billing', 'sq');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'french', CASE name WHEN 'fr_low' THEN 5 ELSE 7 END FROM omni.agent WHERE name LIKE 'fr_%';
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) SELECT id, 'billing', 3 FROM omni.agent WHERE name = 'fr_billing';
SELECT omni.enqueue('skilled', 'fr-billing', '{"lang": "fr", "topic": "billing"}');
SELECT omni.enqueue('skilled', 'fr-only', '{"lang": "fr"}');
SELECT omni.route();
SELECT * FROM pending WHERE customer LIKE 'fr-%';
-- case: nobody_with_the_skill_leaves_the_conversation_queued
SELECT omni.enqueue('skilled', 'fr-expert', '{"lang": "fr"}');
UPDATE omni.classify_rule SET required_skills = '{"french": 10}' WHERE workstream = 'skilled' AND position = 1;
SELECT omni.enqueue('skilled', 'fr-native', '{"lang": "fr"}');
SELECT omni.route();
SELECT c.customer, a.name AS offered_to FROM omni.conversation c
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending' LEFT JOIN omni.agent a ON a.id = o.agent_id
 WHERE c.customer IN ('fr-expert', 'fr-native') ORDER BY c.id;

-- case: an_agent_is_never_offered_a_conversation_after_max_declines
INSERT INTO omni.queue (name) VALUES ('dq');
INSERT INTO omni.workstream (name, channel, default_queue, max_declines) VALUES ('decl', 'chat', 'dq', 2);
SELECT pg_temp.agent('decliner', 'dq');
SELECT omni.enqueue('decl', 'd-1');
SELECT omni.route();
SELECT omni.reject(offer) FROM pending WHERE customer = 'd-1';
SELECT omni.route();
SELECT omni.reject(offer) FROM pending WHERE customer = 'd-1';
SELECT omni.route();
SELECT * FROM pending WHERE customer = 'd-1';
-- another agent joins: the conversation goes on to it
SELECT pg_temp.agent('next_in_line', 'dq');
SELECT omni.route();
SELECT * FROM pending WHERE customer = 'd-1';

-- case: a_conversation_with_a_pending_offer_is_not_offered_again
SELECT omni.route();
SELECT count(*) AS pending_offers_for_d1 FROM omni.offer o JOIN omni.conversation c ON c.id = o.conversation_id
 WHERE c.customer = 'd-1' AND o.state = 'pending';

-- case: wrap_up_keeps_capacity_when_the_workstream_says_so
INSERT INTO omni.queue (name) VALUES ('wq');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('wrap', 'chat', 'wq', 100);
SELECT pg_temp.agent('wrapper', 'wq');
SELECT omni.enqueue('wrap', 'w-' || g) FROM generate_series(1, 2) g;
SELECT omni.route();
SELECT omni.accept(offer) IS NOT NULL AS accepted FROM pending WHERE agent = 'wrapper';
SELECT omni.end_conversation(id) FROM omni.conversation WHERE customer = 'w-1';
SELECT omni.route();
SELECT * FROM pending WHERE agent = 'wrapper';
-- case: wrap_up_releases_capacity_when_the_workstream_says_so
UPDATE omni.workstream SET wrap_up_holds_capacity = false WHERE name = 'wrap';
SELECT omni.close_conversation(id) FROM omni.conversation WHERE customer = 'w-1';
SELECT omni.route();
SELECT omni.accept(offer) IS NOT NULL AS accepted FROM pending WHERE agent = 'wrapper';
SELECT omni.enqueue('wrap', 'w-3');
SELECT omni.route();
SELECT omni.end_conversation(id) FROM omni.conversation WHERE customer = 'w-2';
SELECT omni.route();
SELECT * FROM pending WHERE agent = 'wrapper';
SELECT * FROM load WHERE name = 'wrapper';

-- case: pick_mode_makes_no_offers_and_pick_checks_eligibility
INSERT INTO omni.queue (name) VALUES ('pq');
INSERT INTO omni.workstream (name, channel, mode, default_queue, capacity_units) VALUES ('pickws', 'email', 'pick', 'pq', 60);
SELECT pg_temp.agent('picker', 'pq');
SELECT omni.enqueue('pickws', 'e-' || g) FROM generate_series(1, 2) g;
SELECT omni.route();
SELECT omni.pick(a.id, c.id) FROM omni.agent a, omni.conversation c WHERE a.name = 'picker' AND c.customer = 'e-1';
SELECT omni.pick(a.id, c.id) FROM omni.agent a, omni.conversation c WHERE a.name = 'picker' AND c.customer = 'e-2';
SELECT customer, state FROM omni.conversation WHERE customer LIKE 'e-%' ORDER BY id;

-- case: route_refuses_snapshot_isolation
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT omni.route();
ROLLBACK;

SELECT omni.tick() >= 0 AS ticked, omni.route() >= 0 AS routed;
SELECT * FROM omni.routing_invariant_violations();
