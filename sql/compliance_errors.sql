-- Bad input to the compliance functions: every case raises its own SQLSTATE with a hint, and
-- leaves the catalogue, the profiles and the rules as they were.
\set VERBOSITY terse
-- Leave the database as found: the extension is dropped again at the end when this file made it.
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS comp_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

-- err(sql): the SQLSTATE, the message and whether a hint came with it ("ok" when no error)
CREATE FUNCTION pg_temp.err(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    EXECUTE p_sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ' ' || SQLERRM || CASE WHEN COALESCE(h, '') <> '' THEN ' [hint]' ELSE ' [NO HINT]' END;
END
$$;
-- a fingerprint of everything an import could touch
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(x, ',' ORDER BY x)) || ' ' || count(*) FROM (
        SELECT 'cat ' || name || doc_sha256 AS x FROM infracast.compliance_catalogs
        UNION ALL SELECT 'ctl ' || catalog || control_id || withdrawn FROM infracast.compliance_controls
        UNION ALL SELECT 'part ' || catalog || control_id || path FROM infracast.compliance_parts
        UNION ALL SELECT 'prm ' || catalog || param_id FROM infracast.compliance_params
        UNION ALL SELECT 'prof ' || name || catalog FROM infracast.compliance_profiles
        UNION ALL SELECT 'pc ' || profile || control_id FROM infracast.compliance_profile_controls
        UNION ALL SELECT 'rule ' || rule_id || control_id || COALESCE(part_id, '') FROM infracast.compliance_rule_controls) s
$$;
-- a small user catalog and profile, to check that failed re-imports leave them in place
SELECT name FROM infracast.compliance_import_catalog('tiny', '{"catalog": {"uuid": "t", "metadata": {"title": "Tiny"},
   "groups": [{"id": "zz", "title": "ZZ", "controls": [{"id": "zz-1", "title": "One", "parts": [{"id": "zz-1_smt", "name": "statement", "prose": "Do one."}],
               "controls": [{"id": "zz-1.1", "title": "One, more"}]}, {"id": "zz-2", "title": "Two"}]}]}}', '{tiny.json}');
SELECT name FROM infracast.compliance_import_profile('tiny-base', '{"profile": {"uuid": "p", "metadata": {"title": "Tiny base"},
   "imports": [{"href": "tiny.json", "include-controls": [{"with-ids": ["zz-1", "zz-1.1"]}]}]}}');
SELECT pg_temp.state() AS before \gset

-- Not JSON, not OSCAL, the wrong kind of OSCAL, OSCAL that breaks the schema
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"uuid": ')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '[1, 2, 3]')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"bom": {"components": []}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', infracast.compliance_shipped_document('nist-800-53-rev5-low'))$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"catalog": {"metadata": {"title": "x"}}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"uuid": "t"}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T"}, "groups": {"id": "zz"}}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T"}, "groups": [{"id": "zz", "title": "ZZ", "controls": [{"title": "no id"}]}]}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T"}, "groups": [{"id": "zz", "title": "ZZ", "controls": [{"id": "zz-1", "title": "a"}, {"id": "zz-1", "title": "b"}]}]}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T"}, "groups": []}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"}, "imports": []}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"}, "imports": [{"href": "tiny.json", "include-controls": {"with-ids": "zz-1"}}]}}')$$);

-- A profile importing a catalog that is not loaded: by back-matter rlink, by href, by name
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"},
   "imports": [{"href": "#11111111-2222-3333-4444-555555555555", "include-all": {}}],
   "back-matter": {"resources": [{"uuid": "11111111-2222-3333-4444-555555555555", "rlinks": [{"href": "../../other/ISO_27001_catalog.json"}]}]}}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"},
   "imports": [{"href": "#99999999-2222-3333-4444-555555555555", "include-all": {}}]}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"}, "imports": [{"href": "https://example.org/cat.json", "include-all": {}}]}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', infracast.compliance_shipped_document('nist-800-53-rev5-low'), 'no-such-catalog')$$);
-- Unknown control ids in a profile, unsupported selectors
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"}, "imports": [{"href": "tiny.json", "include-controls": [{"with-ids": ["zz-1", "zz-9", "AC-2"]}]}]}}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', infracast.compliance_shipped_document('nist-800-53-rev5-low'), 'tiny')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('tiny-base', '{"profile": {"metadata": {"title": "T"}, "imports": [{"href": "tiny.json", "include-controls": [{"matching": [{"pattern": "zz-*"}]}]}]}}')$$);
-- Unknown control ids and parts in a rule's mapping
SELECT pg_temp.err($$INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('kev_overdue', 'nist-800-53-rev5', 'RA-5', NULL, 'test')$$);
SELECT pg_temp.err($$INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('kev_overdue', 'nist-800-53-rev5', 'ra-99', NULL, 'test')$$);
SELECT pg_temp.err($$INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('kev_overdue', 'nist-800-53-rev5', 'ra-5', 'ra-5_smt.z', 'test')$$);
SELECT pg_temp.err($$INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('no_such_rule', 'nist-800-53-rev5', 'ra-5', NULL, 'test')$$);
SELECT pg_temp.state() = :'before' AS intact;
-- A re-import that would drop a control a rule maps to
INSERT INTO infracast.compliance_rules (id, title, decides, check_sql) VALUES ('tiny_rule', 'Tiny', 'always passes', $$SELECT 'tenant', 'pass', '{}'::jsonb$$);
INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('tiny_rule', 'tiny', 'zz-1', 'zz-1_smt', 'test');
SELECT pg_temp.state() AS before \gset
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T2"}, "groups": [{"id": "zz", "title": "ZZ", "controls": [{"id": "zz-2", "title": "Two"}]}]}}', '{tiny.json}')$$);
SELECT pg_temp.state() = :'before' AS intact;
-- A re-import that the profile no longer resolves against
DELETE FROM infracast.compliance_rule_controls WHERE rule_id = 'tiny_rule';
SELECT pg_temp.state() AS before \gset
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('tiny', '{"catalog": {"metadata": {"title": "T2"}, "groups": [{"id": "zz", "title": "ZZ", "controls": [{"id": "zz-2", "title": "Two"}]}]}}', '{tiny.json}')$$);
-- Names: reserved for the shipped documents, or invalid
SELECT pg_temp.err($$SELECT infracast.compliance_import_catalog('nist-800-53-rev5', infracast.compliance_shipped_document('nist-800-53-rev5'))$$);
SELECT pg_temp.err($$SELECT infracast.compliance_import_profile('Bad Name', '{}')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_shipped_document('iso-27001')$$);
-- Assessments: an unknown baseline, no tenant set
SELECT pg_temp.err($$SELECT infracast.compliance_assess('ultra')$$);
SELECT pg_temp.err($$SELECT infracast.compliance_assess('moderate')$$);
-- Waivers and POA&M items name a control of a loaded catalog
SELECT pg_temp.err($$INSERT INTO infracast.compliance_waivers (tenant_id, control_id, reason, approved_by) VALUES (1, 'xx-1', 'r', 'a')$$);

-- Nothing changed, and the user's catalog and profile are still whole.
SELECT pg_temp.state() = :'before' AS intact;
SELECT (SELECT count(*) FROM infracast.compliance_controls WHERE catalog = 'tiny') AS tiny_controls,
       (SELECT count(*) FROM infracast.compliance_profile_controls WHERE profile = 'tiny-base') AS tiny_base,
       (SELECT count(*) FROM infracast.compliance_controls WHERE catalog = 'nist-800-53-rev5') AS nist_controls;

-- Leave the shared catalogue as CREATE EXTENSION made it (the other tests share this database).
DELETE FROM infracast.compliance_rules WHERE id = 'tiny_rule';
DELETE FROM infracast.compliance_profiles WHERE NOT builtin;
DELETE FROM infracast.compliance_catalogs WHERE NOT builtin;
SELECT (SELECT count(*) FROM infracast.compliance_catalogs) AS catalogs, (SELECT count(*) FROM infracast.compliance_profiles) AS profiles;
\if :comp_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
