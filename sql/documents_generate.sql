-- Documents of a small tenant: what the SSP, assessment results and POA&M say, the stored report
-- and its sha256, the REST wrappers, the errors (IC001, IC801, IC802, P0002, 22023, 42501) and
-- tenant isolation of stored documents. test/integration/documents_oscal.sh checks the structure
-- on the demo enterprise; documents_license.sh the licence gate.
\set VERBOSITY terse
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS docs_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

SELECT infracast.create_tenant('docs_a', '{"system": {"name": "Docs A", "impact": "low"}}') > 0 AS a,
       infracast.create_tenant('docs_b') > 0 AS b;
-- no tenant: IC001
SELECT infracast.oscal_ssp();
SELECT infracast.set_tenant('docs_a', false) > 0 AS set;
SELECT nodes_inserted, edges_inserted FROM infracast.import_graph('{"graph": {"nodes": [
  {"id": "inet", "kinds": ["internet"], "properties": {"entry_point": true}},
  {"id": "web", "kinds": ["host"], "properties": {"name": "web.docs.example", "addresses": ["10.0.0.5", "fd00::5"], "mac": "00:11:22:33:44:55", "location": "rack 1"}},
  {"id": "db", "kinds": ["database"], "properties": {"crown_jewel": true, "criticality": "critical"}},
  {"id": "alice", "kinds": ["account"]}],
 "edges": [{"start": "inet", "end": "web", "kind": "reach"}, {"start": "web", "end": "db", "kind": "reach"},
           {"start": "alice", "end": "db", "kind": "admin_to"}]}}', true);
INSERT INTO infracast.software (node_id, name, vendor, version, cpe)
SELECT id, 'nginx', 'f5', '1.20.0', 'cpe:2.3:a:f5:nginx:1.20.0:*:*:*:*:*:*:*' FROM infracast.nodes
 WHERE tenant_id = infracast.current_tenant() AND external_id = 'web';
INSERT INTO infracast.kev (cve_id, vendor_project, product, due_date) VALUES ('CVE-2099-70001', 'test', 'test', DATE '2099-01-15');
INSERT INTO infracast.findings (node_id, software_id, cve_id, status, priority, risk, first_seen)
SELECT s.node_id, s.id, 'CVE-2099-70001', 'open', 'act', 88, TIMESTAMPTZ '2026-11-20 00:00Z'
  FROM infracast.software s WHERE s.tenant_id = infracast.current_tenant();

-- the SSP before any assessment: every control planned
SELECT d #>> '{system-security-plan,metadata,last-modified}' AS last_modified,
       d #>> '{system-security-plan,system-characteristics,system-name}' AS system_name,
       d #>> '{system-security-plan,system-characteristics,security-sensitivity-level}' AS level,
       d #>> '{system-security-plan,uuid}' AS uuid,
       jsonb_array_length(d #> '{system-security-plan,control-implementation,implemented-requirements}') AS requirements
  FROM infracast.oscal_ssp('low', '2026-12-01 00:00Z') d;
SELECT DISTINCT r #>> '{by-components,0,implementation-status,state}' AS state
  FROM jsonb_array_elements(infracast.oscal_ssp('low', '2026-12-01 00:00Z') #> '{system-security-plan,control-implementation,implemented-requirements}') r;
-- the assets (web and db, not the internet or the account) and their props
SELECT i ->> 'description' AS asset, (SELECT string_agg(p ->> 'name' || '=' || (p ->> 'value'), ' ' ORDER BY p ->> 'name')
                                        FROM jsonb_array_elements(i -> 'props') p) AS props,
       jsonb_array_length(i -> 'implemented-components') AS components
  FROM jsonb_array_elements(infracast.oscal_ssp('low', '2026-12-01 00:00Z') #> '{system-security-plan,system-implementation,inventory-items}') i;
SELECT c ->> 'type' AS type, c ->> 'title' AS title
  FROM jsonb_array_elements(infracast.oscal_ssp('low', '2026-12-01 00:00Z') #> '{system-security-plan,system-implementation,components}') c;
-- as_of is the only thing that moves
SELECT infracast.oscal_ssp('low', '2026-12-01 00:00Z') #- '{system-security-plan,metadata}'
     = infracast.oscal_ssp('low', '2027-01-01 00:00Z') #- '{system-security-plan,metadata}' AS same_apart_from_metadata;

-- no assessment yet: IC802
SELECT infracast.oscal_assessment_results();
SELECT infracast.compliance_assess('low') > 0 AS assessed;
SELECT f -> 'target' ->> 'target-id' AS target, f #>> '{target,status,state}' AS state
  FROM jsonb_array_elements(infracast.oscal_assessment_results(NULL, '2026-12-01 00:00Z') #> '{assessment-results,results,0,findings}') f
 ORDER BY 1;
-- after the assessment the SSP tells the decided controls apart
SELECT r ->> 'control-id' AS control, r #>> '{by-components,0,implementation-status,state}' AS state
  FROM jsonb_array_elements(infracast.oscal_ssp('low', '2026-12-01 00:00Z') #> '{system-security-plan,control-implementation,implemented-requirements}') r
 WHERE r #>> '{by-components,0,implementation-status,state}' <> 'planned' ORDER BY 1;

-- the POA&M: the finding (KEV due date) and the attack path from the internet to db
SELECT r ->> 'title' AS risk, r ->> 'deadline' AS deadline,
       (SELECT p ->> 'value' FROM jsonb_array_elements(r -> 'props') p WHERE p ->> 'name' = 'deadline-source') AS source
  FROM jsonb_array_elements(infracast.oscal_poam('2026-12-01 00:00Z') #> '{plan-of-action-and-milestones,risks}') r ORDER BY 1;
SELECT jsonb_array_length(infracast.oscal_poam('2026-12-01 00:00Z') #> '{plan-of-action-and-milestones,poam-items}') AS items;

-- CSVs
SELECT infracast.inventory_csv('hardware', '2026-12-01 00:00Z');
SELECT infracast.inventory_csv('software', '2026-12-01 00:00Z');
SELECT infracast.inventory_csv('firmware');
SELECT split_part(infracast.poam_csv('2026-12-01 00:00Z'), E'\r\n', 2) AS first_row;

-- the report, stored with its sha256
SELECT infracast.generate_report('2026-12-01 00:00Z') AS report_id \gset
SELECT kind, filename, media_type, bytes = octet_length(content) AS bytes_ok,
       sha256 = encode(sha256(convert_to(content, 'UTF8')), 'hex') AS sha_ok,
       content LIKE '<!DOCTYPE html>%' AND content NOT LIKE '%<script%' AS html
  FROM infracast.reports WHERE id = :report_id;
SELECT (regexp_matches(content, '<section id="([a-z-]+)">', 'g'))[1] AS section FROM infracast.reports WHERE id = :report_id;
-- a stored document cannot be altered behind its hash
UPDATE infracast.reports SET content = content || 'x' WHERE id = :report_id;
SELECT (infracast.store_document('poam-csv', 'low', '2026-12-01 00:00Z')).filename;
SELECT infracast.store_document('pdf');

-- the REST wrappers
SELECT d - 'content' - 'sha256' - 'bytes' AS generated FROM infracast_api.document_generate('{"kind": "inventory", "as_of": "2026-12-01T00:00:00Z"}') d;
SELECT d ->> 'sha256' = encode(sha256(convert_to(d ->> 'content', 'UTF8')), 'hex') AS sha_ok
  FROM infracast_api.document_generate('{"kind": "ssp", "profile": "low"}') d;
SELECT d ->> 'kind' AS kind, d ->> 'filename' AS filename FROM infracast_api.document_store('{"kind": "poam"}') d;
SELECT kind, filename FROM infracast_api.documents ORDER BY id;
SELECT (infracast_api.document_get(jsonb_build_object('id', :report_id)) ->> 'content') LIKE '<!DOCTYPE html>%' AS got;
SELECT infracast_api.document_get('{"id": 999999}');
SELECT infracast_api.document_get('{}');
SELECT infracast_api.document_generate('{"kind": 3}');
-- a reader generates but does not store
CREATE ROLE regress_docs_reader IN ROLE infracast_reader;
INSERT INTO infracast.tenant_roles (tenant_id, role_name) SELECT id, 'regress_docs_reader' FROM infracast.tenants WHERE name = 'docs_a';
BEGIN;
SET LOCAL ROLE regress_docs_reader;
SELECT infracast.set_tenant('docs_a') > 0 AS set;
SELECT length(infracast_api.document_generate('{"kind": "report"}') ->> 'content') > 1000 AS reader_generates;
SAVEPOINT s;
SELECT infracast_api.document_store('{"kind": "report"}');
ROLLBACK TO SAVEPOINT s;
SELECT count(*) AS reader_sees FROM infracast_api.documents;
ROLLBACK;

-- the other tenant sees none of docs_a's documents
SELECT infracast.set_tenant('docs_b', false) > 0 AS set;
-- (as a role that RLS applies to: superusers bypass it)
SET ROLE infracast_analyst;
SELECT count(*) AS analyst_in_docs_b_sees FROM infracast.reports;
RESET ROLE;

DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_docs_reader';
DROP ROLE regress_docs_reader;
SELECT infracast.set_tenant('docs_a', false) > 0 AS set;
DELETE FROM infracast.kev WHERE cve_id = 'CVE-2099-70001';
\if :docs_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\else
RESET infracast.tenant_id;
DELETE FROM infracast.tenants WHERE name IN ('docs_a', 'docs_b');
\endif
