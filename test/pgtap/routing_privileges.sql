-- routing_privileges: who may run the router, read its status and decisions,
-- and configure custom rules, overflow and hours (SPEC §7).
\set ON_ERROR_STOP 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS omnichannel;
SELECT plan(22);

CREATE ROLE routing_tap_admin IN ROLE omnichannel_admin;
CREATE ROLE routing_tap_sup IN ROLE omnichannel_supervisor;
CREATE ROLE routing_tap_agent IN ROLE omnichannel_agent;
CREATE ROLE routing_tap_service IN ROLE omnichannel_service;

-- Run a statement as a role; 'ok' or the SQLSTATE it failed with.
CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    result text := 'ok';
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    BEGIN
        EXECUTE q;
    EXCEPTION WHEN OTHERS THEN
        result := SQLSTATE;
    END;
    RESET ROLE;
    RETURN result;
END $$;

SELECT is(pg_temp.as_role('routing_tap_admin', 'SELECT omni.route()'), 'ok', 'admins run a routing cycle');
SELECT is(pg_temp.as_role('routing_tap_admin', 'SELECT omni.tick()'), 'ok', 'admins run the time-driven work');
SELECT is(pg_temp.as_role('routing_tap_sup', 'SELECT omni.route()'), '42501', 'supervisors cannot run a routing cycle');
SELECT is(pg_temp.as_role('routing_tap_agent', 'SELECT omni.route()'), '42501', 'agents cannot run a routing cycle');
SELECT is(pg_temp.as_role('routing_tap_service', 'SELECT omni.tick()'), '42501', 'services cannot run omni.tick()');
SELECT is(pg_temp.as_role('routing_tap_sup', 'SELECT * FROM omni.worker_status'), 'ok', 'supervisors read the worker status');
SELECT is(pg_temp.as_role('routing_tap_admin', 'SELECT * FROM omni.worker_status'), 'ok', 'admins read the worker status');
SELECT is(pg_temp.as_role('routing_tap_agent', 'SELECT * FROM omni.worker_status'), '42501', 'agents do not read the worker status');
SELECT is(pg_temp.as_role('routing_tap_sup', 'SELECT * FROM omni.routing_decision'), 'ok', 'supervisors read the decision log');
SELECT is(pg_temp.as_role('routing_tap_agent', 'SELECT * FROM omni.routing_decision'), '42501', 'agents do not read the decision log');
SELECT is(pg_temp.as_role('routing_tap_sup', 'SELECT * FROM omni.routing_invariant_violations()'), 'ok', 'supervisors check the invariants');
SELECT is(pg_temp.as_role('routing_tap_admin',
          $$INSERT INTO omni.queue (name, assignment_method) VALUES ('tapq', 'custom');
            INSERT INTO omni.assignment_rule (queue, position, order_by) VALUES ('tapq', 1, '{free_capacity}');
            INSERT INTO omni.queue_overflow (queue, condition, max_waiting, action) VALUES ('tapq', 'queue_length', 5, 'close');
            INSERT INTO omni.queue_hours (queue, isodow, opens, closes) VALUES ('tapq', 1, '08:00', '18:00')$$),
          'ok', 'admins configure custom rules, overflow and hours');
SELECT is(pg_temp.as_role('routing_tap_sup', $$DELETE FROM omni.assignment_rule$$), '42501', 'supervisors cannot change assignment rules');
SELECT is(pg_temp.as_role('routing_tap_agent', $$SELECT * FROM omni.queue_overflow$$), 'ok', 'everyone reads the overflow rules');
SELECT is(pg_temp.as_role('routing_tap_agent', $$UPDATE omni.queue_hours SET opens = '07:00'$$), '42501', 'agents cannot change operating hours');
SELECT is(pg_temp.as_role('routing_tap_agent', $$SELECT omni._wake_router()$$), '42501', 'the wake-up is internal');

SELECT throws_ok($$SET omnichannel.enable_workers = off$$, '55P02', NULL, 'enable_workers changes only by reload');
SELECT lives_ok($$SET omnichannel.route_batch_size = 100$$, 'superusers tune the batch size per session');
SELECT is((SELECT prosecdef FROM pg_proc WHERE oid = 'omni.route()'::regprocedure), true, 'omni.route() is SECURITY DEFINER');
SELECT ok((SELECT proconfig @> ARRAY['search_path=pg_catalog, omni, pg_temp'] FROM pg_proc
            WHERE oid = 'omni.route()'::regprocedure), 'omni.route() pins its search_path');
SELECT ok((SELECT bool_and(proconfig @> ARRAY['search_path=pg_catalog, omni, pg_temp']) FROM pg_proc
            WHERE pronamespace = 'omni'::regnamespace AND prosecdef
              AND proname IN ('route', 'tick', 'next_deadline', 'routing_invariant_violations',
                              '_prequeue_overflow', '_apply_route_split', '_wake_router_trigger')),
          'every SECURITY DEFINER routing function pins its search_path');
SELECT ok(NOT has_function_privilege('public', 'omni.route()', 'EXECUTE'), 'PUBLIC cannot run omni.route()');

SELECT * FROM finish();
ROLLBACK;
