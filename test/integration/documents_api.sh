#!/usr/bin/env bash
# The documents over HTTP, as the UI downloads them, on the demo's enterprise: a reader generates
# the report and the SSP (content, filename, media type and a sha256 that matches the content),
# an analyst stores one and the reader lists and fetches it, a reader may not store (403), bad
# arguments give 400, a missing document 404, and the other tenant sees none of it.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

px_setup_db documents_api || exit 1
psql -qX -v ON_ERROR_STOP=1 -d documents_api -f "$ROOT/demo/sql/10_inventory.sql" >/dev/null 2>&1 \
    || { echo "could not load the demo enterprise (demo/sql/10_inventory.sql)"; exit 1; }
px_psql <<'SQL' >/dev/null || exit 1
BEGIN;
SELECT infracast.set_tenant('globex');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('gwen', 'infracast_reader', infracast.password_hash('gwen passphrase'), false),
    ('gary', 'infracast_analyst', infracast.password_hash('gary passphrase'), false);
SELECT infracast.compliance_assess('moderate');
COMMIT;
-- the demo makes acme require MFA; this test is about tenants, not MFA
UPDATE infracast.tenants SET settings = settings || '{"mfa_required": false}' WHERE name = 'acme';
BEGIN;
SELECT infracast.set_tenant('acme');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('alex', 'infracast_reader', infracast.password_hash('alex passphrase'), false);
COMMIT;
SQL
px_start || { echo "proxy did not start"; exit 1; }
check "globex reader logs in" px_login globex gwen "gwen passphrase"
R=$PX_TOKEN
check "globex analyst logs in" px_login globex gary "gary passphrase"
A=$PX_TOKEN
check "acme reader logs in" px_login acme alex "alex passphrase"
O=$PX_TOKEN

px_req GET /api/openapi.json
check "openapi.json publishes the documents routes" eval 'body_has "\"/rpc/document_generate\"" && body_has "\"/rpc/document_get\"" && body_has "\"/documents\""'
# field NAME: a top-level string field of the JSON body
field() { python3 -c 'import json, sys; print(json.loads(sys.stdin.read())[sys.argv[1]], end="")' "$1" <<<"$PX_BODY"; }
px_req POST /api/rpc/document_generate '{"kind": "report"}' "$R"
check "a reader generates the HTML report" eval 'status_is 200 && [ "$(field filename)" = report.html ] && [ "$(field media_type)" = "text/html; charset=utf-8" ] && field content | grep -q "<section id=\"compliance\">"'
check "its sha256 is the content's" eval '[ "$(field content | sha256sum | cut -d" " -f1)" = "$(field sha256)" ]'
px_req POST /api/rpc/document_generate '{"kind": "ssp", "profile": "moderate", "as_of": "2026-12-01T00:00:00Z"}' "$R"
check "a reader generates the OSCAL SSP" eval 'status_is 200 && field content | python3 -c "import json,sys; d=json.load(sys.stdin)[\"system-security-plan\"]; assert d[\"metadata\"][\"last-modified\"] == \"2026-12-01T00:00:00Z\"; assert len(d[\"control-implementation\"][\"implemented-requirements\"]) == 287"'
px_req POST /api/rpc/document_store '{"kind": "report"}' "$R"
check "a reader may not store (403)" status_is 403
px_req POST /api/rpc/document_store '{"kind": "poam"}' "$A"
check "an analyst stores the POA&M" eval 'status_is 200 && body_has "\"filename\": \"poam.json\"" && body_lacks "\"content\""'
id=$(field id)
px_req GET "/api/documents" "" "$R"
check "the reader lists it" eval 'status_is 200 && body_has "\"poam.json\"" && body_has "\"sha256\"" && body_lacks "\"content\""'
px_req POST /api/rpc/document_get "{\"id\": $id}" "$R"
check "and downloads it" eval 'status_is 200 && [ "$(field content | sha256sum | cut -d" " -f1)" = "$(field sha256)" ]'
px_req POST /api/rpc/document_get "{\"id\": $id}" "$O"
check "the other tenant cannot fetch it (404)" status_is 404
px_req GET "/api/documents" "" "$O"
check "nor list it" eval 'status_is 200 && body_lacks "poam.json"'
px_req POST /api/rpc/document_generate '{"kind": "pdf"}' "$R"
check "an unknown kind -> 400 with IC801" eval 'status_is 400 && body_has "\"IC801\""'
px_req POST /api/rpc/document_generate '{}' "$R"
check "no kind -> 400" status_is 400
px_req POST /api/rpc/document_generate '{"kind": "assessment-results"}' "$O"
check "assessment results without an assessment -> 400 with IC802" eval 'status_is 400 && body_has "\"IC802\""'
px_req POST /api/rpc/document_get '{"id": 999999}' "$R"
check "a missing document -> 404" status_is 404
px_finish
