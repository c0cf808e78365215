-- routing_concurrency: many sessions at once call enqueue, set_presence,
-- login/logout, accept, reject, end, close, transfer, route, tick,
-- force_close and assign while the background worker routes too; after the
-- bounded run the routing invariants hold (a small version of
-- bench/routing_stress.sh, which runs the same procedure bigger).
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
CREATE EXTENSION IF NOT EXISTS dblink;
DROP TABLE IF EXISTS public.routing_chaos_error;
RESET client_min_messages;
\set VERBOSITY terse
\i bench/routing_chaos.sql
SELECT public.routing_chaos_world(12);

ALTER SYSTEM SET omnichannel.enable_workers = on;
SELECT pg_reload_conf();
SELECT omni.resume_workers();

-- case: six_sessions_and_the_worker_race_without_breaking_invariants
SELECT format('host=%s port=%s dbname=%s user=%s', current_setting('unix_socket_directories'),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT count(dblink_connect('chaos' || s, :'conn')) FROM generate_series(1, 6) s;
SELECT count(dblink_send_query('chaos' || s, format('CALL public.routing_chaos(%s, 150)', s / 10.0)))
  FROM generate_series(1, 6) s;
SELECT s, r FROM generate_series(1, 6) s, dblink_get_result('chaos' || s) AS t(r text) ORDER BY s;
SELECT count(dblink_disconnect('chaos' || s)) FROM generate_series(1, 6) s;

-- The run did real work.
SELECT count(*) > 0 AS offers_made, bool_or(state = 'accepted') AS some_accepted,
       bool_or(state IN ('rejected', 'expired')) AS some_declined
  FROM omni.offer;
-- Only races the API reports by design; nothing else went wrong.
SELECT sqlstate, op, message FROM public.routing_chaos_error WHERE op NOT LIKE '%(deadlock)';

-- Quiesce the worker, then settle time-driven work and routing in one
-- transaction (one omni.now()) and check every invariant.
ALTER SYSTEM RESET omnichannel.enable_workers;
SELECT pg_reload_conf();
SELECT omni.pause_workers();
BEGIN;
SELECT omni.tick() >= 0 AS ticked;
SELECT omni.route() >= 0 AS routed;
SELECT invariant, count(*) FROM omni.routing_invariant_violations() GROUP BY 1;
COMMIT;
DROP PROCEDURE public.routing_chaos(double precision, integer);
DROP FUNCTION public.routing_chaos_world(integer);
DROP TABLE public.routing_chaos_error;
