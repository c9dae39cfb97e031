#!/usr/bin/env bash
# SBOMs and VEX over HTTP, through the real proxy: an analyst imports real CycloneDX and SPDX
# documents (trivy's centos-7 SBOMs) and gets the counts SQL sees; readers list documents and
# components, export a node's CycloneDX 1.6 OBOM, and may not import or record VEX (403); VEX set and
# cleared over REST shows in the OBOM; bad input gets 400 with its SQLSTATE and stores nothing; an
# over-size body gets 413; the other tenant sees none of it.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"

CDX="$IC_TEST_DATA/compliance/cyclonedx/trivy/centos-7-cyclonedx.json"
SPDX="$IC_TEST_DATA/compliance/spdx/trivy/centos-7-spdx.json"
for f in "$CDX" "$SPDX"; do [ -f "$f" ] || { echo "ABSENT: $f (run through make test)"; exit 1; }; done

px_setup_db sbom_api || exit 1
px_psql <<'SQL' >/dev/null || exit 1
SELECT infracast.create_tenant('acme');
SELECT infracast.create_tenant('globex');
BEGIN;
SELECT infracast.set_tenant('acme');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"web01","kinds":["host"]},{"id":"db01","kinds":["host"]}],"edges":[]}}', true);
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('ann', 'infracast_analyst', infracast.password_hash('ann passphrase'), false),
    ('rob', 'infracast_reader', infracast.password_hash('rob passphrase'), false);
COMMIT;
BEGIN;
SELECT infracast.set_tenant('globex');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"web01","kinds":["host"]}],"edges":[]}}', true);
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('gus', 'infracast_analyst', infracast.password_hash('gus passphrase'), false);
COMMIT;
SQL
px_start || { echo "proxy did not start"; exit 1; }
check "acme analyst logs in" px_login acme ann "ann passphrase"; A=$PX_TOKEN
check "acme reader logs in" px_login acme rob "rob passphrase"; R=$PX_TOKEN
check "globex analyst logs in" px_login globex gus "gus passphrase"; G=$PX_TOKEN

# sql TENANT QUERY: one value, as that tenant
sql() { psql -qAtX -v ON_ERROR_STOP=1 -d sbom_api -c "SELECT infracast.set_tenant('$1')" -c "$2" -1 | tail -n 1; }
# field KEY...: a value of the JSON body (a number KEY indexes an array)
field() { python3 -c 'import json, sys; v = json.loads(sys.stdin.read()); [v := v[int(k) if k.isdigit() else k] for k in sys.argv[1:]]; print(v if not isinstance(v, (dict, list)) else json.dumps(v), end="")' "$@" <<<"$PX_BODY"; }
body_of() { python3 -c 'import json, sys; print(json.dumps({"node": sys.argv[1], "document": json.load(open(sys.argv[2]))}))' "$1" "$2"; }

px_req GET /api/openapi.json
check "openapi.json publishes the SBOM routes" eval 'body_has "\"/rpc/sbom_import\"" && body_has "\"/rpc/vex_set\"" && body_has "\"/rpc/obom_export\"" && body_has "\"/sbom_components\""'

# --- import -----------------------------------------------------------------------------------------
px_req POST /api/rpc/sbom_import "$(body_of web01 "$CDX")" "$R"
check "a reader may not import (403)" status_is 403
check "... and nothing was stored" eval '[ "$(sql acme "SELECT count(*) FROM infracast.software")" = 0 ]'
px_req POST /api/rpc/sbom_import "$(body_of web01 "$CDX")" "$A"
check "an analyst imports trivy's CycloneDX 1.5 SBOM of centos-7" eval 'status_is 200 && [ "$(field format)" = CycloneDX ] && [ "$(field spec_version)" = 1.5 ]'
check "... and the counts are what SQL stored (2 rpm packages)" eval '[ "$(field inserted)" = "$(sql acme "SELECT count(*) FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = '"'"'web01'"'"'")" ] && [ "$(field inserted)" = 2 ]'
px_req POST /api/rpc/sbom_import "$(body_of db01 "$SPDX")" "$A"
check "an analyst imports trivy's SPDX 2.2 SBOM of centos-7" eval 'status_is 200 && [ "$(field format)" = SPDX ] && [ "$(field spec_version)" = SPDX-2.2 ]'
px_req POST /api/rpc/sbom_import "$(body_of web01 "$CDX")" "$A"
check "importing the same document again keeps its rows" eval 'status_is 200 && [ "$(field inserted)" = 0 ] && [ "$(field kept)" = 2 ]'

# --- reading --------------------------------------------------------------------------------------
px_req GET "/api/sbom_documents?order=node" "" "$R"
check "the reader lists the two documents" eval 'status_is 200 && [ "$(field 0 node)" = db01 ] && [ "$(field 1 node)" = web01 ] && [ "$(field 1 components)" = 2 ]'
px_req GET "/api/sbom_components?node=eq.web01&order=name" "" "$R"
check "and web01's components, with purls as SQL has them" eval 'status_is 200 && [ "$(python3 -c "import json,sys; print(\",\".join(c[\"purl\"] for c in json.loads(sys.stdin.read())))" <<<"$PX_BODY")" = "$(sql acme "SELECT string_agg(s.purl, '"','"' ORDER BY s.name) FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = '"'web01'"'")" ]'
pkg=$(sql acme "SELECT c.package FROM infracast.sbom_components c JOIN infracast.nodes n ON n.id = c.node_id WHERE n.external_id = 'web01' ORDER BY 1 LIMIT 1")

# --- VEX --------------------------------------------------------------------------------------------
px_req POST /api/rpc/vex_set "{\"vulnerability\": \"CVE-2099-0001\", \"package\": \"$pkg\", \"state\": \"not_affected\", \"justification\": \"code_not_reachable\", \"response\": [\"will_not_fix\"]}" "$R"
check "a reader may not record VEX (403)" status_is 403
px_req POST /api/rpc/vex_set "{\"vulnerability\": \"CVE-2099-0001\", \"package\": \"$pkg\", \"state\": \"not_affected\", \"justification\": \"code_not_reachable\", \"response\": [\"will_not_fix\"]}" "$A"
check "an analyst records a VEX analysis" eval 'status_is 200 && [ "$(field state)" = not_affected ] && [ "$(field updated_by)" = infracast_analyst ]'
px_req GET "/api/vex" "" "$R"
check "the reader sees it" eval 'status_is 200 && body_has "CVE-2099-0001" && body_has "code_not_reachable"'
px_req POST /api/rpc/vex_set "{\"vulnerability\": \"CVE-2099-0002\", \"package\": \"$pkg\", \"state\": \"maybe\"}" "$A"
check "an unknown VEX state -> 400 with its SQLSTATE, nothing stored" eval 'status_is 400 && is_error_body && [ "$(sql acme "SELECT count(*) FROM infracast.vex")" = 1 ]'
px_req POST /api/rpc/vex_set "{\"vulnerability\": \"CVE-2099-0002\", \"package\": \"$pkg\", \"state\": \"in_triage\", \"response\": \"update\"}" "$A"
check "a response that is not an array -> 400 (22023)" eval 'status_is 400 && body_has "\"22023\""'
px_req POST /api/rpc/vex_clear "{\"vulnerability\": \"CVE-2099-0001\", \"package\": \"$pkg\"}" "$A"
check "an analyst clears it" eval 'status_is 200 && body_has "\"cleared\": true" && [ "$(sql acme "SELECT count(*) FROM infracast.vex")" = 0 ]'
px_req POST /api/rpc/vex_clear "{\"vulnerability\": \"CVE-2099-0001\", \"package\": \"$pkg\"}" "$A"
check "clearing it again says so" eval 'status_is 200 && body_has "\"cleared\": false"'

# --- OBOM -------------------------------------------------------------------------------------------
px_req POST /api/rpc/obom_export '{"node": "web01"}' "$R"
check "a reader exports web01's OBOM (CycloneDX 1.6)" eval 'status_is 200 && [ "$(field bomFormat)" = CycloneDX ] && [ "$(field specVersion)" = 1.6 ]'
check "... listing the software SQL has" eval '[ "$(python3 -c "import json,sys; print(sum(1 for c in json.loads(sys.stdin.read())[\"components\"] if c.get(\"type\") != \"operating-system\"))" <<<"$PX_BODY")" = 2 ]'
px_req POST /api/rpc/obom_export '{"node": "nope"}' "$R"
check "an unknown node -> an error with a hint, not a 500" eval '[ "$PX_STATUS" -ge 400 ] && [ "$PX_STATUS" -lt 500 ] && is_error_body'

# --- bad input --------------------------------------------------------------------------------------
before=$(sql acme "SELECT count(*) FROM infracast.software")
px_req POST /api/rpc/sbom_import '{"node": "web01"}' "$A"
check "no document -> 400 (22023)" eval 'status_is 400 && body_has "\"22023\""'
px_req POST /api/rpc/sbom_import '{"node": "web01", "document": {"hello": "world"}}' "$A"
check "a JSON object that is no SBOM -> 400 with an IC7 code" eval 'status_is 400 && body_has "\"code\":\"IC7"'
px_req POST /api/rpc/sbom_import '{"node": "web01", "document": {"bomFormat": "CycloneDX"}, "strict": "yes"}' "$A"
check "strict that is not a boolean -> 400 (22023)" eval 'status_is 400 && body_has "\"22023\""'
python3 -c 'import json; print(json.dumps({"node": "web01", "document": {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "x" * 2000000}]}}))' >"$PX_DIR/big.json"
px_req POST /api/rpc/sbom_import "@$PX_DIR/big.json" "$A"
check "a body over the proxy's limit -> 413" status_is 413
check "none of it changed web01's software" eval '[ "$(sql acme "SELECT count(*) FROM infracast.software")" = "$before" ]'

# --- tenants ----------------------------------------------------------------------------------------
px_req GET "/api/sbom_documents" "" "$G"
check "the other tenant lists no document" eval 'status_is 200 && [ "$PX_BODY" = "[]" ]'
px_req GET "/api/sbom_components" "" "$G"
check "nor component" eval 'status_is 200 && [ "$PX_BODY" = "[]" ]'
px_req POST /api/rpc/obom_export '{"node": "web01"}' "$G"
check "its own web01 has no SBOM software" eval 'status_is 200 && [ "$(python3 -c "import json,sys; print(sum(1 for c in json.loads(sys.stdin.read()).get(\"components\", []) if c.get(\"type\") != \"operating-system\"))" <<<"$PX_BODY")" = 0 ]'

px_finish
