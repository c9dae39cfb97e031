#!/usr/bin/env bash
# The licence feature "compliance" gates assessments and imports: under a valid licence without it
# they raise IC303 (and the shipped catalogue stays readable); under the development licence they
# run. A CREATE EXTENSION without the feature still loads the shipped catalogue and baselines (no
# licence is needed to install). Restores the cluster's licence on every exit path.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/lib.sh
orig_file=$(psql -qXAt -d postgres -c "SHOW infracast.license_file")
limited="$IC_STAGE/license-no-compliance.json"
sed 's/"compliance", //; s/"dev-0001"/"dev-no-compliance"/' test/fixtures/license/dev-claims.json \
    | tools/license/infracast-license sign test/fixtures/license/dev.key - -o "$limited" >/dev/null || { echo "could not sign"; exit 1; }
chmod 644 "$limited"
db=ic_compliance_lic
restore() {
    psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null
    reload_conf infracast.license_file "$orig_file"
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
}
trap restore EXIT
# sqlstate_of SQL: prints the SQLSTATE the statement raises, or "ok"
sqlstate_of() {
    local out code
    out=$(psql -qX -d $db -c "\\set VERBOSITY sqlstate" \
          -c "BEGIN; SELECT infracast.set_tenant('lic'); $1; ROLLBACK;" 2>&1 >/dev/null)
    code=$(sed -n 's/^ERROR:  *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -n 1)
    echo "${code:-ok}"
}
checks=("SELECT infracast.compliance_assess('moderate')|assess"
        "SELECT infracast.compliance_import_profile('lic-profile', infracast.compliance_shipped_document('nist-800-53-rev5-low'))|import profile"
        "SELECT infracast.compliance_import_catalog('lic-cat', '{\"catalog\": {\"metadata\": {\"title\": \"t\"}, \"controls\": [{\"id\": \"x-1\", \"title\": \"x\"}]}}')|import catalog")
fail=0
for mode in full limited; do
    if [ $mode = limited ]; then
        psql -qX -d postgres -c "ALTER SYSTEM SET infracast.license_file = '$limited'" >/dev/null
        reload_conf infracast.license_file "$limited" || exit 1
    fi
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    psql -qX -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION infracast" -c "SELECT infracast.create_tenant('lic')" >/dev/null \
        || { echo "not ok - $mode licence: CREATE EXTENSION failed"; fail=1; continue; }
    has=$(psql -qXAt -d $db -c "SELECT infracast.has_feature('compliance')")
    baselines=$(psql -qXAt -d $db -c "SELECT string_agg(p.name || '=' || (SELECT count(*) FROM infracast.compliance_profile_controls c WHERE c.profile = p.name), ',' ORDER BY p.name) FROM infracast.compliance_profiles p")
    want_b="nist-800-53-rev5-high=370,nist-800-53-rev5-low=149,nist-800-53-rev5-moderate=287,nist-800-53-rev5-privacy=96"
    if [ "$baselines" = "$want_b" ]; then echo "ok - $mode licence (compliance feature: $has): the shipped baselines are loaded"
    else echo "not ok - $mode licence: baselines $baselines"; fail=1; fi
    for c in "${checks[@]}"; do
        sql=${c%|*}; what=${c#*|}
        got=$(sqlstate_of "$sql")
        if [ $mode = limited ]; then want=IC303; ok=$([ "$got" = IC303 ] && echo y); else want=ok; ok=$([ "$got" = ok ] && echo y); fi
        if [ -n "$ok" ]; then echo "ok - $mode licence, $what: $got"; else echo "not ok - $mode licence, $what: got $got, want $want"; fail=1; fi
    done
done
exit $fail
