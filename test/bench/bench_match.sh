#!/usr/bin/env bash
# make bench BENCH=match: infracast.match_vulnerabilities() for 10,000 nodes x 50 packages against a
# generated 250,000-CVE / 1,000,000-cpeMatch data set (generated straight into the feed tables).
#
# Data, deterministic: 25,000 products (5,000 vendors), 10 CVEs per product, 4 cpeMatch rows per CVE
# (a version range, two exact versions, and a fourth entry that is either another exact version or,
# for one CVE in ten, a platform in an AND "running-on" configuration). The inventory uses 2,000 of
# the products in 5 versions each plus an OS (given as a CPE), so ~10,000 distinct names; about 0.6
# findings per package. EPSS for every CVE, 1,400 in KEV. 500 DMZ nodes reachable from the internet,
# 20,000 internal reach edges.
#
# Peer, in the same run: the bare hash join of the inventory with cpeMatch on (vendor, product) -
# the floor any matcher pays - so the ratio says what the exact matching and the lifecycle cost.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"
OUT=docs/benchmarks/match.md
DB=match_bench
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -X -q -d $DB -c "CREATE EXTENSION infracast"

now_ms() { date +%s%3N; }
t0=$(now_ms)
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL'
SET client_min_messages = warning;
SET search_path = infracast, pg_catalog;
-- versions the inventory uses, and for each the bound just above it
CREATE TEMP TABLE vers (i int PRIMARY KEY, v text, next text);
INSERT INTO vers VALUES (0, '1.2.3', '1.3'), (1, '2.0.1', '2.1'), (2, '2.4.9', '2.4.10'), (3, '3.1.0', '3.2'), (4, '4.0.2', '4.1');

INSERT INTO cve (id, last_modified, vuln_status, nvd_feed, cvss_v31_score, cvss_v31_vector)
SELECT 'CVE-2090-' || lpad(k::text, 6, '0'), now(), 'Analyzed', 'bench',
       round((2 + (k * 37 % 80) / 10.0)::numeric, 1),
       'CVSS:3.1/AV:' || CASE WHEN k % 5 < 3 THEN 'N' ELSE 'L' END || '/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'
  FROM generate_series(1, 250000) k;

-- product of CVE k: (k * 7919) % 25000 (a bijection mod 25,000: 10 CVEs per product)
INSERT INTO cve_cpe_match (cve_id, config_index, config_operator, node_index, node_operator, match_index, vulnerable,
    criteria, part, vendor, product, version, cpe_update, edition, language, sw_edition, target_sw, target_hw, other,
    version_start_including, version_end_excluding)
SELECT 'CVE-2090-' || lpad(k::text, 6, '0'), 0, CASE WHEN k % 10 = 2 THEN 'AND' END,
       CASE WHEN m = 3 AND k % 10 = 2 THEN 1 ELSE 0 END, 'OR', CASE WHEN m = 3 AND k % 10 = 2 THEN 0 ELSE m END,
       NOT (m = 3 AND k % 10 = 2),
       CASE WHEN m = 3 AND k % 10 = 2 THEN 'cpe:2.3:o:bosv:bos:' || (k % 4) || ':*:*:*:*:*:*:*'
            ELSE 'cpe:2.3:a:bv' || (p % 5000) || ':bp' || p || ':' || CASE WHEN m = 0 THEN '*' ELSE '0.9.' || m END || ':*:*:*:*:*:*:*' END,
       CASE WHEN m = 3 AND k % 10 = 2 THEN 'o' ELSE 'a' END,
       CASE WHEN m = 3 AND k % 10 = 2 THEN 'bosv' ELSE 'bv' || (p % 5000) END,
       CASE WHEN m = 3 AND k % 10 = 2 THEN 'bos' ELSE 'bp' || p END,
       CASE WHEN m = 3 AND k % 10 = 2 THEN (k % 4)::text WHEN m = 0 THEN '*' ELSE '0.9.' || m END,
       '*', '*', '*', '*', '*', '*', '*',
       CASE WHEN m = 0 THEN CASE WHEN k % 10 < 3 THEN v.v ELSE '0.1' END END,
       CASE WHEN m = 0 THEN CASE WHEN k % 10 < 3 THEN v.next ELSE '0.5' END END
  FROM generate_series(1, 250000) k
  CROSS JOIN LATERAL (SELECT (k * 7919) % 25000 AS p) pp
  JOIN vers v ON v.i = k % 5
  CROSS JOIN generate_series(0, 3) m;

INSERT INTO epss (cve, epss, percentile)
SELECT 'CVE-2090-' || lpad(k::text, 6, '0'), power((k * 7 % 1000) / 1000.0, 4), (k * 7 % 1000) / 1000.0
  FROM generate_series(1, 250000) k;
INSERT INTO kev (cve_id, date_added, known_ransomware_campaign_use)
SELECT 'CVE-2090-' || lpad(k::text, 6, '0'), date '2024-01-01' + k % 300, CASE WHEN k % 5 = 0 THEN 'Known' ELSE 'Unknown' END
  FROM generate_series(1, 250000, 178) k;
ANALYZE cve; ANALYZE cve_cpe_match; ANALYZE epss; ANALYZE kev;

SELECT create_tenant('bench');
SELECT set_tenant('bench', false);
INSERT INTO nodes (external_id, kind, name, entry_point) VALUES ('internet', 'internet', 'Internet', true);
INSERT INTO nodes (external_id, kind, name, criticality, crown_jewel)
SELECT 'host-' || n, 'host', 'host ' || n,
       (ARRAY['low', 'medium', 'medium', 'high', 'critical'])[1 + n % 5], n % 997 = 0
  FROM generate_series(1, 10000) n;
INSERT INTO edges (src, dst, kind)
SELECT i.id, h.id, 'reach' FROM nodes i, nodes h
 WHERE i.external_id = 'internet' AND h.external_id IN (SELECT 'host-' || n FROM generate_series(1, 500) n);
INSERT INTO edges (src, dst, kind)
SELECT DISTINCT s.id, d.id, 'reach'
  FROM generate_series(1, 20000) e
  JOIN nodes s ON s.external_id = 'host-' || (1 + e * 13 % 500)
  JOIN nodes d ON d.external_id = 'host-' || (501 + e * 7919 % 9500);
-- 49 packages from 2,000 popular products in 5 versions, and the OS as a CPE
INSERT INTO software (node_id, name, vendor, version, source)
SELECT h.id, 'bp' || p, 'bv' || (p % 5000), v.v, 'bench'
  FROM nodes h
  CROSS JOIN generate_series(1, 49) j
  CROSS JOIN LATERAL (SELECT ((substr(h.external_id, 6)::int * 31 + j * 977) % 2000) * 12 AS p) pp
  JOIN vers v ON v.i = (substr(h.external_id, 6)::int + j) % 5
 WHERE h.external_id LIKE 'host-%';
INSERT INTO software (node_id, name, cpe, source)
SELECT h.id, 'bos', 'cpe:2.3:o:bosv:bos:' || (substr(h.external_id, 6)::int % 4) || ':*:*:*:*:*:*:*', 'bench'
  FROM nodes h WHERE h.external_id LIKE 'host-%';
ANALYZE nodes; ANALYZE edges; ANALYZE software;
SQL
t1=$(now_ms)
gen_s=$(awk "BEGIN{printf \"%.1f\", ($t1-$t0)/1000}")

counts=$(psql -X -q -At -d $DB -c "SELECT (SELECT count(*) FROM infracast.cve) || ' CVEs, ' || (SELECT count(*) FROM infracast.cve_cpe_match) || ' cpeMatch rows, ' || (SELECT count(*) FROM infracast.nodes) || ' nodes, ' || (SELECT count(*) FROM infracast.software) || ' software rows'")

timed() { # timed LABEL SQL -> prints "ms|result"
    psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c '\timing on' -c "$1" 2>&1 \
        | awk '/^Time:/ {t=$2} !/^Time:/ && NR>1 {r=$0} END {print t "|" r}'
}
peer=$(timed "SELECT count(*) FROM infracast.software s JOIN infracast.cve_cpe_match m ON m.vendor = lower(s.vendor) AND m.product = lower(s.name)")
run1=$(timed "SELECT * FROM infracast.match_vulnerabilities()")
run2=$(timed "SELECT * FROM infracast.match_vulnerabilities()")

# Plans: another idempotent run (as the second) with auto_explain on every statement inside the function taking >= 200 ms.
plans=$(psql -X -q -d $DB 2>&1 >/dev/null <<'SQL' | sed -e 's/^psql:<stdin>:[0-9]*: //' -e 's/^WARNING:  //'
SET client_min_messages = warning;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = '200ms';
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = 'warning';
SELECT infracast.set_tenant('bench', false);
SELECT * FROM infracast.match_vulnerabilities();
SQL
)
psql -X -q -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c "UPDATE infracast.software SET version = '9.9' WHERE id % 10 = 0" >/dev/null
run3=$(timed "SELECT * FROM infracast.match_vulnerabilities()")
findings=$(psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c "SELECT count(*) FILTER (WHERE status = 'open') || ' open, ' || count(*) FILTER (WHERE status = 'fixed') || ' fixed; ' || (SELECT count(*) FROM infracast.edges WHERE kind = 'can_exploit') || ' can_exploit edges' FROM infracast.findings" | tail -n 1)
ms() { awk "BEGIN{printf \"%.2f\", ${1%%|*}/1000}"; }
r1=$(ms "$run1"); r2=$(ms "$run2"); r3=$(ms "$run3"); pr=$(ms "$peer")
{
    echo "## Vulnerability matching (bench_match.sh)"
    echo
    echo "Command: \`make bench BENCH=match\` (test/bench/bench_match.sh). Run $(date -u '+%Y-%m-%d %H:%M UTC') on"
    echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GB RAM,"
    echo "PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), shared_buffers 1GB, work_mem 256MB (machine shared with other jobs)."
    echo
    echo "Data (generated in SQL in ${gen_s} s): $counts."
    echo
    echo "| step | time | result |"
    echo "|---|---:|---|"
    echo "| peer: bare hash join software x cpeMatch on (vendor, product) | ${pr} s | ${peer#*|} rows |"
    echo "| match_vulnerabilities(), first run (all findings new) | **${r1} s** | ${run1#*|} |"
    echo "| second run (nothing changed: idempotent) | ${r2} s | ${run2#*|} |"
    echo "| third run after upgrading 10% of the packages | ${r3} s | ${run3#*|} |"
    echo
    echo "Columns of the results: new, still open, fixed, accepted_risk, skipped software, can_exploit edges."
    echo "Afterwards: $findings. Target: under 30 s. First run / peer join: $(awk "BEGIN{printf \"%.1f\", $r1/$pr}")x."
    echo
    echo "### Plans of the statements over 200 ms (auto_explain, ANALYZE without timing, an idempotent run like the second)"
    echo
    echo '```'
    echo "$plans" | grep -v '^SET$\|^LOAD$' | sed -e 's/[[:space:]]*$//' | head -n 400
    echo '```'
} > "$OUT"
ic_log "match benchmark: first run ${r1} s, second ${r2} s, peer join ${pr} s (written to $OUT)"
