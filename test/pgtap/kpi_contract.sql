-- kpi_contract: the public KPI and view names of SPEC §6 exist with their columns.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT plan(14);

SELECT has_view('omni', v, 'view omni.' || v) FROM unnest(ARRAY['agent_status', 'ongoing_conversations',
       'ongoing_by_state', 'customer_summary', 'my_work']) v;
SELECT has_materialized_view('omni', 'intraday_queue_kpi', 'intraday_queue_kpi is materialized');
SELECT has_materialized_view('omni', 'intraday_agent_kpi', 'intraday_agent_kpi is materialized');
SELECT is(ARRAY(SELECT c FROM unnest(ARRAY['queue', 'channel', 'incoming', 'handled', 'abandoned', 'abandon_rate',
             'avg_speed_to_answer_s', 'service_level', 'avg_handle_time_s', 'avg_wrap_up_time_s', 'transfer_rate',
             'escalation_rate', 'avg_first_response_s']) c
             WHERE NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'omni.intraday_queue_kpi'::regclass
                                  AND attname = c)), ARRAY[]::text[], 'intraday_queue_kpi has the SPEC columns');
SELECT is(ARRAY(SELECT c FROM unnest(ARRAY['agent_id', 'name', 'presence', 'base_status', 'since', 'used_units',
             'free_units', 'active_items']) c
             WHERE NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'omni.agent_status'::regclass
                                  AND attname = c)), ARRAY[]::text[], 'agent_status has the SPEC columns');
SELECT has_column('omni', 'intraday_agent_kpi', 'agent_id', 'intraday_agent_kpi.agent_id');
SELECT function_returns('omni', 'refresh_kpis', ARRAY[]::text[], 'integer');
SELECT has_function('omni', 'kpi', ARRAY['timestamp with time zone', 'timestamp with time zone']);
SELECT is(omni.refresh_kpis(), 0, 'refresh with no events counts nothing');
SELECT is((SELECT count(*)::int FROM pg_index i
            WHERE i.indrelid IN ('omni.intraday_queue_kpi'::regclass, 'omni.intraday_agent_kpi'::regclass)
              AND i.indisunique), 2, 'each intraday view has a unique index (REFRESH ... CONCURRENTLY)');

SELECT * FROM finish();
ROLLBACK;
