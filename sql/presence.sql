-- presence: login, logout, set_presence, history, and presence that follows load.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
SET omnichannel.mock_now = '2026-03-02 08:00:00+00';

INSERT INTO omni.presence (name, base_status, presence_text) VALUES
    ('Ready for chats', 'available', 'Ready'),
    ('Training', 'away', 'In training'),
    ('On a call', 'busy', 'Busy on phone');
INSERT INTO omni.queue (name) VALUES ('q1');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q1', 40);
INSERT INTO omni.agent (name, capacity_units, default_presence) VALUES
    ('ann', 100, NULL), ('bob', 80, 'Ready for chats'), ('cid', 100, 'Training');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q1', id FROM omni.agent;

-- login_applies_default_presence: no default means Available; a custom default is kept.
SELECT omni.login(1) AS ann, omni.login(2) AS bob, omni.login(3) AS cid;
SELECT agent_id, presence, chosen_presence, logged_in FROM omni.agent_state ORDER BY agent_id;

-- set_presence_refuses_system_only_and_unknown_presences
SELECT omni.set_presence(1, 'Inactive');
SELECT omni.set_presence(1, 'Sleeping');
SELECT omni.set_presence(999, 'Away');
-- set_presence_requires_login (except to go Offline)
SELECT omni.logout(3);
SELECT omni.set_presence(3, 'Available');
SELECT omni.set_presence(3, 'Offline');

-- builtin_presences_cannot_be_edited_or_deleted; custom ones cannot be system-only
UPDATE omni.presence SET presence_text = 'Free' WHERE name = 'Available';
DELETE FROM omni.presence WHERE name = 'Inactive';
INSERT INTO omni.presence (name, base_status, system_only) VALUES ('Ghost', 'away', true);
INSERT INTO omni.presence (name, base_status) VALUES ('Nowhere', 'lost');
UPDATE omni.presence SET presence_text = 'Training!' WHERE name = 'Training';
SELECT name, base_status, presence_text, system_only, builtin FROM omni.presence ORDER BY builtin DESC, name;
-- an agent's default presence must exist and not be system-only
UPDATE omni.agent SET default_presence = 'Inactive' WHERE id = 1;
UPDATE omni.agent SET default_presence = 'Nope' WHERE id = 1;

-- presence_follows_load: ann (100 units) takes 40-unit chats: Busy, then Busy - DND when full.
SET omnichannel.mock_now = '2026-03-02 08:10:00+00';
SELECT omni.enqueue('chat', 'c' || g) FROM generate_series(1, 3) g;
SELECT omni.assign(1, 1);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SELECT omni.assign(2, 1);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
-- 80 of 100 units used: a third 40-unit chat does not fit; a supervisor override does, and shows DND.
SELECT omni.assign(3, 1);
SELECT omni.assign(3, 1, override_capacity => true);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SELECT kind, detail->>'override_capacity' AS override, detail->>'units_before' AS before,
       detail->>'units_after' AS after, detail->>'refusal' AS refusal
  FROM omni.event WHERE kind = 'assigned' AND conversation_id = 3;
-- releasing capacity walks back: DND -> Busy -> Available
SELECT omni.force_close(3);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SELECT omni.end_conversation(1), omni.close_conversation(1), omni.end_conversation(2), omni.close_conversation(2);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;

-- a custom Available-based presence comes back when the load is gone; a Busy-based one is kept while loaded
SET omnichannel.mock_now = '2026-03-02 08:20:00+00';
SELECT omni.enqueue('chat', 'c4');
SELECT omni.assign(4, 2);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT omni.end_conversation(4), omni.close_conversation(4);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT omni.set_presence(2, 'On a call');
SELECT omni.enqueue('chat', 'c5');
SELECT omni.assign(5, 2);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT omni.force_close(5);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;

-- manual_away_is_not_overridden_by_load: an agent who chose Away stays Away while work changes.
SELECT omni.set_presence(1, 'Away');
SELECT omni.enqueue('chat', 'c6');
SELECT omni.assign(6, 1);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SELECT omni.force_close(6);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;

-- missed_offer_sets_inactive: an expired offer on a block_on_missed workstream.
SELECT omni.set_presence(1, 'Available');
SELECT omni.enqueue('chat', 'c7');
SELECT omni._make_offer(7, 1);
SELECT omni._end_offer(1, 'expired');
SELECT presence, chosen_presence FROM omni.agent_state WHERE agent_id = 1;
-- Inactive is sticky: load changes do not lift it, the agent does.
SELECT omni.assign(7, 1);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SELECT omni.set_presence(1, 'Available');
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
-- without block_on_missed the agent stays as it was
UPDATE omni.workstream SET block_on_missed = false;
SELECT omni.enqueue('chat', 'c8');
SELECT omni._make_offer(8, 2);
SELECT omni._end_offer(2, 'expired');
SELECT presence FROM omni.agent_state WHERE agent_id = 2;

-- logout_rescinds_pending_offers_and_goes_offline
SELECT omni._make_offer(8, 2);
SELECT omni.logout(2);
SELECT id, state, reason FROM omni.offer WHERE id = 3;
SELECT presence, logged_in FROM omni.agent_state WHERE agent_id = 2;

-- presence_history: every change kept with start and end; exactly one open row per agent.
SELECT agent_id, presence, base_status, started_at, ended_at, set_by
  FROM omni.presence_history ORDER BY agent_id, id;
SELECT agent_id, count(*) FILTER (WHERE ended_at IS NULL) AS open_rows
  FROM omni.presence_history GROUP BY agent_id ORDER BY agent_id;
-- intervals of one agent never overlap and leave no gaps
SELECT agent_id, bool_and(ended_at = next_start) AS contiguous
  FROM (SELECT agent_id, ended_at, lead(started_at) OVER (PARTITION BY agent_id ORDER BY id) AS next_start
          FROM omni.presence_history) h
 WHERE next_start IS NOT NULL GROUP BY agent_id ORDER BY agent_id;

-- accept_keeps_the_presence_the_offer_set: the offer path follows the load
-- (bob, 80 units, two 40-unit chats: Busy, then Busy - DND when the second
-- offer fills him); accepting changes the hold's kind, not the load, so it
-- writes no presence, no presence event and no history row.
SET omnichannel.mock_now = '2026-03-02 08:40:00+00';
SELECT omni.login(2);
SELECT omni._make_offer(8, 2) AS o8 \gset
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT omni.enqueue('chat', 'c9') AS c9 \gset
SELECT omni._make_offer(:c9, 2) AS o9 \gset
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT count(*) AS history_before FROM omni.presence_history WHERE agent_id = 2 \gset
SELECT max(id) AS event_before FROM omni.event \gset
SELECT omni.accept(:o8) = 8 AS accepted_8, omni.accept(:o9) = :c9 AS accepted_9;
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT count(*) - :history_before AS new_history_rows FROM omni.presence_history WHERE agent_id = 2;
SELECT kind, count(*) FROM omni.event WHERE id > :event_before GROUP BY kind ORDER BY kind;
-- and the release walks back as before: Busy, then his Available-based choice
SELECT omni.end_conversation(8), omni.close_conversation(8);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT omni.end_conversation(:c9), omni.close_conversation(:c9);
SELECT presence FROM omni.agent_state WHERE agent_id = 2;

-- follow_load_takes_any_array: NULL, empty, NULL elements and unknown agents
-- change nothing; a presence that drifted from the load (written behind the
-- engine's back) is put right once, however often and in whatever shape the
-- agent is passed.
SELECT count(*) AS history_before FROM omni.presence_history \gset
SELECT omni._follow_load(NULL), omni._follow_load('{}'), omni._follow_load(ARRAY[NULL, -5, 999999]::bigint[]);
SELECT count(*) - :history_before AS new_history_rows FROM omni.presence_history;
UPDATE omni.agent_state SET presence = 'Busy' WHERE agent_id = 2;
SELECT omni._follow_load(ARRAY[[2, 2], [NULL, 2]]::bigint[]);
SELECT presence = chosen_presence AS back_to_choice FROM omni.agent_state WHERE agent_id = 2;
SELECT count(*) - :history_before AS new_history_rows FROM omni.presence_history;
SELECT detail->>'from' AS from_presence, detail->>'set_by' AS set_by
  FROM omni.event WHERE kind = 'presence' AND agent_id = 2 ORDER BY id DESC LIMIT 1;
