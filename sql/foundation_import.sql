-- infracast.import_graph: OpenGraph-style upserts, rejections, strictness and atomicity.
\set VERBOSITY terse
CREATE EXTENSION IF NOT EXISTS infracast;
SELECT infracast.create_tenant('fg_one') > 0 AS created;
SELECT infracast.create_tenant('fg_two') > 0 AS created;

-- no tenant set
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[]}}');

SELECT infracast.set_tenant('fg_one', false) > 0 AS set;

\set doc '{"graph": {"nodes": [{"id": "web01", "kinds": ["Computer", "Base"], "properties": {"name": "web01.corp", "entry_point": true, "addresses": ["192.0.2.10", "10.0.0.0/8"], "os": "linux"}}, {"id": "svc_sql", "kinds": ["User"], "properties": {"enabled": true}}, {"id": "db01", "kinds": ["database"], "properties": {"crown_jewel": true, "criticality": "Critical"}}, {"id": "thing", "kinds": ["Toaster"]}], "edges": [{"start": "web01", "end": "svc_sql", "kind": "HasSession"}, {"start": {"value": "svc_sql", "match_by": "id"}, "end": {"value": "db01"}, "kind": "AdminTo", "properties": {"likelihood": 0.8, "via": "sysadmin"}}, {"start": "web01", "end": "db01", "kind": "reach", "properties": {"port": 1433, "protocol": "TCP"}}, {"start": "web01", "end": "ghost", "kind": "reach"}, {"start": "web01", "end": "db01", "kind": "warp"}, {"start": "web01", "end": "svc_sql", "kind": "HasSession"}, {"start": "db01", "end": "web01", "kind": "trusts", "properties": {"likelihood": 2}}]}}'

SELECT * FROM infracast.import_graph(:'doc');
SELECT external_id, kind, name, addresses, criticality, crown_jewel, entry_point, attrs, source
  FROM infracast.nodes ORDER BY external_id;
SELECT s.external_id AS src, d.external_id AS dst, e.kind, e.likelihood, e.fix_cost, e.port, e.protocol, e.attrs
  FROM infracast.edges e JOIN infracast.nodes s ON s.id = e.src JOIN infracast.nodes d ON d.id = e.dst
 ORDER BY 1, 2, 3;

-- idempotent: the same document again changes nothing and does not bump the graph version
SELECT version AS v0 FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant() \gset
SELECT nodes_inserted, nodes_updated, edges_inserted, edges_updated FROM infracast.import_graph(:'doc');
SELECT version - :v0 AS version_moved FROM infracast.graph_versions WHERE tenant_id = infracast.current_tenant();

-- a changed property updates in place
SELECT nodes_inserted, nodes_updated, edges_inserted, edges_updated
  FROM infracast.import_graph('{"graph": {"nodes": [{"id": "db01", "kinds": ["database"], "properties": {"crown_jewel": true, "criticality": "high"}}], "edges": [{"start": "svc_sql", "end": "db01", "kind": "admin_to", "properties": {"likelihood": 0.5}}]}}');
SELECT criticality FROM infracast.nodes WHERE external_id = 'db01';
SELECT likelihood FROM infracast.edges WHERE kind = 'admin_to';

-- edges may name nodes imported earlier
SELECT edges_inserted, edges_rejected
  FROM infracast.import_graph('{"graph": {"edges": [{"start": "db01", "end": "svc_sql", "kind": "credential_reuse"}]}}');

-- strict: the first rejected item raises and nothing of the call is kept
SELECT count(*) AS nodes_before FROM infracast.nodes;
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "new1", "kinds": ["host"]}], "edges": [{"start": "new1", "end": "nowhere", "kind": "reach"}]}}', strict => true);
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "new1", "kinds": ["host"]}, {"id": "new2", "kinds": ["spaceship"]}]}}', true);
SELECT count(*) AS nodes_after FROM infracast.nodes;

-- malformed documents raise 22023 and keep nothing
SELECT * FROM infracast.import_graph(NULL);
SELECT * FROM infracast.import_graph('[1, 2]');
SELECT * FROM infracast.import_graph('{"nodes": []}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": {"id": "a"}}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [42]}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"kinds": ["host"]}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": 17, "kinds": ["host"]}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "a", "kinds": "host"}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "a", "kinds": ["host"], "properties": [1]}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "x1", "kinds": ["host"]}, {"id": "x1", "kinds": ["vm"]}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"edges": [{"start": "web01", "kind": "reach"}]}}');
SELECT * FROM infracast.import_graph('{"graph": {"edges": [{"start": "web01", "end": {"value": "db01", "match_by": "name"}, "kind": "reach"}]}}');
SELECT count(*) AS nodes_unchanged FROM infracast.nodes;

-- wrong property types are rejected per item, with the reason
SELECT nodes_inserted, nodes_rejected, edges_rejected, messages
  FROM infracast.import_graph('{"graph": {"nodes": [{"id": "p1", "kinds": ["host"], "properties": {"entry_point": "yes"}}, {"id": "p2", "kinds": ["host"], "properties": {"addresses": ["not-an-ip"]}}, {"id": "p3", "kinds": ["host"], "properties": {"name": 5}}], "edges": [{"start": "web01", "end": "db01", "kind": "reach", "properties": {"port": 70000}}, {"start": "web01", "end": "web01", "kind": "reach"}]}}');

-- an import that fails half-way keeps nothing: the edge insert violates a constraint after the
-- nodes went in (ports are not allowed on member_of edges)
SELECT count(*) AS nodes_before FROM infracast.nodes;
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [{"id": "half1", "kinds": ["host"]}, {"id": "grp", "kinds": ["group"]}], "edges": [{"start": "half1", "end": "grp", "kind": "member_of", "properties": {"port": 22}}]}}');
SELECT count(*) AS nodes_after FROM infracast.nodes;

-- tenants stay apart: the same external ids in another tenant are other nodes
SELECT infracast.set_tenant('fg_two', false) > 0 AS set;
SELECT nodes_inserted, edges_inserted FROM infracast.import_graph(:'doc');
SELECT count(*) AS in_two FROM infracast.nodes WHERE tenant_id = infracast.current_tenant();
RESET infracast.tenant_id;
SELECT t.name, count(n.*) FROM infracast.tenants t JOIN infracast.nodes n ON n.tenant_id = t.id
 WHERE t.name LIKE 'fg\_%' GROUP BY t.name ORDER BY t.name;

DELETE FROM infracast.tenants WHERE name LIKE 'fg\_%';
