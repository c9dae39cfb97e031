#!/usr/bin/env bash
# The compliance wrappers over HTTP, on the demo's generated enterprise in two tenants: an analyst
# assesses globex against MODERATE, a reader reads the scores, results, evidence and the OSCAL
# export, roles are enforced (a reader cannot assess, an analyst cannot waive), bad arguments give
# 400/404, and the other tenant's assessments stay invisible.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

px_setup_db compliance_api || exit 1
psql -qX -v ON_ERROR_STOP=1 -d compliance_api -f "$ROOT/demo/sql/10_inventory.sql" >/dev/null 2>&1 \
    || { echo "could not load the demo enterprise (demo/sql/10_inventory.sql)"; exit 1; }
px_psql <<'SQL' >/dev/null || exit 1
BEGIN;
SELECT infracast.set_tenant('globex');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('gwen', 'infracast_reader', infracast.password_hash('gwen passphrase'), false),
    ('gary', 'infracast_analyst', infracast.password_hash('gary passphrase'), false),
    ('gina', 'infracast_admin', infracast.password_hash('gina passphrase'), false);
COMMIT;
BEGIN;
SELECT infracast.set_tenant('acme');
SELECT infracast.compliance_assess('low');
COMMIT;
SQL
px_start || { echo "proxy did not start"; exit 1; }
check "globex reader logs in" px_login globex gwen "gwen passphrase"
R=$PX_TOKEN
check "globex analyst logs in" px_login globex gary "gary passphrase"
A=$PX_TOKEN
check "globex admin logs in" px_login globex gina "gina passphrase"
D=$PX_TOKEN

px_req GET /api/openapi.json
check "openapi.json publishes the compliance routes" eval 'body_has "\"/rpc/compliance_assess\"" && body_has "\"/compliance_results\"" && body_has "\"/rpc/compliance_oscal_results\""'
px_req GET "/api/compliance_profiles?order=name" "" "$R"
check "the shipped baselines are listed" eval 'status_is 200 && body_has "\"nist-800-53-rev5-moderate\"" && body_has "\"controls\":287"'

px_req POST /api/rpc/compliance_assess '{"profile": "moderate"}' "$R"
check "a reader may not assess (403)" status_is 403
px_req POST /api/rpc/compliance_assess '{"profile": "ultra"}' "$A"
check "an unknown baseline -> 400 with IC605" eval 'status_is 400 && body_has "\"IC605\""'
px_req POST /api/rpc/compliance_assess '{"profile": "moderate"}' "$A"
check "an analyst assesses globex against MODERATE" eval 'status_is 200 && body_has "\"assessment_id\"" && body_has "\"not_checked\""'
ID=$(printf '%s' "$PX_BODY" | grep -o '"assessment_id": *[0-9]*' | grep -o '[0-9]*$')

px_req GET "/api/compliance_assessments" "" "$R"
check "globex sees only its own assessment (acme's LOW is hidden)" eval 'status_is 200 && [ $(grep -o "\"profile\"" <<<"$PX_BODY" | wc -l) -eq 1 ] && body_lacks "rev5-low"'
px_req POST /api/rpc/compliance_scores "{\"assessment_id\": $ID}" "$R"
check "scores per family and for the baseline" eval 'status_is 200 && body_has "\"family\": \"ra\"" && body_has "\"family\": null" && body_has "\"default_score\""'
px_req POST /api/rpc/compliance_scores '{}' "$R"
check "scores without an assessment id -> 400" status_is 400
px_req POST /api/rpc/compliance_scores '{"assessment_id": 999999}' "$R"
check "scores of an unknown assessment -> 404" status_is 404
px_req GET "/api/compliance_results?assessment_id=eq.$ID&state=eq.fail&order=control_id" "" "$R"
check "failing controls carry the OSCAL status" eval 'status_is 200 && body_has "\"oscal_status\":\"not-satisfied\""'
px_req GET "/api/compliance_results?assessment_id=eq.$ID&control_id=eq.sc-8" "" "$R"
check "SC-8 is decided from discovery's services: none in clear text, so it passes" eval 'status_is 200 && body_has "\"state\":\"pass\"" && body_has "mgmt_cleartext_protocols"'
px_req GET "/api/compliance_evidence?assessment_id=eq.$ID&result=eq.fail&limit=5" "" "$R"
check "evidence rows carry the rule, subject and sha256, not the raw output" eval 'status_is 200 && body_has "\"raw_sha256\"" && body_has "\"rule_id\"" && body_lacks "raw_output"'
px_req POST /api/rpc/compliance_oscal_results "{\"assessment_id\": $ID}" "$R"
check "the OSCAL assessment-results export" eval 'status_is 200 && body_has "\"assessment-results\"" && body_has "\"not-satisfied\""'

px_req POST /api/rpc/compliance_waive '{"control_id": "ac-6", "reason": "break-glass accounts, reviewed monthly"}' "$A"
check "an analyst may not waive (403)" status_is 403
px_req POST /api/rpc/compliance_waive '{"control_id": "ac-6", "reason": "break-glass accounts, reviewed monthly"}' "$D"
check "an admin waives AC-6, approved by the API user" eval 'status_is 200 && body_has "\"approved_by\": \"api user"'
px_req POST /api/rpc/compliance_waive '{"control_id": "zz-9", "reason": "x"}' "$D"
check "waiving an unknown control -> 400 with IC602" eval 'status_is 400 && body_has "\"IC602\""'
px_req POST /api/rpc/compliance_poam_add '{"control_id": "ra-5", "title": "patch the KEV findings", "due_date": "2027-01-31"}' "$A"
check "an analyst adds a POA&M item" eval 'status_is 200 && body_has "\"status\": \"open\""'
px_req POST /api/rpc/compliance_assess '{"profile": "moderate"}' "$A"
ID2=$(printf '%s' "$PX_BODY" | grep -o '"assessment_id": *[0-9]*' | grep -o '[0-9]*$')
px_req GET "/api/compliance_results?assessment_id=eq.$ID2&control_id=in.(ac-6,ra-5)&order=control_id" "" "$R"
check "the next assessment shows the waived and poam_open overlays" eval 'status_is 200 && body_has "\"waived\":true" && body_has "\"poam_open\":true"'

px_stop
px_finish
