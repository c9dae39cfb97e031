#!/usr/bin/env bash
# make bench BENCH=documents: generate the OSCAL SSP of a tenant of 10,000 nodes (target: under
# 10 s), and time the other documents on the same tenant for reference.
#
# Data, deterministic: 7,000 hosts and 1,000 VMs (one IPv4 address each, 2 of 60 software products
# each: 16,000 software rows), 500 databases (20 crown jewels), 500 network devices, 1,000
# accounts; 10 internet-facing hosts as entry points; 14,000 reach edges; 2,000 open findings (a
# fifth on KEV CVEs); one MODERATE assessment.
#
# Peer, in the same run: the assets and their software serialised bare (to_jsonb of each node with
# a jsonb_agg of its software rows), the floor of any inventory export.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"
OUT=docs/benchmarks/documents.md
DB=documents_bench
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap '[ -n "${IC_KEEP_DB:-}" ] || psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -X -q -d $DB -c "CREATE EXTENSION infracast"
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "SELECT infracast.create_tenant('bench')" >/dev/null

# timed SQL...: runs the statements in one session (tenant set) and prints the ms of the last one
timed() {
    psql -X -q -d $DB -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "SELECT infracast.set_tenant('bench', false)" \
         -c '\timing on' "$@" | awk '/^Time:/ {t=$2} END {print t}'
}
best() { sort -n | head -n 1; }

t0=$(date +%s%3N)
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT infracast.set_tenant('bench', false);
INSERT INTO infracast.nodes (external_id, kind, name, addresses, crown_jewel, entry_point, criticality)
SELECT k || '-' || i, k, k || '-' || i || '.bench.example',
       CASE WHEN k IN ('host', 'vm', 'database', 'router', 'switch', 'firewall')
            THEN ARRAY[('10.' || (i / 65536) % 256 || '.' || (i / 256) % 256 || '.' || i % 256)::inet] ELSE '{}' END,
       k = 'database' AND i % 25 = 0, k = 'host' AND i % 700 = 0,
       (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4]
  FROM (SELECT i, CASE WHEN i <= 7000 THEN 'host' WHEN i <= 8000 THEN 'vm' WHEN i <= 8500 THEN 'database'
                       WHEN i <= 8700 THEN 'router' WHEN i <= 8900 THEN 'switch' WHEN i <= 9000 THEN 'firewall' ELSE 'account' END AS k
          FROM generate_series(1, 10000) i) x;
CREATE TEMP TABLE ids AS SELECT external_id, id, kind FROM infracast.nodes;
CREATE INDEX ON ids (external_id);
INSERT INTO infracast.software (node_id, name, vendor, version, cpe)
SELECT n.id, 'product' || p, 'vendor' || (p % 12), '1.' || (p % 7), 'cpe:2.3:a:vendor' || (p % 12) || ':product' || p || ':1.' || (p % 7) || ':*:*:*:*:*:*:*'
  FROM ids n, LATERAL (VALUES (1 + n.id % 60), (1 + (n.id * 7) % 60)) v(p)
 WHERE n.kind IN ('host', 'vm') AND (v.p <> 1 + n.id % 60 OR v.p = 1 + n.id % 60);
INSERT INTO infracast.edges (src, dst, kind)
SELECT s.id, d.id, 'reach' FROM generate_series(1, 14000) i
  JOIN ids s ON s.external_id = 'host-' || (1 + i % 7000)
  -- hashint4 scatters the targets (deterministically): a random graph, one giant component
  JOIN ids d ON d.external_id = CASE WHEN i % 10 = 0 THEN 'database-' || (8001 + abs(hashint4(i)) % 500)
                                     ELSE 'host-' || (1 + abs(hashint4(i)) % 7000) END
 WHERE s.id <> d.id ON CONFLICT DO NOTHING;
INSERT INTO infracast.kev (cve_id, vendor_project, product, due_date)
SELECT 'CVE-2093-' || lpad(i::text, 5, '0'), 'bench', 'bench', DATE '2026-01-01' + i FROM generate_series(1, 100) i
ON CONFLICT DO NOTHING;
INSERT INTO infracast.findings (node_id, cve_id, status, priority, risk)
SELECT h.id, CASE WHEN i % 5 = 0 THEN 'CVE-2093-' || lpad((1 + i % 100)::text, 5, '0') ELSE 'CVE-2094-' || lpad(i::text, 5, '0') END,
       'open', (ARRAY['act', 'attend', 'track*', 'track'])[1 + i % 4], i % 100
  FROM generate_series(1, 2000) i JOIN ids h ON h.external_id = 'host-' || (1 + (i * 3) % 7000);
ANALYZE;
SELECT infracast.compliance_assess('moderate');
SQL
gen_s=$(awk "BEGIN{printf \"%.1f\", ($(date +%s%3N) - $t0)/1000}")
counts=$(psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c "SELECT (SELECT count(*) FROM infracast.nodes) || ' nodes (' || (SELECT count(*) FROM infracast.document_assets) || ' assets), ' || (SELECT count(*) FROM infracast.software) || ' software rows, ' || (SELECT count(*) FROM infracast.edges) || ' edges, ' || (SELECT count(*) FROM infracast.findings) || ' findings'" | tail -n 1)

ssp=$(for i in 1 2 3; do timed -c "SELECT length(infracast.oscal_ssp('moderate', '2026-12-01Z')::text)"; done | best)
ssp_text=$(for i in 1 2 3; do timed -c "SELECT length(content) FROM infracast.render_document('ssp', 'moderate', '2026-12-01Z')"; done | best)
peer_sql="SELECT length(jsonb_agg(to_jsonb(a) || jsonb_build_object('software', (SELECT jsonb_agg(to_jsonb(s)) FROM infracast.software s WHERE s.tenant_id = a.tenant_id AND s.node_id = a.id)))::text) FROM infracast.nodes a JOIN infracast.node_kinds k ON k.name = a.kind AND k.licensable WHERE a.tenant_id = infracast.current_tenant()"
peer=$(for i in 1 2 3; do timed -c "$peer_sql"; done | best)
others=""
for k in assessment-results poam inventory poam-csv report; do
    t=$(timed -c "SELECT length(content) FROM infracast.render_document('$k', 'moderate', '2026-12-01Z')")
    others="$others, $k $(awk "BEGIN{printf \"%.2f\", $t/1000}") s"
done
size=$(psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c "SELECT pg_size_pretty(octet_length(content)::bigint) || ', ' || (SELECT jsonb_array_length(infracast.oscal_ssp('moderate') #> '{system-security-plan,system-implementation,inventory-items}')) || ' inventory items' FROM infracast.render_document('ssp', 'moderate', '2026-12-01Z')" | tail -n 1)
s() { awk "BEGIN{printf \"%.3f\", $1/1000}"; }
{
    echo "## Documents (bench_documents.sh)"
    echo
    echo "Command: \`make bench BENCH=documents\` (test/bench/bench_documents.sh). Run $(date -u '+%Y-%m-%d %H:%M UTC') on"
    echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GB RAM,"
    echo "PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), shared_buffers 1GB, work_mem 256MB (machine shared with other jobs). Best of 3 runs."
    echo
    echo "| step | time | target | peer (same run) |"
    echo "|---|---:|---:|---|"
    echo "| oscal_ssp('moderate'), 10,000 nodes (jsonb) | **$(s "$ssp") s** | 10 s | the assets and their software as bare to_jsonb: $(s "$peer") s ($(awk "BEGIN{printf \"%.1f\", $ssp/$peer}")x) |"
    echo "| the same SSP as pretty-printed text (render_document) | $(s "$ssp_text") s | | |"
    echo
    echo "SSP: $size. Data (generated and assessed in ${gen_s} s): $counts. Other documents of the same tenant (one run)${others}."
} > "$OUT"
ic_log "documents benchmark: SSP $(s "$ssp") s (written to $OUT)"
