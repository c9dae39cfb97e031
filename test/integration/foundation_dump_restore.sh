#!/usr/bin/env bash
# pg_dump of a database with Infracast data, restored into a new database, gives back every
# tenant, node, edge and software row, the user-added kinds, and working sequences.
set -euo pipefail
src=ic_dump_src; dst=ic_dump_dst; dump="$IC_STAGE/foundation_dump.custom"
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
psql -qX -v ON_ERROR_STOP=1 -d $src <<'SQL'
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('dump_a');
SELECT infracast.create_tenant('dump_b', '{"mfa_required": true}');
INSERT INTO infracast.node_kinds (name, description) VALUES ('plc', 'user-added kind');
INSERT INTO infracast.edge_kinds (name, likelihood, fix_cost) VALUES ('modbus_write', 0.4, 6);
BEGIN;
SELECT infracast.set_tenant('dump_a');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"w","kinds":["host"],"properties":{"entry_point":true,"addresses":["192.0.2.1"]}},{"id":"d","kinds":["database"],"properties":{"crown_jewel":true}},{"id":"p","kinds":["plc"]}],"edges":[{"start":"w","end":"d","kind":"reach","properties":{"port":5432,"protocol":"tcp","likelihood":0.3}},{"start":"w","end":"p","kind":"modbus_write"}]}}', true);
INSERT INTO infracast.software (node_id, name, version) SELECT id, 'postgresql', '15.2' FROM infracast.nodes WHERE external_id = 'd';
COMMIT;
BEGIN;
SELECT infracast.set_tenant('dump_b');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"w","kinds":["vm"]},{"id":"u","kinds":["account"]}],"edges":[{"start":"u","end":"w","kind":"admin_to"}]}}', true);
COMMIT;
SQL
snapshot() {
    psql -qXAt -d "$1" <<'SQL'
SELECT 'tenant', name, settings::text FROM infracast.tenants ORDER BY name;
SELECT 'kind', name FROM infracast.node_kinds WHERE NOT builtin ORDER BY name;
SELECT 'ekind', name, likelihood FROM infracast.edge_kinds WHERE NOT builtin ORDER BY name;
SELECT 'node', t.name, n.id, n.external_id, n.kind, n.addresses::text, n.crown_jewel, n.entry_point, n.attrs::text
  FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id ORDER BY 2, 3;
SELECT 'edge', t.name, e.id, e.src, e.dst, e.kind, e.likelihood, e.port, e.protocol
  FROM infracast.edges e JOIN infracast.tenants t ON t.id = e.tenant_id ORDER BY 2, 3;
SELECT 'software', s.id, s.node_id, s.name, s.version FROM infracast.software s ORDER BY 2;
SQL
}
before=$(snapshot $src)
"$IC_BINDIR/pg_dump" -Fc -d $src -f "$dump"
"$IC_BINDIR/pg_restore" --exit-on-error -d $dst "$dump"
after=$(snapshot $dst)
if [ "$before" != "$after" ]; then
    echo "restored data differs:"; diff <(echo "$before") <(echo "$after"); exit 1
fi
n=$(grep -c '^node|' <<<"$after"); e=$(grep -c '^edge|' <<<"$after")
[ "$n" -eq 5 ] && [ "$e" -eq 3 ] || { echo "expected 5 nodes and 3 edges, got $n and $e"; exit 1; }
# builtin kinds are not doubled by the restore, and sequences continue past the restored ids
[ "$(psql -qXAt -d $dst -c "SELECT count(*) FROM infracast.node_kinds WHERE name = 'host'")" = 1 ] || { echo "builtin kinds doubled"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -d $dst <<'SQL'
BEGIN;
SELECT infracast.set_tenant('dump_a');
INSERT INTO infracast.nodes (external_id, kind) VALUES ('after_restore', 'host');
COMMIT;
SQL
echo "dump/restore kept $n nodes and $e edges; inserts after restore work"
psql -qX -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst"
