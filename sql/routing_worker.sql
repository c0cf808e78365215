-- routing_worker: the background workers (docs/worker.md).  The router routes
-- right after a commit, runs the time-driven work, shows itself, is never
-- delayed by a KPI refresh (its own worker), honours omnichannel.enable_workers
-- and omni.pause_workers(), is restarted, follows CREATE/DROP EXTENSION and
-- never blocks DROP DATABASE.  Like every test it starts with this database's
-- workers paused, then resumes them; it leaves them paused and the server's
-- settings as they were.  Waits are bounded polls, never timed assertions.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();
RESET client_min_messages;
\set VERBOSITY terse
SELECT current_database() AS regdb \gset
-- This database's row (the view lists every database with the extension).
CREATE VIEW public.my_worker AS SELECT * FROM omni.worker_status WHERE database = current_database();

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

-- case: a_paused_database_shows_why_it_has_no_router
SELECT state, reason, pid, kpi_state, kpi_pid FROM public.my_worker;
SELECT count(*) AS workers_here FROM pg_stat_activity
 WHERE datname = current_database() AND backend_type IN ('omnichannel router', 'omnichannel kpi');

-- case: resumed_the_router_and_the_kpi_refresher_start
ALTER SYSTEM SET omnichannel.enable_workers = on;   -- the suite's server may run with them off
SELECT pg_reload_conf();
SELECT omni.resume_workers();
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM public.my_worker
                                                WHERE state = 'running' AND pid > 0 AND kpi_state = 'running' AND kpi_pid > 0)$$);
SELECT state, reason, launcher_pid > 0 AS has_launcher FROM public.my_worker;

-- case: the_workers_are_visible_in_pg_stat_activity
SELECT backend_type, application_name FROM pg_stat_activity
 WHERE pid IN (SELECT pid FROM public.my_worker UNION ALL SELECT kpi_pid FROM public.my_worker)
 ORDER BY backend_type;

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

-- case: the_router_reports_its_writes_to_the_statistics: autovacuum decides
-- from them, and the router alone writes offers and rotation rows
SELECT public.routing_wait_for($$SELECT n_tup_ins >= 1 FROM pg_stat_user_tables WHERE relid = 'omni.offer'::regclass$$)
       AS offer_insert_counted,
       public.routing_wait_for($$SELECT n_tup_ins >= 1 FROM pg_stat_user_tables WHERE relid = 'omni.queue_rotation'::regclass$$)
       AS rotation_insert_counted;

-- case: the_kpi_refresher_refreshes_the_kpis
ALTER SYSTEM SET omnichannel.kpi_refresh_interval = '200ms';
SELECT pg_reload_conf();
SELECT public.routing_wait_for($$SELECT kpi_refreshes > 0 AND last_kpi_ms >= 0 FROM public.my_worker$$);

-- case: the_kpi_refresher_counts_in_short_steps (docs/worker.md, "Short
-- transactions"): with steps of 100 event ids, 250 enqueues (a queue with
-- no member: no offer) are counted over several transactions, each once.
ALTER SYSTEM SET omnichannel.kpi_refresh_batch = 100;
SELECT pg_reload_conf();
INSERT INTO omni.queue (name) VALUES ('wq_steps');
INSERT INTO omni.workstream (name, channel, default_queue) VALUES ('wsteps', 'chat', 'wq_steps');
SELECT count(omni.enqueue('wsteps', 'steps-' || i)) AS enqueued FROM generate_series(1, 250) i;
SELECT public.routing_wait_for($$SELECT k.incoming = 250 FROM omni.intraday_queue_kpi k WHERE k.queue = 'wq_steps'$$);
-- and never again: two more refreshes later the count stands
SELECT kpi_refreshes AS refreshes FROM public.my_worker \gset
SELECT public.routing_wait_for(format($$SELECT kpi_refreshes >= %s + 2 FROM public.my_worker$$, :refreshes));
SELECT k.incoming FROM omni.intraday_queue_kpi k WHERE k.queue = 'wq_steps';
ALTER SYSTEM RESET omnichannel.kpi_refresh_batch;
SELECT pg_reload_conf();

-- case: worker_status_counts_cycles_offers_and_ticks
SELECT public.routing_wait_for($$SELECT ticks > 0 AND cycles > 0 AND offers > 0 FROM public.my_worker$$);
SELECT errors, last_error FROM public.my_worker;

-- case: a_kpi_refresh_never_delays_an_offer
-- The refresh is made to hang (a stand-in for its step waits for an
-- advisory lock this session holds); a conversation enqueued meanwhile is
-- offered while the refresher is still waiting.
SELECT pg_advisory_lock(4242);
CREATE OR REPLACE FUNCTION omni._kpi_add_new_events(max_events integer, OUT counted integer, OUT upto bigint,
                                                    OUT more boolean)
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4242);
    counted := 0;
    upto := 0;
    more := false;
END $$;
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN public.my_worker w ON a.pid = w.kpi_pid
                                                WHERE a.wait_event = 'advisory' AND a.query = 'omni.refresh_kpis(): adding events')$$);
SELECT omni.login(id) FROM omni.agent;
SELECT omni.enqueue('wchat', 'worker-2') AS conversation \gset
SELECT public.routing_wait_for(format($$SELECT EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = %s)$$, :conversation));
SELECT a.wait_event AS refresher_still_waits_on, a.query
  FROM pg_stat_activity a JOIN public.my_worker w ON a.pid = w.kpi_pid;
SELECT pg_advisory_unlock(4242);
ALTER SYSTEM RESET omnichannel.kpi_refresh_interval;
SELECT pg_reload_conf();

-- case: an_agent_change_wakes_the_router_only_while_conversations_wait
-- (docs/worker.md, "Wake-up at commit"): with nothing waiting, presence
-- changes set no latch (wakeups stay put); with a conversation waiting for
-- an agent, one presence change wakes the router and the conversation is
-- offered.  Two cycles after the close (the safety net runs every second)
-- make sure the router's last cycle saw nothing waiting.
SELECT count(omni.force_close(id)) > 0 AS closed FROM omni.conversation WHERE state <> 'closed';
SELECT cycles AS c0 FROM public.my_worker \gset
SELECT public.routing_wait_for(format($$SELECT cycles >= %s + 2 FROM public.my_worker$$, :c0));
SELECT wakeups AS w0 FROM public.my_worker \gset
SELECT omni.set_presence(id, 'Away') FROM omni.agent;
SELECT omni.set_presence(id, 'Available') FROM omni.agent;
SELECT omni.set_presence(id, 'Away') FROM omni.agent;
SELECT pg_sleep(0.3);
SELECT pg_stat_clear_snapshot();
SELECT wakeups - :w0 AS wakeups_while_nothing_waits FROM public.my_worker;
SELECT omni.enqueue('wchat', 'worker-3') AS conversation \gset
SELECT cycles AS c1 FROM public.my_worker \gset
SELECT public.routing_wait_for(format($$SELECT cycles >= %s + 2 FROM public.my_worker$$, :c1));
SELECT count(*) AS offers_while_away FROM omni.offer WHERE conversation_id = :conversation;
SELECT wakeups AS w1 FROM public.my_worker \gset
SELECT omni.set_presence(id, 'Available') FROM omni.agent;
SELECT public.routing_wait_for(format($$SELECT EXISTS (SELECT 1 FROM omni.offer WHERE conversation_id = %s)$$, :conversation));
SELECT wakeups > :w1 AS the_presence_change_woke_the_router FROM public.my_worker;
SELECT count(omni.force_close(id)) > 0 AS closed FROM omni.conversation WHERE state <> 'closed';

-- case: the_worker_is_restarted_after_it_dies
SELECT pid AS old_pid FROM public.my_worker \gset
SELECT pg_terminate_backend(:old_pid);
SELECT public.routing_wait_for(format($$SELECT EXISTS (SELECT 1 FROM public.my_worker
                                                      WHERE state = 'running' AND pid NOT IN (0, %s))$$, :old_pid));

-- case: drop_extension_stops_the_workers_and_create_extension_brings_them_back
SELECT pid AS old_pid, kpi_pid AS old_kpi_pid FROM public.my_worker \gset
DROP VIEW public.my_worker;
DROP EXTENSION omnichannel CASCADE;
SELECT public.routing_wait_for(format($$SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid IN (%s, %s))$$,
                                      :old_pid, :old_kpi_pid));
CREATE EXTENSION omnichannel;
CREATE VIEW public.my_worker AS SELECT * FROM omni.worker_status WHERE database = current_database();
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM public.my_worker WHERE state = 'running' AND pid > 0)$$);

-- case: drop_database_is_never_blocked_by_the_workers
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
        IF (SELECT EXISTS (SELECT 1 FROM omni.worker_status WHERE database = current_database()
                              AND state = 'running' AND kpi_state = 'running')) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END $$;
SELECT public.routing_wait_for('');
\c :regdb
SELECT database, state FROM omni.worker_status WHERE database = 'routing_worker_drop';
SELECT backend_type, count(*) FROM pg_stat_activity
 WHERE datname = 'routing_worker_drop' AND backend_type LIKE 'omnichannel%' GROUP BY 1 ORDER BY 1;
DROP DATABASE routing_worker_drop;
SELECT count(*) AS left_over FROM pg_database WHERE datname = 'routing_worker_drop';
SELECT count(*) AS listed FROM omni.worker_status WHERE database = 'routing_worker_drop';

-- case: enable_workers_off_makes_the_workers_idle
ALTER SYSTEM SET omnichannel.enable_workers = off;
SELECT pg_reload_conf();
SELECT public.routing_wait_for($$SELECT EXISTS (SELECT 1 FROM public.my_worker WHERE state = 'idle' AND kpi_state = 'idle')$$);
SELECT state, reason FROM public.my_worker;
ALTER SYSTEM RESET omnichannel.enable_workers;
SELECT pg_reload_conf();

-- case: only_admins_pause_and_resume_the_workers
CREATE ROLE regress_worker_sup IN ROLE omnichannel_supervisor;
CREATE ROLE regress_worker_admin IN ROLE omnichannel_admin;
SET ROLE regress_worker_sup;
SELECT omni.pause_workers();
SELECT omni.resume_workers();
SELECT count(*) AS supervisors_read_the_status FROM omni.worker_status WHERE database = current_database();
SET ROLE regress_worker_admin;
SELECT omni.resume_workers();
RESET ROLE;
DROP ROLE regress_worker_sup, regress_worker_admin;

-- case: pause_stops_both_workers_and_survives_drop_extension
SELECT omni.pause_workers();
DROP VIEW public.my_worker;
DROP EXTENSION omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT pg_sleep(0.5);   -- give the launcher a chance to (wrongly) start a router
SELECT state, pid, kpi_state, kpi_pid FROM omni.worker_status WHERE database = current_database();
DROP FUNCTION public.routing_wait_for(text);
