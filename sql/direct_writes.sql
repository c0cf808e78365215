-- direct_writes: the presence writer and the capacity release write their
-- rows without statements (src/row_write.c) and keep what a statement does
-- to them (constraints, row triggers); what only a statement does
-- (statement triggers, policies that bind the caller, an unknown column's
-- default) makes them run their statements instead, with the same result.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set SHOW_CONTEXT never
SET omnichannel.mock_now = '2026-03-02 08:00:00+00';

INSERT INTO omni.queue (name) VALUES ('q1');
INSERT INTO omni.workstream (name, channel, default_queue, capacity_units) VALUES ('chat', 'chat', 'q1', 60);
INSERT INTO omni.agent (name, capacity_units) VALUES ('ann', 100), ('bob', 100);
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'q1', id FROM omni.agent;
SELECT omni.login(1), omni.login(2);

-- What each change left: the agent's state, its history and its events.
CREATE FUNCTION pg_temp.trail(a bigint) RETURNS TABLE (what text) LANGUAGE sql AS $$
    SELECT 'state ' || presence || ' since ' || to_char(presence_since AT TIME ZONE 'UTC', 'HH24:MI')
      FROM omni.agent_state WHERE agent_id = a
    UNION ALL
    (SELECT 'history ' || presence || ' ' || base_status || ' ' || to_char(started_at AT TIME ZONE 'UTC', 'HH24:MI')
            || '-' || coalesce(to_char(ended_at AT TIME ZONE 'UTC', 'HH24:MI'), 'open') || ' by ' || set_by
       FROM omni.presence_history WHERE agent_id = a ORDER BY id)
    UNION ALL
    (SELECT 'event ' || (detail->>'from') || ' -> ' || (detail->>'to') || ' by ' || (detail->>'set_by')
       FROM omni.event WHERE kind = 'presence' AND agent_id = a ORDER BY id)
$$;

-- direct_presence_change: agent_state, the closed and the new history row, the event.
SET omnichannel.mock_now = '2026-03-02 08:05:00+00';
SELECT omni.set_presence(1, 'Away');
SELECT * FROM pg_temp.trail(1);

-- direct_release_follows_load: an assignment makes ann Busy, the close releases
-- the hold, sets last_released_at and brings her back (set_by load).
SELECT omni.set_presence(1, 'Available');
SET omnichannel.mock_now = '2026-03-02 08:10:00+00';
SELECT omni.enqueue('chat', 'c1');
SELECT omni.assign(1, 1);
SELECT presence FROM omni.agent_state WHERE agent_id = 1;
SET omnichannel.mock_now = '2026-03-02 08:20:00+00';
SELECT omni.force_close(1);
SELECT count(*) AS holds FROM omni.capacity_hold;
SELECT presence, to_char(last_released_at AT TIME ZONE 'UTC', 'HH24:MI') AS released
  FROM omni.agent_state WHERE agent_id = 1;
SELECT * FROM pg_temp.trail(1) WHERE what LIKE 'event%';
-- a release with nothing held returns NULL and writes nothing
SELECT omni._release_capacity(1) IS NULL AS nothing_held, omni._release_capacity(NULL) IS NULL AS null_conversation;

-- row_triggers_fire_on_the_direct_path: a DBA's row triggers on both tables
-- see each row, with UPDATE OF columns honoured.
CREATE TABLE public.seen (what text);
CREATE FUNCTION public.note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.seen VALUES (TG_TABLE_NAME || ' ' || TG_OP || ' ' || TG_WHEN || ' ' || TG_LEVEL);
    RETURN NEW;
END $$;
CREATE TRIGGER dba_after AFTER UPDATE OF presence ON omni.agent_state FOR EACH ROW EXECUTE FUNCTION public.note_row();
CREATE TRIGGER dba_not_fired AFTER UPDATE OF logged_in ON omni.agent_state FOR EACH ROW EXECUTE FUNCTION public.note_row();
CREATE TRIGGER dba_before BEFORE INSERT OR UPDATE ON omni.presence_history FOR EACH ROW EXECUTE FUNCTION public.note_row();
SELECT omni.set_presence(2, 'Away');
SELECT what, count(*) FROM public.seen GROUP BY what ORDER BY what;
-- a BEFORE row trigger that changes the row is obeyed
CREATE FUNCTION public.tag_actor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.actor := 'tagged';
    RETURN NEW;
END $$;
CREATE TRIGGER dba_tag BEFORE INSERT ON omni.presence_history FOR EACH ROW EXECUTE FUNCTION public.tag_actor();
SELECT omni.set_presence(2, 'Available');
SELECT presence, actor FROM omni.presence_history WHERE agent_id = 2 AND ended_at IS NULL;
DROP TRIGGER dba_after ON omni.agent_state;
DROP TRIGGER dba_not_fired ON omni.agent_state;
DROP TRIGGER dba_before ON omni.presence_history;
DROP TRIGGER dba_tag ON omni.presence_history;
TRUNCATE public.seen;

-- statement_trigger_means_statements: the writers run their statements, which
-- fire the statement trigger; the rows are the same.
CREATE TRIGGER dba_statement AFTER UPDATE ON omni.agent_state FOR EACH STATEMENT EXECUTE FUNCTION public.note_row();
SET omnichannel.mock_now = '2026-03-02 08:30:00+00';
SELECT omni.set_presence(2, 'Away');
SELECT omni.enqueue('chat', 'c2');
SELECT omni.assign(2, 2);
SELECT omni.force_close(2);
SELECT what, count(*) FROM public.seen GROUP BY what ORDER BY what;
SELECT * FROM pg_temp.trail(2) WHERE what NOT LIKE 'history%';
SELECT to_char(last_released_at AT TIME ZONE 'UTC', 'HH24:MI') AS released FROM omni.agent_state WHERE agent_id = 2;
DROP TRIGGER dba_statement ON omni.agent_state;
TRUNCATE public.seen;

-- unknown_column_means_statements: a column added with a default gets it.
ALTER TABLE omni.presence_history ADD COLUMN site text NOT NULL DEFAULT 'paris';
SELECT omni.set_presence(2, 'Available');
SELECT presence, site FROM omni.presence_history WHERE agent_id = 2 AND ended_at IS NULL;
ALTER TABLE omni.presence_history DROP COLUMN site;
SELECT omni.set_presence(2, 'Away');
SELECT presence, set_by FROM omni.presence_history WHERE agent_id = 2 AND ended_at IS NULL;

-- row_security_means_statements: for a caller bound by row-level security
-- (not the extension's owner), the statements run and the policy is
-- evaluated; without the table privilege the statement refuses (42501),
-- the direct path never writes for a caller the statement would refuse.
CREATE ROLE regress_dw_writer;
GRANT USAGE ON SCHEMA omni TO regress_dw_writer;
GRANT EXECUTE ON FUNCTION omni._write_presence(bigint[], text[], text[], text) TO regress_dw_writer;
GRANT SELECT, UPDATE ON omni.agent_state TO regress_dw_writer;
GRANT SELECT, INSERT, UPDATE ON omni.presence_history TO regress_dw_writer;
GRANT SELECT ON omni.presence TO regress_dw_writer;
GRANT INSERT ON omni.event TO regress_dw_writer;
CREATE FUNCTION public.policy_seen(a bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'policy checked agent %', a;
    RETURN true;
END $$;
ALTER TABLE omni.agent_state ENABLE ROW LEVEL SECURITY;   -- not as shipped (docs/security.md)
CREATE POLICY dba_all ON omni.agent_state TO regress_dw_writer USING (public.policy_seen(agent_id));
CREATE POLICY dba_all ON omni.presence_history TO regress_dw_writer USING (true) WITH CHECK (true);
CREATE POLICY dba_all ON omni.event TO regress_dw_writer USING (true) WITH CHECK (true);
SET ROLE regress_dw_writer;
SELECT omni._write_presence(ARRAY[2]::bigint[], ARRAY['Away'], ARRAY['Available'], 'supervisor');
RESET ROLE;
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
SELECT presence, set_by, actor FROM omni.presence_history WHERE agent_id = 2 AND ended_at IS NULL;
REVOKE UPDATE ON omni.agent_state FROM regress_dw_writer;
SET ROLE regress_dw_writer;
SELECT omni._write_presence(ARRAY[2]::bigint[], ARRAY['Available'], ARRAY['Away'], 'supervisor');
RESET ROLE;
SELECT presence FROM omni.agent_state WHERE agent_id = 2;
DROP POLICY dba_all ON omni.agent_state;
DROP POLICY dba_all ON omni.presence_history;
DROP POLICY dba_all ON omni.event;
ALTER TABLE omni.agent_state DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ALL TABLES IN SCHEMA omni FROM regress_dw_writer;
REVOKE ALL ON FUNCTION omni._write_presence(bigint[], text[], text[], text) FROM regress_dw_writer;
REVOKE ALL ON SCHEMA omni FROM regress_dw_writer;
DROP ROLE regress_dw_writer;

-- one_open_history_row: two agents in one call, each with one open row.
SELECT omni._write_presence(ARRAY[1, 2]::bigint[], ARRAY['Available', 'Available'], ARRAY['Away', 'Away'], 'admin');
SELECT agent_id, count(*) FILTER (WHERE ended_at IS NULL) AS open, count(*) AS rows
  FROM omni.presence_history GROUP BY agent_id ORDER BY agent_id;

-- refusals: nothing changes
SELECT count(*) AS history_before FROM omni.presence_history \gset
SELECT omni._write_presence(ARRAY[1]::bigint[], ARRAY['Away'], ARRAY['Sleeping'], 'admin');
SELECT omni._write_presence(ARRAY[1]::bigint[], ARRAY['Away'], ARRAY['Available'], 'nobody');
SELECT omni._write_presence(ARRAY[1, 2]::bigint[], ARRAY['Away'], ARRAY['Available'], 'admin');
SELECT omni._write_presence(ARRAY[NULL]::bigint[], ARRAY['Away'], ARRAY['Available'], 'admin');
SELECT omni._write_presence(ARRAY[1]::bigint[], ARRAY['Away'], ARRAY[NULL], 'admin');
SELECT omni._write_presence(ARRAY[999]::bigint[], ARRAY['Away'], ARRAY['Available'], 'admin');
SELECT omni._write_presence(NULL, ARRAY['Away'], ARRAY['Available'], 'admin');
SELECT count(*) = :history_before AS unchanged FROM omni.presence_history;
SELECT presence FROM omni.agent_state ORDER BY agent_id;

-- a failed write inside a savepoint leaves nothing behind, and the next works
BEGIN;
SAVEPOINT s;
SELECT omni._write_presence(ARRAY[1, 999]::bigint[], ARRAY['Away', 'Away'], ARRAY['Available', 'Available'], 'admin');
ROLLBACK TO SAVEPOINT s;
SELECT omni._write_presence(ARRAY[1]::bigint[], ARRAY['Away'], ARRAY['Available'], 'admin');
COMMIT;
SELECT agent_id, presence, count(*) OVER (PARTITION BY agent_id) AS open_rows
  FROM omni.presence_history WHERE ended_at IS NULL ORDER BY agent_id;

-- offers_written_directly: omni._write_offers gives ids in rotation-stamp
-- order, takes each conversation's hold, sets each agent's clock to its
-- latest stamp and each (queue, agent) rotation row, logs 'offered' events
-- and the decisions given, and presence follows load.
SET omnichannel.mock_now = '2026-03-02 09:00:00+00';
SELECT omni.set_presence(1, 'Available'), omni.set_presence(2, 'Available');
SELECT omni.enqueue('chat', 'o' || g) AS conv FROM generate_series(1, 4) g;
CREATE FUNCTION pg_temp.offer_trail(first_conv bigint) RETURNS TABLE (what text) LANGUAGE sql AS $$
    SELECT 'offer ' || o.id || ' conv ' || o.conversation_id || ' agent ' || o.agent_id || ' ' || o.state
           || ' expires ' || to_char(o.expires_at AT TIME ZONE 'UTC', 'HH24:MI:SS')
      FROM omni.offer o WHERE o.conversation_id >= first_conv
    UNION ALL
    SELECT 'hold conv ' || h.conversation_id || ' agent ' || h.agent_id || ' ' || h.kind || ' ' || h.units
      FROM omni.capacity_hold h WHERE h.conversation_id >= first_conv
    UNION ALL
    SELECT 'event ' || e.kind || ' offer ' || e.offer_id || ' conv ' || e.conversation_id || ' ' || e.queue || ' '
           || e.channel || ' ' || e.from_state || '>' || e.to_state || ' ' || e.detail::text
      FROM omni.event e WHERE e.kind = 'offered' AND e.conversation_id >= first_conv
    UNION ALL
    SELECT 'decision offer ' || d.offer_id || ' ' || d.detail::text FROM omni.offer_decision d WHERE d.conversation_id >= first_conv
    UNION ALL
    SELECT 'clock agent ' || s.agent_id || ' ' || to_char(s.last_assigned_at AT TIME ZONE 'UTC', 'HH24:MI:SS') || ' ' || s.presence
      FROM omni.agent_state s
    UNION ALL
    SELECT 'rotation ' || r.queue || ' agent ' || r.agent_id || ' ' || to_char(r.last_assigned_at AT TIME ZONE 'UTC', 'HH24:MI:SS')
      FROM omni.queue_rotation r
    ORDER BY 1
$$;
SELECT * FROM omni._write_offers(ARRAY[3, 4, 5]::bigint[], ARRAY[1, 2, 1]::bigint[], ARRAY['q1', 'q1', 'q1'],
    ARRAY['2026-03-02 09:00:30+00', '2026-03-02 09:00:30+00', '2026-03-02 09:00:30+00']::timestamptz[],
    ARRAY[20, 20, 20], ARRAY[NULL, NULL, NULL]::text[], ARRAY['chat', 'chat', 'chat'],
    ARRAY['2026-03-02 09:00:03+00', '2026-03-02 09:00:01+00', '2026-03-02 09:00:02+00']::timestamptz[],
    ARRAY['{"method": "round_robin"}', NULL, NULL]::jsonb[], ARRAY[NULL, '{"why": "test"}', NULL]::jsonb[],
    ARRAY[1, 2]::bigint[]) AS offer_id;
SELECT * FROM pg_temp.offer_trail(3);

-- offers_by_statement: with a statement trigger on omni.offer the statement
-- runs (the trigger fires once); the rows are the same.
CREATE TRIGGER dba_statement AFTER INSERT ON omni.offer FOR EACH STATEMENT EXECUTE FUNCTION public.note_row();
SELECT * FROM omni._write_offers(ARRAY[6]::bigint[], ARRAY[2]::bigint[], ARRAY['q1'],
    ARRAY['2026-03-02 09:00:40+00']::timestamptz[], ARRAY[20], ARRAY[NULL]::text[], ARRAY['chat'],
    ARRAY['2026-03-02 09:00:04+00']::timestamptz[], ARRAY['{"method": "least_active"}']::jsonb[],
    ARRAY['{"why": "statement"}']::jsonb[], ARRAY[2]::bigint[]) AS offer_id;
SELECT what, count(*) FROM public.seen GROUP BY what ORDER BY what;
SELECT * FROM pg_temp.offer_trail(6);
DROP TRIGGER dba_statement ON omni.offer;

-- refusals of the offer writer: nothing written
SELECT count(*) AS offers_before FROM omni.offer \gset
SELECT omni._write_offers(ARRAY[1, 2]::bigint[], ARRAY[1]::bigint[], ARRAY['q1'], ARRAY[now()], ARRAY[1],
    ARRAY[NULL]::text[], ARRAY['chat'], ARRAY[now()], ARRAY[NULL]::jsonb[], ARRAY[NULL]::jsonb[], NULL);
SELECT omni._write_offers(ARRAY[NULL]::bigint[], ARRAY[1]::bigint[], ARRAY['q1'], ARRAY[now()], ARRAY[1],
    ARRAY[NULL]::text[], ARRAY['chat'], ARRAY[now()], ARRAY[NULL]::jsonb[], ARRAY[NULL]::jsonb[], NULL);
SELECT omni._write_offers(NULL, ARRAY[1]::bigint[], ARRAY['q1'], ARRAY[now()], ARRAY[1],
    ARRAY[NULL]::text[], ARRAY['chat'], ARRAY[now()], ARRAY[NULL]::jsonb[], ARRAY[NULL]::jsonb[], NULL);
-- a second pending offer of a conversation is refused by its unique index
SELECT omni._write_offers(ARRAY[3]::bigint[], ARRAY[2]::bigint[], ARRAY['q1'], ARRAY[now()], ARRAY[1],
    ARRAY[NULL]::text[], ARRAY['chat'], ARRAY[now()], ARRAY[NULL]::jsonb[], ARRAY[NULL]::jsonb[], NULL);
SELECT count(*) = :offers_before AS unchanged FROM omni.offer;
SELECT omni._write_offers(ARRAY[]::bigint[], ARRAY[]::bigint[], ARRAY[]::text[], ARRAY[]::timestamptz[], ARRAY[]::int[],
    ARRAY[]::text[], ARRAY[]::text[], ARRAY[]::timestamptz[], ARRAY[]::jsonb[], ARRAY[]::jsonb[], NULL) AS none;

-- inheritance_child_means_statements: a statement on presence_history
-- reaches the rows of a child table too, so the writer runs its statements
-- (last: the table keeps relhassubclass until it is vacuumed).
-- The child's open row for agent 2 is closed too, as only the statement does.
CREATE TABLE public.history_archive () INHERITS (omni.presence_history);
INSERT INTO public.history_archive (id, agent_id, presence, base_status, started_at, set_by, actor)
VALUES (100000, 2, 'Away', 'away', '2026-03-02 07:00:00+00', 'admin', 'archive');
SELECT omni.set_presence(2, 'Available');
SELECT count(*) FILTER (WHERE ended_at IS NULL) AS open_in_archive FROM ONLY public.history_archive;
SELECT presence, set_by FROM ONLY omni.presence_history WHERE agent_id = 2 AND ended_at IS NULL;
DROP TABLE public.history_archive;

DROP TABLE public.seen;
DROP FUNCTION public.note_row(), public.tag_actor(), public.policy_seen(bigint);
