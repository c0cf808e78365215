-- Background workers: status, per-database pause, and the notice when they cannot run
-- (docs/worker.md).  The wake-up functions live with the router (55_routing.sql).

CREATE FUNCTION omni._worker_status(
    OUT datid oid, OUT pid integer, OUT state text, OUT reason text, OUT started_at timestamptz,
    OUT last_cycle_at timestamptz, OUT last_cycle_ms double precision, OUT last_cycle_offers integer,
    OUT cycles bigint, OUT offers bigint, OUT wakeups bigint, OUT ticks bigint, OUT tick_items bigint,
    OUT kpi_pid integer, OUT kpi_state text, OUT kpi_refreshes bigint, OUT last_kpi_at timestamptz,
    OUT last_kpi_ms double precision, OUT errors bigint, OUT last_error text, OUT last_error_at timestamptz,
    OUT next_tick_at timestamptz, OUT launcher_pid integer)
    RETURNS SETOF record
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_worker_status_v2';
COMMENT ON FUNCTION omni._worker_status() IS
    'Shared-memory state of the workers: every database known to have the extension, and this database (with the reason when nothing routes here).';

CREATE VIEW omni.worker_status AS
SELECT d.datname AS database, s.pid, s.state, s.reason, s.started_at, s.last_cycle_at, s.last_cycle_ms,
       s.last_cycle_offers, s.cycles, s.offers, s.wakeups, s.ticks, s.tick_items,
       s.kpi_pid, s.kpi_state, s.kpi_refreshes, s.last_kpi_at, s.last_kpi_ms,
       s.errors, s.last_error, s.last_error_at, s.next_tick_at, s.launcher_pid
  FROM omni._worker_status() s LEFT JOIN pg_catalog.pg_database d ON d.oid = s.datid
 ORDER BY d.datname;
COMMENT ON VIEW omni.worker_status IS
    'The workers of every database with the extension (this one always listed): router state and, when it is not routing, why (not_preloaded, standby, disabled, paused, no_worker_slot, no_slot, stopped); its last cycle and counters since it started; the KPI refresher.';
COMMENT ON COLUMN omni.worker_status.database IS 'Database.';
COMMENT ON COLUMN omni.worker_status.pid IS 'Process id of the router (0 when not running); see pg_stat_activity.';
COMMENT ON COLUMN omni.worker_status.state IS 'Router: running, starting, idle (enable_workers off), disabled, paused, standby, not_preloaded, no_worker_slot (max_worker_processes), no_slot (omnichannel.max_databases), stopped, no_extension.';
COMMENT ON COLUMN omni.worker_status.reason IS 'Why the router is not routing (NULL when it is): what to change.';
COMMENT ON COLUMN omni.worker_status.started_at IS 'When the router started.';
COMMENT ON COLUMN omni.worker_status.last_cycle_at IS 'When its last routing cycle ended.';
COMMENT ON COLUMN omni.worker_status.last_cycle_ms IS 'Duration of the last routing cycle in milliseconds.';
COMMENT ON COLUMN omni.worker_status.last_cycle_offers IS 'Offers made by the last cycle.';
COMMENT ON COLUMN omni.worker_status.cycles IS 'Routing cycles run.';
COMMENT ON COLUMN omni.worker_status.offers IS 'Offers made.';
COMMENT ON COLUMN omni.worker_status.wakeups IS 'Times a commit woke the router.';
COMMENT ON COLUMN omni.worker_status.ticks IS 'omni.tick() runs.';
COMMENT ON COLUMN omni.worker_status.tick_items IS 'Items omni.tick() handled (expiries, overflows, auto-closes).';
COMMENT ON COLUMN omni.worker_status.kpi_pid IS 'Process id of the KPI refresher (0 when not running).';
COMMENT ON COLUMN omni.worker_status.kpi_state IS 'KPI refresher: running, starting, idle, paused, no_worker_slot, stopped.';
COMMENT ON COLUMN omni.worker_status.kpi_refreshes IS 'omni.refresh_kpis() runs by the KPI refresher since it started.';
COMMENT ON COLUMN omni.worker_status.last_kpi_at IS 'When the last KPI refresh ended.';
COMMENT ON COLUMN omni.worker_status.last_kpi_ms IS 'Duration of the last KPI refresh in milliseconds (the router is not delayed by it).';
COMMENT ON COLUMN omni.worker_status.errors IS 'Errors caught in either worker (logged; the worker carries on).';
COMMENT ON COLUMN omni.worker_status.last_error IS 'Message of the last error.';
COMMENT ON COLUMN omni.worker_status.last_error_at IS 'When the last error happened.';
COMMENT ON COLUMN omni.worker_status.next_tick_at IS 'When the router will next run omni.tick().';
COMMENT ON COLUMN omni.worker_status.launcher_pid IS 'Process id of the launcher that starts the per-database workers (0: not running).';

CREATE FUNCTION omni.pause_workers() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_pause_workers';
COMMENT ON FUNCTION omni.pause_workers() IS
    'Stops the router and KPI refresher of this database and keeps them stopped (across DROP/CREATE EXTENSION) until omni.resume_workers(), DROP DATABASE or a server restart; returns once they have left. For maintenance and installcheck.';

CREATE FUNCTION omni.resume_workers() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'omni_resume_workers';
COMMENT ON FUNCTION omni.resume_workers() IS
    'Ends omni.pause_workers(): the launcher starts the workers of this database again at once.';

CREATE FUNCTION omni._workers_preloaded() RETURNS boolean
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'omni_workers_preloaded';
COMMENT ON FUNCTION omni._workers_preloaded() IS
    'Whether omnichannel is in shared_preload_libraries (without it no background worker routes, ticks or refreshes).';

REVOKE ALL ON omni.worker_status FROM PUBLIC;
GRANT SELECT ON omni.worker_status TO omnichannel_supervisor, omnichannel_admin;
REVOKE ALL ON FUNCTION omni._worker_status(), omni._workers_preloaded(), omni.pause_workers(),
                       omni.resume_workers() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni._worker_status() TO omnichannel_supervisor, omnichannel_admin, omnichannel_reporting;
GRANT EXECUTE ON FUNCTION omni.pause_workers(), omni.resume_workers() TO omnichannel_admin;

-- Without the preload nothing routes by itself: say what to schedule.  A WARNING, not a
-- NOTICE: CREATE/ALTER EXTENSION run their script with client_min_messages = warning.
DO $notice$
BEGIN
    IF NOT omni._workers_preloaded() THEN
        RAISE WARNING 'omnichannel is not in shared_preload_libraries: no background worker will route, run omni.tick() or refresh the KPIs in this database'
            USING HINT = 'Add omnichannel to shared_preload_libraries and restart, or schedule SELECT omni.route() and SELECT omni.tick() every second and SELECT omni.refresh_kpis() every 15 seconds (pg_cron recipe in docs/worker.md).';
    END IF;
END
$notice$;
