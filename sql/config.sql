-- config: constraints and triggers reject nonsense with clear messages; every
-- column but names and references has a default.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse

-- a queue and a workstream are created by naming them (and channel + default queue)
INSERT INTO omni.queue (name) VALUES ('general');
INSERT INTO omni.queue (name, priority) VALUES ('spanish', 50);
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('web', 'chat', 'general');
SELECT assignment_method, priority, sentiment_enabled, sentiment_alert_level, service_level_threshold,
       short_abandon_threshold FROM omni.queue;
SELECT mode, capacity_units, capacity_profile, allowed_presences, offer_timeout, block_on_missed,
       max_declines, skill_match, wrap_up_holds_capacity, auto_close_open, auto_close_waiting, auto_close_wrap_up
  FROM omni.workstream;
DELETE FROM omni.queue WHERE name = 'spanish';  -- unused: can go
INSERT INTO omni.queue (name, priority) VALUES ('spanish', 50);
SELECT name FROM omni.channel ORDER BY name;

-- unknown_channel_or_queue
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('fax', 'fax', 'general');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('w2', 'chat', 'nowhere');
-- voice_is_push_only
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('v', 'voice', 'general', 'pick');
-- workstream_settings_in_range
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('w3', 'chat', 'general', -1);
INSERT INTO omni.workstream (name, channel, default_queue, max_declines) VALUES ('w3', 'chat', 'general', 6);
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout) VALUES ('w3', 'chat', 'general', '0 s');
INSERT INTO omni.workstream (name, channel, default_queue, allowed_presences) VALUES ('w3', 'chat', 'general', '{}');
INSERT INTO omni.workstream (name, channel, default_queue, allowed_presences) VALUES ('w3', 'chat', 'general', '{available,offline}');
INSERT INTO omni.workstream (name, channel, default_queue, allowed_presences) VALUES ('w3', 'chat', 'general', '{available,sleeping}');
-- queue_settings_in_range
INSERT INTO omni.queue (name, sentiment_alert_level) VALUES ('q', 'positive');
INSERT INTO omni.queue (name, service_level_threshold) VALUES ('q', '-5 s');
INSERT INTO omni.queue (name, assignment_method) VALUES ('q', 'random');
INSERT INTO omni.queue (name) VALUES ('  ');
-- channel names are lower-case identifiers
INSERT INTO omni.channel (name) VALUES ('WhatsApp');
INSERT INTO omni.channel (name) VALUES ('whatsapp');

-- agents: negative capacity, unknown role, unknown or system-only default presence
INSERT INTO omni.agent (name) VALUES ('ann');
INSERT INTO omni.agent (name, capacity_units) VALUES ('neg', -10);
INSERT INTO omni.agent (name, db_role) VALUES ('ghost', 'no_such_role_xyz');
INSERT INTO omni.agent (name, default_presence) VALUES ('x', 'Dancing');
INSERT INTO omni.agent (name, default_presence) VALUES ('x', 'Inactive');
INSERT INTO omni.agent (name, attributes) VALUES ('x', '[1]');
INSERT INTO omni.agent (name) VALUES ('ann');
-- a new agent is Offline and not logged in
SELECT agent_id, presence, logged_in FROM omni.agent_state;

-- skills: proficiency 1..10, skill must exist
INSERT INTO omni.skill (name) VALUES ('billing');
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'billing', 11);
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'billing', 0);
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'cooking', 5);
INSERT INTO omni.agent_skill (agent_id, skill, proficiency) VALUES (1, 'billing', 7);

-- capacity profiles
INSERT INTO omni.capacity_profile (name, max_items) VALUES ('voice', 0);
INSERT INTO omni.capacity_profile (name, reset) VALUES ('voice', 'weekly');
INSERT INTO omni.capacity_profile (name) VALUES ('voice');
INSERT INTO omni.agent_capacity_profile (agent_id, profile, max_items) VALUES (1, 'voice', -1);

-- rules: invalid jsonpath, non-predicate jsonpath, bad required skills
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 1, '$.lang ==', 'general');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 1, '$.lang', 'general');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 1, '$.lang == "es"', 'nowhere');
INSERT INTO omni.route_rule (workstream, position, condition, queue) VALUES ('web', 1, '$.lang == "es"', 'spanish');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 1, '$.vip == true', '{"billing": 12}');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 1, '$.vip == true', '{"billing": "high"}');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 1, '$.vip == true', '["billing"]');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 1, '$.vip == true', '{"cooking": 3}');
INSERT INTO omni.classify_rule (workstream, position, condition, priority, required_skills) VALUES ('web', 1, '$.vip == true', 1, '{"billing": 3}');
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills) VALUES ('web', 2, '$.amount > 100', '{"billing": 6}');

-- classification and routing use the rules: priority, merged skills (highest minimum), first route match
SELECT omni.enqueue('web', 'c1', '{"vip": true, "amount": 500, "lang": "es"}') AS c1,
       omni.enqueue('web', 'c2', '{"lang": "en"}') AS c2,
       omni.enqueue('web', 'c3', '{"amount": "lots"}') AS c3;
SELECT id, queue, priority, required_skills FROM omni.conversation ORDER BY id;

-- deleting_in_use: a queue, workstream or agent with open work cannot be deleted
DELETE FROM omni.queue WHERE name = 'spanish';
DELETE FROM omni.workstream WHERE name = 'web';
SELECT omni.login(1);
SELECT omni.assign(1, 1);
DELETE FROM omni.agent WHERE id = 1;
-- a workstream with conversations cannot change channel
UPDATE omni.workstream SET channel = 'sms' WHERE name = 'web';
-- the state machine table is not writable, even by admins
CREATE ROLE omni_cfg_admin IN ROLE omnichannel_admin;
SET ROLE omni_cfg_admin;
INSERT INTO omni.conversation_transition VALUES ('teleport', 'closed', 'open');
INSERT INTO omni.queue (name) VALUES ('by-admin');
RESET ROLE;
DROP OWNED BY omni_cfg_admin;
DROP ROLE omni_cfg_admin;
SELECT name FROM omni.queue ORDER BY name;
