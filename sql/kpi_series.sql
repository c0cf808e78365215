-- kpi_series: omni.kpi() from the 5-minute rollups equals omni.kpi() from the
-- event log for every window (whatever has been refreshed so far; a window
-- not starting on a bucket boundary reads its partial first bucket from the
-- log), and omni.kpi_series() cuts the intraday figures into buckets.  Six
-- simulated hours of a contact center, refreshed now and then.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS omnichannel CASCADE;
CREATE EXTENSION omnichannel;
SELECT omni.pause_workers();   -- installcheck: this database's workers stay out of the way
RESET client_min_messages;
\set VERBOSITY terse
SET timezone = 'UTC';
SET omnichannel.mock_now = '2026-03-02 06:00:00+00';
INSERT INTO omni.queue (name) VALUES ('q1'), ('q2');
INSERT INTO omni.workstream (name, channel, default_queue, offer_timeout, block_on_missed)
VALUES ('chat', 'chat', 'q1', '90 s', false);
INSERT INTO omni.workstream (name, channel, default_queue, mode) VALUES ('mail', 'email', 'q2', 'pick');
INSERT INTO omni.agent (name) SELECT 'a' || g FROM generate_series(1, 6) g;
INSERT INTO omni.queue_member (queue, agent_id) SELECT q, a FROM unnest(ARRAY['q1', 'q2']) q, generate_series(1, 6) a;
SELECT count(omni.login(a)) AS logged_in FROM generate_series(1, 6) a;

-- Every 100 s for six hours: customers arrive, agents accept, reject, pick,
-- transfer, park, end and close, customers leave, presences change, the
-- router and the clock tick, and the KPIs are refreshed every 37 minutes;
-- one transaction per step.
CREATE PROCEDURE pg_temp.simulate()
    LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    t timestamptz;
    c record;
    h integer;
BEGIN
    FOR i IN 0 .. 215 LOOP
        t := timestamptz '2026-03-02 06:00:00+00' + i * interval '100 s';
        PERFORM set_config('omnichannel.mock_now', t::text, true);
        h := abs(hashint4(i));
        IF h % 3 <> 0 THEN PERFORM omni.enqueue('chat', 'c' || i); END IF;
        IF h % 5 = 0 THEN PERFORM omni.enqueue('mail', 'm' || i); END IF;
        PERFORM omni.tick();
        PERFORM omni.route();
        FOR c IN SELECT o.id, abs(hashint8(o.id)) % 10 AS r FROM omni.offer o WHERE o.state = 'pending' ORDER BY o.id LOOP
            IF c.r < 6 THEN PERFORM omni.accept(c.id);
            ELSIF c.r < 8 THEN PERFORM omni.reject(c.id); END IF;          -- else it may expire
        END LOOP;
        FOR c IN SELECT cv.id, cv.state, cv.agent_id, abs(hashint8(cv.id + i)) % 20 AS r
                   FROM omni.conversation cv WHERE cv.state <> 'closed' ORDER BY cv.id LOOP
            IF c.state = 'open' AND c.r = 0 THEN PERFORM omni.abandon(c.id);
            ELSIF c.state = 'open' AND c.r = 1 AND (SELECT workstream FROM omni.conversation WHERE id = c.id) = 'mail' THEN
                BEGIN
                    PERFORM omni.pick(1 + c.id % 6, c.id);
                EXCEPTION WHEN invalid_parameter_value OR object_not_in_prerequisite_state THEN
                    NULL;                                                  -- no free capacity
                END;
            ELSIF c.state = 'active' AND c.agent_id IS NOT NULL AND c.r = 2 THEN
                PERFORM omni.post_message(c.id, 'agent', 'hello', c.agent_id);
            ELSIF c.state = 'active' AND c.agent_id IS NOT NULL AND c.r = 3 THEN PERFORM omni.transfer(c.id, 'q2');
            ELSIF c.state = 'active' AND c.agent_id IS NOT NULL AND c.r = 4 THEN PERFORM omni.set_waiting(c.id);
            ELSIF c.state = 'waiting' AND c.r < 3 THEN PERFORM omni.resume(c.id);
            ELSIF c.state = 'active' AND c.agent_id IS NOT NULL AND c.r BETWEEN 5 AND 8 THEN PERFORM omni.end_conversation(c.id);
            ELSIF c.state = 'wrap_up' AND c.r < 6 THEN PERFORM omni.close_conversation(c.id);
            END IF;
        END LOOP;
        IF h % 17 = 0 THEN PERFORM omni.set_presence(1 + h % 6, 'Away'); END IF;
        IF h % 19 = 0 THEN PERFORM omni.set_presence(1 + h % 6, 'Available'); END IF;
        IF i % 22 = 21 THEN PERFORM omni.refresh_kpis(); END IF;
        COMMIT;
    END LOOP;
END $$;
CALL pg_temp.simulate();
SET omnichannel.mock_now = '2026-03-02 12:00:00+00';
-- Some events are not counted yet (after the last refresh).
SELECT count(*) > 100 AS enough_events, count(*) FILTER (WHERE id > (SELECT last_id FROM omni.kpi_state)) > 0 AS some_uncounted
  FROM omni.event;
SELECT state, count(*) > 0 AS present FROM omni.conversation GROUP BY state ORDER BY state;

-- The rollup path equals the log path, measure by measure, for windows that
-- start on a bucket boundary: ending now, in the past, mid-bucket, short,
-- spanning the whole day, before anything happened; and for windows that do
-- not (their partial first bucket read from the log).
CREATE TEMP TABLE windows (w_from timestamptz, w_to timestamptz);
INSERT INTO windows VALUES
    ('2026-03-02 06:00', '2026-03-02 12:00'), ('2026-03-01 12:00', '2026-03-02 12:00'),
    ('2026-03-02 07:00', '2026-03-02 08:00'), ('2026-03-02 07:05', '2026-03-02 09:17:31'),
    ('2026-03-02 08:15', '2026-03-02 08:20'), ('2026-03-02 10:00', '2026-03-02 11:59:59'),
    ('2026-03-02 11:00', '2026-03-02 13:00'), ('2026-03-02 06:30', '2026-03-02 06:33'),
    -- not on a boundary: the partial first bucket from the log, the rest from the rollups
    ('2026-03-02 07:03', '2026-03-02 09:17:31'), ('2026-03-02 08:17:30', '2026-03-02 12:00'),
    ('2026-03-01 12:00:01', '2026-03-02 12:00'), ('2026-03-02 10:58:20', '2026-03-02 11:04'),
    ('2026-03-02 09:59:59', '2026-03-02 11:00'), ('2026-03-02 06:31', '2026-03-02 06:34');
CREATE FUNCTION pg_temp.diff(a omni.kpi_rollup, b omni.kpi_rollup) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(x.key ORDER BY x.key) FROM jsonb_each(to_jsonb(a)) x
      JOIN jsonb_each(to_jsonb(b)) y ON y.key = x.key
     WHERE x.key NOT IN ('bucket', 'queue', 'channel', 'agent_id')
       AND abs((x.value #>> '{}')::double precision - (y.value #>> '{}')::double precision) > 1e-6 $$;
SELECT w.w_from, w.w_to, count(*) AS groups,
       count(*) FILTER (WHERE (x.r).queue IS NULL OR (x.l).queue IS NULL OR pg_temp.diff(x.r, x.l) IS NOT NULL) AS differing,
       sum((x.r).incoming) AS incoming, sum((x.r).handled) AS handled
  FROM windows w
 CROSS JOIN LATERAL (
        SELECT r, l FROM omni._kpi_sums(w.w_from, w.w_to, false) r
        FULL JOIN omni._kpi_log_sums(w.w_from, w.w_to) l
          ON (l.queue, l.channel, l.agent_id) = (r.queue, r.channel, r.agent_id)) x(r, l)
 GROUP BY w.w_from, w.w_to ORDER BY w.w_from, w.w_to;
SELECT w.w_from, w.w_to, count(*) AS presences,
       count(*) FILTER (WHERE x.r_presence IS NULL OR x.l_presence IS NULL OR abs(x.r_seconds - x.l_seconds) > 1e-6) AS differing
  FROM windows w
 CROSS JOIN LATERAL (
        SELECT r.presence, r.seconds, l.presence, l.seconds FROM omni._kpi_presence_sums(w.w_from, w.w_to, false) r
        FULL JOIN omni._kpi_presence_log_sums(w.w_from, w.w_to) l
          ON (l.agent_id, l.presence) = (r.agent_id, r.presence)) x(r_presence, r_seconds, l_presence, l_seconds)
 GROUP BY w.w_from, w.w_to ORDER BY w.w_from, w.w_to;
-- The same rows reach omni.kpi(): the intraday view agrees with it.
SELECT omni.refresh_kpis() > 0 AS refreshed;
SELECT count(*) AS rows_differing FROM (
    (SELECT * FROM omni.intraday_queue_kpi EXCEPT SELECT * FROM omni.kpi(omni.kpi_window_start(), omni.now()))
    UNION ALL
    (SELECT * FROM omni.kpi(omni.kpi_window_start(), omni.now()) EXCEPT SELECT * FROM omni.intraday_queue_kpi)) d;

-- Series: hourly buckets of the intraday window add up to the intraday
-- counts (both count each visit in the bucket it entered, with everything
-- known of it now).
SELECT count(*) AS hourly_rows, count(DISTINCT window_start) AS hours
  FROM omni.kpi_series(omni.kpi_window_start(), omni.now(), '1 hour');
SELECT s.queue, s.channel, s.incoming = k.incoming AND s.handled = k.handled AND s.abandoned = k.abandoned
       AND s.offers = k.offers AND s.waiting_now = k.waiting_now AS adds_up, s.incoming, s.handled
  FROM (SELECT queue, channel, sum(incoming) AS incoming, sum(handled) AS handled, sum(abandoned) AS abandoned,
               sum(offers) AS offers, sum(waiting_now) AS waiting_now
          FROM omni.kpi_series(omni.kpi_window_start(), omni.now(), '1 hour') GROUP BY queue, channel) s
  JOIN omni.intraday_queue_kpi k USING (queue, channel)
 ORDER BY s.queue, s.channel;
-- 15-minute buckets add up to the hourly ones; rates stay fractions.
SELECT count(*) AS hours_differing FROM (
    SELECT date_trunc('hour', window_start) AS h, queue, channel, sum(incoming) AS i, sum(handled) AS hd
      FROM omni.kpi_series('2026-03-02 06:00', '2026-03-02 12:00', '15 minutes') GROUP BY 1, 2, 3
    EXCEPT
    SELECT window_start, queue, channel, incoming, handled
      FROM omni.kpi_series('2026-03-02 06:00', '2026-03-02 12:00', '1 hour')) d;
SELECT bool_and(abandon_rate BETWEEN 0 AND 1 OR abandon_rate IS NULL)
       AND bool_and(service_level BETWEEN 0 AND 1 OR service_level IS NULL) AS rates_are_fractions,
       min(window_start) AS first_bucket, max(window_end) AS last_end
  FROM omni.kpi_series('2026-03-02 06:00', '2026-03-02 12:00', '15 minutes');
-- A daily bucket; the last bucket is cut at "to".
SELECT window_start, window_end, queue, channel, incoming
  FROM omni.kpi_series('2026-03-01 00:00', '2026-03-02 12:00', '1 day') ORDER BY 1, 3, 4;
-- Bad buckets and windows are refused.
SELECT * FROM omni.kpi_series('2026-03-02 06:00', '2026-03-02 12:00', '7 minutes');
SELECT * FROM omni.kpi_series('2026-03-02 06:01', '2026-03-02 12:00', '1 hour');
SELECT * FROM omni.kpi_series('2026-03-02 12:00', '2026-03-02 06:00', '1 hour');
SELECT * FROM omni.kpi_series('2026-01-01 00:00', '2026-03-02 06:00', '5 minutes');
-- The series is computed in one pass; it equals the buckets computed one by
-- one (the fairness coefficient up to float rounding: sums in another order).
CREATE FUNCTION pg_temp.row_key(r omni.intraday_queue_kpi) RETURNS jsonb LANGUAGE sql AS $$
    SELECT to_jsonb(r) - 'fairness_cv' || jsonb_build_object('fairness_cv', round(r.fairness_cv::numeric, 9)) $$;
SELECT count(*) AS rows_differing FROM (
    (SELECT pg_temp.row_key(s) FROM omni.kpi_series('2026-03-02 06:00+00', '2026-03-02 12:00+00', '15 minutes') s
     EXCEPT
     SELECT pg_temp.row_key(r) FROM generate_series(timestamptz '2026-03-02 06:00+00', '2026-03-02 11:45+00', '15 minutes') b,
            omni._kpi_queue_rows(b, b + interval '15 minutes', true) r)
    UNION ALL
    (SELECT pg_temp.row_key(r) FROM generate_series(timestamptz '2026-03-02 06:00+00', '2026-03-02 11:45+00', '15 minutes') b,
            omni._kpi_queue_rows(b, b + interval '15 minutes', true) r
     EXCEPT
     SELECT pg_temp.row_key(s) FROM omni.kpi_series('2026-03-02 06:00+00', '2026-03-02 12:00+00', '15 minutes') s)) d;
SELECT count(*) AS series_rows FROM omni.kpi_series('2026-03-02 06:00+00', '2026-03-02 12:00+00', '15 minutes');
