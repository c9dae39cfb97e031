#!/usr/bin/env bash
# The licence gates the documents: under the development licence every generator runs; under a
# valid licence without the feature "reports" each raises IC303; under an expired licence (a
# restricted state) each raises IC301, while the documents already stored stay readable. Restores
# the cluster's licence on every exit path.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/lib.sh
orig_file=$(psql -qXAt -d postgres -c "SHOW infracast.license_file")
noreports="$IC_STAGE/license-no-reports.json"
expired="$IC_STAGE/license-expired.json"
sed 's/"reports", //; s/"dev-0001"/"dev-no-reports"/' test/fixtures/license/dev-claims.json \
    | tools/license/infracast-license sign test/fixtures/license/dev.key - -o "$noreports" >/dev/null || { echo "could not sign"; exit 1; }
sed 's/"expires_at": "[^"]*"/"expires_at": "2026-11-30T00:00:00Z"/; s/"dev-0001"/"dev-expired"/' test/fixtures/license/dev-claims.json \
    | tools/license/infracast-license sign test/fixtures/license/dev.key - -o "$expired" >/dev/null || { echo "could not sign"; exit 1; }
chmod 644 "$noreports" "$expired"
db=ic_documents_lic
restore() {
    psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null
    reload_conf infracast.license_file "$orig_file"
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
}
trap restore EXIT
use_license() {
    psql -qX -d postgres -c "ALTER SYSTEM SET infracast.license_file = '$1'" >/dev/null
    reload_conf infracast.license_file "$1"
}
# sqlstate_of SQL: prints the SQLSTATE the statement raises, or "ok"
sqlstate_of() {
    local out code
    out=$(psql -qX -d $db -c "\\set VERBOSITY sqlstate" \
          -c "BEGIN; SELECT infracast.set_tenant('lic'); $1; ROLLBACK;" 2>&1 >/dev/null)
    code=$(sed -n 's/^ERROR:  *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -n 1)
    echo "${code:-ok}"
}
checks=("SELECT infracast.oscal_ssp()|SSP"
        "SELECT infracast.oscal_assessment_results()|assessment results"
        "SELECT infracast.oscal_poam()|POA&M"
        "SELECT infracast.inventory_csv()|inventory CSV"
        "SELECT infracast.poam_csv()|POA&M CSV"
        "SELECT infracast.report_html()|HTML report"
        "SELECT infracast.generate_report()|stored report"
        "SELECT infracast_api.document_generate('{\"kind\": \"ssp\"}')|REST document_generate")
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL' || { echo "not ok - setup"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('lic');
BEGIN;
SELECT infracast.set_tenant('lic');
SELECT infracast.import_graph('{"graph": {"nodes": [{"id": "web", "kinds": ["host"], "properties": {"entry_point": true}},
                                                    {"id": "db", "kinds": ["database"], "properties": {"crown_jewel": true}}],
                                          "edges": [{"start": "web", "end": "db", "kind": "reach"}]}}');
SELECT infracast.compliance_assess('low');
SELECT infracast.generate_report('2026-12-01 00:00Z');
COMMIT;
SQL
fail=0
for mode in full noreports expired; do
    case $mode in noreports) use_license "$noreports" || exit 1 ;; expired) use_license "$expired" || exit 1 ;; esac
    state=$(psql -qXAt -d $db -c "SELECT state || ' ' || infracast.has_feature('reports') FROM infracast.license_status()")
    for c in "${checks[@]}"; do
        sql=${c%|*}; what=${c#*|}
        got=$(sqlstate_of "$sql")
        case $mode in full) want=ok ;; noreports) want=IC303 ;; expired) want=IC301 ;; esac
        if [ "$got" = "$want" ]; then echo "ok - $mode licence ($state), $what: $got"
        else echo "not ok - $mode licence ($state), $what: got $got, want $want"; fail=1; fi
    done
    stored=$(psql -qXAt -d $db -c "BEGIN" -c "SELECT infracast.set_tenant('lic')" -c "SELECT count(*) FROM infracast.reports WHERE sha256 = encode(sha256(convert_to(content, 'UTF8')), 'hex')" -c "COMMIT" | sed -n 2p)
    if [ "$stored" = 1 ]; then echo "ok - $mode licence: the stored report stays readable"
    else echo "not ok - $mode licence: stored report read gave '$stored'"; fail=1; fi
done
exit $fail
