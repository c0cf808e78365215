-- test/pause_workers.sql — test set-up: pause this database's background
-- workers (omni.pause_workers) even before the extension exists, or under an
-- older release's SQL that lacks the function.  Superuser only.
CREATE FUNCTION pg_temp.pause_workers() RETURNS void LANGUAGE c AS '$libdir/omnichannel', 'omni_pause_workers';
SELECT pg_temp.pause_workers();
