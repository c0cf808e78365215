-- Backups (sql/src/95_backup.sql; docs/operations.md "Backups"): every
-- configuration and runtime table and sequence registered for pg_dump,
-- seeded rows flagged builtin and filtered out, triggers that derive rows
-- stand aside during a restore.

-- pg_dump scripts and pg_restore sessions always start with row_security = off
-- and check_function_bodies = off (pg_backup_archiver.c); applications never
-- run that way as a superuser.  Triggers that derive new rows or rewrite the
-- row being inserted (queue splits, overflow, runtime rows of a new agent)
-- stand aside then, so a restore gives back the rows exactly as dumped
-- (docs/operations.md, "Backups").
CREATE FUNCTION omni._restoring() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.current_setting('row_security') = 'off'
       AND NOT pg_catalog.current_setting('check_function_bodies')::boolean
       AND coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
$$;
COMMENT ON FUNCTION omni._restoring() IS
    'Whether this session restores a dump (a superuser session with row_security and check_function_bodies off, as pg_restore and pg_dump scripts set them): triggers that derive rows stand aside.';


ALTER TABLE omni.channel ADD COLUMN builtin boolean NOT NULL DEFAULT false;
UPDATE omni.channel SET builtin = true WHERE name IN ('chat', 'sms', 'voice', 'email', 'social');
COMMENT ON COLUMN omni.channel.builtin IS 'true: one of the five channels CREATE EXTENSION seeds (not in a dump; the extension recreates them).';

ALTER TABLE omni.conversation_transition ADD COLUMN builtin boolean NOT NULL DEFAULT false;
UPDATE omni.conversation_transition SET builtin = true;
COMMENT ON COLUMN omni.conversation_transition.builtin IS 'true: shipped with the extension (not in a dump; CREATE EXTENSION recreates it).';

DROP TRIGGER agent_state_row ON omni.agent;
CREATE TRIGGER agent_state_row AFTER INSERT ON omni.agent
    FOR EACH ROW WHEN (NOT omni._restoring()) EXECUTE FUNCTION omni._agent_state_row();
DROP TRIGGER apply_route_split ON omni.conversation;
CREATE TRIGGER apply_route_split BEFORE INSERT ON omni.conversation
    FOR EACH ROW WHEN (NOT omni._restoring()) EXECUTE FUNCTION omni._apply_route_split();
DROP TRIGGER prequeue_overflow ON omni.conversation;
CREATE CONSTRAINT TRIGGER prequeue_overflow AFTER INSERT ON omni.conversation
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'open' AND NOT omni._restoring())
    EXECUTE FUNCTION omni._prequeue_overflow();

-- Trigger WHEN clauses call it as whoever writes the table (an admin adding an agent).
GRANT EXECUTE ON FUNCTION omni._restoring() TO PUBLIC;

-- On restore, a dumped row replaces the row CREATE EXTENSION seeded with the
-- same key (TG_ARGV: the key columns).
CREATE FUNCTION omni._restore_replace() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    cond text;
BEGIN
    SELECT string_agg(format('%1$I IS NOT DISTINCT FROM ($1).%1$I', k), ' AND ') INTO cond FROM unnest(TG_ARGV) k;
    EXECUTE format('DELETE FROM %I.%I WHERE %s', TG_TABLE_SCHEMA, TG_TABLE_NAME, cond) USING NEW;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION omni._restore_replace() IS
    'Trigger (restore only): the row being restored replaces the seeded row with the same key (arguments: key columns).';
REVOKE ALL ON FUNCTION omni._restore_replace() FROM PUBLIC;
CREATE TRIGGER restore_replace BEFORE INSERT ON omni.sentiment_threshold
    FOR EACH ROW WHEN (omni._restoring()) EXECUTE FUNCTION omni._restore_replace('level');
CREATE TRIGGER restore_replace BEFORE INSERT ON omni.kpi_state
    FOR EACH ROW WHEN (omni._restoring()) EXECUTE FUNCTION omni._restore_replace('singleton');

-- Configuration.
SELECT pg_catalog.pg_extension_config_dump('omni.presence', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.channel', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.skill', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_profile', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_skill', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_capacity_profile', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_member', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_supervisor', '');
SELECT pg_catalog.pg_extension_config_dump('omni.workstream', '');
SELECT pg_catalog.pg_extension_config_dump('omni.route_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.route_rule_split', '');
SELECT pg_catalog.pg_extension_config_dump('omni.classify_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.assignment_rule', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_overflow', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_hours', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_transition', 'WHERE NOT builtin');
-- Sentiment data: admin entries only; thresholds whole (restore_replace).
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon_rule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.profanity', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_threshold', '');

-- Runtime.
SELECT pg_catalog.pg_extension_config_dump('omni.customer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.customer_identity', '');
SELECT pg_catalog.pg_extension_config_dump('omni.agent_state', '');
SELECT pg_catalog.pg_extension_config_dump('omni.presence_history', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_participant', '');
SELECT pg_catalog.pg_extension_config_dump('omni.offer', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_hold', '');
SELECT pg_catalog.pg_extension_config_dump('omni.capacity_profile_use', '');
SELECT pg_catalog.pg_extension_config_dump('omni.message', '');
SELECT pg_catalog.pg_extension_config_dump('omni.event', '');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_history', '');
SELECT pg_catalog.pg_extension_config_dump('omni.queue_rotation', '');
-- KPI rollups and the refresh cursor (restore_replace): refreshes go on
-- from where they were.
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_rollup', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_presence_rollup', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_state', '');

-- Sequences: their positions (one call per statement: each call rewrites pg_extension's row).
SELECT pg_catalog.pg_extension_config_dump('omni.agent_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.customer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.presence_history_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.conversation_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.offer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.message_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_history_id_seq', '');
