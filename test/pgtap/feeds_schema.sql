-- Feeds: the reference tables, who may do what, the seed catalogue, and errors that need no files.
\getenv fixtures INFRACAST_FIXTURES
BEGIN;
SELECT plan(27);

SELECT has_table('infracast', t, 'table infracast.' || t || ' exists')
  FROM unnest(ARRAY['cve', 'cve_cpe_match', 'kev', 'epss', 'feodo', 'feed_status']) AS t;
SELECT col_is_pk('infracast', 'cve', 'id', 'cve is keyed by id');
SELECT col_is_pk('infracast', 'kev', 'cve_id', 'kev is keyed by cve_id');
SELECT col_is_pk('infracast', 'epss', 'cve', 'epss is keyed by cve');
SELECT has_index('infracast', 'cve_cpe_match', 'cve_cpe_match_vendor_product_idx', ARRAY['vendor', 'product'],
                 'CPE matches can be found by vendor and product');
SELECT hasnt_column('infracast', t, 'tenant_id', t || ' is global reference data')
  FROM unnest(ARRAY['cve', 'kev', 'epss', 'feodo']) AS t;

SELECT ok(NOT has_function_privilege('public', 'infracast.load_kev(text)', 'EXECUTE'), 'PUBLIC may not load feeds');
SELECT ok(has_function_privilege('infracast_admin', 'infracast.load_feed_bundle(text)', 'EXECUTE'), 'infracast_admin may load bundles');
SELECT ok(has_function_privilege('pg_read_server_files', 'infracast.load_nvd(text)', 'EXECUTE'), 'pg_read_server_files may load NVD');
SELECT ok(NOT has_function_privilege('infracast_reader', 'infracast.refresh_feeds()', 'EXECUTE'), 'readers may not wake the worker');
SELECT ok(has_table_privilege('infracast_reader', 'infracast.cve_cpe_match', 'SELECT'), 'readers may read cve_cpe_match');
SELECT ok(NOT has_table_privilege('infracast_admin', 'infracast.epss', 'INSERT'), 'nobody writes epss but the loaders');

SELECT results_eq($$SELECT state, source_path LIKE 'embedded seed (%' FROM infracast.feed_status WHERE feed = 'kev'$$,
                  $$VALUES ('warning'::text, true)$$, 'CREATE EXTENSION loaded the embedded seed KEV catalogue and says so');
SELECT ok((SELECT count(*) FROM infracast.kev) > 0, 'the seed catalogue is in infracast.kev');

SELECT throws_ok($$SELECT * FROM infracast.load_kev('relative/kev.json')$$, '22023', NULL, 'relative paths are refused');
SELECT throws_ok($$SELECT * FROM infracast.load_epss(NULL)$$, '22004', NULL, 'a NULL path is refused');
SELECT throws_ok($$SELECT * FROM infracast.load_nvd('/nonexistent/nvdcve-2.0-2024.json')$$, 'IC201', NULL, 'a missing file is IC201');
SELECT throws_ok(format('SELECT * FROM infracast.load_feed_bundle(%L)', :'fixtures' || '/feeds/nvd'), 'IC201', NULL,
                 'a folder without manifest.json is not a bundle');
SELECT lives_ok($$SELECT infracast.refresh_feeds()$$, 'refresh_feeds() works with shared_preload_libraries');

SELECT * FROM finish();
ROLLBACK;
