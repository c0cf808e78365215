-- routing_worker: the background worker routes right after a commit, runs
-- the time-driven work, shows itself, honours omnichannel.enable_workers,
-- is restarted, follows CREATE/DROP EXTENSION and never blocks DROP DATABASE.
-- The suite runs with the workers off; this file turns them on and off again.
-- Waits are bounded polls, never timed assertions.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
RESET client_min_messages;
\set VERBOSITY terse
SELECT current_database() AS regdb \gset

-- Poll until a query returns true (at most 30 s).
CREATE FUNCTION public.routing_wait_for(q text) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
BEGIN
    FOR i IN 1 .. 300 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXECUTE q INTO ok;
        IF ok THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END $$;

-- case: enable_workers_is_a_reload_setting
SET omnichannel.enable_workers = on;

-- case: the_worker_starts_in_a_database_with_the_extension
ALTER SYSTEM SET omnichannel.enable_workers = on;
SELECT pg_reload_conf();
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM omni.worker_status WHERE state = 'running' AND pid > 0)$$);
SELECT database = current_database() AS this_database, state, launcher_pid > 0 AS has_launcher FROM omni.worker_status;

-- case: the_worker_is_visible_in_pg_stat_activity
SELECT backend_type, application_name FROM pg_stat_activity
 WHERE pid = (SELECT pid FROM omni.worker_status);

-- case: a_commit_wakes_the_worker_and_it_offers
INSERT INTO omni.queue (name) VALUES ('wq');
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout) VALUES ('wchat', 'chat', 'wq', '1 second');
INSERT INTO omni.agent (name) VALUES ('w1');
INSERT INTO omni.queue_member (queue, agent_id) SELECT 'wq', id FROM omni.agent;
SELECT omni.login(id) FROM omni.agent;
SELECT omni.enqueue('wchat', 'worker-1');
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM omni.offer)$$);
SELECT a.name, o.state IN ('pending', 'expired') AS offered, d.method, d.eligible_count
  FROM omni.offer o JOIN omni.agent a ON a.id = o.agent_id JOIN omni.routing_decision d ON d.offer_id = o.id;
SELECT actor FROM omni.event WHERE kind = 'offered';

-- case: the_worker_expires_offers_at_their_deadline
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM omni.offer WHERE state = 'expired')$$);
SELECT s.presence FROM omni.agent_state s;

-- case: the_worker_refreshes_the_kpis_when_omni_refresh_kpis_exists
-- (a stand-in is created when the KPI part is not installed)
CREATE TABLE public.routing_kpi_calls (at timestamptz DEFAULT clock_timestamp());
DO $$
BEGIN
    IF to_regprocedure('omni.refresh_kpis()') IS NULL THEN
        CREATE FUNCTION omni.refresh_kpis() RETURNS void LANGUAGE sql
            AS 'INSERT INTO public.routing_kpi_calls DEFAULT VALUES';
        COMMENT ON FUNCTION omni.refresh_kpis() IS 'routing_worker test stand-in';
    END IF;
END $$;
ALTER SYSTEM SET omnichannel.kpi_refresh_interval = '200ms';
SELECT pg_reload_conf();
SELECT public.routing_wait_for($$SELECT kpi_refreshes > 0 FROM omni.worker_status$$);
ALTER SYSTEM RESET omnichannel.kpi_refresh_interval;
SELECT pg_reload_conf();
DO $$
BEGIN
    IF obj_description('omni.refresh_kpis()'::regprocedure) = 'routing_worker test stand-in' THEN
        DROP FUNCTION omni.refresh_kpis();
    END IF;
END $$;
DROP TABLE public.routing_kpi_calls;

-- case: worker_status_counts_cycles_offers_and_ticks
SELECT public.routing_wait_for($$SELECT ticks > 0 AND cycles > 0 AND offers > 0 FROM omni.worker_status$$);
SELECT errors, last_error FROM omni.worker_status;

-- case: the_worker_is_restarted_after_it_dies
SELECT pid AS old_pid FROM omni.worker_status \gset
SELECT pg_terminate_backend(:old_pid);
SELECT public.routing_wait_for(format($$SELECT EXISTS (SELECT 1 FROM omni.worker_status
                                                      WHERE state = 'running' AND pid NOT IN (0, %s))$$, :old_pid));

-- case: drop_extension_stops_the_worker_and_create_extension_brings_it_back
SELECT pid AS old_pid FROM omni.worker_status \gset
DROP EXTENSION omnichannel CASCADE;
SELECT public.routing_wait_for(format($$SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)$$, :old_pid));
CREATE EXTENSION omnichannel;
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM omni.worker_status WHERE state = 'running' AND pid > 0)$$);

-- case: drop_database_is_never_blocked_by_the_worker
CREATE DATABASE routing_worker_drop;
\c routing_worker_drop
SET client_min_messages = warning;
CREATE EXTENSION omnichannel;
RESET client_min_messages;
CREATE FUNCTION public.routing_wait_for(q text) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. 300 LOOP
        PERFORM pg_stat_clear_snapshot();
        IF (SELECT EXISTS (SELECT 1 FROM omni.worker_status WHERE state = 'running' AND pid > 0)) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END $$;
SELECT public.routing_wait_for('');
\c :regdb
SELECT count(*) AS routers_in_drop_db FROM pg_stat_activity
 WHERE datname = 'routing_worker_drop' AND backend_type = 'omnichannel router';
DROP DATABASE routing_worker_drop;
SELECT count(*) AS left_over FROM pg_database WHERE datname = 'routing_worker_drop';

-- case: enable_workers_off_makes_the_worker_idle
ALTER SYSTEM RESET omnichannel.enable_workers;
SELECT pg_reload_conf();
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM omni.worker_status WHERE state = 'idle')$$);
DROP FUNCTION public.routing_wait_for(text);
