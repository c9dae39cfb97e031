-- Documents schema invariants and privileges (pgTAP). Runs in a transaction that rolls back.
BEGIN;
SELECT plan(16);

SELECT has_table('infracast', 'reports', 'table infracast.reports exists');
SELECT is((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'infracast.reports'::regclass), true,
          'reports: row-level security enabled and forced');
SELECT is((SELECT a.attname::text FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.conrelid = 'infracast.reports'::regclass AND c.contype = 'p'), 'tenant_id', 'reports: tenant_id leads the key');
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig) cfg
            WHERE e.extname = 'infracast' AND cfg::regclass::text IN ('infracast.reports', 'infracast.reports_id_seq')), 2,
          'reports and its sequence are marked for pg_dump');
SELECT has_function('infracast', f, f || ' exists')
  FROM unnest(ARRAY['oscal_ssp', 'oscal_assessment_results', 'oscal_poam', 'inventory_csv', 'poam_csv', 'report_html',
                    'store_document', 'uuid5']) f;
SELECT ok(NOT has_function_privilege('public', 'infracast.oscal_ssp(text, timestamptz)', 'EXECUTE')
          AND has_function_privilege('infracast_reader', 'infracast.oscal_ssp(text, timestamptz)', 'EXECUTE'),
          'readers, not PUBLIC, generate documents');
SELECT ok(NOT has_function_privilege('infracast_reader', 'infracast.store_document(text, text, timestamptz)', 'EXECUTE')
          AND has_function_privilege('infracast_analyst', 'infracast.store_document(text, text, timestamptz)', 'EXECUTE'),
          'analysts, not readers, store documents');
SELECT ok(has_table_privilege('infracast_reader', 'infracast_api.documents', 'SELECT')
          AND has_function_privilege('infracast_reader', 'infracast_api.document_get(jsonb)', 'EXECUTE')
          AND NOT has_function_privilege('infracast_reader', 'infracast_api.document_store(jsonb)', 'EXECUTE'),
          'the API lists and serves documents to readers; storing needs an analyst');
SELECT throws_ok($$SELECT infracast.render_document('pdf')$$, 'IC801', NULL, 'an unknown document kind is IC801');
SELECT * FROM finish();
ROLLBACK;
