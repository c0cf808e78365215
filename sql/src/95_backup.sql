-- 95_backup.sql — what pg_dump saves (SPEC §7, docs/operations.md "Backups").
--
-- pg_dump writes "CREATE EXTENSION omnichannel" for the extension's objects
-- and, for the tables and sequences registered here with
-- pg_extension_config_dump, their rows and positions.  Every configuration
-- and runtime table is registered; rows CREATE EXTENSION itself inserts are
-- filtered out (WHERE NOT builtin), since the restored CREATE EXTENSION puts
-- them back.  Two tables keep a seeded row that later changes (the sentiment
-- thresholds, the KPI cursor): they are dumped whole and, on restore, the
-- dumped row replaces the seeded one (omni._restore_replace below).
-- Other parts that add a table register it next to its definition;
-- test/backup/check.sh fails on any extension table or sequence left out.

-- Every row of the state machine is shipped by the parts above.
UPDATE omni.conversation_transition SET builtin = true;

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
-- Sentiment data: admin entries only; thresholds whole (restore_replace); settings (never seeded) whole.
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.lexicon_rule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.profanity', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_threshold', '');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_model', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('omni.sentiment_config', '');

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
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_rollup_hour', '');
SELECT pg_catalog.pg_extension_config_dump('omni.kpi_presence_rollup_hour', '');
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
