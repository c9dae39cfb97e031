-- Documents schema invariants and privileges (pgTAP). Runs in a transaction that rolls back.
BEGIN;
SELECT plan(20);

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

-- analysts store documents through store_document() only: no stored "report" of their own making
SELECT ok(NOT has_table_privilege('infracast_analyst', 'infracast.reports', 'INSERT'), 'analysts cannot insert into reports');
SELECT infracast.create_tenant('tap_documents');
CREATE ROLE tap_documents_analyst LOGIN IN ROLE infracast_analyst;
INSERT INTO infracast.tenant_roles SELECT id, 'tap_documents_analyst' FROM infracast.tenants WHERE name = 'tap_documents';
SET SESSION AUTHORIZATION tap_documents_analyst;
SELECT infracast.set_tenant('tap_documents');
SELECT throws_ok($$INSERT INTO infracast.reports (kind, title, media_type, filename, content, sha256, bytes, as_of)
                   VALUES ('report', 'forged', 'text/html', 'r.html', 'x', encode(sha256('x'), 'hex'), 1, now())$$,
                 '42501', NULL, 'an analyst login cannot insert a report of its own');
SELECT throws_ok($$SELECT infracast._store_document('inventory', 'moderate', now(), 'infracast_admin')$$, '42501', NULL,
                 'nor call the writer naming a role its session cannot act as');
SELECT is((infracast.store_document('inventory')).created_by, 'tap_documents_analyst',
          'store_document() stores, with the analyst as the author');
RESET SESSION AUTHORIZATION;
SELECT * FROM finish();
ROLLBACK;
