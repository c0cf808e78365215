-- demo/setup.sql — a small contact center: three channels, five queues,
-- twenty agents with skills, a custom presence, and the people's roles.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS omnichannel;

INSERT INTO omni.skill (name) VALUES ('english'), ('spanish'), ('billing'), ('technical'), ('sales');
INSERT INTO omni.presence (name, base_status, presence_text) VALUES
    ('Coaching', 'away', 'In a coaching session'),
    ('Ready for chats', 'available', 'Ready');

INSERT INTO omni.queue (name, priority, assignment_method, service_level_threshold) VALUES
    ('vip',        10, 'highest_capacity', '10 seconds'),
    ('billing',    50, 'least_active',     '20 seconds'),
    ('sales',      50, 'round_robin',      '20 seconds'),
    ('support-es', 80, 'round_robin',      '30 seconds'),
    ('support',   100, 'highest_capacity', '30 seconds');

INSERT INTO omni.capacity_profile (name, max_items, blocking) VALUES ('voice call', 1, true);
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout, max_declines) VALUES
    ('web-chat', 'chat', 'support', 25, '15 seconds', 2),
    ('sms',      'sms',  'support', 15, '20 seconds', 3);
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, capacity_profile, offer_timeout,
                             wrap_up_holds_capacity)
VALUES ('voice', 'voice', 'support', 100, 'voice call', '10 seconds', true);

-- Route to queue: first match wins.
INSERT INTO omni.route_rule (workstream, position, condition, queue)
SELECT w, p, c::jsonpath, q
  FROM unnest(ARRAY['web-chat', 'sms', 'voice']) w,
       (VALUES (1, '$.tier == "vip"', 'vip'), (2, '$.topic == "billing"', 'billing'),
               (3, '$.topic == "sales"', 'sales'), (4, '$.lang == "es"', 'support-es')) r(p, c, q);
-- Classification: every match sets priority and adds required skills.
INSERT INTO omni.classify_rule (workstream, position, condition, priority, required_skills)
SELECT w, p, c::jsonpath, pr, s::jsonb
  FROM unnest(ARRAY['web-chat', 'sms', 'voice']) w,
       (VALUES (1, '$.lang == "es"', NULL, '{"spanish": 4}'), (2, '$.lang == "en"', NULL, '{"english": 4}'),
               (3, '$.topic == "technical"', NULL, '{"technical": 3}'), (4, '$.tier == "vip"', 10, '{}')) r(p, c, pr, s);

-- Twenty agents: everyone speaks English, a third Spanish; skills vary.
INSERT INTO omni.agent (name, capacity_units, default_presence)
SELECT n, 100, CASE WHEN i % 5 = 0 THEN 'Ready for chats' END
  FROM unnest(ARRAY['Ada', 'Ben', 'Cai', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jon',
                    'Kim', 'Lou', 'Mia', 'Ned', 'Oda', 'Pia', 'Quin', 'Rui', 'Sol', 'Tess']) WITH ORDINALITY a(n, i);
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'english', 5 + id % 5 FROM omni.agent
UNION ALL SELECT id, 'spanish', 4 + id % 6 FROM omni.agent WHERE id % 3 = 0
UNION ALL SELECT id, 'technical', 3 + id % 7 FROM omni.agent WHERE id % 2 = 0
UNION ALL SELECT id, 'billing', 6 FROM omni.agent WHERE id % 4 = 1
UNION ALL SELECT id, 'sales', 7 FROM omni.agent WHERE id % 4 = 2;
INSERT INTO omni.agent_capacity_profile (agent_id, profile) SELECT id, 'voice call' FROM omni.agent WHERE id <= 12;
INSERT INTO omni.queue_member (queue, agent_id)
SELECT 'support', id FROM omni.agent
UNION ALL SELECT 'support-es', agent_id FROM omni.agent_skill WHERE skill = 'spanish'
UNION ALL SELECT 'billing', agent_id FROM omni.agent_skill WHERE skill = 'billing'
UNION ALL SELECT 'sales', agent_id FROM omni.agent_skill WHERE skill = 'sales'
UNION ALL SELECT 'vip', id FROM omni.agent WHERE id % 5 IN (0, 1);
