-- Compliance schema invariants, privileges and SQLSTATEs (pgTAP). Runs in a transaction that rolls back.
BEGIN;
SELECT plan(36);

SELECT has_table('infracast', t, 'table infracast.' || t || ' exists')
  FROM unnest(ARRAY['compliance_catalogs', 'compliance_groups', 'compliance_controls', 'compliance_parts',
                    'compliance_params', 'compliance_profiles', 'compliance_profile_controls', 'compliance_rules',
                    'compliance_rule_controls', 'compliance_assessments', 'compliance_results', 'compliance_evidence',
                    'compliance_waivers', 'compliance_poam_items']) t;

-- the shipped catalogue is there after CREATE EXTENSION
SELECT results_eq($$SELECT name, (SELECT count(*)::int FROM infracast.compliance_profile_controls c WHERE c.profile = p.name)
                      FROM infracast.compliance_profiles p WHERE builtin ORDER BY name$$,
                  $$VALUES ('nist-800-53-rev5-high', 370), ('nist-800-53-rev5-low', 149), ('nist-800-53-rev5-moderate', 287),
                           ('nist-800-53-rev5-privacy', 96)$$,
                  'the four shipped baselines are resolved');

-- every tenant table of compliance is dumped; the shipped rows are filtered out
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig) cfg
            WHERE e.extname = 'infracast' AND cfg::regclass::text LIKE 'infracast.compliance\_%'), 18,
          'the compliance tables and sequences are marked for pg_dump');
SELECT is((SELECT e.extcondition[array_position(e.extconfig, 'infracast.compliance_controls'::regclass)]
             FROM pg_extension e WHERE e.extname = 'infracast'),
          'WHERE catalog <> ''nist-800-53-rev5''', 'shipped controls are not dumped');

-- privileges: readers read, analysts assess, admins waive and import; PUBLIC runs none of it
SELECT ok(has_table_privilege('infracast_reader', 'infracast.compliance_results', 'SELECT'), 'readers read results');
SELECT ok(NOT has_function_privilege('infracast_reader', 'infracast.compliance_assess(text)', 'EXECUTE'), 'readers do not assess');
SELECT ok(has_function_privilege('infracast_analyst', 'infracast.compliance_assess(text)', 'EXECUTE'), 'analysts assess');
SELECT ok(NOT has_function_privilege('infracast_analyst', 'infracast.compliance_import_catalog(text, text, text[])', 'EXECUTE'),
          'analysts do not import catalogs');
SELECT ok(has_function_privilege('infracast_admin', 'infracast.compliance_import_profile(text, text, text)', 'EXECUTE'), 'admins import profiles');
SELECT ok(NOT has_function_privilege('public', 'infracast.compliance_shipped_document(text)', 'EXECUTE'), 'PUBLIC cannot read shipped documents');
SELECT ok(NOT has_table_privilege('infracast_admin', 'infracast.compliance_rules', 'INSERT'), 'only the owner adds rules (their SQL runs in assessments)');
SELECT ok(has_function_privilege('infracast_admin', 'infracast_api.compliance_waive(jsonb)', 'EXECUTE')
          AND NOT has_function_privilege('infracast_analyst', 'infracast_api.compliance_waive(jsonb)', 'EXECUTE'), 'only admins waive through the API');
SELECT ok(has_table_privilege('infracast_reader', 'infracast_api.compliance_evidence', 'SELECT'), 'the API shows evidence to readers');

-- SQLSTATEs
SELECT throws_ok($$SELECT infracast.compliance_import_catalog('x', 'not json')$$, 'IC601', NULL, 'malformed JSON is IC601');
SELECT throws_ok($$SELECT infracast.compliance_import_profile('x', '{"profile": {"imports": [{"href": "missing.json", "include-all": {}}]}}')$$,
                 'IC603', NULL, 'a missing catalog is IC603');
SELECT throws_ok($$SELECT infracast.compliance_assess('nope')$$, 'IC605', NULL, 'an unknown baseline is IC605');
SELECT throws_ok($$INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, source) VALUES ('kev_overdue', 'nist-800-53-rev5', 'zz-1', 't')$$,
                 'IC602', NULL, 'an unknown control in a mapping is IC602');

-- analysts assess, but write no assessment, result or evidence of their own (forged results would
-- flow into the OSCAL documents); compliance_assess() writes them as infracast_internal
SELECT ok(NOT has_table_privilege('infracast_analyst', 'infracast.compliance_evidence', 'INSERT')
          AND NOT has_table_privilege('infracast_analyst', 'infracast.compliance_results', 'INSERT')
          AND NOT has_table_privilege('infracast_analyst', 'infracast.compliance_assessments', 'INSERT, UPDATE'),
          'analysts hold no write on assessments, results or evidence');
SELECT ok(NOT has_function_privilege('infracast_analyst', 'infracast.compliance_run_rule(bigint, infracast.compliance_rules)', 'EXECUTE'),
          'analysts cannot run a rule row of their own');
SELECT infracast.create_tenant('tap_compliance');
CREATE ROLE tap_compliance_analyst LOGIN IN ROLE infracast_analyst;
INSERT INTO infracast.tenant_roles SELECT id, 'tap_compliance_analyst' FROM infracast.tenants WHERE name = 'tap_compliance';
SET SESSION AUTHORIZATION tap_compliance_analyst;
SELECT infracast.set_tenant('tap_compliance');
SELECT throws_ok($$INSERT INTO infracast.compliance_evidence (assessment_id, rule_id, subject, method, result, raw_output, raw_sha256)
                   VALUES (1, 'kev_overdue', 'forged', 'automated', 'pass', 'x', 'x')$$,
                 '42501', NULL, 'an analyst login cannot insert evidence');
SELECT throws_ok($$SELECT infracast._compliance_assess('low', 'infracast_admin')$$, '42501', NULL,
                 'nor call the writer naming a role its session cannot act as');
SELECT ok(infracast.compliance_assess('low') > 0, 'an analyst login assesses through compliance_assess()');
SELECT is((SELECT assessed_by::text FROM infracast.compliance_assessments ORDER BY id DESC LIMIT 1), 'tap_compliance_analyst',
          'and is recorded as the assessor');
RESET SESSION AUTHORIZATION;
SELECT * FROM finish();
ROLLBACK;
