-- 80_views.sql — real-time views for apps, supervisors and BI (SPEC §6).
--
-- Every view here is a plain view WITH (security_invoker = true): it reads
-- the runtime tables as the querying role, so their row-level security
-- applies (an agent sees its own work, a supervisor its queues, admins
-- everything).  Durations are computed against omni.now(), so the mock clock
-- drives them in tests.  Units are in column names (_s = seconds); docs/views.md
-- documents each view.

-- Which agents the querying role may see in agent-level views: its own
-- agent, the agents of the queues it supervises, or all for admins/services.
CREATE FUNCTION omni._sees_agent(a bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._sees_everything() OR a = omni.current_agent_id()
        OR a IN (SELECT omni.supervised_agents())
$$;
COMMENT ON FUNCTION omni._sees_agent(bigint) IS
    'Views: whether the querying role may see this agent (itself, agents of its supervised queues, admins all).';

CREATE FUNCTION omni._sees_queue(q text) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT omni._sees_everything() OR q IN (SELECT omni.supervised_queues())
        OR q IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
$$;
COMMENT ON FUNCTION omni._sees_queue(text) IS
    'Views: whether the querying role may see this queue (member agents, its supervisors, admins).';

-- Agent status ----------------------------------------------------------------------

CREATE VIEW omni.agent_status WITH (security_invoker = true) AS
SELECT a.id AS agent_id,
       a.name,
       s.presence,
       p.base_status,
       s.presence_since AS since,
       extract(epoch FROM omni.now() - s.presence_since)::double precision AS in_presence_s,
       s.logged_in,
       a.capacity_units,
       coalesce(h.used_units, 0)::integer AS used_units,
       (a.capacity_units - coalesce(h.used_units, 0))::integer AS free_units,
       coalesce(w.active_items, 0)::integer AS active_items,
       coalesce(w.waiting_items, 0)::integer AS waiting_items,
       coalesce(w.wrap_up_items, 0)::integer AS wrap_up_items,
       coalesce(h.pending_offers, 0)::integer AS pending_offers,
       CASE WHEN a.capacity_units > 0 THEN coalesce(h.used_units, 0)::double precision / a.capacity_units END
           AS capacity_used_ratio,
       coalesce(h.over_capacity, false) AS over_capacity,
       (SELECT array_agg(m.queue ORDER BY m.queue) FROM omni.queue_member m WHERE m.agent_id = a.id) AS queues,
       s.last_assigned_at
  FROM omni.agent a
  JOIN omni.agent_state s ON s.agent_id = a.id
  JOIN omni.presence p ON p.name = s.presence
  LEFT JOIN LATERAL (
        SELECT sum(ch.units) AS used_units,
               count(*) FILTER (WHERE ch.kind = 'offer') AS pending_offers,
               bool_or(ch.override) AS over_capacity
          FROM omni.capacity_hold ch WHERE ch.agent_id = a.id) h ON true
  LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.state = 'active') AS active_items,
               count(*) FILTER (WHERE c.state = 'waiting') AS waiting_items,
               count(*) FILTER (WHERE c.state = 'wrap_up') AS wrap_up_items
          FROM omni.conversation c WHERE c.agent_id = a.id AND c.state <> 'closed') w ON true
 WHERE omni._sees_agent(a.id);
COMMENT ON VIEW omni.agent_status IS
    'Real time: one row per agent with presence, load and work in hand (agents see themselves, supervisors their queues'' agents).';
COMMENT ON COLUMN omni.agent_status.agent_id IS 'Agent id.';
COMMENT ON COLUMN omni.agent_status.name IS 'Agent name.';
COMMENT ON COLUMN omni.agent_status.presence IS 'Effective presence now.';
COMMENT ON COLUMN omni.agent_status.base_status IS 'Base status of that presence.';
COMMENT ON COLUMN omni.agent_status.since IS 'When the current presence started.';
COMMENT ON COLUMN omni.agent_status.in_presence_s IS 'Seconds in the current presence (status duration).';
COMMENT ON COLUMN omni.agent_status.logged_in IS 'Logged in now.';
COMMENT ON COLUMN omni.agent_status.capacity_units IS 'Total capacity units of the agent.';
COMMENT ON COLUMN omni.agent_status.used_units IS 'Units held now by work and pending offers.';
COMMENT ON COLUMN omni.agent_status.free_units IS 'capacity_units - used_units; negative when a supervisor over-assigned.';
COMMENT ON COLUMN omni.agent_status.active_items IS 'Conversations active with the agent.';
COMMENT ON COLUMN omni.agent_status.waiting_items IS 'Conversations the agent parked (waiting).';
COMMENT ON COLUMN omni.agent_status.wrap_up_items IS 'Conversations in wrap-up with the agent.';
COMMENT ON COLUMN omni.agent_status.pending_offers IS 'Offers waiting for the agent''s answer.';
COMMENT ON COLUMN omni.agent_status.capacity_used_ratio IS 'used_units / capacity_units (fraction, may exceed 1 on override; NULL when capacity is 0).';
COMMENT ON COLUMN omni.agent_status.over_capacity IS 'Holds work a supervisor assigned over capacity.';
COMMENT ON COLUMN omni.agent_status.queues IS 'Queues the agent belongs to.';
COMMENT ON COLUMN omni.agent_status.last_assigned_at IS 'Last time work was offered or assigned to the agent.';

-- Ongoing conversations ----------------------------------------------------------------

CREATE VIEW omni.ongoing_conversations WITH (security_invoker = true) AS
SELECT c.id AS conversation_id,
       c.workstream,
       c.channel,
       c.queue,
       c.state,
       c.agent_id,
       a.name AS agent_name,
       c.customer,
       c.customer_id,
       c.priority,
       c.bot,
       c.escalated,
       c.transfer_count,
       c.created_at,
       c.queued_at,
       c.accepted_at,
       c.first_response_at,
       c.wrap_up_at,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at)
            WHEN c.accepted_at >= c.queued_at THEN extract(epoch FROM c.accepted_at - c.queued_at)
       END::double precision AS wait_s,
       CASE WHEN c.state IN ('active', 'waiting', 'wrap_up') AND c.accepted_at IS NOT NULL
            THEN extract(epoch FROM omni.now() - c.accepted_at) END::double precision AS handle_s,
       CASE WHEN c.state = 'wrap_up' THEN extract(epoch FROM omni.now() - c.wrap_up_at) END::double precision
           AS wrap_up_s,
       extract(epoch FROM omni.now() - c.created_at)::double precision AS age_s,
       c.sentiment,
       c.sentiment_score,
       o.id AS pending_offer_id,
       o.agent_id AS offered_agent_id
  FROM omni.conversation c
  LEFT JOIN omni.agent a ON a.id = c.agent_id
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending'
 -- the states not closed spelled out: estimated few rows without statistics,
 -- so the live rows are read through conversation_live_idx, never the
 -- whole table ("<> 'closed'" is estimated at 99.5 % of it)
 WHERE c.state IN ('open', 'active', 'waiting', 'wrap_up');
COMMENT ON VIEW omni.ongoing_conversations IS
    'Real time: every conversation not closed, with queue, channel, state, agent, wait and handle time and sentiment (row-level security applies).';
COMMENT ON COLUMN omni.ongoing_conversations.conversation_id IS 'Conversation id.';
COMMENT ON COLUMN omni.ongoing_conversations.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.ongoing_conversations.channel IS 'Channel.';
COMMENT ON COLUMN omni.ongoing_conversations.queue IS 'Current queue (NULL while a bot serves it).';
COMMENT ON COLUMN omni.ongoing_conversations.state IS 'open, active, waiting or wrap_up.';
COMMENT ON COLUMN omni.ongoing_conversations.agent_id IS 'Agent holding it.';
COMMENT ON COLUMN omni.ongoing_conversations.agent_name IS 'Name of that agent.';
COMMENT ON COLUMN omni.ongoing_conversations.customer IS 'Customer address.';
COMMENT ON COLUMN omni.ongoing_conversations.customer_id IS 'Customer id (linked across channels).';
COMMENT ON COLUMN omni.ongoing_conversations.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.ongoing_conversations.bot IS 'Started with a bot.';
COMMENT ON COLUMN omni.ongoing_conversations.escalated IS 'Escalated from a bot.';
COMMENT ON COLUMN omni.ongoing_conversations.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.ongoing_conversations.created_at IS 'Created.';
COMMENT ON COLUMN omni.ongoing_conversations.queued_at IS 'Entered its current queue.';
COMMENT ON COLUMN omni.ongoing_conversations.accepted_at IS 'Last accepted, picked or assigned.';
COMMENT ON COLUMN omni.ongoing_conversations.first_response_at IS 'First agent message.';
COMMENT ON COLUMN omni.ongoing_conversations.wrap_up_at IS 'Wrap-up started.';
COMMENT ON COLUMN omni.ongoing_conversations.wait_s IS
    'Seconds in the queue: so far when open, else from queue entry to acceptance of the current queue visit (NULL if not known).';
COMMENT ON COLUMN omni.ongoing_conversations.handle_s IS 'Seconds since the agent accepted it (active, waiting, wrap_up).';
COMMENT ON COLUMN omni.ongoing_conversations.wrap_up_s IS 'Seconds in wrap-up so far.';
COMMENT ON COLUMN omni.ongoing_conversations.age_s IS 'Seconds since it was created.';
COMMENT ON COLUMN omni.ongoing_conversations.sentiment IS 'Current sentiment level.';
COMMENT ON COLUMN omni.ongoing_conversations.sentiment_score IS 'Current sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.ongoing_conversations.pending_offer_id IS 'Pending offer, if any.';
COMMENT ON COLUMN omni.ongoing_conversations.offered_agent_id IS 'Agent the pending offer is for.';

CREATE VIEW omni.ongoing_by_state WITH (security_invoker = true) AS
SELECT q.name AS queue,
       coalesce(x.open_count, 0)::integer AS open_count,
       coalesce(x.offered_count, 0)::integer AS offered_count,
       coalesce(x.active_count, 0)::integer AS active_count,
       coalesce(x.waiting_count, 0)::integer AS waiting_count,
       coalesce(x.wrap_up_count, 0)::integer AS wrap_up_count,
       coalesce(x.open_count + x.active_count + x.waiting_count + x.wrap_up_count, 0)::integer AS ongoing_count,
       x.longest_wait_s,
       x.oldest_queued_at,
       coalesce(x.over_service_level_count, 0)::integer AS over_service_level_count
  FROM omni.queue q
  LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.state = 'open') AS open_count,
               count(*) FILTER (WHERE c.state = 'open'
                                AND EXISTS (SELECT 1 FROM omni.offer o
                                             WHERE o.conversation_id = c.id AND o.state = 'pending')) AS offered_count,
               count(*) FILTER (WHERE c.state = 'active') AS active_count,
               count(*) FILTER (WHERE c.state = 'waiting') AS waiting_count,
               count(*) FILTER (WHERE c.state = 'wrap_up') AS wrap_up_count,
               max(extract(epoch FROM omni.now() - c.queued_at)) FILTER (WHERE c.state = 'open')::double precision
                   AS longest_wait_s,
               min(c.queued_at) FILTER (WHERE c.state = 'open') AS oldest_queued_at,
               count(*) FILTER (WHERE c.state = 'open' AND omni.now() - c.queued_at > q.service_level_threshold)
                   AS over_service_level_count
          FROM omni.conversation c
         WHERE c.queue = q.name AND c.state <> 'closed') x ON true
 WHERE omni._sees_queue(q.name);
COMMENT ON VIEW omni.ongoing_by_state IS
    'Real time: per queue, conversations open (queued), offered, active, waiting and in wrap-up, and the longest wait.';
COMMENT ON COLUMN omni.ongoing_by_state.queue IS 'Queue.';
COMMENT ON COLUMN omni.ongoing_by_state.open_count IS 'Open (queued, no agent), including those with a pending offer.';
COMMENT ON COLUMN omni.ongoing_by_state.offered_count IS 'Open with a pending offer (assigned, awaiting acceptance).';
COMMENT ON COLUMN omni.ongoing_by_state.active_count IS 'Active with an agent.';
COMMENT ON COLUMN omni.ongoing_by_state.waiting_count IS 'Parked (waiting).';
COMMENT ON COLUMN omni.ongoing_by_state.wrap_up_count IS 'In wrap-up.';
COMMENT ON COLUMN omni.ongoing_by_state.ongoing_count IS 'All not closed.';
COMMENT ON COLUMN omni.ongoing_by_state.longest_wait_s IS 'Seconds the longest-waiting open conversation has been queued (NULL: none waiting).';
COMMENT ON COLUMN omni.ongoing_by_state.oldest_queued_at IS 'Queue entry of the longest-waiting open conversation.';
COMMENT ON COLUMN omni.ongoing_by_state.over_service_level_count IS
    'Open conversations already waiting longer than the queue''s service_level_threshold.';

-- Customers ---------------------------------------------------------------------------

CREATE VIEW omni.customer_summary WITH (security_invoker = true) AS
SELECT c.customer_id,
       cu.name AS customer_name,
       c.id AS conversation_id,
       c.channel,
       c.workstream,
       c.customer AS address,
       c.queue,
       c.state,
       c.agent_id,
       c.last_agent_id,
       c.created_at,
       c.closed_at,
       c.close_reason,
       c.sentiment,
       c.sentiment_score,
       m.customer_messages,
       m.last_message_at,
       count(*) OVER w AS customer_conversations,
       count(*) FILTER (WHERE c.state <> 'closed') OVER w AS customer_open_conversations,
       avg(c.sentiment_score) OVER w AS customer_avg_sentiment_score
  FROM omni.conversation c
  LEFT JOIN omni.customer cu ON cu.id = c.customer_id
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE ms.sender = 'customer')::integer AS customer_messages,
                            max(ms.created_at) AS last_message_at
                       FROM omni.message ms WHERE ms.conversation_id = c.id) m ON true
WINDOW w AS (PARTITION BY c.customer_id);
COMMENT ON VIEW omni.customer_summary IS
    'A customer''s conversations across channels with their sentiment: one row per conversation, with customer-wide totals (filter on customer_id).';
COMMENT ON COLUMN omni.customer_summary.customer_id IS 'Customer (linked across channels).';
COMMENT ON COLUMN omni.customer_summary.customer_name IS 'Customer name, if known.';
COMMENT ON COLUMN omni.customer_summary.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.customer_summary.channel IS 'Channel of the conversation.';
COMMENT ON COLUMN omni.customer_summary.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.customer_summary.address IS 'Customer address on that channel.';
COMMENT ON COLUMN omni.customer_summary.queue IS 'Queue (last).';
COMMENT ON COLUMN omni.customer_summary.state IS 'State now.';
COMMENT ON COLUMN omni.customer_summary.agent_id IS 'Agent holding it now (or the last one if closed).';
COMMENT ON COLUMN omni.customer_summary.last_agent_id IS 'Last agent who held it.';
COMMENT ON COLUMN omni.customer_summary.created_at IS 'Created.';
COMMENT ON COLUMN omni.customer_summary.closed_at IS 'Closed (NULL: ongoing).';
COMMENT ON COLUMN omni.customer_summary.close_reason IS 'Why it closed.';
COMMENT ON COLUMN omni.customer_summary.sentiment IS 'Sentiment level (latest six customer messages; final when closed).';
COMMENT ON COLUMN omni.customer_summary.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.customer_summary.customer_messages IS 'Messages the customer wrote in it.';
COMMENT ON COLUMN omni.customer_summary.last_message_at IS 'Last message of any sender.';
COMMENT ON COLUMN omni.customer_summary.customer_conversations IS 'Conversations of this customer visible to the reader.';
COMMENT ON COLUMN omni.customer_summary.customer_open_conversations IS 'Of those, not closed.';
COMMENT ON COLUMN omni.customer_summary.customer_avg_sentiment_score IS 'Mean sentiment score over them.';

-- The agent's own work -------------------------------------------------------------------

CREATE VIEW omni.my_work WITH (security_invoker = true) AS
SELECT x.category, c.id AS conversation_id, c.channel, c.workstream, c.queue, c.state, c.customer, c.priority,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at) END::double precision AS wait_s,
       CASE WHEN x.category = 'ongoing' THEN extract(epoch FROM omni.now() - c.accepted_at) END::double precision
           AS handle_s,
       c.sentiment, c.sentiment_score, x.offer_id, x.offer_expires_at, c.created_at, c.closed_at
  FROM omni.conversation c
  CROSS JOIN LATERAL (
        SELECT 'ongoing'::text AS category, NULL::bigint AS offer_id, NULL::timestamptz AS offer_expires_at
         WHERE c.agent_id = omni.current_agent_id() AND c.state IN ('active', 'waiting', 'wrap_up')
        UNION ALL
        SELECT 'offered', o.id, o.expires_at FROM omni.offer o
         WHERE o.conversation_id = c.id AND o.state = 'pending' AND o.agent_id = omni.current_agent_id()
        UNION ALL
        SELECT 'available', NULL, NULL
         WHERE c.state = 'open'
           AND c.queue IN (SELECT m.queue FROM omni.queue_member m WHERE m.agent_id = omni.current_agent_id())
           AND c.workstream IN (SELECT w.name FROM omni.workstream w WHERE w.mode = 'pick')
           AND NOT EXISTS (SELECT 1 FROM omni.offer o WHERE o.conversation_id = c.id AND o.state = 'pending')
        UNION ALL
        SELECT 'closed_today', NULL, NULL
         WHERE c.state = 'closed' AND c.last_agent_id = omni.current_agent_id()
           AND c.closed_at >= date_trunc('day', omni.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') x
 WHERE omni.current_agent_id() IS NOT NULL;
COMMENT ON VIEW omni.my_work IS
    'The querying agent''s own work: ongoing (active, waiting, wrap-up), offered to it, available to pick in its queues, and closed today (UTC).';
COMMENT ON COLUMN omni.my_work.category IS 'ongoing, offered, available (pick mode, may be picked) or closed_today.';
COMMENT ON COLUMN omni.my_work.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.my_work.channel IS 'Channel.';
COMMENT ON COLUMN omni.my_work.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.my_work.queue IS 'Queue.';
COMMENT ON COLUMN omni.my_work.state IS 'State.';
COMMENT ON COLUMN omni.my_work.customer IS 'Customer address.';
COMMENT ON COLUMN omni.my_work.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.my_work.wait_s IS 'Seconds queued so far (open only).';
COMMENT ON COLUMN omni.my_work.handle_s IS 'Seconds since acceptance (ongoing only).';
COMMENT ON COLUMN omni.my_work.sentiment IS 'Sentiment level.';
COMMENT ON COLUMN omni.my_work.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.my_work.offer_id IS 'The pending offer to accept or reject (offered only).';
COMMENT ON COLUMN omni.my_work.offer_expires_at IS 'When that offer expires.';
COMMENT ON COLUMN omni.my_work.created_at IS 'Created.';
COMMENT ON COLUMN omni.my_work.closed_at IS 'Closed (closed_today only).';

-- Supervisor work lists ----------------------------------------------------------------

CREATE VIEW omni.unassigned_work WITH (security_invoker = true) AS
SELECT c.id AS conversation_id, c.queue, c.channel, c.workstream, w.mode, c.priority, c.customer, c.escalated,
       c.transfer_count, c.queued_at,
       extract(epoch FROM omni.now() - c.queued_at)::double precision AS wait_s,
       omni.now() - c.queued_at > q.service_level_threshold AS over_service_level,
       (SELECT count(*) FROM omni.offer o WHERE o.conversation_id = c.id
           AND o.state IN ('rejected', 'expired') AND o.created_at >= c.queued_at)::integer AS declines,
       o.id AS pending_offer_id, o.agent_id AS offered_agent_id, c.required_skills, c.sentiment,
       omni._routing_block(c.id) AS blocked_by
  FROM omni.conversation c
  JOIN omni.queue q ON q.name = c.queue
  JOIN omni.workstream w ON w.name = c.workstream
  LEFT JOIN omni.offer o ON o.conversation_id = c.id AND o.state = 'pending'
 WHERE c.state = 'open';
COMMENT ON VIEW omni.unassigned_work IS
    'Supervisor: open conversations no agent holds yet, with wait, declines and any pending offer (a supervisor sees its queues).';
COMMENT ON COLUMN omni.unassigned_work.conversation_id IS 'Conversation (give it to omni.assign).';
COMMENT ON COLUMN omni.unassigned_work.queue IS 'Queue.';
COMMENT ON COLUMN omni.unassigned_work.channel IS 'Channel.';
COMMENT ON COLUMN omni.unassigned_work.workstream IS 'Workstream.';
COMMENT ON COLUMN omni.unassigned_work.mode IS 'push or pick.';
COMMENT ON COLUMN omni.unassigned_work.priority IS 'Priority (smaller first).';
COMMENT ON COLUMN omni.unassigned_work.customer IS 'Customer address.';
COMMENT ON COLUMN omni.unassigned_work.escalated IS 'Came from a bot.';
COMMENT ON COLUMN omni.unassigned_work.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.unassigned_work.queued_at IS 'Queue entry.';
COMMENT ON COLUMN omni.unassigned_work.wait_s IS 'Seconds waiting so far.';
COMMENT ON COLUMN omni.unassigned_work.over_service_level IS 'Waiting longer than the queue''s service_level_threshold.';
COMMENT ON COLUMN omni.unassigned_work.declines IS 'Offers rejected or expired since it entered the queue.';
COMMENT ON COLUMN omni.unassigned_work.pending_offer_id IS 'Pending offer, if any.';
COMMENT ON COLUMN omni.unassigned_work.offered_agent_id IS 'Agent of the pending offer.';
COMMENT ON COLUMN omni.unassigned_work.required_skills IS 'Skills required.';
COMMENT ON COLUMN omni.unassigned_work.sentiment IS 'Sentiment level.';
COMMENT ON COLUMN omni.unassigned_work.blocked_by IS
    'What keeps it from an agent, in a supervisor''s words: no member logged in, nobody with the skill, everyone declined, no member with free capacity, custom rules match nobody, offered (awaiting an answer), ... (omni.explain_routing gives each member''s reason).';

CREATE VIEW omni.escalations WITH (security_invoker = true) AS
SELECT c.id AS conversation_id, c.queue, c.channel, c.state, c.agent_id,
       (c.escalated) AS bot_escalated,
       (q.sentiment_enabled AND c.sentiment <= q.sentiment_alert_level) AS sentiment_alert,
       c.sentiment, c.sentiment_score, c.transfer_count,
       (SELECT e.at FROM omni.event e WHERE e.conversation_id = c.id AND e.kind = 'escalated'
         ORDER BY e.id DESC LIMIT 1) AS escalated_at,
       CASE WHEN c.state = 'open' THEN extract(epoch FROM omni.now() - c.queued_at) END::double precision AS wait_s
  FROM omni.conversation c
  JOIN omni.queue q ON q.name = c.queue
 WHERE c.state IN ('open', 'active', 'waiting', 'wrap_up')   -- as in omni.ongoing_conversations
   AND (c.escalated OR (q.sentiment_enabled AND c.sentiment <= q.sentiment_alert_level));
COMMENT ON VIEW omni.escalations IS
    'Supervisor: ongoing conversations escalated from a bot or at/below their queue''s sentiment alert level.';
COMMENT ON COLUMN omni.escalations.conversation_id IS 'Conversation.';
COMMENT ON COLUMN omni.escalations.queue IS 'Queue.';
COMMENT ON COLUMN omni.escalations.channel IS 'Channel.';
COMMENT ON COLUMN omni.escalations.state IS 'State.';
COMMENT ON COLUMN omni.escalations.agent_id IS 'Agent holding it.';
COMMENT ON COLUMN omni.escalations.bot_escalated IS 'Escalated from a bot to humans.';
COMMENT ON COLUMN omni.escalations.sentiment_alert IS 'Sentiment at or below the queue''s sentiment_alert_level.';
COMMENT ON COLUMN omni.escalations.sentiment IS 'Sentiment level.';
COMMENT ON COLUMN omni.escalations.sentiment_score IS 'Sentiment score in [-1, 1].';
COMMENT ON COLUMN omni.escalations.transfer_count IS 'Transfers so far.';
COMMENT ON COLUMN omni.escalations.escalated_at IS 'When it was (last) escalated from the bot.';
COMMENT ON COLUMN omni.escalations.wait_s IS 'Seconds waiting so far (open only).';

GRANT SELECT ON omni.agent_status, omni.ongoing_conversations, omni.ongoing_by_state, omni.customer_summary,
    omni.unassigned_work, omni.escalations TO omnichannel_supervisor, omnichannel_admin;
GRANT SELECT ON omni.agent_status, omni.my_work TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;
REVOKE ALL ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin, omnichannel_service;

-- Why not routed (50_conversation.sql): supervisors of the queue and admins.
GRANT EXECUTE ON FUNCTION omni.explain_routing(bigint) TO omnichannel_supervisor, omnichannel_admin;
GRANT EXECUTE ON FUNCTION omni._routing_block(bigint) TO omnichannel_supervisor, omnichannel_admin;

-- Consult and transfer offers (52_handling.sql).
REVOKE ALL ON omni.transfer_offer FROM PUBLIC;
GRANT SELECT ON omni.transfer_offer TO omnichannel_agent, omnichannel_supervisor, omnichannel_service, omnichannel_admin;
ALTER TABLE omni.transfer_offer ENABLE ROW LEVEL SECURITY;
CREATE POLICY staff_all ON omni.transfer_offer FOR SELECT USING (omni._sees_everything());
CREATE POLICY agent_own ON omni.transfer_offer FOR SELECT TO omnichannel_agent
    USING (agent_id = omni.current_agent_id() OR from_agent_id = omni.current_agent_id());
CREATE POLICY supervisor_queues ON omni.transfer_offer FOR SELECT TO omnichannel_supervisor
    USING (queue IN (SELECT omni.supervised_queues()));
GRANT EXECUTE ON FUNCTION omni.consult(bigint, bigint), omni.end_consult(bigint, bigint),
    omni.accept_transfer(bigint), omni.reject_transfer(bigint)
    TO omnichannel_agent, omnichannel_supervisor, omnichannel_admin;

-- Reporting (SPEC §7): omnichannel_reporting reads every view and KPI and the
-- tables behind them, never message text (nor the sentiment evidence quoting
-- it) and writes nothing.  Views here are security_invoker, so a reader also
-- needs the tables and the visibility helpers; a pg_read_all_data login reads
-- the tables through that role and gets the helpers here.  Views and KPIs of
-- later parts are granted there (88_kpi_refresh.sql).
GRANT SELECT ON omni.presence, omni.channel, omni.skill, omni.capacity_profile, omni.agent, omni.agent_skill,
    omni.agent_capacity_profile, omni.queue, omni.queue_member, omni.queue_supervisor, omni.workstream,
    omni.route_rule, omni.classify_rule, omni.conversation_transition, omni.assignment_rule, omni.queue_overflow,
    omni.queue_hours, omni.route_rule_split, omni.queue_rotation,
    omni.customer, omni.customer_identity, omni.agent_state, omni.presence_history, omni.conversation,
    omni.conversation_participant, omni.offer, omni.capacity_hold, omni.capacity_profile_use, omni.event,
    omni.sentiment_history, omni.sentiment_threshold
    TO omnichannel_reporting;
GRANT SELECT (id, conversation_id, sender, agent_id, created_at, language, sentiment, sentiment_score, profane)
    ON omni.message TO omnichannel_reporting;
GRANT SELECT ON omni.agent_status, omni.ongoing_conversations, omni.ongoing_by_state, omni.customer_summary,
    omni.my_work, omni.unassigned_work, omni.escalations, omni.routing_decision, omni.worker_status,
    omni.sentiment_over_time
    TO omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni._sees_agent(bigint), omni._sees_queue(text) TO omnichannel_reporting, pg_read_all_data;
GRANT SELECT ON omni.transfer_offer TO omnichannel_reporting;
