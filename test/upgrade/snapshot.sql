-- test/upgrade/snapshot.sql — before ALTER EXTENSION UPDATE: a copy of every
-- row of every extension table (schema upgrade_before) and of every sequence
-- position, for test/upgrade/survived.sql to check afterwards.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS upgrade_before CASCADE;
CREATE SCHEMA upgrade_before;
CREATE TABLE upgrade_before.seq (rel text PRIMARY KEY, last_value bigint, is_called boolean);
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel, c.relname, c.relkind FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
              WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'omnichannel')
                AND c.relkind IN ('r', 'S') LOOP
        IF r.relkind = 'S' THEN
            EXECUTE format('INSERT INTO upgrade_before.seq SELECT %L, last_value, is_called FROM %s', r.rel, r.rel);
        ELSE
            EXECUTE format('CREATE TABLE upgrade_before.%I AS SELECT * FROM %s', r.relname, r.rel);
        END IF;
    END LOOP;
END $$;
SELECT count(*) AS tables_saved FROM pg_tables WHERE schemaname = 'upgrade_before';
