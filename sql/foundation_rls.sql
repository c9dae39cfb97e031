-- Tenant isolation: a role that is neither superuser, owner nor BYPASSRLS sees and changes only
-- its current tenant's rows, and nothing when no tenant is set.
\set VERBOSITY terse
CREATE EXTENSION IF NOT EXISTS infracast;
SELECT infracast.create_tenant('fr_a') > 0 AS created;
SELECT infracast.create_tenant('fr_b') > 0 AS created;
SELECT infracast.set_tenant('fr_a');  -- transaction-local: this statement only
BEGIN;
SELECT infracast.set_tenant('fr_a') > 0 AS set;
SELECT nodes_inserted FROM infracast.import_graph('{"graph":{"nodes":[{"id":"a1","kinds":["host"]},{"id":"a2","kinds":["account"]}],"edges":[{"start":"a2","end":"a1","kind":"admin_to"}]}}');
INSERT INTO infracast.software (node_id, name) SELECT id, 'openssl' FROM infracast.nodes WHERE external_id = 'a1';
COMMIT;
BEGIN;
SELECT infracast.set_tenant('fr_b') > 0 AS set;
SELECT nodes_inserted FROM infracast.import_graph('{"graph":{"nodes":[{"id":"b1","kinds":["host"]},{"id":"b2","kinds":["account"]}],"edges":[{"start":"b2","end":"b1","kind":"admin_to"}]}}');
INSERT INTO infracast.software (node_id, name) SELECT id, 'openssh' FROM infracast.nodes WHERE external_id = 'b1';
COMMIT;

CREATE ROLE regress_fr_analyst;
CREATE ROLE regress_fr_reader;
GRANT infracast_analyst TO regress_fr_analyst;
GRANT infracast_reader TO regress_fr_reader;
INSERT INTO infracast.tenant_roles
SELECT id, r FROM infracast.tenants, unnest(ARRAY['regress_fr_analyst', 'regress_fr_reader']) r WHERE name = 'fr_a';

SELECT id AS b_id FROM infracast.tenants WHERE name = 'fr_b' \gset
SET SESSION AUTHORIZATION regress_fr_analyst;
-- no tenant set: nothing visible, nothing changeable
SELECT count(*) AS nodes_without_tenant FROM infracast.nodes;
SELECT count(*) AS edges_without_tenant FROM infracast.edges;
SELECT count(*) AS software_without_tenant FROM infracast.software;
SELECT count(*) AS tenants_without_tenant FROM infracast.tenants;
UPDATE infracast.nodes SET name = 'x';
DELETE FROM infracast.edges;

SELECT infracast.set_tenant('fr_a', false) > 0 AS set;
SELECT external_id FROM infracast.nodes ORDER BY 1;
SELECT count(*) AS edges FROM infracast.edges;
SELECT name FROM infracast.software ORDER BY 1;
-- tenant B's rows are out of reach: reads by id, updates and deletes touch nothing
SELECT count(*) AS b_rows FROM infracast.nodes WHERE external_id LIKE 'b%';
UPDATE infracast.nodes SET name = 'pwned' WHERE external_id = 'b1';
DELETE FROM infracast.nodes WHERE external_id = 'b2';
UPDATE infracast.software SET version = '0' WHERE name = 'openssh';
-- it cannot write rows into tenant B, nor move its rows there
INSERT INTO infracast.nodes (tenant_id, external_id, kind) VALUES (:b_id, 'planted', 'host');
SELECT count(*) AS sees_tenant_b_row FROM infracast.tenants WHERE name = 'fr_b';
UPDATE infracast.nodes SET tenant_id = tenant_id + 1 WHERE external_id = 'a1';
-- nor switch to tenant B
SELECT infracast.set_tenant('fr_b');
-- its own tenant it can change
UPDATE infracast.nodes SET name = 'renamed' WHERE external_id = 'a1';
-- and it cannot administer kinds or tenants
INSERT INTO infracast.node_kinds (name) VALUES ('evil');
DELETE FROM infracast.tenants;
RESET SESSION AUTHORIZATION;

-- a reader reads its tenant and cannot write
SET SESSION AUTHORIZATION regress_fr_reader;
SELECT infracast.set_tenant('fr_a', false) > 0 AS set;
SELECT external_id, name FROM infracast.nodes ORDER BY 1;
INSERT INTO infracast.nodes (external_id, kind) VALUES ('r1', 'host');
UPDATE infracast.nodes SET name = 'reader-was-here';
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"r2","kinds":["host"]}]}}');
RESET SESSION AUTHORIZATION;

-- as superuser (bypasses RLS): tenant B is untouched
RESET infracast.tenant_id;
SELECT t.name, n.external_id, n.name FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id
 WHERE t.name LIKE 'fr\_%' ORDER BY 1, 2;
SELECT t.name, s.name, s.version FROM infracast.software s JOIN infracast.tenants t ON t.id = s.tenant_id
 WHERE t.name LIKE 'fr\_%' ORDER BY 1, 2;

-- RLS is enabled and forced on every table that has a tenant_id
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'infracast' AND c.relkind = 'r'
   AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
        OR c.relname = 'tenants')
   AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
 ORDER BY 1;

DELETE FROM infracast.tenant_roles WHERE role_name LIKE 'regress_fr_%';
DROP ROLE regress_fr_analyst;
DROP ROLE regress_fr_reader;
DELETE FROM infracast.tenants WHERE name LIKE 'fr\_%';
