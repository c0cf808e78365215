-- bench/busy_agents.sql — every agent holds one long conversation, so presence
-- stays Busy and the loop makes no presence change, as at 1,000/s (0.17 per
-- conversation there): EXTRA_SQL=bench/busy_agents.sql bash bench/routing_instructions.sh
INSERT INTO omni.conversation (workstream, channel, queue, customer, customer_id, state, agent_id, last_agent_id,
                               created_at, queued_at, accepted_at, last_activity_at)
SELECT 'bench_chat', 'chat', 'q1', 'held-' || a.id, omni._customer_for('chat', 'held-' || a.id), 'active', a.id, a.id,
       omni.now(), omni.now(), omni.now(), omni.now()
  FROM omni.agent a;
INSERT INTO omni.capacity_hold (conversation_id, agent_id, units, profile, since, kind, override)
SELECT c.id, c.agent_id, 1, NULL, omni.now(), 'work', false FROM omni.conversation c WHERE c.customer LIKE 'held-%';
SELECT omni._follow_load(array_agg(id)) FROM omni.agent;
SELECT presence, count(*) FROM omni.agent_state GROUP BY 1;
