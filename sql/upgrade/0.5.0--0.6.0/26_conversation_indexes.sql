-- 26_conversation_indexes.sql — fewer index entries per conversation in
-- omni.conversation, whose accept, end and close are never HOT updates:
--   * conversation_workstream_idx goes: only deleting a workstream looked
--     live conversations up by workstream (omni._refuse_delete_in_use now
--     reads them through conversation_live_idx); it cost an entry at the
--     enqueue, the accept and the end;
--   * conversation_agent_idx keeps only conversations with an agent (an
--     open one has none): an entry fewer per enqueue.
-- Building the new index reads the table once.

DROP INDEX omni.conversation_workstream_idx;
DROP INDEX omni.conversation_agent_idx;
CREATE INDEX conversation_agent_idx ON omni.conversation (agent_id) WHERE state <> 'closed' AND agent_id IS NOT NULL;
