-- 20_routing.sql — indexes of the hot tables.
--
-- conversation_route_idx (queue, priority, queued_at, id) WHERE state = 'open'
-- serves every read of open conversations in queue order; its prefix twin
-- cost an index entry on every enqueue and state change for nothing.
DROP INDEX omni.conversation_open_idx;

-- agent_state changes several times per conversation (presence, routing
-- clocks): without the presence index, and with room on each page, those
-- updates are HOT.  The fillfactor applies to pages written from now on.
DROP INDEX omni.agent_state_presence_idx;
ALTER TABLE omni.agent_state SET (fillfactor = 50);
