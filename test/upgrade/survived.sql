-- test/upgrade/survived.sql — after ALTER EXTENSION UPDATE: every row saved
-- by snapshot.sql is still there, unchanged in every column it had (columns
-- the update added are ignored), and every sequence is where it was.  Rows
-- the extension ships (builtin) may be revised by a release and are not
-- compared.  Prints one line per problem, then a summary line.
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.lost(t text) RETURNS TABLE (total bigint, lost bigint) LANGUAGE plpgsql AS $$
DECLARE
    old_cols text[] := ARRAY(SELECT attname::text FROM pg_attribute
                              WHERE attrelid = format('upgrade_before.%I', t)::regclass AND attnum > 0 AND NOT attisdropped);
    new_cols text[];
    user_rows text := CASE WHEN 'builtin' = ANY (old_cols) THEN 'WHERE NOT builtin' ELSE '' END;
BEGIN
    IF to_regclass(format('omni.%I', t)) IS NULL THEN
        RETURN QUERY EXECUTE format('SELECT count(*), count(*) FROM upgrade_before.%I %s', t, user_rows);
        RETURN;
    END IF;
    new_cols := ARRAY(SELECT attname::text FROM pg_attribute
                       WHERE attrelid = format('omni.%I', t)::regclass AND attnum > 0 AND NOT attisdropped
                         AND NOT attname::text = ANY (old_cols));
    RETURN QUERY EXECUTE format(
        'SELECT (SELECT count(*) FROM upgrade_before.%1$I %2$s),
                (SELECT count(*) FROM (SELECT %3$s FROM upgrade_before.%1$I b %2$s
                                       EXCEPT ALL SELECT to_jsonb(a) - $1 FROM omni.%1$I a) x)', t, user_rows,
        -- 0.2.0 moves colleagues' routing data out of agents' offered events
        -- into omni.offer_decision (checked below): the rest must survive
        CASE WHEN t = 'event' THEN $q$to_jsonb(b) || jsonb_build_object('detail', b.detail - 'runner_up' - 'eligible')$q$
             ELSE 'to_jsonb(b)' END)
        USING new_cols;
END $$;
CREATE FUNCTION pg_temp.seqpos(rel text, OUT last_value bigint, OUT is_called boolean) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT last_value, is_called FROM %s', rel) INTO last_value, is_called;
END $$;
WITH t AS (SELECT tablename, (pg_temp.lost(tablename)).* FROM pg_tables
            WHERE schemaname = 'upgrade_before' AND tablename <> 'seq'),
s AS (SELECT b.rel, b.last_value, b.is_called, a.last_value AS now_value, a.is_called AS now_called
        FROM upgrade_before.seq b
        CROSS JOIN LATERAL pg_temp.seqpos(b.rel) a),
problems AS (
    SELECT format('lost or changed: %s rows of %s rows of omni.%s', lost, total, tablename) AS l FROM t WHERE lost > 0
    UNION ALL
    SELECT format('sequence %s moved from %s to %s', rel, last_value, now_value) FROM s
     WHERE (last_value, is_called) IS DISTINCT FROM (now_value, now_called)
    UNION ALL
    -- the routing data taken out of offered events is in omni.offer_decision
    SELECT format('routing decision of offer %s not kept in omni.offer_decision', b.offer_id)
      FROM upgrade_before.event b
     WHERE b.kind = 'offered' AND b.detail ? 'runner_up'
       AND NOT EXISTS (SELECT 1 FROM omni.offer_decision d WHERE d.offer_id = b.offer_id AND d.detail = b.detail))
SELECT l FROM problems
UNION ALL
SELECT format('data: %s rows in %s tables and %s sequences compared, %s problems',
              (SELECT sum(total) FROM t), (SELECT count(*) FROM t), (SELECT count(*) FROM s),
              (SELECT count(*) FROM problems));
