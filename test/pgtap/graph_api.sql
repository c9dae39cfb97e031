-- pgTAP: the graph engine's SQL surface (functions, privileges, SQLSTATEs) and a small graph's
-- answers, in a transaction that is rolled back.
BEGIN;
SELECT plan(24);

SELECT has_function('infracast', 'attack_paths', ARRAY['bigint[]', 'bigint[]', 'integer', 'integer'], 'attack_paths exists');
SELECT has_function('infracast', 'blast_radius', ARRAY['bigint', 'integer', 'double precision'], 'blast_radius exists');
SELECT has_function('infracast', 'exposure', ARRAY['bigint[]', 'integer'], 'exposure exists');
SELECT has_function('infracast', 'exposure_summary', ARRAY[]::text[], 'exposure_summary exists');
SELECT has_function('infracast', 'choke_points', ARRAY['bigint[]', 'bigint[]', 'integer'], 'choke_points exists');
SELECT has_function('infracast', 'remediation_plan', ARRAY['bigint[]', 'bigint[]'], 'remediation_plan exists');
SELECT has_function('infracast', 'node_exposure', ARRAY['bigint[]'], 'node_exposure exists');
SELECT has_function('infracast', 'graph_stats', ARRAY[]::text[], 'graph_stats exists');
SELECT ok(has_function_privilege('infracast_reader', 'infracast.attack_paths(bigint[], bigint[], integer, integer)', 'EXECUTE'),
          'infracast_reader may run attack_paths');
SELECT ok(NOT has_function_privilege('public', 'infracast.remediation_plan(bigint[], bigint[])', 'EXECUTE'),
          'PUBLIC may not run remediation_plan');
SELECT is((SELECT setting FROM pg_settings WHERE name = 'infracast.graph_cache_mb'), '1024', 'graph_cache_mb defaults to 1 GB');

-- a diamond: entry 1 -> {2 (0.9), 3 (0.5)} -> 4 (crown jewel), and 4 -> 5
SELECT ok(infracast.create_tenant('tap_graph') IS NOT NULL, 'tenant created');
SELECT ok(infracast.set_tenant('tap_graph') IS NOT NULL, 'tenant set');
INSERT INTO infracast.nodes (id, external_id, kind, entry_point, crown_jewel) VALUES
    (1, 'n1', 'host', true, false), (2, 'n2', 'host', false, false), (3, 'n3', 'account', false, false),
    (4, 'n4', 'database', false, true), (5, 'n5', 'host', false, false);
INSERT INTO infracast.edges (src, dst, kind, likelihood, fix_cost) VALUES
    (1, 2, 'reach', 0.9, 3), (1, 3, 'reach', 0.5, 1), (2, 4, 'admin_to', 0.9, 1), (3, 4, 'admin_to', 0.9, 1), (4, 5, 'reach', 1, 1);

SELECT results_eq($$SELECT node FROM infracast.attack_paths() ORDER BY path_seq$$,
                  $$VALUES (1::bigint), (2), (4)$$, 'most likely path goes through node 2');
SELECT results_eq($$SELECT round(likelihood::numeric, 4) FROM infracast.attack_paths() WHERE edge IS NULL$$,
                  $$VALUES (0.8100)$$, 'its likelihood is 0.9 * 0.9');
SELECT results_eq($$SELECT path_id, round(max(agg_cost)::numeric, 6) FROM infracast.attack_paths(NULL, NULL, 5) GROUP BY path_id ORDER BY path_id$$,
                  $$VALUES (1, round((-ln(0.9) * 2)::numeric, 6)), (2, round((-ln(0.5) - ln(0.9))::numeric, 6))$$,
                  'k = 5 finds the two loopless paths in order');
SELECT set_eq($$SELECT node, hops FROM infracast.blast_radius(1)$$,
              $$VALUES (1::bigint, 0), (2, 1), (3, 1), (4, 2), (5, 3)$$, 'blast radius hops');
SELECT set_eq($$SELECT node FROM infracast.exposure()$$, $$VALUES (1::bigint), (2), (3), (4)$$, 'exposure of the crown jewel');
SELECT results_eq($$SELECT edge_src, edge_dst FROM (SELECT src AS edge_src, dst AS edge_dst FROM infracast.remediation_plan()) r ORDER BY 1, 2$$,
                  $$VALUES (1::bigint, 3::bigint), (2, 4)$$, 'cheapest fix set: 1>3 (1) and 2>4 (1), not 1>2 (3)');
SELECT results_eq($$SELECT principals, exposed_principals, exposure_pct, severity FROM infracast.exposure_summary()$$,
                  $$VALUES (4::bigint, 3::bigint, 75::float8, 'moderate'::text)$$,
                  'hosts 1, 2 and account 3 of four principals reach the jewel: moderate');
SELECT is((SELECT count(*)::int FROM infracast.choke_points() WHERE object = 'node' AND dominated_targets > 0), 0,
          'no node dominates the jewel in a diamond');
SELECT throws_ok($$SELECT * FROM infracast.attack_paths('{1}', '{99}')$$, 'IC101', NULL, 'unknown node: IC101');
SELECT throws_ok($$SELECT * FROM infracast.attack_paths('{1}', '{4}', 1000)$$, 'IC105', NULL, 'k too large: IC105');
SELECT throws_ok($$SELECT * FROM infracast.blast_radius(1, -1)$$, '22023', NULL, 'negative max_hops: 22023');

SELECT * FROM finish();
ROLLBACK;
