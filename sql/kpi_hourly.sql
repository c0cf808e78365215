-- kpi_hourly: the hourly rollup level (omni.kpi_rollup_hour,
-- omni.kpi_presence_rollup_hour) always equals the 5-minute level summed per
-- hour, through refreshes that cross an hour boundary, facts attributed to an
-- hour already refreshed (a visit answered after the hour), an event that
-- arrives after a later refresh (clock behind the cursor) and a rebuild from
-- the middle of an hour; and a series or window read from it answers exactly
-- what the 5-minute level answers, edges and empty hours included.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET timezone = 'UTC';
CREATE FUNCTION pg_temp.at(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('omnichannel.mock_now', '2026-03-02 ' || t || '+00', false); END $$;
-- Both levels, measure by measure: hours, hourly rows, and rows whose hourly
-- value is not the sum of its 5-minute rows.
CREATE FUNCTION pg_temp.levels() RETURNS TABLE (hours bigint, hourly_rows bigint, differing bigint)
    LANGUAGE sql AS $$
    WITH five AS (
        SELECT omni._kpi_hour(r.bucket) AS h, r.queue, r.channel, r.agent_id, x.key, sum((x.value #>> '{}')::float8) AS v
          FROM omni.kpi_rollup r, jsonb_each(to_jsonb(r) - 'bucket' - 'queue' - 'channel' - 'agent_id') x
         GROUP BY 1, 2, 3, 4, 5),
    hour AS (
        SELECT r.bucket AS h, r.queue, r.channel, r.agent_id, x.key, (x.value #>> '{}')::float8 AS v
          FROM omni.kpi_rollup_hour r, jsonb_each(to_jsonb(r) - 'bucket' - 'queue' - 'channel' - 'agent_id') x)
    SELECT count(DISTINCT h), count(DISTINCT (h, queue, channel, agent_id)) FILTER (WHERE hour.v IS NOT NULL),
           count(*) FILTER (WHERE five.v IS NULL OR hour.v IS NULL OR five.v <> hour.v)
      FROM five FULL JOIN hour USING (h, queue, channel, agent_id, key) $$;
CREATE FUNCTION pg_temp.presence_levels() RETURNS TABLE (hours bigint, hourly_rows bigint, differing bigint)
    LANGUAGE sql AS $$
    WITH five AS (
        SELECT omni._kpi_hour(bucket) AS h, agent_id, presence, sum(seconds) AS v
          FROM omni.kpi_presence_rollup GROUP BY 1, 2, 3),
    hour AS (SELECT bucket AS h, agent_id, presence, seconds AS v FROM omni.kpi_presence_rollup_hour)
    SELECT count(DISTINCT h), count(hour.v), count(*) FILTER (WHERE five.v IS NULL OR hour.v IS NULL OR five.v <> hour.v)
      FROM five FULL JOIN hour USING (h, agent_id, presence) $$;

INSERT INTO omni.queue (name) VALUES ('q1'), ('q2');
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('chat', 'chat', 'q1', 'pick');
INSERT INTO omni.agent (name) VALUES ('ann'), ('bob');
INSERT INTO omni.queue_member (queue, agent_id) VALUES ('q1', 1), ('q1', 2), ('q2', 1), ('q2', 2);

-- 09:xx: agents log in (presence only: no queue KPI in hour 09).
SELECT pg_temp.at('09:50:00'); SELECT omni.login(1), omni.login(2);
-- 10:xx: c1 picked at once; c2 waits across the hour; c3 enters at 10:57.
SELECT pg_temp.at('10:40:00'); SELECT omni.enqueue('chat', 'c1') AS c1;
SELECT pg_temp.at('10:41:00'); SELECT omni.pick(1, 1);
SELECT pg_temp.at('10:50:00'); SELECT omni.enqueue('chat', 'c2') AS c2;
SELECT pg_temp.at('10:57:00'); SELECT omni.enqueue('chat', 'c3') AS c3;
SELECT pg_temp.at('10:58:00'); SELECT omni.refresh_kpis() AS counted_1058;
SELECT * FROM pg_temp.levels();
-- 11:xx: c2 answered at 11:02 (its facts belong to 10:50, an hour already
-- refreshed), c1 ends and closes, ann goes Away, c3 leaves; refresh at 11:06.
SELECT pg_temp.at('11:02:00'); SELECT omni.pick(2, 2);
SELECT pg_temp.at('11:03:00'); SELECT omni.end_conversation(1);
SELECT pg_temp.at('11:04:00'); SELECT omni.close_conversation(1);
SELECT pg_temp.at('11:05:00'); SELECT omni.set_presence(1, 'Away');
SELECT pg_temp.at('11:05:30'); SELECT omni.abandon(3);
SELECT pg_temp.at('11:06:00'); SELECT omni.refresh_kpis() AS counted_1106;
SELECT * FROM pg_temp.levels();
SELECT * FROM pg_temp.presence_levels();
-- A late event: logged at 10:59 (a clock behind), after the 11:06 refresh;
-- then c4 enters at 11:08 and the next refresh at 11:10 counts both.
SELECT pg_temp.at('10:59:00'); SELECT omni.enqueue('chat', 'late') AS c_late;
SELECT pg_temp.at('11:08:00'); SELECT omni.enqueue('chat', 'c4') AS c4;
SELECT pg_temp.at('11:10:00'); SELECT omni.refresh_kpis() AS counted_1110;
SELECT * FROM pg_temp.levels();
SELECT * FROM pg_temp.presence_levels();
SELECT bucket, queue, agent_id, incoming, handled, abandoned, answer_s FROM omni.kpi_rollup_hour WHERE queue <> '' ORDER BY 1, 2, 3;

-- A series from 08:00 (hour 08 is empty) to 12:00 (cut at now, 11:10: the
-- last hour is an edge read from the 5-minute rows).
SELECT window_start, window_end, queue, incoming, handled, abandoned, waiting_now, avg_speed_to_answer_s, online_agents
  FROM omni.kpi_series('2026-03-02 08:00+00', '2026-03-02 12:00+00', '1 hour');
-- Which level answers which bucket: a change to an hourly row shows in its
-- hour; a change to a 5-minute row of the edge shows in the last bucket; a
-- change to a 5-minute row of a whole hour does not.
BEGIN;
UPDATE omni.kpi_rollup_hour SET incoming = incoming + 100 WHERE bucket = '2026-03-02 10:00+00' AND queue = 'q1' AND agent_id = 0;
UPDATE omni.kpi_rollup SET incoming = incoming + 1000 WHERE bucket = '2026-03-02 10:55+00' AND queue = 'q1' AND agent_id = 0;
UPDATE omni.kpi_rollup SET incoming = incoming + 10 WHERE bucket = '2026-03-02 11:05+00' AND queue = 'q1' AND agent_id = 0;
SELECT window_start, queue, incoming FROM omni.kpi_series('2026-03-02 08:00+00', '2026-03-02 12:00+00', '1 hour');
ROLLBACK;

-- The same series, windows and intraday rows with every hour read from the
-- 5-minute level (omni._kpi_whole_hours answering 'empty' for the length of
-- a transaction) are equal, row by row.
CREATE TEMP TABLE answers (path text, what text, r jsonb);
CREATE FUNCTION pg_temp.answer(path text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO answers
    SELECT path, 'series 1 hour', to_jsonb(s) FROM omni.kpi_series('2026-03-02 08:00+00', '2026-03-02 12:00+00', '1 hour') s
    UNION ALL
    SELECT path, 'series 1 day', to_jsonb(s) FROM omni.kpi_series('2026-03-02 00:00+00', '2026-03-03 00:00+00', '1 day') s
    UNION ALL
    SELECT path, 'series 2 hours', to_jsonb(s) FROM omni.kpi_series('2026-03-02 07:00+00', '2026-03-02 11:05+00', '2 hours') s
    UNION ALL
    SELECT path, 'kpi 08:00-11:10', to_jsonb(k) FROM omni.kpi('2026-03-02 08:00+00', '2026-03-02 11:10+00') k
    UNION ALL
    SELECT path, 'kpi 09:35-11:05', to_jsonb(k) FROM omni.kpi('2026-03-02 09:35+00', '2026-03-02 11:05+00') k
    UNION ALL
    SELECT path, 'kpi 10:00-11:00', to_jsonb(k) FROM omni.kpi('2026-03-02 10:00+00', '2026-03-02 11:00+00') k
    UNION ALL
    SELECT path, 'agent_kpi 09:00-11:07:30', to_jsonb(k) FROM omni.agent_kpi('2026-03-02 09:00+00', '2026-03-02 11:07:30+00') k
    UNION ALL
    SELECT path, 'agent_presence_kpi 09:00-11:10', to_jsonb(k)
      FROM omni.agent_presence_kpi('2026-03-02 09:00+00', '2026-03-02 11:10+00') k
    UNION ALL
    SELECT path, 'intraday queue', to_jsonb(k) FROM omni._kpi_queue_rows(omni.kpi_window_start(), omni.now(), true) k
    UNION ALL
    SELECT path, 'intraday agent', to_jsonb(k) FROM omni._kpi_agent_rows(omni.kpi_window_start(), omni.now(), true) k $$;
SELECT pg_temp.answer('hourly');
BEGIN;
CREATE OR REPLACE FUNCTION omni._kpi_whole_hours(t_from timestamptz, t_to timestamptz) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE AS $$ SELECT 'empty'::tstzrange $$;
SELECT pg_temp.answer('5-minute');
SELECT what, count(*) FILTER (WHERE path = 'hourly') AS hourly_rows,
       count(*) FILTER (WHERE path = '5-minute') AS five_minute_rows,
       (SELECT count(*) FROM ((SELECT r FROM answers a WHERE a.what = w.what AND path = 'hourly'
                               EXCEPT ALL SELECT r FROM answers a WHERE a.what = w.what AND path = '5-minute')
                              UNION ALL
                              (SELECT r FROM answers a WHERE a.what = w.what AND path = '5-minute'
                               EXCEPT ALL SELECT r FROM answers a WHERE a.what = w.what AND path = 'hourly')) d) AS differing
  FROM answers w GROUP BY what ORDER BY what;
ROLLBACK;
SELECT omni._kpi_whole_hours('2026-03-02 09:35+00', '2026-03-02 11:05+00') AS whole_hours_again;

-- A rebuild from the middle of an hour keeps the levels equal (what is left
-- of the hour, then the recount), and the series answers the same.
SELECT omni.rebuild_kpis('2026-03-02 10:45+00') AS recounted;
SELECT * FROM pg_temp.levels();
SELECT * FROM pg_temp.presence_levels();
SELECT count(*) AS series_rows_differing FROM (
    SELECT r FROM answers WHERE what = 'series 1 hour'
    EXCEPT ALL SELECT to_jsonb(s) FROM omni.kpi_series('2026-03-02 08:00+00', '2026-03-02 12:00+00', '1 hour') s) d;
