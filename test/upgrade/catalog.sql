-- test/upgrade/catalog.sql — every object of the extension in the current
-- database, one normalized line each, sorted: two databases whose outputs are
-- equal hold the same objects (used to compare an upgraded install with a
-- fresh one).  pg_dump cannot do this: it dumps only "CREATE EXTENSION".
\pset format unaligned
\pset tuples_only on
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'omnichannel'),
members AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
rels AS (
    SELECT c.oid, c.relname, c.relkind, c.relacl, c.relrowsecurity, c.relforcerowsecurity, c.reloptions
      FROM pg_class c WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
),
lines AS (
    -- relations: kind, options, grants, comment
    SELECT format('rel %s kind=%s rls=%s/%s opts=%s acl=%s comment=%s', r.relname, r.relkind,
                  r.relrowsecurity, r.relforcerowsecurity, r.reloptions,
                  (SELECT array_agg(a ORDER BY a::text) FROM unnest(r.relacl) a),
                  obj_description(r.oid, 'pg_class')) AS l FROM rels r
    UNION ALL
    -- columns (by name, not position: ALTER TABLE ADD COLUMN appends)
    SELECT format('col %s.%s %s notnull=%s default=%s generated=%s identity=%s acl=%s comment=%s', r.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity, a.attacl,
                  col_description(r.oid, a.attnum))
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
     WHERE r.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')
    UNION ALL
    SELECT format('con %s.%s %s deferrable=%s deferred=%s', r.relname, c.conname, pg_get_constraintdef(c.oid),
                  c.condeferrable, c.condeferred)
      FROM rels r JOIN pg_constraint c ON c.conrelid = r.oid
    UNION ALL
    SELECT format('idx %s', regexp_replace(pg_get_indexdef(i.indexrelid), 'INDEX \S+ ON', 'INDEX ON'))
             || ' name=' || ic.relname
      FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid
    UNION ALL
    SELECT format('trg %s.%s %s enabled=%s', r.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled)
      FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT format('pol %s.%s cmd=%s permissive=%s roles=%s using=%s check=%s', r.relname, p.polname, p.polcmd,
                  p.polpermissive, (SELECT array_agg(rolname ORDER BY rolname) FROM pg_roles WHERE oid = ANY (p.polroles)),
                  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
      FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
    UNION ALL
    SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid)) FROM rels r WHERE r.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('seq %s %s', r.relname, (SELECT row(s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
                                              FROM pg_sequence s WHERE s.seqrelid = r.oid))
      FROM rels r WHERE r.relkind = 'S'
    UNION ALL
    -- functions: full definition (includes SECURITY DEFINER, SET, volatility), grants, comment
    SELECT format('fn %s acl=%s comment=%s def=%s', p.oid::regprocedure,
                  (SELECT array_agg(a ORDER BY a::text) FROM unnest(p.proacl) a),
                  obj_description(p.oid, 'pg_proc'),
                  CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) ELSE p.prokind::text END)
      FROM pg_proc p WHERE p.oid IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
    UNION ALL
    SELECT format('type %s kind=%s enum=%s comment=%s', t.oid::regtype, t.typtype,
                  (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
                  obj_description(t.oid, 'pg_type'))
      FROM pg_type t WHERE t.oid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
    UNION ALL
    SELECT format('schema %s acl=%s comment=%s', n.nspname, n.nspacl, obj_description(n.oid, 'pg_namespace'))
      FROM pg_namespace n WHERE n.oid IN (SELECT objid FROM members WHERE classid = 'pg_namespace'::regclass)
    UNION ALL
    SELECT format('evt %s %s', e.evtname, e.evtevent) FROM pg_event_trigger e
     WHERE e.oid IN (SELECT objid FROM members WHERE classid = 'pg_event_trigger'::regclass)
    UNION ALL
    -- other member kinds (casts, operators, ...) by identity
    SELECT format('obj %s', pg_describe_object(m.classid, m.objid, 0)) FROM members m
     WHERE m.classid NOT IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass,
                             'pg_namespace'::regclass, 'pg_event_trigger'::regclass)
    UNION ALL
    -- what pg_dump would dump of the extension's tables
    SELECT format('dump %s where=%s', c.relname, e.cfg_where)
      FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS e(cfg, cfg_where)
      JOIN pg_class c ON c.oid = e.cfg
     WHERE x.extname = 'omnichannel'
)
SELECT l FROM lines ORDER BY l;
