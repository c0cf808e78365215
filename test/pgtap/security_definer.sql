-- security_definer: every SECURITY DEFINER function in schema omni pins its
-- search_path to exactly pg_catalog, omni, pg_temp, and none is executable by
-- PUBLIC unless it is in the allow-list below (docs/security.md).
\set ON_ERROR_STOP 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS omnichannel;
SELECT plan(4);

CREATE TEMP TABLE definer AS
SELECT p.oid::regprocedure AS f, p.proname::text AS name, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
  FROM pg_proc p WHERE p.pronamespace = 'omni'::regnamespace AND p.prosecdef;

SELECT cmp_ok((SELECT count(*) FROM definer), '>=', 40::bigint,
              'the API is made of SECURITY DEFINER functions (the list below is not empty)');

SELECT is(ARRAY(SELECT f::text FROM definer
                 WHERE proconfig IS NULL
                    OR NOT 'search_path=pg_catalog, omni, pg_temp' = ANY (proconfig) ORDER BY 1),
          '{}'::text[], 'every SECURITY DEFINER function sets search_path = pg_catalog, omni, pg_temp');

-- Allow-list: definer functions PUBLIC may execute (each is harmless for anyone).
SELECT is(ARRAY(SELECT name FROM definer WHERE public_exec ORDER BY 1),
          ARRAY['_monitored_conversations'],
          'PUBLIC executes no SECURITY DEFINER function but the allow-listed RLS helper');

-- Each definer function that is executable at all is granted to the
-- omnichannel groups only (never to a single login role or PUBLIC).
SELECT is(ARRAY(SELECT DISTINCT d.f::text || ' to ' || coalesce(r.rolname, 'PUBLIC')
                  FROM definer d, pg_proc p, aclexplode(p.proacl) a
                  LEFT JOIN pg_roles r ON r.oid = a.grantee
                 WHERE p.oid = d.f AND a.privilege_type = 'EXECUTE'
                   AND a.grantee <> p.proowner
                   AND NOT (d.public_exec AND a.grantee = 0)
                   AND coalesce(r.rolname, 'PUBLIC') NOT IN ('omnichannel_agent', 'omnichannel_supervisor',
                                                              'omnichannel_admin', 'omnichannel_service', 'omnichannel_reporting')
                 ORDER BY 1),
          '{}'::text[], 'SECURITY DEFINER functions are granted to the omnichannel group roles only');

SELECT * FROM finish();
ROLLBACK;
