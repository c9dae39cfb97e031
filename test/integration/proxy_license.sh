#!/usr/bin/env bash
# The REST API needs the licence feature "api": under a valid licence without it, every route
# family under /api/ (login, OpenAPI, /api/auth/me, functions, views) answers 403 with SQLSTATE
# IC303 and a hint, and nothing changes in the database; /healthz, /readyz (which says why) and the
# web UI's files still answer. Swapping in a licence with the feature lets the same running proxy
# serve them again (no restart). Restores the cluster's licence on every exit path.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
cd "$(dirname "$0")/../.."
source test/harness/lib.sh

px_setup_db proxy_license || exit 1
px_psql <<'SQL' >/dev/null || exit 1
SELECT infracast.create_tenant('lic_a');
BEGIN;
SELECT infracast.set_tenant('lic_a');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('ana', 'infracast_analyst', infracast.password_hash('ana passphrase 1'), false);
SELECT infracast.import_graph('{"graph": {"nodes": [{"id": "n1", "kinds": ["host"]}]}}');
COMMIT;
SQL

# A valid licence with every feature but "api", signed with the development key like the fixture.
orig_file=$(psql -qXAt -d postgres -c "SHOW infracast.license_file")
noapi="$IC_STAGE/license-noapi.json"
sed 's/, "api"//; s/"dev-0001"/"dev-noapi"/' test/fixtures/license/dev-claims.json \
    | "$IC_BINDIR/infracast-license" sign test/fixtures/license/dev.key - -o "$noapi" >/dev/null \
    || { echo "could not sign the licence without api"; exit 1; }
chmod 644 "$noapi"
use_licence() {
    psql -qX -d postgres -c "ALTER SYSTEM SET infracast.license_file = '$1'" >/dev/null && reload_conf infracast.license_file "$1"
}
restore_licence() {
    psql -qX -d postgres -c "ALTER SYSTEM RESET infracast.license_file" >/dev/null
    reload_conf infracast.license_file "$orig_file"
}
trap 'restore_licence; px_cleanup' EXIT

mkdir -p "$PX_DIR/ui"
echo '<!doctype html><title>infracast ui</title>' > "$PX_DIR/ui/index.html"

nodes() { px_psql -c "SELECT count(*) FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id WHERE t.name = 'lic_a'"; }
generation() { px_psql -c "SELECT token_generation FROM infracast.users WHERE username = 'ana'"; }
refused_ic303() { status_is 403 && body_has '"code":"IC303"' && body_has '\"api\"' && body_has '"hint":"Ask your vendor'; }

# --- with the development licence (every feature): a token to use once the feature is gone ------
px_start VULCAN_UI_DIR="$PX_DIR/ui" || { echo "proxy did not start"; exit 1; }
check "the full licence: ana logs in" px_login lic_a ana "ana passphrase 1"
TOKEN=$PX_TOKEN
px_req GET /readyz
check "the full licence: readyz says the API is licensed" eval 'status_is 200 && body_has "\"api\": true"'

# --- a licence without "api" ---------------------------------------------------------------------
use_licence "$noapi" || exit 1
in_force=$(px_psql -c "SELECT state || ' ' || ('api' = ANY (features))::text FROM infracast.license_status()")
check "the licence without api is valid and in force" eval '[ "$in_force" = "valid false" ]'
nodes_before=$(nodes); gen_before=$(generation)

px_login lic_a ana "ana passphrase 1"
check "no api: login is refused, 403 IC303 with a hint" refused_ic303
check "no api: the login's refusal names no licence detail" body_lacks "dev-noapi"
check "no api: no token is issued" eval '[ -z "$PX_TOKEN" ]'
px_req GET /api/openapi.json
check "no api: the OpenAPI description is refused" refused_ic303
px_req GET /api/auth/me "" "$TOKEN"
check "no api: /api/auth/me is refused" refused_ic303
px_req POST /api/rpc/whoami '{}' "$TOKEN"
check "no api: a read function is refused" refused_ic303
px_req POST /api/rpc/import_graph '{"graph":{"nodes":[{"id":"n2","kinds":["host"]}]}}' "$TOKEN"
check "no api: a write function is refused" refused_ic303
check "no api: ... and added no node" eval '[ "$(nodes)" = "$nodes_before" ]'
px_req POST /api/rpc/logout '{}' "$TOKEN"
check "no api: logout is refused and revokes nothing" eval 'refused_ic303 && [ "$(generation)" = "$gen_before" ]'
px_req GET "/api/nodes?select=external_id" "" "$TOKEN"
check "no api: a view is refused" refused_ic303
check "no api: the refusal shows no rows" body_lacks '"n1"'
px_req GET /api/nodes
check "no api: without a token it is still 401 first" status_is 401

px_req GET /healthz
check "no api: healthz answers" status_is 200
px_req GET /readyz
check "no api: readyz answers 200 and says why the API is refused" \
    eval 'status_is 200 && body_has "\"api\": false" && body_has "IC303" && body_has "\"state\": \"valid\""'
px_req GET /
check "no api: the web UI's files are still served" eval 'status_is 200 && body_has "infracast ui"'

px_stop
px_start VULCAN_UI_DIR="$PX_DIR/ui" || { echo "proxy did not start without the api feature"; exit 1; }
check "no api: the proxy still starts, and its log says the API is refused" \
    grep -q 'the licence does not include the feature "api"' "$PX_LOG"

# --- the licence with "api" again: the same running proxy serves ---------------------------------
restore_licence || exit 1
check "api again: login works" px_login lic_a ana "ana passphrase 1"
px_req GET /api/openapi.json
check "api again: OpenAPI answers" eval 'status_is 200 && body_has "\"/rpc/import_graph\""'
px_req GET /api/auth/me "" "$TOKEN"
check "api again: the earlier token works" eval 'status_is 200 && body_has "\"ana\""'
px_req POST /api/rpc/import_graph '{"graph":{"nodes":[{"id":"n2","kinds":["host"]}]}}' "$TOKEN"
check "api again: a write function works" eval 'status_is 200 && [ "$(nodes)" = $((nodes_before + 1)) ]'
px_req GET "/api/nodes?select=external_id&order=external_id" "" "$TOKEN"
check "api again: a view works" eval 'status_is 200 && body_has "\"n1\"" && body_has "\"n2\""'
px_req GET /readyz
check "api again: readyz says the API is licensed" eval 'status_is 200 && body_has "\"api\": true" && body_lacks "IC303"'
px_req POST /api/rpc/logout '{}' "$TOKEN"
check "api again: logout works" eval 'status_is 200 && [ "$(generation)" = $((gen_before + 1)) ]'
px_stop
px_finish
