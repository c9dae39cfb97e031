-- Nodes, edges and software: defaults, kinds, checks and the graph version.
\set VERBOSITY terse
CREATE EXTENSION IF NOT EXISTS infracast;
SELECT infracast.create_tenant('fi_one') > 0 AS created;
SELECT infracast.create_tenant('fi_two') > 0 AS created;

-- seeded kinds
SELECT name, principal, licensable FROM infracast.node_kinds WHERE builtin ORDER BY name;
SELECT name, likelihood, fix_cost, has_port FROM infracast.edge_kinds WHERE builtin ORDER BY name;

-- no tenant: inserts fail clearly
INSERT INTO infracast.nodes (external_id, kind) VALUES ('x', 'host');

SELECT infracast.set_tenant('fi_one', false) > 0 AS set;
INSERT INTO infracast.nodes (external_id, kind, name, addresses, criticality, crown_jewel, entry_point)
VALUES ('web01', 'HOST', 'web01.example', '{192.0.2.10}', 'high', false, true),
       ('db01', 'database', 'db01.example', '{10.1.0.5}', 'critical', true, false),
       ('alice', 'account', 'alice', '{}', 'medium', false, false);
SELECT external_id, kind, criticality, crown_jewel, entry_point, source FROM infracast.nodes ORDER BY external_id;

-- edge likelihood and fix_cost default from the kind
INSERT INTO infracast.edges (src, dst, kind, port, protocol)
SELECT a.id, b.id, 'reach', 5432, 'tcp' FROM infracast.nodes a, infracast.nodes b
 WHERE a.external_id = 'web01' AND b.external_id = 'db01';
INSERT INTO infracast.edges (src, dst, kind, likelihood)
SELECT a.id, b.id, 'Admin_To', 0.25 FROM infracast.nodes a, infracast.nodes b
 WHERE a.external_id = 'alice' AND b.external_id = 'db01';
SELECT s.external_id AS src, d.external_id AS dst, e.kind, e.likelihood, e.fix_cost, e.port, e.protocol
  FROM infracast.edges e JOIN infracast.nodes s ON s.id = e.src JOIN infracast.nodes d ON d.id = e.dst
 ORDER BY 1, 2;

-- bad input: unknown kinds, likelihood outside (0,1], ports on a kind without them, self-loops
INSERT INTO infracast.nodes (external_id, kind) VALUES ('n1', 'toaster');
INSERT INTO infracast.edges (src, dst, kind)
SELECT a.id, b.id, 'teleports_to' FROM infracast.nodes a, infracast.nodes b WHERE a.external_id = 'web01' AND b.external_id = 'alice';
INSERT INTO infracast.edges (src, dst, kind, likelihood)
SELECT a.id, b.id, 'trusts', 0 FROM infracast.nodes a, infracast.nodes b WHERE a.external_id = 'web01' AND b.external_id = 'alice';
INSERT INTO infracast.edges (src, dst, kind, likelihood)
SELECT a.id, b.id, 'trusts', 1.5 FROM infracast.nodes a, infracast.nodes b WHERE a.external_id = 'web01' AND b.external_id = 'alice';
UPDATE infracast.edges SET likelihood = -0.1 WHERE kind = 'reach';
INSERT INTO infracast.edges (src, dst, kind, port)
SELECT a.id, b.id, 'member_of', 22 FROM infracast.nodes a, infracast.nodes b WHERE a.external_id = 'web01' AND b.external_id = 'alice';
INSERT INTO infracast.edges (src, dst, kind)
SELECT a.id, a.id, 'trusts' FROM infracast.nodes a WHERE a.external_id = 'web01';
INSERT INTO infracast.nodes (external_id, kind, criticality) VALUES ('n2', 'host', 'extreme');
INSERT INTO infracast.nodes (external_id, kind) VALUES ('web01', 'host');
-- nothing of the above was kept
SELECT count(*) AS nodes FROM infracast.nodes;
SELECT count(*) AS edges, min(likelihood) AS min_likelihood FROM infracast.edges;

-- an edge can never join two tenants' nodes (foreign keys include tenant_id)
SELECT infracast.set_tenant('fi_two', false) > 0 AS set;
INSERT INTO infracast.nodes (external_id, kind) VALUES ('other', 'host');
RESET infracast.tenant_id;
INSERT INTO infracast.edges (tenant_id, src, dst, kind)
SELECT a.tenant_id, a.id, b.id, 'reach'
  FROM infracast.nodes a, infracast.nodes b
 WHERE a.external_id = 'other' AND b.external_id = 'db01';

-- software belongs to a node of the same tenant
SELECT infracast.set_tenant('fi_one', false) > 0 AS set;
INSERT INTO infracast.software (node_id, name, vendor, version, cpe)
SELECT id, 'http_server', 'apache', '2.4.49', 'cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*'
  FROM infracast.nodes WHERE external_id = 'web01';
SELECT s.name, s.vendor, s.version, n.external_id FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id;

-- every statement that changes the graph bumps the tenant's version once; others do not
SELECT version AS v0 FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant() \gset
UPDATE infracast.nodes SET name = name || '.' WHERE kind = 'host';
SELECT version - :v0 AS bumped_by_update FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant();
-- (the superuser running this test bypasses RLS, so the UPDATE above also renamed fi_two's host: 1 + 1)
SELECT t.name, v.version AS other_tenant_version FROM infracast.graph_versions v JOIN infracast.tenants t ON t.id = v.tenant_id WHERE t.name = 'fi_two';
DELETE FROM infracast.edges WHERE kind = 'admin_to';
SELECT version - :v0 AS bumped_by_delete FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant();
UPDATE infracast.software SET version = '2.4.51';
SELECT version - :v0 AS software_does_not_bump FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant();

-- users can add kinds, and they are used like the builtin ones
INSERT INTO infracast.node_kinds (name, description) VALUES ('plc', 'Programmable logic controller');
INSERT INTO infracast.edge_kinds (name, likelihood, fix_cost) VALUES ('modbus_write', 0.4, 6);
INSERT INTO infracast.nodes (external_id, kind) VALUES ('plc1', 'plc');
INSERT INTO infracast.edges (src, dst, kind)
SELECT a.id, b.id, 'modbus_write' FROM infracast.nodes a, infracast.nodes b WHERE a.external_id = 'web01' AND b.external_id = 'plc1';
SELECT kind, likelihood, fix_cost FROM infracast.edges WHERE kind = 'modbus_write';
-- a kind in use cannot be dropped
DELETE FROM infracast.node_kinds WHERE name = 'plc';

RESET infracast.tenant_id;
DELETE FROM infracast.tenants WHERE name LIKE 'fi\_%';
DELETE FROM infracast.edge_kinds WHERE name = 'modbus_write';
DELETE FROM infracast.node_kinds WHERE name = 'plc';
