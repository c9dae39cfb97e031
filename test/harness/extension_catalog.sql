-- A description of everything the extension infracast owns in this database, one sorted line per
-- fact, so that two databases can be compared with diff: an updated installation must describe
-- itself exactly as a fresh one does (test/integration/extension_update.sh).
--
-- It covers what an update can get wrong: members of the extension (pg_depend 'e'), functions
-- (signature, result, language, volatility, strictness, security, parallel safety, leakproofness,
-- settings, body, owner, privileges, comment), relations (kind, row-level security flags, options,
-- owner, privileges, comment), columns (type, nullability, default, identity, generation,
-- collation, privileges, comment: by name, since ALTER TABLE ADD COLUMN appends where a fresh
-- install may have put the column elsewhere), constraints, indexes, triggers, policies, views,
-- sequences, types, the tables pg_dump dumps (extconfig), schemas, and the memberships of the
-- infracast_* roles. Role and owner names are kept: both installations run as the same superuser.
\pset format unaligned
\pset tuples_only on
\pset pager off
-- Privileges as a sorted list: the order of an ACL's items is the order of the GRANTs, which an
-- update may issue in another order than a fresh install without any difference in effect.
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT pg_catalog.array_agg(x::text ORDER BY x::text)::text FROM pg_catalog.unnest(a) x $$;
WITH ext AS (
    SELECT oid, extnamespace FROM pg_catalog.pg_extension WHERE extname = 'infracast'
), members AS (
    SELECT d.classid, d.objid
      FROM pg_catalog.pg_depend d, ext
     WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), fns AS (
    SELECT p.* FROM pg_catalog.pg_proc p
     WHERE p.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_proc'::regclass)
), rels AS (
    SELECT c.* FROM pg_catalog.pg_class c
     WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_class'::regclass)
        OR (c.relkind = 'i' AND c.oid IN (SELECT indexrelid FROM pg_catalog.pg_index i
                                          WHERE i.indrelid IN (SELECT objid FROM members
                                                               WHERE classid = 'pg_catalog.pg_class'::regclass)))
)
SELECT line FROM (
    SELECT 'member ' || pg_catalog.pg_describe_object(classid, objid, 0) AS line FROM members
    UNION ALL
    SELECT pg_catalog.format('function %s returns %s lang=%s vol=%s strict=%s secdef=%s parallel=%s leakproof=%s kind=%s config=%s owner=%s acl=%s cost=%s rows=%s',
               p.oid::regprocedure, pg_catalog.pg_get_function_result(p.oid), l.lanname, p.provolatile,
               p.proisstrict, p.prosecdef, p.proparallel, p.proleakproof, p.prokind, p.proconfig,
               p.proowner::regrole, pg_temp.acl(p.proacl), p.procost, p.prorows)
      FROM fns p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    UNION ALL
    SELECT pg_catalog.format('function %s args %s', p.oid::regprocedure, pg_catalog.pg_get_function_arguments(p.oid)) FROM fns p
    UNION ALL
    SELECT pg_catalog.format('function %s body md5=%s bin=%s', p.oid::regprocedure, pg_catalog.md5(p.prosrc), p.probin) FROM fns p
    UNION ALL
    SELECT pg_catalog.format('comment function %s: %s', p.oid::regprocedure, pg_catalog.obj_description(p.oid, 'pg_proc')) FROM fns p
    UNION ALL
    SELECT pg_catalog.format('relation %s kind=%s rls=%s force=%s options=%s owner=%s acl=%s persistence=%s',
               c.oid::regclass, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions,
               c.relowner::regrole, pg_temp.acl(c.relacl), c.relpersistence)
      FROM rels c
    UNION ALL
    SELECT pg_catalog.format('comment relation %s: %s', c.oid::regclass, pg_catalog.obj_description(c.oid, 'pg_class')) FROM rels c
    UNION ALL
    SELECT pg_catalog.format('column %s.%I type=%s notnull=%s default=%s identity=%s generated=%s collation=%s acl=%s comment=%s',
               c.oid::regclass, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
               CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation::text END, pg_temp.acl(a.attacl),
               pg_catalog.col_description(c.oid, a.attnum))
      FROM rels c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
     WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f', 'c')
    UNION ALL
    SELECT pg_catalog.format('constraint %s %I %s deferrable=%s deferred=%s validated=%s',
               co.conrelid::regclass, co.conname, pg_catalog.pg_get_constraintdef(co.oid), co.condeferrable,
               co.condeferred, co.convalidated)
      FROM pg_catalog.pg_constraint co WHERE co.conrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT pg_catalog.format('index %s', pg_catalog.pg_get_indexdef(c.oid)) FROM rels c WHERE c.relkind = 'i'
    UNION ALL
    SELECT pg_catalog.format('trigger %s enabled=%s', pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled)
      FROM pg_catalog.pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM rels) AND NOT t.tgisinternal
    UNION ALL
    SELECT pg_catalog.format('policy %s.%I cmd=%s permissive=%s roles=%s using=%s check=%s',
               pol.polrelid::regclass, pol.polname, pol.polcmd, pol.polpermissive,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END FROM pg_catalog.unnest(pol.polroles) r ORDER BY 1),
               pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid))
      FROM pg_catalog.pg_policy pol WHERE pol.polrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT pg_catalog.format('view %s: %s', c.oid::regclass, pg_catalog.pg_get_viewdef(c.oid)) FROM rels c WHERE c.relkind IN ('v', 'm')
    UNION ALL
    SELECT pg_catalog.format('sequence %s type=%s start=%s inc=%s min=%s max=%s cache=%s cycle=%s owned_by=%s',
               s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
               (SELECT pg_catalog.format('%s.%I', d.refobjid::regclass, a.attname)
                  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype = 'a'))
      FROM pg_catalog.pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT pg_catalog.format('type %s typtype=%s owner=%s acl=%s enum=%s domain_base=%s domain_notnull=%s domain_default=%s comment=%s',
               t.oid::regtype, t.typtype, t.typowner::regrole, pg_temp.acl(t.typacl),
               ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
               CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END, t.typnotnull, t.typdefault,
               pg_catalog.obj_description(t.oid, 'pg_type'))
      FROM pg_catalog.pg_type t WHERE t.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_type'::regclass)
    UNION ALL
    SELECT pg_catalog.format('domain constraint %s %I %s', co.contypid::regtype, co.conname, pg_catalog.pg_get_constraintdef(co.oid))
      FROM pg_catalog.pg_constraint co WHERE co.contypid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_type'::regclass)
    UNION ALL
    SELECT pg_catalog.format('schema %I owner=%s acl=%s comment=%s', n.nspname, n.nspowner::regrole, pg_temp.acl(n.nspacl),
               pg_catalog.obj_description(n.oid, 'pg_namespace'))
      FROM pg_catalog.pg_namespace n
     WHERE n.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_namespace'::regclass)
        OR n.oid = (SELECT extnamespace FROM ext)
    UNION ALL
    SELECT pg_catalog.format('dumped table %s where=%s', x.tbl::regclass, x.cond)
      FROM pg_catalog.pg_extension e, ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS x(tbl, cond)
     WHERE e.extname = 'infracast'
    UNION ALL
    SELECT pg_catalog.format('role %s login=%s inherit=%s member of %s admin=%s', r.rolname, r.rolcanlogin, r.rolinherit,
               g.rolname, m.admin_option)
      FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member
      JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
     WHERE r.rolname LIKE 'infracast\_%' AND g.rolname LIKE 'infracast\_%'
    UNION ALL
    SELECT pg_catalog.format('default acl %s %s %s', d.defaclrole::regrole, d.defaclnamespace::regnamespace, pg_temp.acl(d.defaclacl))
      FROM pg_catalog.pg_default_acl d
     WHERE d.defaclnamespace IN (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'infracast%')
) facts
ORDER BY line COLLATE "C";
