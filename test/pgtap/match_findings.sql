-- Findings schema rules (tenant_id leads keys, RLS forced, grants, dump), error states of the
-- matching and scoring functions, and the lifecycle rules that must never regress.
BEGIN;
SELECT plan(28);
SET LOCAL search_path = infracast, public;

SELECT has_type('infracast', 'cpe', 'the cpe base type exists');
SELECT has_table('infracast', 'findings', 'findings table exists');
SELECT has_view('infracast', 'prioritized_findings', 'prioritized_findings view exists');
SELECT is((SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = 'infracast.findings'::regclass AND i.indisprimary),
          'tenant_id', 'tenant_id leads the primary key');
SELECT is((SELECT count(*) FROM pg_constraint c
            WHERE c.conrelid = 'infracast.findings'::regclass AND c.contype IN ('f', 'u')
              AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) <> 'tenant_id'),
          0::bigint, 'tenant_id leads every foreign key and unique key');
SELECT is((SELECT count(*) FROM pg_constraint WHERE conrelid = 'infracast.findings'::regclass AND contype = 'f'),
          2::bigint, 'findings reference nodes and software');
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'infracast.findings'::regclass),
          'row-level security is enabled and forced on findings');
SELECT policies_are('infracast', 'findings', ARRAY['tenant_isolation'], 'findings has the tenant isolation policy');
SELECT ok((SELECT 'infracast.findings'::regclass = ANY (extconfig) AND 'infracast.findings_id_seq'::regclass = ANY (extconfig)
             FROM pg_extension WHERE extname = 'infracast'), 'findings and its sequence are dumped by pg_dump');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class WHERE oid = 'infracast.prioritized_findings'::regclass),
          'the view runs with the caller''s rights, so RLS applies');
SELECT ok(has_table_privilege('infracast_reader', 'infracast.findings', 'SELECT')
          AND NOT has_table_privilege('infracast_reader', 'infracast.findings', 'UPDATE'), 'readers read findings only');
SELECT ok(has_table_privilege('infracast_analyst', 'infracast.findings', 'UPDATE')
          AND has_function_privilege('infracast_analyst', 'infracast.match_vulnerabilities()', 'EXECUTE'),
          'analysts run matching and set statuses');
CREATE ROLE regress_tap_match_nobody;
SELECT ok(NOT has_function_privilege('regress_tap_match_nobody', 'infracast.match_vulnerabilities()', 'EXECUTE'),
          'EXECUTE on match_vulnerabilities is revoked from PUBLIC');

-- error states
SELECT throws_ok($$SELECT 'cpe:2.3:a:v:p!:1:*:*:*:*:*:*:*'::infracast.cpe$$, '22P02', NULL, 'malformed CPE: 22P02');
SELECT throws_ok($$SELECT infracast.version_cmp('1', '2', 'maven')$$, '22023', NULL, 'unknown scheme: 22023');
SELECT throws_ok($$SELECT infracast.version_cmp('1.0', '1', 'semver')$$, '22P02', NULL, 'malformed semver: 22P02');
SELECT throws_ok($$SELECT infracast.risk_score(10.5, 0.1)$$, '22003', NULL, 'CVSS out of range: 22003');
SELECT throws_ok($$SELECT infracast.risk_score(5, 0.1, criticality => 'huge')$$, '22023', NULL, 'unknown criticality: 22023');
SELECT throws_ok($$SELECT infracast.match_vulnerabilities()$$, 'IC001', NULL, 'matching needs a tenant: IC001');

-- a small tenant and one synthetic CVE
SELECT create_tenant('regress_tap_match') > 0;
SELECT set_tenant('regress_tap_match') > 0;
INSERT INTO nodes (external_id, kind, entry_point) VALUES ('tap-gw', 'internet', true), ('tap-web', 'host', false);
INSERT INTO edges (src, dst, kind)
SELECT s.id, d.id, 'reach' FROM nodes s, nodes d
 WHERE s.external_id = 'tap-gw' AND d.external_id = 'tap-web' AND s.tenant_id = current_tenant() AND d.tenant_id = current_tenant();
INSERT INTO software (node_id, name, vendor, version)
SELECT id, 'tapproduct', 'tapvendor', '1.2' FROM nodes WHERE external_id = 'tap-web' AND tenant_id = current_tenant();
INSERT INTO cve (id, last_modified, vuln_status, nvd_feed, cvss_v31_score, cvss_v31_vector)
VALUES ('CVE-2098-1111', now(), 'Analyzed', 'tap', 9.1, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N');
INSERT INTO cve_cpe_match (cve_id, config_index, node_index, node_operator, match_index, vulnerable, criteria, part, vendor,
    product, version, cpe_update, edition, language, sw_edition, target_sw, target_hw, other, version_end_excluding)
VALUES ('CVE-2098-1111', 0, 0, 'OR', 0, true, 'cpe:2.3:a:tapvendor:tapproduct:*:*:*:*:*:*:*:*', 'a', 'tapvendor',
        'tapproduct', '*', '*', '*', '*', '*', '*', '*', '*', '2.0');

SELECT results_eq($$SELECT new_findings, still_open, fixed FROM match_vulnerabilities()$$,
                  $$VALUES (1::bigint, 0::bigint, 0::bigint)$$, 'first run: one new finding');
SELECT is((SELECT count(*) FROM edges WHERE kind = 'can_exploit' AND tenant_id = current_tenant()), 1::bigint,
          'a network-exploitable finding adds a can_exploit edge');
UPDATE findings SET status = 'accepted_risk' WHERE tenant_id = current_tenant();
SELECT results_eq($$SELECT new_findings, still_open, fixed, accepted_risk FROM match_vulnerabilities()$$,
                  $$VALUES (0::bigint, 0::bigint, 0::bigint, 1::bigint)$$, 'a re-run keeps accepted_risk');
SELECT is((SELECT status FROM findings WHERE tenant_id = current_tenant()), 'accepted_risk', 'status still accepted_risk');
UPDATE software SET version = '2.0' WHERE tenant_id = current_tenant();
SELECT results_eq($$SELECT new_findings, fixed FROM match_vulnerabilities()$$,
                  $$VALUES (0::bigint, 1::bigint)$$, 'upgraded software: the finding is fixed');
SELECT is((SELECT count(*) FROM edges WHERE kind = 'can_exploit' AND tenant_id = current_tenant()), 0::bigint,
          'the fixed finding''s can_exploit edge is gone');

-- exposure comes from the attack-path engine's infracast.node_exposure(bigint[]) when it exists
-- (a stand-in here, rolled back with the test), else from the one-hop approximation
SELECT is((SELECT round(best_likelihood::numeric, 2) FROM match_node_exposure(ARRAY(
              SELECT id FROM nodes WHERE external_id = 'tap-web' AND tenant_id = current_tenant()))),
          0.90, 'degraded exposure: one hop from an entry point, the reach edge''s likelihood');
CREATE OR REPLACE FUNCTION infracast.node_exposure(node_ids bigint[] DEFAULT NULL)
    RETURNS TABLE (node bigint, reachable boolean, best_likelihood float8, hops integer)
    LANGUAGE sql AS $$ SELECT u, true, 0.123::float8, 7 FROM unnest(node_ids) u $$;
SELECT results_eq($$SELECT best_likelihood, hops FROM infracast.match_node_exposure(ARRAY[1::bigint])$$,
                  $$VALUES (0.123::float8, 7)$$, 'the engine''s node_exposure is used when installed');

-- with no NVD data at all, matching refuses rather than calling everything fixed
DELETE FROM cve_cpe_match;
SELECT throws_ok($$SELECT infracast.match_vulnerabilities()$$, 'IC401', NULL, 'no NVD data: IC401');

SELECT * FROM finish();
ROLLBACK;
