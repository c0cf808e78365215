-- conversation_route_idx (queue, priority, queued_at, id) WHERE state = 'open'
-- serves every read of open conversations in queue order; its prefix twin
-- cost an index entry on every enqueue and state change for nothing.
DROP INDEX omni.conversation_open_idx;
