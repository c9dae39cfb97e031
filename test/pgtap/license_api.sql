-- Licence: functions, privileges, SQLSTATEs and the node counter's invariants (pgTAP).
-- Runs under the development licence the harness installs, in a transaction that rolls back.
BEGIN;
SELECT plan(32);

SELECT has_table('infracast', 'license_usage', 'the licensable node counter exists');
SELECT has_table('infracast', 'license_memory', 'the licence memory exists');
SELECT has_function('infracast', f, 'function infracast.' || f || ' exists')
  FROM unnest(ARRAY['license_status', 'require_feature', 'has_feature', 'require_valid_license',
                    'license_recount', 'license_clock_reset']) f;
SELECT is((SELECT count(*)::int FROM infracast.license_usage), 1, 'the counter has exactly one row');
SELECT is((SELECT count(*)::int FROM infracast.license_memory), 1, 'the memory has exactly one row');

SELECT is((SELECT state FROM infracast.license_status()), 'valid', 'the harness cluster runs under a valid licence');
SELECT ok((SELECT development_key FROM infracast.license_status()), 'a build without INFRACAST_LICENSE_PUBKEY embeds the development key');
SELECT is((SELECT key_fingerprint FROM infracast.license_status()), 'bd:e3:6e:19:7f:a1:1c:21:86:1b:08:e5:e0:ea:75:f2',
          'the development key''s fingerprint');
SELECT ok((SELECT node_limit >= 10000000 FROM infracast.license_status()), 'the development licence is large');

SELECT ok((SELECT highest_time_seen BETWEEN now() - interval '1 day' AND clock_timestamp() + interval '1 minute'
             FROM infracast.license_status()), 'the highest time seen is recorded (for clock rollback)');

-- SQLSTATEs
SELECT throws_ok($$SELECT infracast.require_feature('no_such_feature')$$, '22023', NULL, 'an unknown feature name: 22023');
SELECT throws_ok($$SELECT infracast.require_feature(NULL)$$, '22004', NULL, 'a null feature name: 22004');
SELECT lives_ok($$SELECT infracast.require_feature(f) FROM unnest(ARRAY['attack_paths', 'feeds', 'vuln_matching',
    'risk_scoring', 'api', 'discovery', 'compliance', 'reports', 'sbom']) f$$, 'the development licence has every feature');
SELECT lives_ok($$SELECT infracast.require_valid_license('generate a report')$$, 'a valid licence allows writes');

-- privileges
SELECT ok(has_function_privilege('infracast_reader', 'infracast.license_status()', 'EXECUTE'), 'readers may see the licence');
SELECT ok(has_function_privilege('infracast_reader', 'infracast.require_feature(text)', 'EXECUTE'), 'readers may check a feature');
SELECT ok(NOT has_function_privilege('infracast_admin', 'infracast.license_clock_reset()', 'EXECUTE'), 'only a superuser resets the clock record');
SELECT ok(NOT has_function_privilege('infracast_admin', 'infracast.license_check_node_count(bigint,bigint)', 'EXECUTE'), 'nobody calls the limit check directly');
SELECT ok(NOT has_table_privilege('infracast_admin', 'infracast.license_usage', 'UPDATE'), 'nobody but the triggers moves the counter');
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'infracast' AND p.proname LIKE 'license%' AND p.prosecdef
       AND NOT ('search_path=pg_catalog, pg_temp' = ANY (coalesce(p.proconfig, '{}')))
$$, 'every SECURITY DEFINER licence function pins its search_path');

-- the counter follows inserts, kind changes, deletes and TRUNCATE
SELECT ok(infracast.create_tenant('tap_lic') > 0, 'a tenant for the counter checks');
SELECT ok(infracast.set_tenant('tap_lic') > 0, 'its tenant set');
CREATE TEMP TABLE tap_lic_before AS SELECT nodes_used FROM infracast.license_status();
INSERT INTO infracast.nodes (external_id, kind) SELECT 'h' || i, 'host' FROM generate_series(1, 50) i;
INSERT INTO infracast.nodes (external_id, kind) SELECT 'u' || i, 'account' FROM generate_series(1, 20) i;
SELECT is((SELECT nodes_used - (SELECT nodes_used FROM tap_lic_before) FROM infracast.license_status()), 50::bigint,
          '50 hosts count, 20 accounts do not');
UPDATE infracast.nodes SET kind = 'account' WHERE external_id IN ('h1', 'h2', 'h3');
SELECT is((SELECT nodes_used - (SELECT nodes_used FROM tap_lic_before) FROM infracast.license_status()), 47::bigint,
          'three hosts turned accounts leave the count');
DELETE FROM infracast.nodes WHERE external_id LIKE 'h1%';
SELECT is((SELECT nodes_used FROM infracast.license_status()), (SELECT infracast.license_recount()),
          'after a delete the counter equals a recount');
UPDATE infracast.node_kinds SET licensable = false WHERE name = 'host';
SELECT is((SELECT nodes_used FROM infracast.license_status()), (SELECT nodes_used FROM tap_lic_before),
          'a superuser making hosts not count recounts');
UPDATE infracast.node_kinds SET licensable = true WHERE name = 'host';
SET LOCAL client_min_messages = warning;
TRUNCATE infracast.nodes CASCADE;
SELECT is((SELECT nodes_used FROM infracast.license_status()), 0::bigint, 'TRUNCATE recounts to zero');

SELECT * FROM finish();
ROLLBACK;
