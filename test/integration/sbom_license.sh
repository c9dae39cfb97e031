#!/usr/bin/env bash
# The SBOM functions check the licence feature sbom: under a valid licence without it,
# import_sbom, export_obom, set_vex and clear_vex raise IC303 (and import nothing); under the full
# development licence they run. Restores the cluster's licence on every exit path.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/lib.sh
orig_file=$(psql -qXAt -d postgres -c "SHOW infracast.license_file")
limited="$IC_STAGE/license-no-sbom.json"
# every feature but sbom
sed 's/, "sbom"\]/]/; s/"dev-0001"/"dev-no-sbom"/' test/fixtures/license/dev-claims.json \
    | tools/license/infracast-license sign test/fixtures/license/dev.key - -o "$limited" >/dev/null || { echo "could not sign"; exit 1; }
chmod 644 "$limited"
db=ic_sbom_license
restore() { psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null; reload_conf infracast.license_file "$orig_file";
            psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; }
trap restore EXIT
psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('lic');
BEGIN;
SELECT infracast.set_tenant('lic');
INSERT INTO infracast.nodes (external_id, kind) VALUES ('h', 'host');
COMMIT;
SQL
doc='{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "curl", "purl": "pkg:deb/debian/curl@7.88.1"}]}'
sqlstate_of() { # prints the SQLSTATE the statement raises, or "ok"
    local out code
    out=$(psql -qX -d $db -c "\\set VERBOSITY sqlstate" -c "BEGIN; SELECT infracast.set_tenant('lic'); $1; COMMIT;" 2>&1 >/dev/null)
    code=$(sed -n 's/^ERROR:  *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -n 1)
    echo "${code:-ok}"
}
checks=("SELECT infracast.import_sbom('h', '$doc')"
        "SELECT infracast.export_obom('h')"
        "SELECT infracast.set_vex('CVE-2023-38545', 'pkg:deb/debian/curl', 'in_triage')"
        "SELECT infracast.clear_vex('CVE-2023-38545', 'pkg:deb/debian/curl')")
fail=0
for mode in limited full; do
    if [ $mode = limited ]; then
        psql -qX -d postgres -c "ALTER SYSTEM SET infracast.license_file = '$limited'" >/dev/null
        reload_conf infracast.license_file "$limited" || exit 1
        state=$(psql -qXAt -d $db -c "SELECT state || ' ' || (NOT 'sbom' = ANY (features))::text FROM infracast.license_status()")
        [ "$state" = "valid true" ] || { echo "licence without sbom not in force: $state"; exit 1; }
    else
        psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null
        reload_conf infracast.license_file "$orig_file" || exit 1
    fi
    for c in "${checks[@]}"; do
        got=$(sqlstate_of "$c")
        if [ $mode = limited ]; then want=IC303; else want=ok; fi
        if [ "$got" = "$want" ]; then echo "ok - $mode licence: ${c:0:40}...: $got"; else echo "not ok - $mode licence: ${c:0:40}...: got $got, want $want"; fail=1; fi
    done
    if [ $mode = limited ]; then
        n=$(psql -qXAt -d $db -c "SELECT count(*) FROM infracast.software")
        if [ "$n" = 0 ]; then echo "ok - nothing imported without the feature"; else echo "not ok - $n rows imported without the feature"; fail=1; fi
    fi
done
exit $fail
