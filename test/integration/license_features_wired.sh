#!/usr/bin/env bash
# Each area's analysis functions check the licence's features: under a valid licence that lacks
# them, loading feeds, matching, attack-path analysis and discovery raise IC303, and under the full
# development licence they run. Restores the cluster's licence on every exit path.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/lib.sh
orig_file=$(psql -qXAt -d postgres -c "SHOW infracast.license_file")
limited="$IC_STAGE/license-limited.json"
sed 's/"features": \[[^]]*\]/"features": ["api"]/; s/"dev-0001"/"dev-limited"/' test/fixtures/license/dev-claims.json \
    | tools/license/infracast-license sign test/fixtures/license/dev.key - -o "$limited" >/dev/null || { echo "could not sign"; exit 1; }
chmod 644 "$limited"
restore() { psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null; reload_conf infracast.license_file "$orig_file"; }
trap restore EXIT
db=ic_features
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('feat');
BEGIN;
SELECT infracast.set_tenant('feat');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"a","kinds":["host"],"properties":{"entry_point":true}},{"id":"b","kinds":["database"],"properties":{"crown_jewel":true}}],"edges":[{"start":"a","end":"b","kind":"reach"}]}}', true);
COMMIT;
SQL
kev="$IC_FIXTURES/feeds/kev_seed.json"
[ -f "$kev" ] || kev=$(ls "$IC_FIXTURES"/feeds/*.json | head -1)
# sqlstate_of SQL: prints the SQLSTATE the statement raises, or "ok"
sqlstate_of() {
    local out code
    out=$(psql -qX -d $db -c "\\set VERBOSITY sqlstate" \
          -c "BEGIN; SELECT infracast.set_tenant('feat'); $1; ROLLBACK;" 2>&1 >/dev/null)
    code=$(sed -n 's/^ERROR:  *\([0-9A-Z]\{5\}\).*/\1/p' <<<"$out" | head -n 1)
    echo "${code:-ok}"
}
checks=("SELECT infracast.load_kev('$kev')|feeds"
        "SELECT * FROM infracast.match_vulnerabilities()|vuln_matching"
        "SELECT * FROM infracast.attack_paths(NULL, NULL)|attack_paths"
        "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'no-such-credential')|discovery")
fail=0
for mode in full limited; do
    if [ $mode = limited ]; then
        psql -qX -d postgres -c "ALTER SYSTEM SET infracast.license_file = '$limited'" >/dev/null
        reload_conf infracast.license_file "$limited" || exit 1
        state=$(psql -qXAt -d $db -c "SELECT state || ' ' || array_to_string(features, ',') FROM infracast.license_status()")
        [ "$state" = "valid api" ] || { echo "limited licence not in force: $state"; exit 1; }
    fi
    for c in "${checks[@]}"; do
        sql=${c%|*}; feature=${c#*|}
        got=$(sqlstate_of "$sql")
        if [ $mode = limited ]; then want=IC303; ok=$([ "$got" = IC303 ] && echo y); else ok=$([ "$got" != IC303 ] && echo y); want="not IC303"; fi
        if [ -n "$ok" ]; then echo "ok - $mode licence, $feature: $got"; else echo "not ok - $mode licence, $feature: got $got, want $want"; fail=1; fi
    done
done
restore; trap - EXIT
psql -qX -d postgres -c "DROP DATABASE $db" >/dev/null
exit $fail
