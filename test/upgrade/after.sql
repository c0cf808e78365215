-- test/upgrade/after.sql — after ALTER EXTENSION UPDATE the contact center
-- goes on: agents come back, new work is routed, offers are accepted, the
-- KPI refresh counts only the new events, the invariants hold.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT set_config('omnichannel.mock_now', '2026-03-01 10:00:00+00', false) IS NOT NULL AS clock_set;
SELECT omni.tick() >= 0 AS ticked;
SELECT count(omni.set_presence(a, 'Available')) AS agents_back FROM generate_series(1, 4) a;
SELECT events_processed AS counted_before FROM omni.kpi_state \gset
SELECT omni.enqueue('chat', 'after-update') AS new_conversation \gset
DO $$ BEGIN
    IF omni.route() < 1 THEN RAISE EXCEPTION 'nothing routed after the update'; END IF;
END $$;
SELECT omni.accept(max(o.id)) IS NULL AS accepted FROM omni.offer o WHERE o.state = 'pending';
SELECT omni.post_message(:new_conversation, 'customer', 'Still there?') > 0 AS posted;
SELECT omni.refresh_kpis() AS events_counted \gset
SELECT :events_counted > 0 AND events_processed = :counted_before + :events_counted AS refresh_went_on
  FROM omni.kpi_state \gset
\if :refresh_went_on
\else
\echo 'KPI refresh did not go on from where it was'
SELECT 1/0;
\endif
SELECT count(*) = 0 AS invariants_hold FROM omni.routing_invariant_violations() \gset
\if :invariants_hold
\else
SELECT * FROM omni.routing_invariant_violations();
SELECT 1/0;
\endif
\echo 'after the update: routed, accepted, posted, KPIs refreshed from the cursor, invariants hold'
