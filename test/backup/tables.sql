-- test/backup/tables.sql — one line per table and sequence of the extension:
-- whether pg_dump saves it (registered with pg_extension_config_dump), its
-- row count and an md5 of its rows (sorted), or the sequence's position.
-- Two databases with equal outputs hold the same data.  Wall-clock
-- measurements (columns named last_duration_ms) are left out: two runs of the
-- same work differ there.
\pset format unaligned
\pset tuples_only on
CREATE FUNCTION pg_temp.table_line(rel regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = rel) = 'S' THEN
        EXECUTE format('SELECT format(''seq %%s last_value=%%s is_called=%%s'', %L, last_value, is_called) FROM %s',
                       rel::text, rel) INTO line;
    ELSE
        EXECUTE format('SELECT format(''table %%s rows=%%s md5=%%s'', %L, count(*), md5(coalesce(string_agg(r, E''\n'' ORDER BY r), ''''))) FROM (SELECT (to_jsonb(t) - ''last_duration_ms'')::text AS r FROM %s t) t',
                       rel::text, rel) INTO line;
    END IF;
    RETURN line;
END $$;
WITH ext AS (SELECT oid, extconfig FROM pg_extension WHERE extname = 'omnichannel')
SELECT CASE WHEN c.oid = ANY (ext.extconfig) THEN '' ELSE 'NOT DUMPED: ' END || pg_temp.table_line(c.oid)
  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid, ext
 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
   AND d.deptype = 'e' AND c.relkind IN ('r', 'p', 'S')
 ORDER BY c.relname;
