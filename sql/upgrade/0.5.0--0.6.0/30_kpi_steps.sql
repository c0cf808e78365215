-- 30_kpi_steps.sql — the KPI worker refreshes in short transactions
-- (docs/worker.md, "Short transactions"): the two functions it runs besides
-- omni._kpi_refresh_views(); omni.refresh_kpis() is rewritten on them (99_sync.sql).

-- One step of a refresh: adds events since the last step to the rollups.
-- max_events NULL: all of them; else those up to the max_events-th visible
-- id above what earlier steps knew (the KPI worker's steps, each its own
-- transaction, so that no refresh holds back vacuum for long: docs/worker.md).
-- Returns the events counted, the highest id the step read up to, and
-- whether ids above it are visible already; counted is NULL when another
-- refresher holds the lock.
CREATE FUNCTION omni._kpi_add_new_events(max_events integer, OUT counted integer, OUT upto bigint, OUT more boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    st omni.kpi_state;
    snap pg_snapshot;
    known bigint;
    cap bigint;
    hi bigint;
    ids bigint[];
    seen bigint[];
    new_gaps bigint[];
    keep_gaps bigint[];
    keep_horizons xid8[];
BEGIN
    more := false;
    -- One refresher at a time; the others return at once.
    IF NOT pg_try_advisory_xact_lock(hashtext('omnichannel.refresh_kpis')) THEN
        RETURN;
    END IF;
    SELECT * INTO st FROM omni.kpi_state FOR UPDATE;
    -- The highest id earlier steps knew of (counted, or a gap): the step
    -- reads every id up to it (old gaps may have committed since) and the
    -- next max_events visible ids above it.  Counted in visible ids, not in
    -- ids: a step must reach a visible id to learn of the gaps below it.
    known := greatest(st.last_id, coalesce((SELECT max(x) FROM unnest(st.done_above || st.gaps) x), st.last_id));
    IF max_events IS NOT NULL THEN
        SELECT coalesce(max(x.id), known) INTO cap
          FROM (SELECT e.id FROM omni.event e WHERE e.id > known ORDER BY e.id LIMIT greatest(max_events, 1)) x;
    END IF;
    -- One statement, one snapshot: the events visible now above last_id.
    SELECT pg_current_snapshot(), coalesce(max(e.id), st.last_id),
           coalesce(array_agg(e.id ORDER BY e.id), '{}')
      INTO snap, hi, seen
      FROM omni.event e WHERE e.id > st.last_id AND e.id <= coalesce(cap, 9223372036854775807);
    hi := greatest(hi, st.last_id);
    -- Set differences by EXCEPT (hashed or sorted), never "NOT x = ANY (seen)"
    -- per id: seen holds every event since the last refresh (all of them
    -- for omni.refresh_kpis() after a quiet worker), and a scan of it per id
    -- is quadratic (100,000 events: minutes).
    ids := ARRAY(SELECT x FROM unnest(seen) x EXCEPT SELECT y FROM unnest(st.done_above) y ORDER BY 1);
    -- Old gaps still invisible: keep while their writer may still commit.
    SELECT coalesce(array_agg(u.g ORDER BY u.g), '{}'), coalesce(array_agg(u.h ORDER BY u.g), '{}')
      INTO keep_gaps, keep_horizons
      FROM unnest(st.gaps, st.gap_horizons) u(g, h)
     WHERE pg_snapshot_xmin(snap) < u.h
       AND u.g IN (SELECT g FROM unnest(st.gaps) g EXCEPT SELECT x FROM unnest(seen) x);
    -- New gaps: ids below hi we have not seen, above what earlier refreshes knew.
    new_gaps := ARRAY(SELECT g FROM generate_series(known + 1, hi) g EXCEPT SELECT x FROM unnest(seen) x ORDER BY 1);
    keep_gaps := keep_gaps || new_gaps;
    keep_horizons := keep_horizons || array_fill(pg_snapshot_xmax(snap), ARRAY[coalesce(array_length(new_gaps, 1), 0)]);
    IF cardinality(ids) > 0 THEN
        PERFORM omni._kpi_add(ids, '-infinity', 'infinity');
    END IF;
    UPDATE omni.kpi_state
       SET last_id = coalesce((SELECT min(x) FROM unnest(keep_gaps) x) - 1, hi),
           done_above = ARRAY(SELECT x FROM unnest(st.done_above || ids) x
                               WHERE x >= (SELECT min(y) FROM unnest(keep_gaps) y) ORDER BY x),
           gaps = keep_gaps, gap_horizons = keep_horizons,
           events_processed = events_processed + cardinality(ids);
    counted := cardinality(ids);
    upto := greatest(hi, known);
    -- max(id) reads the end of the primary key; EXISTS (... id > cap) was
    -- planned as a sequential scan of the whole log when nothing lies above.
    more := cap IS NOT NULL AND (SELECT max(e.id) FROM omni.event e) > cap;
END $$;
COMMENT ON FUNCTION omni._kpi_add_new_events(integer) IS
    'One step of a KPI refresh: adds the events visible since the last step (all, or those up to the max_events-th new one) to the rollups and moves omni.kpi_state on. Returns the events counted (NULL: another refresher runs), the highest id it read up to and whether more are visible.';

-- The end of a refresh: what omni.kpi_state says of it.
CREATE FUNCTION omni._kpi_refreshed(events integer, started timestamptz) RETURNS void
    LANGUAGE sql AS $$
    UPDATE omni.kpi_state
       SET refreshed_at = omni.now(), last_events = events,
           last_duration_ms = extract(epoch FROM clock_timestamp() - started) * 1000
$$;
COMMENT ON FUNCTION omni._kpi_refreshed(integer, timestamptz) IS
    'Records the end of a KPI refresh in omni.kpi_state (refreshed_at, last_events, last_duration_ms).';
REVOKE ALL ON FUNCTION omni._kpi_add_new_events(integer), omni._kpi_refreshed(integer, timestamptz) FROM PUBLIC;
