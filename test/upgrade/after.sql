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
-- 0.3.0's hourly KPI rollups hold the rollups the database had before the
-- update (filled by it) and what the refresh added: every hour equals the
-- sum of its 5-minute rows, measure by measure.
SELECT (SELECT count(*) FROM omni.kpi_rollup_hour) > 0
       AND NOT EXISTS (
        SELECT FROM (SELECT omni._kpi_hour(r.bucket) AS h, r.queue, r.channel, r.agent_id, x.key,
                            sum((x.value #>> '{}')::float8) AS v
                       FROM omni.kpi_rollup r, jsonb_each(to_jsonb(r) - 'bucket' - 'queue' - 'channel' - 'agent_id') x
                      GROUP BY 1, 2, 3, 4, 5) five
        FULL JOIN (SELECT r.bucket AS h, r.queue, r.channel, r.agent_id, x.key, (x.value #>> '{}')::float8 AS v
                     FROM omni.kpi_rollup_hour r, jsonb_each(to_jsonb(r) - 'bucket' - 'queue' - 'channel' - 'agent_id') x) hour
          USING (h, queue, channel, agent_id, key)
        WHERE five.v IS NULL OR hour.v IS NULL OR abs(five.v - hour.v) > 1e-6)
       AND NOT EXISTS (
        SELECT FROM (SELECT omni._kpi_hour(bucket) AS h, agent_id, presence, sum(seconds) AS v
                       FROM omni.kpi_presence_rollup GROUP BY 1, 2, 3) five
        FULL JOIN (SELECT bucket AS h, agent_id, presence, seconds AS v FROM omni.kpi_presence_rollup_hour) hour
          USING (h, agent_id, presence)
        WHERE five.v IS NULL OR hour.v IS NULL OR abs(five.v - hour.v) > 1e-6) AS hourly_rollups_complete \gset
\if :hourly_rollups_complete
\else
\echo 'the hourly KPI rollups are not the 5-minute rollups summed per hour'
SELECT 1/0;
\endif
SELECT count(*) = 0 AS invariants_hold FROM omni.routing_invariant_violations() \gset
\if :invariants_hold
\else
SELECT * FROM omni.routing_invariant_violations();
SELECT 1/0;
\endif
\echo 'after the update: routed, accepted, posted, KPIs refreshed from the cursor (hourly rollups filled), invariants hold'
