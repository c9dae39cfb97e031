-- infracast.match_vulnerabilities(): matching by CPE and by vendor/product/version, running-on and
-- negated configurations, the finding lifecycle (new, still open, fixed, reopened, accepted_risk
-- kept), can_exploit edges kept in step, scores, the prioritized view, and tenant isolation.
-- pg_regress runs as a superuser, which bypasses row-level security: queries filter on the current
-- tenant themselves, and the isolation itself is checked at the end as a non-owner role.
-- Synthetic feed rows (CVE-2099-*, vendor regressvendor) inside one transaction, rolled back at the
-- end, so the global feed tables are left as they were.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SET search_path = infracast, public;
BEGIN;

CREATE FUNCTION pg_temp.add_match(p_cve text, p_cfg int, p_cfg_op text, p_node int, p_node_op text, p_negate boolean,
                                  p_match int, p_vulnerable boolean, p_criteria text,
                                  p_start_incl text DEFAULT NULL, p_end_excl text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO infracast.cve_cpe_match (cve_id, config_index, config_operator, node_index, node_operator, node_negate,
        match_index, vulnerable, criteria, part, vendor, product, version, cpe_update, edition, language,
        sw_edition, target_sw, target_hw, other, version_start_including, version_end_excluding)
    SELECT p_cve, p_cfg, p_cfg_op, p_node, p_node_op, p_negate, p_match, p_vulnerable, p_criteria,
           infracast.cpe_value(c, 'part'), infracast.cpe_value(c, 'vendor'), infracast.cpe_value(c, 'product'),
           infracast.cpe_value(c, 'version'), infracast.cpe_value(c, 'update'), '*', '*', '*', '*', '*', '*',
           p_start_incl, p_end_excl
      FROM (SELECT p_criteria::infracast.cpe AS c) x
$$;

INSERT INTO cve (id, last_modified, vuln_status, nvd_feed, cvss_v31_score, cvss_v31_vector) VALUES
    ('CVE-2099-0001', now(), 'Analyzed', 'regress', 9.8, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ('CVE-2099-0002', now(), 'Analyzed', 'regress', 7.8, 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'),
    ('CVE-2099-0003', now(), 'Analyzed', 'regress', 8.1, 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ('CVE-2099-0004', now(), 'Analyzed', 'regress', 5.3, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N');
-- 0001: web server below 2.4.51 (range)
SELECT pg_temp.add_match('CVE-2099-0001', 0, NULL, 0, 'OR', false, 0, true,
                         'cpe:2.3:a:regressvendor:web_server:*:*:*:*:*:*:*:*', '2.4.0', '2.4.51');
-- 0002: agent 3.x, only when running on regressos (running-on: AND of vulnerable app and platform)
SELECT pg_temp.add_match('CVE-2099-0002', 0, 'AND', 0, 'OR', false, 0, true,
                         'cpe:2.3:a:regressvendor:agent:*:*:*:*:*:*:*:*', '3.0', '4.0');
SELECT pg_temp.add_match('CVE-2099-0002', 0, 'AND', 1, 'OR', false, 0, false,
                         'cpe:2.3:o:regressvendor:regressos:-:*:*:*:*:*:*:*');
-- 0003: the web server 2.4.49 exactly, unless the shield module is installed (negate)
SELECT pg_temp.add_match('CVE-2099-0003', 0, 'AND', 0, 'OR', false, 0, true,
                         'cpe:2.3:a:regressvendor:web_server:2.4.49:*:*:*:*:*:*:*');
SELECT pg_temp.add_match('CVE-2099-0003', 0, 'AND', 1, 'OR', true, 0, false,
                         'cpe:2.3:a:regressvendor:shield:*:*:*:*:*:*:*:*');
-- 0004: the update "beta1" only
SELECT pg_temp.add_match('CVE-2099-0004', 0, NULL, 0, 'OR', false, 0, true,
                         'cpe:2.3:a:regressvendor:web_server:2.4.49:beta1:*:*:*:*:*:*');
INSERT INTO epss (cve, epss, percentile) VALUES ('CVE-2099-0001', 0.97, 0.999), ('CVE-2099-0003', 0.02, 0.80);
INSERT INTO kev (cve_id, date_added, known_ransomware_campaign_use) VALUES ('CVE-2099-0001', '2099-01-02', 'Known');

SELECT create_tenant('regress_match_a') > 0 AS a, create_tenant('regress_match_b') > 0 AS b;
SELECT set_tenant('regress_match_a') > 0;
INSERT INTO nodes (external_id, kind, name, entry_point, criticality, crown_jewel) VALUES
    ('internet', 'internet', 'Internet', true, 'low', false),
    ('web1', 'host', 'web one', false, 'high', false),
    ('web2', 'host', 'web two (shielded)', false, 'medium', false),
    ('app1', 'host', 'app on regressos', false, 'medium', false),
    ('app2', 'host', 'app on another OS', false, 'medium', false),
    ('db1', 'database', 'customer db', false, 'critical', true);
INSERT INTO edges (src, dst, kind)
SELECT s.id, d.id, 'reach' FROM nodes s, nodes d
 WHERE s.tenant_id = current_tenant() AND d.tenant_id = current_tenant()
   AND (s.external_id, d.external_id) IN (('internet', 'web1'), ('internet', 'web2'), ('web1', 'db1'));
-- (app1 and app2 are reached by nothing: their exposure is the same with or without the graph engine)
INSERT INTO software (node_id, name, vendor, version, cpe)
SELECT n.id, v.name, v.vendor, v.version, v.cpe
  FROM (VALUES ('web1', 'Web Server', 'RegressVendor', '2.4.49', NULL),
               ('web2', 'web_server', NULL, '2.4.49', NULL),            -- no vendor: matched by product
               ('web2', 'shield', 'regressvendor', '1.0', NULL),
               ('app1', 'agent', NULL, NULL, 'cpe:2.3:a:regressvendor:agent:3.2:-:*:*:*:*:*:*'),
               ('app1', 'regressos', NULL, NULL, 'cpe:/o:regressvendor:regressos:-'),
               ('app2', 'agent', 'regressvendor', '3.2', NULL),
               ('app2', 'otheros', NULL, NULL, 'cpe:2.3:o:othervendor:otheros:1:*:*:*:*:*:*:*'),
               ('db1', 'web_server', 'regressvendor', '2.4.51', NULL),    -- fixed version
               ('db1', 'broken', NULL, NULL, 'cpe:2.3:a:bad!vendor:x:1:*:*:*:*:*:*:*')) v(node, name, vendor, version, cpe)
  JOIN nodes n ON n.external_id = v.node AND n.tenant_id = current_tenant();

-- first run: new findings; the invalid CPE is skipped with a warning
SELECT * FROM match_vulnerabilities();
SELECT n.external_id, s.name, f.cve_id, f.status, f.priority, f.risk
  FROM findings f JOIN nodes n ON n.id = f.node_id AND n.tenant_id = f.tenant_id
  LEFT JOIN software s ON s.id = f.software_id AND s.tenant_id = f.tenant_id
 WHERE f.tenant_id = current_tenant()
 ORDER BY 1, 2, 3;
-- can_exploit edges: into nodes with network-exploitable findings, from whoever reaches them
SELECT s.external_id AS src, d.external_id AS dst, e.likelihood, e.attrs
  FROM edges e JOIN nodes s ON s.id = e.src AND s.tenant_id = e.tenant_id JOIN nodes d ON d.id = e.dst AND d.tenant_id = e.tenant_id
 WHERE e.kind = 'can_exploit' AND e.tenant_id = current_tenant() ORDER BY 1, 2;
SELECT rank, priority, risk, cve_id, node_external_id, software, kev, ransomware, epss_percentile,
       path_to_crown_jewel, reasons
  FROM prioritized_findings ORDER BY rank;

-- second run: idempotent
SELECT * FROM match_vulnerabilities();

-- a user accepts one risk; upgrading web1 fixes its findings; removing the shield exposes web2
UPDATE findings SET status = 'accepted_risk', status_note = 'compensating control: WAF'
 WHERE cve_id = 'CVE-2099-0002';
UPDATE software SET version = '2.4.51' WHERE name = 'Web Server';
DELETE FROM software WHERE name = 'shield';
SELECT * FROM match_vulnerabilities();
SELECT n.external_id, f.cve_id, f.status, f.status_note, f.fixed_at IS NOT NULL AS has_fixed_at
  FROM findings f JOIN nodes n ON n.id = f.node_id AND n.tenant_id = f.tenant_id
 WHERE f.tenant_id = current_tenant()
 ORDER BY 1, 2;
SELECT s.external_id AS src, d.external_id AS dst, e.attrs
  FROM edges e JOIN nodes s ON s.id = e.src AND s.tenant_id = e.tenant_id JOIN nodes d ON d.id = e.dst AND d.tenant_id = e.tenant_id
 WHERE e.kind = 'can_exploit' AND e.tenant_id = current_tenant() ORDER BY 1, 2;

-- downgrade: the fixed finding reopens; deleting software makes its finding fixed
UPDATE software SET version = '2.4.50' WHERE name = 'Web Server';
DELETE FROM software WHERE name = 'agent' AND node_id = (SELECT id FROM nodes WHERE external_id = 'app1' AND tenant_id = current_tenant());
SELECT * FROM match_vulnerabilities();
SELECT n.external_id, f.cve_id, f.status, f.software_id IS NULL AS software_gone
  FROM findings f JOIN nodes n ON n.id = f.node_id AND n.tenant_id = f.tenant_id
 WHERE f.tenant_id = current_tenant()
 ORDER BY 1, 2, 3;

-- tenant B sees nothing of A, and its own run finds nothing
SELECT set_tenant('regress_match_b') > 0;
SELECT count(*) AS b_findings FROM findings WHERE tenant_id = current_tenant();
SELECT count(*) AS b_prioritized FROM prioritized_findings;
SELECT * FROM match_vulnerabilities();

-- a non-owner reader of tenant A sees A's findings only, through the view too (security_invoker)
CREATE ROLE regress_match_reader;
GRANT infracast_reader TO regress_match_reader;
INSERT INTO tenant_roles SELECT id, 'regress_match_reader' FROM tenants WHERE name = 'regress_match_a';
SET ROLE regress_match_reader;
SELECT count(*) AS tenant_b_rows FROM infracast.findings;       -- tenant B is still the current one
SELECT infracast.set_tenant('regress_match_a') > 0;
SELECT count(*) > 0 AS sees_own FROM infracast.findings;
SELECT count(DISTINCT node_external_id) AS view_nodes FROM infracast.prioritized_findings;
SAVEPOINT read_only;
UPDATE infracast.findings SET status = 'accepted_risk';
ROLLBACK TO read_only;
SAVEPOINT no_match;
SELECT * FROM infracast.match_vulnerabilities();
ROLLBACK TO no_match;
RESET ROLE;

ROLLBACK;
