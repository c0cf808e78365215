-- bench/routing_setup.sql — 1,000 agents in 50 queues with skills
-- (psql -v agents=.. -v queues=.. [-v skills=..], default 20 skills;
-- -v agent_roles=1: each agent gets its own login role bench_agent_<id> (no password),
-- member of omnichannel_agent, as omni.agent.db_role).
\set ON_ERROR_STOP 1
\if :{?skills}
\else
\set skills 20
\endif
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT setseed(0.42);
INSERT INTO omni.skill (name) SELECT 'skill' || g FROM generate_series(1, :skills) g;
INSERT INTO omni.queue (name, priority, assignment_method)
SELECT 'q' || g, 100 + (g % 3),
       (ARRAY['highest_capacity', 'round_robin', 'least_active'])[1 + g % 3]::omni.assignment_method
  FROM generate_series(1, :queues) g;
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units, offer_timeout, block_on_missed)
VALUES ('bench_chat', 'chat', 'q1', 10, '1 hour', false);
-- route on the "q" attribute of the context: one rule per queue
INSERT INTO omni.route_rule (workstream, position, condition, queue)
SELECT 'bench_chat', g, format('$.q == %s', g)::jsonpath, 'q' || g FROM generate_series(1, :queues) g;
-- one classification rule: half the conversations need a skill
INSERT INTO omni.classify_rule (workstream, position, condition, required_skills)
VALUES ('bench_chat', 1, '$.skilled == true', '{"skill1": 3}');
INSERT INTO omni.agent (name, capacity_units)
SELECT 'agent' || g, 1000 FROM generate_series(1, :agents) g;
-- every agent has skill1 and two random others; sits in 3 queues
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT id, 'skill1', 3 + (id % 8) FROM omni.agent;
INSERT INTO omni.agent_skill (agent_id, skill, proficiency)
SELECT DISTINCT id, 'skill' || (2 + (id * 7 + k) % (:skills - 1)), 1 + (id + k) % 10 FROM omni.agent, generate_series(0, 1) k;
INSERT INTO omni.queue_member (queue, agent_id)
SELECT DISTINCT 'q' || (1 + (id * k * 13) % :queues), id FROM omni.agent, generate_series(1, 3) k;
\if :{?agent_roles}
DO $$
DECLARE
    a bigint;
BEGIN
    FOR a IN SELECT id FROM omni.agent ORDER BY id LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_agent_' || a) THEN
            EXECUTE format('CREATE ROLE %I LOGIN IN ROLE omnichannel_agent', 'bench_agent_' || a);
        END IF;
    END LOOP;
END $$;
UPDATE omni.agent SET db_role = 'bench_agent_' || id;
\endif
SELECT count(*) FROM (SELECT omni.login(id) FROM omni.agent) s;
