#!/usr/bin/env bash
# make bench BENCH=sbom: infracast.import_sbom() of a generated 10,000-component CycloneDX 1.6 SBOM
# (target: under 2 s), a second import of the same document (idempotent: every row kept), a third
# with 10% of the packages upgraded, and infracast.export_obom() of the node.
#
# Data, deterministic (Python, below): one operating-system component and 10,000 libraries shaped
# like Trivy's: a quarter each of deb (with distro), npm (scoped: percent-encoded), maven and rpm
# (with epoch) purls, licences and properties on each, a CPE on one in ten, one dependency entry.
#
# Peer, in the same run: the floor any SQL importer pays - expanding the same jsonb's components
# and inserting name, version and purl into a plain table - so the ratio says what the checks,
# the purl parsing and the upsert cost.
set -euo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"
OUT=docs/benchmarks/sbom.md
DB=sbom_bench
WORK=$(mktemp -d)
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'rm -rf "$WORK"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -X -q -d $DB -c "CREATE EXTENSION infracast" -c "SELECT infracast.create_tenant('bench')" >/dev/null

python3 - "$WORK" <<'PY'
import json, sys
def doc(upgrade):
    comps = [{"type": "operating-system", "name": "debian", "version": "12.5", "bom-ref": "os"}]
    for i in range(10000):
        bump = 1 if (upgrade and i % 10 == 0) else 0
        t = i % 4
        if t == 0:
            purl = f"pkg:deb/debian/pkg{i}@1.{i % 97 + bump}-{i % 7}?arch=amd64&distro=debian-12.5"
        elif t == 1:
            purl = f"pkg:npm/%40scope{i % 50}/lib{i}@{i % 9 + bump}.{i % 13}.{i % 5}"
        elif t == 2:
            purl = f"pkg:maven/org.example{i % 30}/artifact{i}@{i % 4 + bump}.{i % 10}?type=jar"
        else:
            purl = f"pkg:rpm/redhat/rpm{i}@{i % 6 + bump}.{i % 8}-{i % 3}.el9?arch=x86_64&epoch={i % 2}"
        c = {"type": "library", "bom-ref": purl, "name": purl.split("/")[-1].split("@")[0],
             "version": purl.split("@")[1].split("?")[0], "purl": purl,
             "licenses": [{"license": {"id": "MIT"}}],
             "properties": [{"name": "aquasecurity:trivy:PkgID", "value": f"pkg{i}"}]}
        if i % 10 == 0:
            c["cpe"] = f"cpe:2.3:a:vendor{i % 20}:product{i}:1.{i % 9}:*:*:*:*:*:*:*"
        comps.append(c)
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "metadata": {"component": {"type": "container", "name": "bench", "bom-ref": "root"}},
            "components": comps, "dependencies": [{"ref": "root", "dependsOn": [c["bom-ref"] for c in comps]}]}
json.dump(doc(False), open(sys.argv[1] + "/sbom.json", "w"))
json.dump(doc(True), open(sys.argv[1] + "/sbom-upgraded.json", "w"))
PY
size_mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$WORK/sbom.json")/1048576}")
# The documents go in as jsonb from the client (no server file read), so the timings below are the
# import alone.
psql -X -q -v ON_ERROR_STOP=1 -d $DB >/dev/null <<SQL
CREATE TABLE bench_doc (name text PRIMARY KEY, doc jsonb NOT NULL);
\set doc \`cat "$WORK/sbom.json"\`
INSERT INTO bench_doc VALUES ('v1', :'doc');
\set doc \`cat "$WORK/sbom-upgraded.json"\`
INSERT INTO bench_doc VALUES ('v2', :'doc');
BEGIN;
SELECT infracast.set_tenant('bench');
INSERT INTO infracast.nodes (external_id, kind) VALUES ('bench-host', 'host');
COMMIT;
SQL

timed() { # timed SQL -> prints "ms|result"
    psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('bench', false)" -c '\timing on' -c "$1" 2>&1 \
        | awk '/^Time:/ {t=$2} !/^Time:/ && NR>1 {r=$0} END {print t "|" r}'
}
peer=$(timed "CREATE TEMP TABLE peer AS SELECT c ->> 'name' AS name, c ->> 'version' AS version, c ->> 'purl' AS purl FROM bench_doc d, jsonb_array_elements(d.doc -> 'components') c WHERE d.name = 'v1'; SELECT count(*) FROM peer")
q="SELECT inserted || ' inserted, ' || kept || ' kept, ' || removed || ' removed, ' || rejected || ' rejected'"
run1=$(timed "$q FROM infracast.import_sbom('bench-host', (SELECT doc FROM bench_doc WHERE name = 'v1'))")
run2=$(timed "$q FROM infracast.import_sbom('bench-host', (SELECT doc FROM bench_doc WHERE name = 'v1'))")
run3=$(timed "$q FROM infracast.import_sbom('bench-host', (SELECT doc FROM bench_doc WHERE name = 'v2'))")
export_run=$(timed "SELECT jsonb_array_length(b -> 'components') || ' components, ' || length(b::text) || ' bytes' FROM (SELECT infracast.export_obom('bench-host') AS b) x")
ms() { awk "BEGIN{printf \"%.2f\", ${1%%|*}/1000}"; }
r1=$(ms "$run1"); r2=$(ms "$run2"); r3=$(ms "$run3"); ex=$(ms "$export_run"); pr=$(ms "$peer")
{
    echo "## SBOM import and OBOM export (bench_sbom.sh)"
    echo
    echo "Command: \`make bench BENCH=sbom\` (test/bench/bench_sbom.sh). Run $(date -u '+%Y-%m-%d %H:%M UTC') on"
    echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GB RAM,"
    echo "PostgreSQL $(psql -X -At -d postgres -c 'SHOW server_version'), shared_buffers 1GB, work_mem 256MB (machine shared with other jobs)."
    echo
    echo "Data: a generated CycloneDX 1.6 SBOM of 10,000 libraries and an operating system (${size_mb} MB of JSON;"
    echo "deb, npm, maven and rpm purls, a CPE on one in ten), and the same with 10% of the packages upgraded."
    echo
    echo "| step | time | result |"
    echo "|---|---:|---|"
    echo "| peer: expand the components and insert name, version, purl into a plain table | ${pr} s | ${peer#*|} rows |"
    echo "| import_sbom(), first import | **${r1} s** | ${run1#*|} |"
    echo "| import_sbom(), the same document again (idempotent) | ${r2} s | ${run2#*|} |"
    echo "| import_sbom(), 10% of the packages upgraded | ${r3} s | ${run3#*|} |"
    echo "| export_obom() of the node (CycloneDX 1.6) | ${ex} s | ${export_run#*|} |"
    echo
    echo "Target: a 10,000-component import in under 2 s. First import / peer: $(awk "BEGIN{printf \"%.1f\", $r1/$pr}")x."
} > "$OUT"
ic_log "sbom benchmark: first import ${r1} s, again ${r2} s, upgraded ${r3} s, export ${ex} s, peer ${pr} s (written to $OUT)"
