-- Licence under the development licence the harness installs: status, features, the licensable node
-- counter across tenants (whatever the caller's row-level security view) and who may do what.
\set VERBOSITY terse
\pset null (null)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

SELECT state, license_id, tier, node_limit, features, offline_mode, development_key, key_fingerprint,
       claims ->> 'purpose' AS purpose, unknown_claims, fix,
       reason LIKE '%(development key: not for production)' AS reason_says_development,
       license_file LIKE '%/license.json' AS file_shown_to_superuser,
       features_in_force = features AS features_in_force
  FROM infracast.license_status();

-- features
SELECT infracast.require_feature('attack_paths');
SELECT infracast.has_feature('reports'), infracast.has_feature('compliance');
SELECT infracast.require_feature('teleportation');
SELECT infracast.require_feature(NULL);
SELECT infracast.require_valid_license('run discovery');

-- the counter: licensable kinds only, across tenants, for any caller
SELECT name FROM infracast.node_kinds WHERE builtin AND licensable ORDER BY name;
SELECT name FROM infracast.node_kinds WHERE builtin AND NOT licensable ORDER BY name;

SELECT nodes_used AS used_before FROM infracast.license_status() \gset
SELECT infracast.create_tenant('regress_lic_one') > 0 AS one, infracast.create_tenant('regress_lic_two') > 0 AS two;
CREATE ROLE regress_lic_analyst;
GRANT infracast_analyst TO regress_lic_analyst;
INSERT INTO infracast.tenant_roles
SELECT id, 'regress_lic_analyst' FROM infracast.tenants WHERE name IN ('regress_lic_one', 'regress_lic_two');

SET ROLE regress_lic_analyst;
SELECT infracast.set_tenant('regress_lic_one', false) > 0 AS set;
INSERT INTO infracast.nodes (external_id, kind) VALUES
    ('web1', 'host'), ('web2', 'host'), ('fw1', 'firewall'), ('db1', 'database'),
    ('alice', 'account'), ('admins', 'group'), ('http', 'service');
SELECT nodes_used - :used_before AS added_by_one FROM infracast.license_status();
SELECT infracast.set_tenant('regress_lic_two', false) > 0 AS set;
SELECT nodes_inserted FROM infracast.import_graph(
    '{"graph":{"nodes":[{"id":"vm1","kinds":["vm"]},{"id":"bob","kinds":["user"]},{"id":"bucket","kinds":["cloud_resource"]}],"edges":[]}}');
-- this tenant sees 3 rows; the count covers both tenants
SELECT count(*) AS visible FROM infracast.nodes;
SELECT nodes_used - :used_before AS added_by_both FROM infracast.license_status();
-- re-importing the same nodes adds nothing
SELECT nodes_inserted, nodes_updated FROM infracast.import_graph(
    '{"graph":{"nodes":[{"id":"vm1","kinds":["vm"]},{"id":"bob","kinds":["user"]},{"id":"bucket","kinds":["cloud_resource"]}],"edges":[]}}');
SELECT nodes_used - :used_before AS after_reimport FROM infracast.license_status();
-- a kind change moves a node in or out of the count
UPDATE infracast.nodes SET kind = 'host' WHERE external_id = 'bob';
SELECT nodes_used - :used_before AS bob_became_a_host FROM infracast.license_status();
UPDATE infracast.nodes SET kind = 'account' WHERE external_id IN ('bob', 'vm1');
SELECT nodes_used - :used_before AS both_accounts FROM infracast.license_status();
DELETE FROM infracast.nodes WHERE external_id = 'bucket';
SELECT nodes_used - :used_before AS bucket_deleted FROM infracast.license_status();
-- the counter and the memory are not for reading directly
SELECT nodes_used FROM infracast.license_usage;
SELECT highest_seen FROM infracast.license_memory;
-- nor is the path of the licence file
SELECT state, license_file FROM infracast.license_status();
SELECT infracast.license_recount();
SELECT infracast.license_clock_reset();
RESET ROLE;

-- only a superuser decides which kinds count: not even the operator, who may add kinds
CREATE ROLE regress_lic_admin;
GRANT infracast_operator TO regress_lic_admin;
SET ROLE regress_lic_admin;
UPDATE infracast.node_kinds SET licensable = false WHERE name = 'host';
INSERT INTO infracast.node_kinds (name, licensable) VALUES ('regress_lic_printer', false);
INSERT INTO infracast.node_kinds (name) VALUES ('regress_lic_sensor');
SELECT licensable FROM infracast.node_kinds WHERE name = 'regress_lic_sensor';
RESET ROLE;
-- a role outside Infracast cannot look at the licence
CREATE ROLE regress_lic_stranger;
GRANT USAGE ON SCHEMA infracast TO regress_lic_stranger;
SET ROLE regress_lic_stranger;
SELECT state FROM infracast.license_status();
RESET ROLE;

-- the recount agrees with the counter the triggers kept
SELECT infracast.license_recount() = nodes_used AS counter_is_exact FROM infracast.license_status();

-- deleting a tenant deletes its nodes and gives their slots back
DELETE FROM infracast.tenants WHERE name IN ('regress_lic_one', 'regress_lic_two');
SELECT nodes_used - :used_before AS after_tenants_deleted FROM infracast.license_status();

DELETE FROM infracast.node_kinds WHERE name = 'regress_lic_sensor';
DROP ROLE regress_lic_analyst;
DROP ROLE regress_lic_admin;
REVOKE USAGE ON SCHEMA infracast FROM regress_lic_stranger;
DROP ROLE regress_lic_stranger;
