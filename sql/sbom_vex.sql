-- SBOM to findings to OBOM, and VEX analyses kept across re-runs: an SBOM is imported, matched by
-- infracast.match_vulnerabilities() against synthetic NVD rows (CVE-2099-*, rolled back at the end),
-- analysed with set_vex(), and exported; then the same SBOM is imported again, a newer SBOM upgrades
-- a package (a new software row: the old finding is fixed, a new one opens), matching runs again,
-- and every analysis is still there, because it is keyed by (vulnerability, package, distro).
-- pg_regress runs as a superuser (no row-level security): queries filter on the tenant themselves.
\set VERBOSITY terse
\pset null (null)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
BEGIN;
SELECT infracast.create_tenant('regress_sbom_vex') > 0 AS created;
SELECT infracast.set_tenant('regress_sbom_vex') > 0 AS tenant_set;
INSERT INTO infracast.nodes (external_id, kind, name) VALUES ('db-1', 'host', 'database one');

CREATE FUNCTION pg_temp.add_match(p_cve text, p_criteria text, p_end_excl text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO infracast.cve_cpe_match (cve_id, config_index, config_operator, node_index, node_operator, node_negate,
        match_index, vulnerable, criteria, part, vendor, product, version, cpe_update, edition, language,
        sw_edition, target_sw, target_hw, other, version_end_excluding)
    SELECT p_cve, 0, NULL, 0, 'OR', false, 0, true, p_criteria,
           infracast.cpe_value(c, 'part'), infracast.cpe_value(c, 'vendor'), infracast.cpe_value(c, 'product'),
           infracast.cpe_value(c, 'version'), infracast.cpe_value(c, 'update'), '*', '*', '*', '*', '*', '*', p_end_excl
      FROM (SELECT p_criteria::infracast.cpe AS c) x
$$;
INSERT INTO infracast.cve (id, last_modified, vuln_status, nvd_feed, description, cvss_v31_score, cvss_v31_severity, cvss_v31_vector) VALUES
    ('CVE-2099-7001', now(), 'Analyzed', 'regress', 'regresspkg overflow', 9.8, 'CRITICAL', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'),
    ('CVE-2099-7002', now(), 'Analyzed', 'regress', 'regresspkg leak', 5.3, 'MEDIUM', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'),
    ('CVE-2099-7003', now(), 'Analyzed', 'regress', 'regresslib injection', 10.0, 'CRITICAL', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H');
SELECT pg_temp.add_match('CVE-2099-7001', 'cpe:2.3:a:*:regresspkg:*:*:*:*:*:*:*:*', '2.0');
SELECT pg_temp.add_match('CVE-2099-7002', 'cpe:2.3:a:*:regresspkg:*:*:*:*:*:*:*:*', '2.0');
SELECT pg_temp.add_match('CVE-2099-7003', 'cpe:2.3:a:regressvendor:regresslib:*:*:*:*:*:*:*:*', '3.0');

-- the SBOM: a distro package (distro from the operating-system component) and a library with a CPE
\set sbom_v1 '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "operating-system", "name": "Debian", "version": "12.5"}, {"type": "library", "name": "regresspkg", "purl": "pkg:deb/debian/regresspkg@1.0-1?arch=amd64"}, {"type": "library", "name": "regresslib", "purl": "pkg:maven/org.regress/regresslib@2.1", "cpe": "cpe:2.3:a:regressvendor:regresslib:2.1:*:*:*:*:*:*:*"}]}'
\set sbom_v2 '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "operating-system", "name": "Debian", "version": "12.5"}, {"type": "library", "name": "regresspkg", "purl": "pkg:deb/debian/regresspkg@1.0-2?arch=amd64"}, {"type": "library", "name": "regresslib", "purl": "pkg:maven/org.regress/regresslib@2.1", "cpe": "cpe:2.3:a:regressvendor:regresslib:2.1:*:*:*:*:*:*:*"}]}'
SELECT inserted, kept, removed, rejected FROM infracast.import_sbom('db-1', :'sbom_v1');
SELECT s.name, s.version, s.cpe, c.package, c.distro FROM infracast.software s
  JOIN infracast.sbom_components c ON c.tenant_id = s.tenant_id AND c.software_id = s.id
 WHERE s.tenant_id = infracast.current_tenant() ORDER BY s.name;
SELECT new_findings, still_open, fixed FROM infracast.match_vulnerabilities();

-- analyses: by full purl (version and arch ignored, distro taken from the purl's qualifier: none
-- here, so every distro), by package and distro, and for the library
SELECT vulnerability, package, distro, state, justification, response, detail
  FROM infracast.set_vex('cve-2099-7001', 'pkg:deb/debian/regresspkg@1.0-1?arch=amd64', 'in_triage');
SELECT vulnerability, package, distro, state, justification, response, detail
  FROM infracast.set_vex('CVE-2099-7001', 'pkg:deb/debian/regresspkg', 'not_affected', 'code_not_reachable',
                         detail => 'the vulnerable parser is not built on Debian', distro => 'debian-12.5');
SELECT vulnerability, package, distro, state, justification, response, detail
  FROM infracast.set_vex('CVE-2099-7003', 'pkg:maven/org.regress/regresslib@2.1', 'exploitable',
                         response => ARRAY['update', 'workaround_available'], detail => 'patch scheduled');
-- a second call updates the statement (one row per vulnerability, package and distro)
SELECT state, response FROM infracast.set_vex('CVE-2099-7003', 'pkg:maven/org.regress/regresslib', 'exploitable',
                                              response => ARRAY['update'], detail => 'patch scheduled');
SELECT vulnerability, package, distro, state FROM infracast.vex WHERE tenant_id = infracast.current_tenant() ORDER BY 1, 2, 3;

-- what the OBOM says (ids, times and the serial number left out)
CREATE FUNCTION pg_temp.obom_vulns() RETURNS TABLE (id text, affects text, state text, justification text,
                                                    response text, detail text, rating text)
LANGUAGE sql AS $$
    SELECT v ->> 'id', c ->> 'name' || '@' || (c ->> 'version'), v #>> '{analysis,state}', v #>> '{analysis,justification}',
           v #>> '{analysis,response}', v #>> '{analysis,detail}',
           (v #>> '{ratings,0,method}') || ' ' || (v #>> '{ratings,0,score}') || ' ' || (v #>> '{ratings,0,severity}')
      FROM (SELECT infracast.export_obom('db-1') AS b) x,
           jsonb_array_elements(x.b -> 'vulnerabilities') v,
           jsonb_array_elements(x.b -> 'components') c
     WHERE c ->> 'bom-ref' = v #>> '{affects,0,ref}'
     ORDER BY 1, 2
$$;
SELECT * FROM pg_temp.obom_vulns();
SELECT b ->> 'bomFormat' AS format, b ->> 'specVersion' AS spec, b -> 'metadata' -> 'component' ->> 'type' AS subject_type,
       b -> 'metadata' -> 'component' ->> 'bom-ref' AS subject_ref, b #>> '{metadata,lifecycles,0,phase}' AS lifecycle,
       b ->> 'serialNumber' ~ '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' AS serial_ok,
       (SELECT string_agg(c ->> 'type' || ' ' || (c ->> 'name') || coalesce(' ' || (c #>> '{properties,0,value}'), ''), ', ' ORDER BY c ->> 'name')
          FROM jsonb_array_elements(b -> 'components') c) AS components,
       jsonb_array_length(b #> '{dependencies,0,dependsOn}') AS depends_on
  FROM (SELECT infracast.export_obom('db-1') AS b) x;

-- re-run 1: the same SBOM again, matching again: nothing changes, the analyses hold
SELECT inserted, kept, removed FROM infracast.import_sbom('db-1', :'sbom_v1');
SELECT new_findings, still_open, fixed FROM infracast.match_vulnerabilities();
SELECT * FROM pg_temp.obom_vulns();

-- re-run 2: regresspkg upgraded to 1.0-2 (still vulnerable): a new software row, new findings, the
-- old ones fixed; the analyses follow the package
SELECT inserted, kept, removed FROM infracast.import_sbom('db-1', :'sbom_v2');
SELECT new_findings, still_open, fixed FROM infracast.match_vulnerabilities();
SELECT * FROM pg_temp.obom_vulns();

-- an accepted risk without a VEX statement is exploitable / will_not_fix, with its note
UPDATE infracast.findings SET status = 'accepted_risk', status_note = 'isolated network'
 WHERE tenant_id = infracast.current_tenant() AND cve_id = 'CVE-2099-7002' AND status = 'open';
SELECT * FROM pg_temp.obom_vulns() WHERE id = 'CVE-2099-7002';

-- clearing an analysis: the distro-wide in_triage comes back where the Debian-specific one was
SELECT infracast.clear_vex('CVE-2099-7001', 'pkg:deb/debian/regresspkg?distro=debian-12.5') AS cleared,
       infracast.clear_vex('CVE-2099-7001', 'pkg:deb/debian/regresspkg', 'debian-12.5') AS cleared_again;
SELECT * FROM pg_temp.obom_vulns() WHERE id = 'CVE-2099-7001';

-- every CycloneDX state goes out as set
CREATE FUNCTION pg_temp.each_state() RETURNS TABLE (state_set text, state_exported text) LANGUAGE plpgsql AS $$
BEGIN
    FOREACH state_set IN ARRAY ARRAY['resolved', 'exploitable', 'in_triage', 'false_positive', 'not_affected'] LOOP
        PERFORM infracast.set_vex('CVE-2099-7003', 'pkg:maven/org.regress/regresslib', state_set,
                                  CASE WHEN state_set = 'not_affected' THEN 'requires_configuration' END);
        SELECT o.state INTO state_exported FROM pg_temp.obom_vulns() o WHERE o.id = 'CVE-2099-7003';
        RETURN NEXT;
    END LOOP;
END $$;
SELECT * FROM pg_temp.each_state();
ROLLBACK;
