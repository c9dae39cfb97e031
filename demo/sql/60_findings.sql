-- Demo step 60 (matching and scoring): give acme's nodes the software they would really run,
-- load a small NVD file of well-known CVEs that the repo carries (test/fixtures/match), match, and
-- print what to fix first, with the reasons.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;

-- Thirteen real CVEs (Log4Shell, Zerologon, PrintNightmare, ProxyShell, regreSSHion, PAN-OS
-- GlobalProtect, Apache path traversal, Spring4Shell on Tomcat...), as an NVD 2.0 feed file.
\set nvd_file `pwd`/test/fixtures/match/nvdcve-2.0-demo-findings.json
\echo
\echo '== matching: loading' :'nvd_file'
SELECT feed, rows, state FROM infracast.load_nvd(:'nvd_file');

-- EPSS and KEV for these CVEs when the loaded feeds do not have them (values as published in 2025;
-- a real installation loads the full KEV and EPSS feeds: docs/feeds.md).
INSERT INTO infracast.kev (cve_id, vendor_project, product, vulnerability_name, date_added, known_ransomware_campaign_use)
VALUES ('CVE-2021-41773', 'Apache', 'HTTP Server', 'Apache HTTP Server Path Traversal', '2021-11-03', 'Unknown'),
       ('CVE-2021-42013', 'Apache', 'HTTP Server', 'Apache HTTP Server Path Traversal', '2021-11-03', 'Known'),
       ('CVE-2021-44228', 'Apache', 'Log4j2', 'Apache Log4j2 Remote Code Execution', '2021-12-10', 'Known'),
       ('CVE-2020-1472', 'Microsoft', 'Netlogon', 'Microsoft Netlogon Privilege Escalation', '2021-11-03', 'Known'),
       ('CVE-2021-34527', 'Microsoft', 'Windows', 'Microsoft Windows Print Spooler RCE', '2021-11-03', 'Known'),
       ('CVE-2021-34473', 'Microsoft', 'Exchange Server', 'Microsoft Exchange Server RCE', '2021-11-03', 'Known'),
       ('CVE-2024-3400', 'Palo Alto Networks', 'PAN-OS', 'PAN-OS GlobalProtect Command Injection', '2024-04-12', 'Unknown'),
       ('CVE-2022-22965', 'VMware', 'Spring Framework', 'Spring Framework RCE', '2022-04-04', 'Known')
ON CONFLICT (cve_id) DO NOTHING;
INSERT INTO infracast.epss (cve, epss, percentile)
VALUES ('CVE-2021-41773', 0.944, 0.999), ('CVE-2021-42013', 0.943, 0.999), ('CVE-2021-44228', 0.944, 1.000),
       ('CVE-2022-0778', 0.041, 0.922), ('CVE-2024-6387', 0.392, 0.972), ('CVE-2023-38408', 0.627, 0.982),
       ('CVE-2020-1472', 0.944, 0.999), ('CVE-2021-34527', 0.943, 0.999), ('CVE-2021-34473', 0.943, 0.999),
       ('CVE-2023-5869', 0.012, 0.786), ('CVE-2021-23017', 0.217, 0.956), ('CVE-2024-3400', 0.943, 0.999),
       ('CVE-2022-22965', 0.944, 0.999)
ON CONFLICT (cve) DO NOTHING;

BEGIN;
SELECT infracast.set_tenant('acme') \gset
-- Software by role (vendor/name/version as an inventory tool reports them, CPEs where it gives them).
INSERT INTO infracast.software (node_id, name, vendor, version, cpe, source)
SELECT n.id, s.name, s.vendor, s.version, s.cpe, 'demo'
  FROM infracast.nodes n
  JOIN LATERAL (
      SELECT * FROM (VALUES
        -- DMZ web servers: two left behind on old Apache releases, one on nginx
        ('web-%', 'Ubuntu Linux', NULL, NULL, 'cpe:2.3:o:canonical:ubuntu_linux:20.04:*:*:*:lts:*:*:*'),
        ('web-%', 'OpenSSL', 'OpenSSL', '1.1.1f', NULL),
        ('web-%', 'OpenSSH', 'OpenBSD', '8.2p1', NULL),
        ('web-1', 'HTTP Server', 'Apache', '2.4.49', NULL),
        ('web-2', 'HTTP Server', 'Apache', '2.4.50', NULL),
        ('web-3', 'HTTP Server', 'Apache', '2.4.62', NULL),
        ('web-4', 'nginx', 'F5', '1.18.0', NULL),
        ('web-5', 'HTTP Server', 'Apache', '2.4.62', NULL),
        ('web-6', 'HTTP Server', 'Apache', '2.4.62', NULL),
        ('mail-1', 'Exchange Server', NULL, NULL, 'cpe:2.3:a:microsoft:exchange_server:2016:cumulative_update_19:*:*:*:*:*:*'),
        ('mail-1', 'Windows Server 2016', NULL, NULL, 'cpe:/o:microsoft:windows_server_2016:-'),
        ('fw-edge', 'PAN-OS', 'Palo Alto Networks', '10.2.7-h8', 'cpe:2.3:o:paloaltonetworks:pan-os:10.2.7-h8:*:*:*:*:*:*:*'),
        -- application VMs: Java services, some still on Log4j 2.14 and Spring on Tomcat
        ('app-%', 'OpenSSH', 'OpenBSD', '9.6p1', NULL),
        ('app-1', 'log4j', 'Apache', '2.14.1', NULL),
        ('app-2', 'log4j', 'Apache', '2.14.1', NULL),
        ('app-3', 'log4j', 'Apache', '2.17.2', NULL),
        ('app-4', 'spring_framework', 'VMware', '5.3.17', NULL),
        ('app-4', 'Tomcat', 'Apache', '9.0.58', NULL),
        ('app-5', 'spring_framework', 'VMware', '5.3.17', NULL),      -- not on Tomcat: not affected
        -- data tier
        ('db-finance', 'PostgreSQL', 'PostgreSQL', '13.10', NULL),
        ('db-web', 'PostgreSQL', 'PostgreSQL', '15.5', NULL),
        ('db-hr', 'SQL Server 2017', 'Microsoft', '14.0.3465.1', NULL),
        -- Windows estate
        ('dc-%', 'Windows Server 2016', NULL, NULL, 'cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*'),
        ('fs-%', 'Windows Server 2019', NULL, NULL, 'cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*'),
        ('ws-%', 'Windows 10 21H2', NULL, NULL, 'cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:*:*')
      ) v(pattern, name, vendor, version, cpe)
       WHERE n.external_id LIKE v.pattern) s ON true
 WHERE n.tenant_id = infracast.current_tenant();
\echo
\echo '== matching: acme''s software against the loaded NVD data'
SELECT * FROM infracast.match_vulnerabilities();
COMMIT;

BEGIN;
SELECT infracast.set_tenant('acme') \gset
\echo
\echo '== findings by priority band (SSVC-style: act > attend > track* > track)'
SELECT priority, count(*) AS findings, count(DISTINCT node_id) AS nodes, count(DISTINCT cve_id) AS cves,
       round(max(risk)::numeric, 1) AS max_risk
  FROM infracast.prioritized_findings
 GROUP BY priority ORDER BY max(infracast.risk_priority_rank(priority)) DESC;

\echo
\echo '== top 12 findings to fix first, with the reasons'
SELECT rank, priority, round(risk::numeric, 1) AS risk, cve_id, node_external_id AS node,
       software || coalesce(' ' || software_version, '') AS software, reasons
  FROM infracast.prioritized_findings ORDER BY rank LIMIT 12;

\echo
\echo '== the attack graph learned these exploits (can_exploit edges from vulnerabilities)'
SELECT s.external_id AS "from", d.external_id AS "to", round(e.likelihood::numeric, 3) AS likelihood,
       e.attrs -> 'cves' AS cves
  FROM infracast.edges e
  JOIN infracast.nodes s ON s.tenant_id = e.tenant_id AND s.id = e.src
  JOIN infracast.nodes d ON d.tenant_id = e.tenant_id AND d.id = e.dst
 WHERE e.tenant_id = infracast.current_tenant() AND e.kind = 'can_exploit'
 ORDER BY e.likelihood DESC, 1, 2 LIMIT 10;

\echo
\echo '== patching: web-1 and web-2 move to Apache 2.4.62, app-1 to Log4j 2.17.2; then re-run'
UPDATE infracast.software SET version = '2.4.62'
 WHERE name = 'HTTP Server' AND node_id IN (SELECT id FROM infracast.nodes WHERE external_id IN ('web-1', 'web-2') AND tenant_id = infracast.current_tenant());
UPDATE infracast.software SET version = '2.17.2'
 WHERE name = 'log4j' AND node_id = (SELECT id FROM infracast.nodes WHERE external_id = 'app-1' AND tenant_id = infracast.current_tenant());
SELECT * FROM infracast.match_vulnerabilities();
COMMIT;
