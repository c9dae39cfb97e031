#!/usr/bin/env bash
# infracast-proxy security cases over HTTP, against the real server and the harness's cluster:
# bad tokens, roles, tenant isolation through every route, unknown names, injection attempts,
# body limits, malformed JSON, slow clients, login rate limiting, TOTP replay, restricted tokens.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"

px_setup_db proxy_security || exit 1
px_psql <<'SQL' >/dev/null || exit 1
SELECT infracast.create_tenant('px_a'), infracast.create_tenant('px_b');
BEGIN;
SELECT infracast.set_tenant('px_a');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('alice', 'infracast_admin', infracast.password_hash('alice passphrase'), false),
    ('ana', 'infracast_analyst', infracast.password_hash('ana passphrase 1'), false),
    ('rea', 'infracast_reader', infracast.password_hash('rea passphrase 1'), false),
    ('fresh', 'infracast_reader', infracast.password_hash('fresh passphrase'), true),
    ('bob', 'infracast_reader', infracast.password_hash('bob passphrase 1'), false),
    ('mfa', 'infracast_reader', infracast.password_hash('mfa passphrase 1'), false);
SELECT infracast.import_graph('{"graph": {"nodes": [{"id": "a1", "kinds": ["host"], "properties": {"name": "a-web"}},
    {"id": "a2", "kinds": ["database"], "properties": {"name": "a-db", "crown_jewel": true}}],
    "edges": [{"start": "a1", "end": "a2", "kind": "reach"}]}}');
COMMIT;
BEGIN;
SELECT infracast.set_tenant('px_b');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('bert', 'infracast_admin', infracast.password_hash('bert passphrase'), false);
SELECT infracast.import_graph('{"graph": {"nodes": [{"id": "b1", "kinds": ["host"], "properties": {"name": "b-secret-host"}}]}}');
COMMIT;
SQL
B_NODE_ID=$(px_psql -c "SELECT n.id FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id WHERE t.name = 'px_b'")
A_TENANT=$(px_psql -c "SELECT id FROM infracast.tenants WHERE name = 'px_a'")
B_TENANT=$(px_psql -c "SELECT id FROM infracast.tenants WHERE name = 'px_b'")
REA_ID=$(px_psql -c "SELECT id FROM infracast.users WHERE username = 'rea'")

# api_login runs only under READ COMMITTED: the proxy asks for it whatever the login's default
# (this setting goes with the database at the next run's DROP DATABASE).
px_psql -c "ALTER ROLE infracast_authenticator IN DATABASE proxy_security SET default_transaction_isolation = 'serializable'" >/dev/null || exit 1

px_start VULCAN_CLIENT_TIMEOUT=2 || { echo "proxy did not start"; exit 1; }

# --- public routes -------------------------------------------------------------------------------
px_req GET /healthz
check "healthz answers 200" status_is 200
px_req GET /readyz
check "readyz answers 200 with the database ok" eval 'status_is 200 && body_has "\"database\": \"ok\""'
px_req GET /api/openapi.json
check "openapi.json lists rpc and views" eval 'status_is 200 && body_has "\"/rpc/import_graph\"" && body_has "\"/nodes\""'
px_psql -c "REVOKE EXECUTE ON FUNCTION infracast.api_ready(), infracast.api_login(text, text, text, text, text) FROM infracast_authenticator" >/dev/null
px_req GET /readyz
check "readyz on a database error: 503, SQLSTATE, no PostgreSQL text" eval 'status_is 503 && body_has "\"42501\"" && body_lacks "permission denied" && body_lacks "api_ready"'
px_login px_a rea "rea passphrase 1"
check "login on a database error: SQLSTATE only, no PostgreSQL text" eval 'body_has "\"42501\"" && body_lacks "permission denied" && body_lacks "api_login"'
check "the proxy's log has PostgreSQL's text" grep -q "permission denied for function api_login" "$PX_LOG"
px_psql -c "GRANT EXECUTE ON FUNCTION infracast.api_ready(), infracast.api_login(text, text, text, text, text) TO infracast_authenticator" >/dev/null
px_req GET /readyz
check "readyz is back once the grant is" status_is 200
check "responses carry security headers" eval 'grep -qi "^X-Content-Type-Options: nosniff" <<<"$PX_HEADERS" && grep -qi "^Cache-Control: no-store" <<<"$PX_HEADERS"'

# --- tokens ----------------------------------------------------------------------------------------
now=$(date +%s)
claims() { printf '{"sub":"%s","tenant":%s,"tenant_name":"px_a","username":"rea","role":"%s","iat":%s,"exp":%s,"gen":%s}' \
    "$REA_ID" "${4:-$A_TENANT}" "${3:-infracast_reader}" "$1" "$2" "${5:-0}"; }

px_req GET /api/nodes
check "no token -> 401" eval 'status_is 401 && is_error_body && grep -qi "^WWW-Authenticate: Bearer" <<<"$PX_HEADERS"'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)))")"
check "a token signed with the right secret is accepted" status_is 200
px_req GET /api/nodes "" "$(px_jwt "$(claims $((now - 4000)) $((now - 400)))")"
check "expired token -> 401" eval 'status_is 401 && body_has "expired"'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 7200)))")"
check "token living over an hour -> 401" status_is 401
good=$(px_jwt "$(claims "$now" $((now + 600)))")
evil_payload=$(claims "$now" $((now + 600)) infracast_admin | b64url)
tampered="$(cut -d. -f1 <<<"$good").$evil_payload.$(cut -d. -f3 <<<"$good")"
px_req GET /api/users "" "$tampered"
check "tampered token (reader -> admin) -> 401" eval 'status_is 401 && body_has "signature"'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)))" "another-secret-of-the-right-length-0123456789")"
check "wrong-secret token -> 401" eval 'status_is 401 && body_has "signature"'
none_token="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$(claims "$now" $((now + 600)) | b64url)."
px_req GET /api/nodes "" "$none_token"
check "alg none token -> 401" eval 'status_is 401 && body_has "algorithm"'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)))" "$PX_SECRET" '{"alg":"HS512","typ":"JWT"}')"
check "alg HS512 header -> 401" status_is 401
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)) postgres)")"
check "a token naming a non-API role -> 401" status_is 401
px_req GET /api/nodes "" "garbage.token.here"
check "garbage token -> 401" status_is 401
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)) infracast_reader "$A_TENANT" 1)")"
check "a correctly signed token of another generation -> 401" eval 'status_is 401 && body_has "\"28000\"" && grep -qi "^WWW-Authenticate: Bearer error=\"invalid_token\"" <<<"$PX_HEADERS"'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)) infracast_analyst)")"
check "a correctly signed token with a role the user no longer has -> 401" eval 'status_is 401 && body_has "\"28000\""'
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)) | sed 's/,"gen":0//')")"
check "a correctly signed token without a generation -> 401" eval 'status_is 401 && body_has "\"28000\""'

# --- login, roles ----------------------------------------------------------------------------------
check "reader logs in" px_login px_a rea "rea passphrase 1"
READER=$PX_TOKEN
check "login returns expires_at" body_has '"expires_at":'
check "analyst logs in" px_login px_a ana "ana passphrase 1"
ANALYST=$PX_TOKEN
check "tenant B admin logs in" px_login px_b bert "bert passphrase"
B_ADMIN=$PX_TOKEN
px_req GET /api/auth/me "" "$READER"
check "auth/me names the user" eval 'status_is 200 && body_has "\"username\": \"rea\""'
px_req POST /api/rpc/import_graph '{"graph":{"nodes":[{"id":"x","kinds":["host"]}]}}' "$READER"
check "a reader cannot write (403)" eval 'status_is 403 && body_has "\"42501\""'
px_req POST /api/rpc/delete_node '{"external_id":"a1"}' "$READER"
check "a reader cannot delete (403)" status_is 403
px_req GET /api/users "" "$READER"
check "a reader cannot list users (403)" status_is 403
px_req POST /api/rpc/create_user '{"username":"evil","password":"evil passphrase"}' "$ANALYST"
check "an analyst cannot create users (403)" status_is 403
px_req POST /api/rpc/import_graph '{"graph":{"nodes":[{"id":"a3","kinds":["host"]}]}}' "$ANALYST"
check "an analyst imports (200)" eval 'status_is 200 && body_has "\"nodes_inserted\": 1"'

# --- tenant isolation through every route ------------------------------------------------------------
px_req GET /api/nodes "" "$READER"
check "tenant A sees its nodes only" eval 'status_is 200 && body_has "a-web" && body_lacks "b-secret-host"'
px_req GET "/api/nodes?id=eq.$B_NODE_ID" "" "$READER"
check "tenant A cannot read B's node by id" eval 'status_is 200 && [ "$PX_BODY" = "[]" ]'
px_req GET "/api/nodes?name=like.b-*" "" "$READER"
check "tenant A cannot find B's node by filter" eval 'status_is 200 && [ "$PX_BODY" = "[]" ]'
px_req GET /api/edges "" "$B_ADMIN"
check "tenant B sees none of A's edges" eval 'status_is 200 && [ "$PX_BODY" = "[]" ]'
px_req GET /api/users "" "$B_ADMIN"
check "tenant B's admin lists only B's users" eval 'status_is 200 && body_has "bert" && body_lacks "alice"'
px_req POST /api/rpc/delete_node '{"external_id":"a1"}' "$B_ADMIN"
check "tenant B cannot delete A's node (404)" status_is 404
px_req POST /api/rpc/delete_user '{"username":"alice"}' "$B_ADMIN"
check "tenant B cannot delete A's user (404)" status_is 404
px_req POST /api/rpc/reset_password '{"username":"alice","password":"taken over passphrase"}' "$B_ADMIN"
check "tenant B cannot reset A's password (404)" status_is 404
px_req POST /api/rpc/delete_node "{\"id\":$B_NODE_ID}" "$ANALYST"
check "tenant A cannot delete B's node by id (404)" status_is 404
px_req GET /api/nodes "" "$(px_jwt "$(claims "$now" $((now + 600)) infracast_reader "$B_TENANT")" "wrong-secret-but-long-enough-0123456789abcdef")"
check "a token for B signed without the secret -> 401" status_is 401
check "B's node is still there" eval '[ "$(px_psql -c "SELECT count(*) FROM infracast.nodes WHERE id = $B_NODE_ID")" = 1 ]'
check "A's user alice still has her password" px_login px_a alice "alice passphrase"

# --- unknown names and injection -------------------------------------------------------------------
px_req POST /api/rpc/no_such_function '{}' "$READER"
check "unknown function -> 404" eval 'status_is 404 && is_error_body'
px_req GET /api/no_such_view "" "$READER"
check "unknown view -> 404" status_is 404
px_req GET /api/nonexistent/deeper "" "$READER"
check "nested unknown path -> 404" status_is 404
nodes_before=$(px_psql -c "SELECT count(*) FROM infracast.nodes")
for path in "/api/nodes;DROP%20TABLE%20infracast.nodes" "/api/nodes%22%20--" "/api/Nodes" \
            "/api/rpc/whoami';DROP%20TABLE%20infracast.nodes;--" "/api/rpc/pg_sleep" \
            "/api/rpc/..%2f..%2fpg_catalog.pg_sleep" "/api/infracast.nodes" "/api/pg_catalog.pg_roles"; do
    px_req GET "$path" "" "$READER"
    check "injection in path $path -> 404" status_is 404
done
for q in "name=eq.x'%3BDROP%20TABLE%20infracast.nodes%3B--" "id=eq.1%20OR%201=1" \
         "name%22%20IS%20NOT%20NULL%20OR%20%22name=eq.x" "order=id%3BDROP%20TABLE%20x" \
         "order=(select%201)" "select=*,pg_sleep(1)" "id=in.(1)%20OR%20true" "limit=1%3BSELECT%201" \
         "name=cs.{x}" "kind=eq"; do
    px_req GET "/api/nodes?$q" "" "$READER"
    check "injection in query $q -> 400 or empty" eval '{ status_is 400 && is_error_body; } || { status_is 200 && [ "$PX_BODY" = "[]" ]; }'
done
check "no injection changed anything" eval '[ "$(px_psql -c "SELECT count(*) FROM infracast.nodes")" = "$nodes_before" ]'
px_req GET "/api/nodes?order=name.desc.nullslast&limit=1&select=name" "" "$READER"
check "order/limit/select work" eval 'status_is 200 && [ "$(tr -d " \n" <<<"$PX_BODY")" = "[{\"name\":\"a-web\"}]" ]'
px_req GET "/api/nodes?kind=in.(database)&select=external_id" "" "$READER"
check "in.() filter works" eval 'status_is 200 && [ "$(tr -d " \n" <<<"$PX_BODY")" = "[{\"external_id\":\"a2\"}]" ]'
px_req GET "/api/nodes?id=eq.notanumber" "" "$READER"
check "a value of the wrong type -> 400 with the SQLSTATE" eval 'status_is 400 && body_has "\"22P02\""'
px_req POST /api/nodes '{}' "$READER"
check "POST on a view -> 405" status_is 405
px_req GET /api/rpc/whoami "" "$READER"
check "GET on a function -> 405" status_is 405

# --- bodies ----------------------------------------------------------------------------------------
head -c 1100000 /dev/zero | tr '\0' 'a' > "$PX_DIR/big"
PX_STATUS=$(curl -s -o "$PX_DIR/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ANALYST" \
    -H 'Content-Type: application/json' --data-binary @"$PX_DIR/big" "$PX_URL/api/rpc/import_graph")
PX_BODY=$(cat "$PX_DIR/body")
check "body over 1 MiB (Content-Length) -> 413" eval 'status_is 413 && is_error_body'
PX_STATUS=$(curl -s -o "$PX_DIR/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ANALYST" \
    -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @"$PX_DIR/big" "$PX_URL/api/rpc/import_graph")
check "body over 1 MiB (chunked) -> 413" status_is 413
for bad in '{bad json' '{"a":1} trailing' '[1,2,3]' '"just a string"' "{'single':'quotes'}" '{"a":NaN}'; do
    px_req POST /api/rpc/whoami "$bad" "$READER"
    check "malformed JSON $bad -> 400" eval 'status_is 400 && is_error_body'
done
printf '{"a":1}\0{"b":2}' > "$PX_DIR/nul"
PX_STATUS=$(curl -s -o "$PX_DIR/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $READER" \
    --data-binary @"$PX_DIR/nul" "$PX_URL/api/rpc/whoami")
check "a body with a NUL byte -> 400" status_is 400
px_req POST /api/auth/login '{"tenant":"px_a","username":' ""
check "malformed login JSON -> 400" status_is 400

# --- slow client -----------------------------------------------------------------------------------
port=${PX_URL##*:}
start=$(date +%s)
closed=no
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    printf 'POST /api/rpc/whoami HTTP/1.1\r\nHost: x\r\n' >&3   # headers never finished
    if timeout 15 cat <&3 >/dev/null; then closed=yes; fi
    exec 3<&- 3>&-
fi
check "a slow client is cut off by the timeout" eval '[ "$closed" = yes ] && [ $(( $(date +%s) - start )) -lt 15 ]'

# --- login rate limiting ---------------------------------------------------------------------------
check "logins work where the login's default isolation is SERIALIZABLE" px_login px_a rea "rea passphrase 1"
for i in 1 2 3 4 5; do
    px_login px_a bob "wrong guess $i"
    check "wrong password $i -> 401" eval 'status_is 401 && body_has "IC501"'
done
px_login px_a bob "bob passphrase 1"
check "after 5 failures the user is rate-limited (429, Retry-After)" eval 'status_is 429 && grep -qi "^Retry-After: [0-9]" <<<"$PX_HEADERS"'
px_login px_a nobody "whatever passphrase"
check "an unknown user gets the same 401 as a wrong password" eval 'status_is 401 && body_has "IC501"'

# --- restricted tokens -----------------------------------------------------------------------------
check "a user who must change the password logs in" px_login px_a fresh "fresh passphrase"
FRESH=$PX_TOKEN
check "... with a restricted token" body_has '"restricted":"password_change"'
px_req GET /api/nodes "" "$FRESH"
check "a restricted token cannot read views (403)" eval 'status_is 403 && body_has "IC504"'
px_req POST /api/rpc/import_graph '{"graph": {"nodes": []}}' "$FRESH"
check "... nor call other functions (403 IC504, before the role's own grants)" eval 'status_is 403 && body_has "IC504" && body_has "change_password"'
px_req POST /api/rpc/whoami '{}' "$FRESH"
check "... but may call whoami" status_is 200
# A tenant that requires MFA: the login restricts to enrolment (minted here, as the proxy would).
MFA_ONLY=$(px_jwt "$(claims "$now" $((now + 600)) | sed 's/}$/,"restricted":"mfa_enrollment"}/')")
px_req GET /api/nodes "" "$MFA_ONLY"
check "an MFA-enrolment token cannot read views (403 IC504)" eval 'status_is 403 && body_has "IC504" && body_has "mfa_enroll"'
px_req POST /api/rpc/mfa_confirm '{"code":"123456"}' "$MFA_ONLY"
check "... but reaches mfa_confirm (no enrolment pending: 400)" eval 'status_is 400 && body_has "no MFA enrolment is pending"'
px_req POST /api/rpc/change_password '{"current_password":"fresh passphrase","new_password":"fresh better passphrase"}' "$FRESH"
check "the restricted token changes the password" status_is 200
check "the new password logs in without restriction" eval 'px_login px_a fresh "fresh better passphrase" && body_lacks restricted'

# --- TOTP enrolment and replay ---------------------------------------------------------------------
check "mfa user logs in" px_login px_a mfa "mfa passphrase 1"
MFA=$PX_TOKEN
px_req POST /api/rpc/mfa_enroll '{}' "$MFA"
check "enrolment without the password is refused (400)" eval 'status_is 400 && body_has "22023" && body_has "password"'
px_req POST /api/rpc/mfa_enroll '{"password":"not the passphrase"}' "$MFA"
check "enrolment with a wrong password is refused (403 28P01)" eval 'status_is 403 && body_has "\"28P01\""'
check "... and sets no secret" eval '[ "$(px_psql -c "SELECT totp_secret IS NULL FROM infracast.users WHERE username = '"'mfa'"'")" = t ]'
check "... and counts as a failed login" eval '[ "$(px_psql -c "SELECT failures FROM infracast.login_failures WHERE scope = '"'user'"' AND key = '"'px_a/mfa'"'")" = 1 ]'
px_req POST /api/rpc/mfa_enroll '{"password":"mfa passphrase 1"}' "$MFA"
check "enrolment returns an otpauth URI" eval 'status_is 200 && body_has "otpauth://totp/"'
code=$(px_psql -c "SELECT infracast.totp_code(totp_secret) FROM infracast.users WHERE username = 'mfa'")
px_req POST /api/rpc/mfa_confirm "{\"code\":\"$code\"}" "$MFA"
check "enrolment is confirmed with the current code" status_is 200
px_login px_a mfa "mfa passphrase 1"
check "without a code the login asks for one (401 IC505)" eval 'status_is 401 && body_has "IC505"'
next=$(px_psql -c "SELECT infracast.totp_code(totp_secret, now() + interval '30 seconds') FROM infracast.users WHERE username = 'mfa'")
check "a fresh code logs in" px_login px_a mfa "mfa passphrase 1" "$next"
px_login px_a mfa "mfa passphrase 1" "$next"
check "the same code again is refused as a replay (401 IC502)" eval 'status_is 401 && body_has "IC502"'

# --- a stolen token cannot guess the password: wrong ones count with failed logins ----------------
check "bob2 logs in" eval 'px_psql -c "SELECT infracast.set_tenant('"'px_a'"'); INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES ('"'bob2'"', '"'infracast_reader'"', infracast.password_hash('"'bob2 passphrase'"'), false)" >/dev/null && px_login px_a bob2 "bob2 passphrase"'
BOB2=$PX_TOKEN
for i in 1 2 3 4 5; do
    px_req POST /api/rpc/change_password "{\"current_password\":\"guess $i\",\"new_password\":\"whatever new passphrase\"}" "$BOB2"
    check "wrong current password $i -> 403 28P01" eval 'status_is 403 && body_has "\"28P01\""'
done
px_req POST /api/rpc/change_password '{"current_password":"bob2 passphrase","new_password":"whatever new passphrase"}' "$BOB2"
check "after 5 wrong passwords even the right one is refused (429 IC503)" eval 'status_is 429 && body_has "\"IC503\""'
px_login px_a bob2 "bob2 passphrase"
check "... and so is a login of that user (429)" status_is 429
check "the proxy logged the wrong passwords" grep -q "wrong password from user" "$PX_LOG"

# --- revocation: logout, password, role, MFA, deletion ---------------------------------------------
px_psql <<'SQL' >/dev/null
BEGIN;
SELECT infracast.set_tenant('px_a');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('rev1', 'infracast_reader', infracast.password_hash('rev1 passphrase'), false),
    ('rev2', 'infracast_analyst', infracast.password_hash('rev2 passphrase'), false),
    ('rev3', 'infracast_reader', infracast.password_hash('rev3 passphrase'), false),
    ('rev4', 'infracast_reader', infracast.password_hash('rev4 passphrase'), false);
COMMIT;
SQL
check "admin logs in" px_login px_a alice "alice passphrase"
ADMIN=$PX_TOKEN
check "rev1 logs in twice (two devices)" eval 'px_login px_a rev1 "rev1 passphrase" && R1A=$PX_TOKEN && px_login px_a rev1 "rev1 passphrase" && R1B=$PX_TOKEN'
px_req POST /api/rpc/logout '{}' "$R1A"
check "logout answers 200" eval 'status_is 200 && body_has "logged_out"'
px_req GET /api/nodes "" "$R1A"
check "after logout the token is refused (401 28000)" eval 'status_is 401 && body_has "\"28000\""'
px_req GET /api/nodes "" "$R1B"
check "... and so is the user's other token" status_is 401
check "a new login works after logout" eval 'px_login px_a rev1 "rev1 passphrase" && px_req GET /api/nodes "" "$PX_TOKEN" && status_is 200'
check "rev2 logs in" px_login px_a rev2 "rev2 passphrase"
R2=$PX_TOKEN
px_req POST /api/rpc/set_user_role '{"username":"rev2","role":"infracast_reader"}' "$ADMIN"
check "an admin demotes rev2" status_is 200
px_req POST /api/rpc/import_graph '{"graph":{"nodes":[{"id":"rev","kinds":["host"]}]}}' "$R2"
check "the demoted user's analyst token is refused (401)" eval 'status_is 401 && body_has "\"28000\""'
check "rev3 logs in" px_login px_a rev3 "rev3 passphrase"
R3=$PX_TOKEN
px_req POST /api/rpc/reset_password '{"username":"rev3","password":"temporary passphrase"}' "$ADMIN"
check "an admin resets rev3's password" status_is 200
px_req GET /api/nodes "" "$R3"
check "the token from before the reset is refused (401)" status_is 401
check "rev4 logs in" px_login px_a rev4 "rev4 passphrase"
R4=$PX_TOKEN
px_req POST /api/rpc/change_password '{"current_password":"rev4 passphrase","new_password":"rev4 newer passphrase"}' "$R4"
check "rev4 changes the password" status_is 200
px_req GET /api/nodes "" "$R4"
check "the token used to change the password is refused afterwards (401)" status_is 401
check "the new password logs in" eval 'px_login px_a rev4 "rev4 newer passphrase" && R4=$PX_TOKEN'
px_req POST /api/rpc/delete_user '{"username":"rev4"}' "$ADMIN"
check "an admin deletes rev4" status_is 200
px_req GET /api/nodes "" "$R4"
check "a deleted user's token is refused (401)" eval 'status_is 401 && body_has "\"28000\""'
px_psql -c "UPDATE infracast.users SET totp_last_step = 0 WHERE username = 'mfa'" >/dev/null   # the codes above are spent
check "mfa logs in with a code" px_login px_a mfa "mfa passphrase 1" \
    "$(px_psql -c "SELECT infracast.totp_code(totp_secret) FROM infracast.users WHERE username = 'mfa'")"
MFA=$PX_TOKEN
px_req POST /api/rpc/reset_mfa '{"username":"mfa"}' "$ADMIN"
check "an admin turns mfa's TOTP off" status_is 200
px_req GET /api/nodes "" "$MFA"
check "the token from before MFA was reset is refused (401)" status_is 401
px_req GET /api/nodes "" "$ADMIN"
check "the admin's own token is untouched" status_is 200
px_psql -c "UPDATE infracast.users SET role = 'infracast_analyst' WHERE username = 'alice'" >/dev/null
px_req GET /api/nodes "" "$ADMIN"
check "a role changed by a DBA in SQL revokes too" status_is 401

px_stop
px_finish
