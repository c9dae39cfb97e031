-- Assessments of a tenant against MODERATE with the starter rules: states, overlays, evidence with
-- its sha256, the OSCAL view, scores (XCCDF default and flat, CIS), "fixed" on the next run, and
-- tenant isolation.
\set VERBOSITY terse
-- Leave the database as found: the extension is dropped again at the end when this file made it.
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS comp_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

SELECT infracast.create_tenant('comp_a') > 0 AS a, infracast.create_tenant('comp_b') > 0 AS b;
SELECT infracast.set_tenant('comp_a', false) > 0 AS set;
-- an internet-facing host, a crown-jewel database, two accounts with admin paths to it (one
-- approved, one through a group), one without
SELECT nodes_inserted, edges_inserted FROM infracast.import_graph('{"graph": {"nodes": [
  {"id": "web", "kinds": ["host"], "properties": {"entry_point": true}},
  {"id": "db", "kinds": ["database"], "properties": {"crown_jewel": true}},
  {"id": "alice", "kinds": ["account"], "properties": {"admin_approved": true}},
  {"id": "bob", "kinds": ["account"]},
  {"id": "carol", "kinds": ["account"]},
  {"id": "dbas", "kinds": ["group"]}],
 "edges": [{"start": "web", "end": "db", "kind": "reach"},
           {"start": "alice", "end": "db", "kind": "admin_to"},
           {"start": "bob", "end": "dbas", "kind": "member_of"},
           {"start": "dbas", "end": "db", "kind": "admin_to"},
           {"start": "carol", "end": "web", "kind": "admin_to"}]}}', true);
-- an exploited vulnerability past its due date, open on the web host (a KEV row of our own)
INSERT INTO infracast.kev (cve_id, vendor_project, product, due_date) VALUES ('CVE-2099-90001', 'test', 'test', DATE '2020-01-31');
INSERT INTO infracast.findings (node_id, cve_id, status)
SELECT id, 'CVE-2099-90001', 'open' FROM infracast.nodes WHERE external_id = 'web';
-- an admin without MFA, a reader with it
INSERT INTO infracast.users (username, role, password_hash, totp_secret, totp_enabled) VALUES
    ('root', 'infracast_admin', '$argon2id$test', NULL, false),
    ('viewer', 'infracast_reader', '$argon2id$test', '\x00'::bytea, true);
-- a waiver on AC-6 and an open POA&M item on RA-5
INSERT INTO infracast.compliance_waivers (control_id, reason, approved_by) VALUES ('AC-6', 'break-glass account, reviewed monthly', 'ciso');
INSERT INTO infracast.compliance_poam_items (control_id, title, due_date) VALUES ('ra-5', 'patch the web host', DATE '2027-01-31');

SELECT infracast.compliance_assess('moderate') AS first \gset
SELECT profile, catalog, finished_at IS NOT NULL AS finished, counts FROM infracast.compliance_assessments WHERE id = :first;
-- every control of the baseline has a result; the rest of the mapped controls are not_selected
SELECT state, count(*) FROM infracast.compliance_results WHERE assessment_id = :first GROUP BY state ORDER BY state;
SELECT control_id, state, waived, poam_open, rules, reason FROM infracast.compliance_results
 WHERE assessment_id = :first AND state <> 'not_checked' OR (assessment_id = :first AND control_id = 'sc-8')
 ORDER BY control_id;
-- evidence: one row per subject judged, raw output hashed
SELECT rule_id, subject, method, result FROM infracast.compliance_evidence
 WHERE assessment_id = :first AND rule_id <> 'stale_feeds' ORDER BY rule_id, subject;
SELECT subject, result FROM infracast.compliance_evidence WHERE assessment_id = :first AND rule_id = 'stale_feeds' ORDER BY subject;
SELECT count(*) AS evidence, count(*) FILTER (WHERE raw_sha256 = encode(sha256(convert_to(raw_output, 'UTF8')), 'hex')) AS hash_ok,
       count(*) FILTER (WHERE raw_output::jsonb ->> 'result' = result) AS raw_matches
  FROM infracast.compliance_evidence WHERE assessment_id = :first;
SELECT detail FROM infracast.compliance_evidence WHERE assessment_id = :first AND rule_id = 'admin_paths_to_crown_jewels' ORDER BY subject;
-- the failing controls with their evidence, through the views
SELECT f.control_id, f.label, f.oscal_status, e.part_id, e.subject, e.result
  FROM infracast.compliance_findings f
  JOIN infracast.compliance_control_evidence e USING (tenant_id, assessment_id, control_id)
 WHERE f.assessment_id = :first AND f.state = 'fail' AND e.result = 'fail' ORDER BY 1, 5;
SELECT oscal_status, count(*) FROM infracast.compliance_findings WHERE assessment_id = :first GROUP BY 1 ORDER BY 1;
-- scores per family (only those with a counted control) and for the baseline
SELECT family, controls, counted, passed, failed, other, waived, default_score, flat_score, flat_max, cis_score, cis_max
  FROM infracast.compliance_scores(:first) WHERE counted > 0 OR family IS NULL;

-- The same assessment as an OSCAL assessment-results document
SELECT infracast.compliance_oscal_results(:first) AS ar \gset
SELECT jsonb_array_length(r -> 'reviewed-controls' -> 'control-selections' -> 0 -> 'include-controls') AS reviewed,
       jsonb_array_length(r -> 'observations') AS observations, jsonb_array_length(r -> 'findings') AS findings,
       (SELECT string_agg(f -> 'target' ->> 'target-id' || '=' || (f -> 'target' -> 'status' ->> 'state'), ' ' ORDER BY f -> 'target' ->> 'target-id')
          FROM jsonb_array_elements(r -> 'findings') f) AS statuses,
       (SELECT count(*) FROM jsonb_array_elements(r -> 'findings') f, jsonb_array_elements(f -> 'related-observations') ro
         WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r -> 'observations') o WHERE o ->> 'uuid' = ro ->> 'observation-uuid')) AS dangling,
       (SELECT count(*) FROM jsonb_array_elements(r -> 'observations') o
         WHERE o -> 'relevant-evidence' -> 0 -> 'props' -> 0 ->> 'value' = encode(sha256(convert_to(o -> 'relevant-evidence' -> 0 ->> 'description', 'UTF8')), 'hex')) AS hashes_match
  FROM (SELECT (:'ar'::jsonb) -> 'assessment-results' -> 'results' -> 0 AS r) x;
SELECT infracast.compliance_oscal_results(:first) = :'ar'::jsonb AS stable;

-- Fix the vulnerability and enable the admin's MFA: the next run says fixed.
UPDATE infracast.findings SET status = 'fixed', fixed_at = now() WHERE cve_id = 'CVE-2099-90001';
UPDATE infracast.users SET totp_secret = '\x00'::bytea, totp_enabled = true WHERE username = 'root';
SELECT infracast.compliance_assess('nist-800-53-rev5-moderate') AS second \gset
SELECT control_id, state, replace(reason, :'first', 'FIRST') AS reason FROM infracast.compliance_results
 WHERE assessment_id = :second AND control_id IN ('ra-5', 'si-2', 'ia-2.1', 'ac-6') ORDER BY control_id;
SELECT family, counted, passed, failed, default_score, flat_score, flat_max FROM infracast.compliance_scores(:second) WHERE family IS NULL;

-- A rule that breaks is an error with its message, not a failed assessment.
INSERT INTO infracast.compliance_rules (id, title, decides, check_sql) VALUES ('broken_rule', 'Broken', 'nothing', 'SELECT 1/0, ''pass'', NULL::jsonb');
INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, source) VALUES ('broken_rule', 'nist-800-53-rev5', 'au-2', 'test');
SELECT infracast.compliance_assess('low') AS third \gset
SELECT r.control_id, r.state, e.detail ->> 'sqlstate' AS sqlstate, e.detail ->> 'message' AS message
  FROM infracast.compliance_results r JOIN infracast.compliance_evidence e ON e.tenant_id = r.tenant_id AND e.assessment_id = r.assessment_id
 WHERE r.assessment_id = :third AND r.control_id = 'au-2' AND e.rule_id = 'broken_rule';
SELECT count(*) AS low_results FROM infracast.compliance_results WHERE assessment_id = :third AND state <> 'not_selected';
DELETE FROM infracast.compliance_rules WHERE id = 'broken_rule';

-- Tenant isolation: as a reader of tenant comp_b, none of comp_a's assessments show.
CREATE ROLE regress_comp_reader;
GRANT infracast_reader TO regress_comp_reader;
INSERT INTO infracast.tenant_roles (tenant_id, role_name)
SELECT id, 'regress_comp_reader' FROM infracast.tenants WHERE name = 'comp_b';
BEGIN;
SET LOCAL ROLE regress_comp_reader;
SELECT infracast.set_tenant('comp_b') > 0 AS set;
SELECT (SELECT count(*) FROM infracast.compliance_assessments) AS assessments, (SELECT count(*) FROM infracast.compliance_results) AS results,
       (SELECT count(*) FROM infracast.compliance_evidence) AS evidence, (SELECT count(*) FROM infracast.compliance_waivers) AS waivers;
SELECT count(*) AS catalogue_visible FROM infracast.compliance_controls WHERE catalog = 'nist-800-53-rev5';
ROLLBACK;
DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_comp_reader';
DROP ROLE regress_comp_reader;

-- The other tests share this database: take our tenants (and their rows, by cascade) and KEV row away.
SELECT infracast.set_tenant('comp_a', false) > 0 AS set;
DELETE FROM infracast.tenants WHERE name IN ('comp_a', 'comp_b');
DELETE FROM infracast.kev WHERE cve_id = 'CVE-2099-90001';
SELECT count(*) AS left_behind FROM infracast.compliance_assessments;
\if :comp_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
