#!/usr/bin/env bash
# infracast-proxy start-up: it refuses unsafe configurations and database logins (saying why),
# seeds the first admin once with a generated password logged once, serves HTTPS when given a
# certificate, and serves the single-page app with an index.html fallback and no path escape.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"

px_setup_db proxy_startup || exit 1

# refuses NAME EXPECTED_TEXT VAR=value...: the proxy exits 2 without listening and says why.
refuses() {
    local name=$1 expect=$2; shift 2
    local out rc
    out=$(timeout 20 env -u VULCAN_JWT_SECRET VULCAN_DB_URL="$PX_DB_URL" VULCAN_LISTEN=127.0.0.1:0 "$@" "$PX_BIN" 2>&1)
    rc=$?
    if [ $rc -eq 2 ] && grep -q "refusing to start" <<<"$out" && grep -qiF -- "$expect" <<<"$out" && ! grep -q "listening on" <<<"$out"; then
        PX_PASSED=$((PX_PASSED + 1)); echo "ok - refuses: $name"
    else
        PX_FAILED=$((PX_FAILED + 1)); echo "not ok - refuses: $name (exit $rc): $out"
    fi
}

refuses "no JWT secret" "VULCAN_JWT_SECRET is not set"
refuses "a short JWT secret" "shorter than 32 bytes" VULCAN_JWT_SECRET=short-but-random-Zx8
refuses "the sample default secret" "shorter than 32 bytes" VULCAN_JWT_SECRET=change-me-in-production
refuses "a padded sample default secret" "known default" VULCAN_JWT_SECRET=change-me-in-production-change-me-in-production
refuses "a low-variety secret" "distinct characters" VULCAN_JWT_SECRET=abababababababababababababababababab
refuses "no database URL" "VULCAN_DB_URL is not set" VULCAN_DB_URL= VULCAN_JWT_SECRET="$PX_SECRET"
refuses "a superuser database login" "superuser" VULCAN_JWT_SECRET="$PX_SECRET" \
    VULCAN_DB_URL="postgresql://postgres@/proxy_startup?host=$PGHOST&port=$PGPORT"
PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP ROLE IF EXISTS regress_px_bypass" -c "CREATE ROLE regress_px_bypass LOGIN BYPASSRLS" \
    -c "GRANT infracast_admin TO regress_px_bypass" >/dev/null
refuses "a BYPASSRLS database login" "BYPASSRLS" VULCAN_JWT_SECRET="$PX_SECRET" \
    VULCAN_DB_URL="postgresql://regress_px_bypass@/proxy_startup?host=$PGHOST&port=$PGPORT"
PGOPTIONS="-c client_min_messages=warning" psql -qX -d postgres -c "DROP ROLE IF EXISTS regress_px_plain" -c "CREATE ROLE regress_px_plain LOGIN" >/dev/null
refuses "a login that cannot switch to the API roles" "not a member" VULCAN_JWT_SECRET="$PX_SECRET" \
    VULCAN_DB_URL="postgresql://regress_px_plain@/proxy_startup?host=$PGHOST&port=$PGPORT"
refuses "a database without the extension" "CREATE EXTENSION" VULCAN_JWT_SECRET="$PX_SECRET" \
    VULCAN_DB_URL="postgresql://infracast_authenticator@/postgres?host=$PGHOST&port=$PGPORT"
refuses "an unreachable database" "cannot connect" VULCAN_JWT_SECRET="$PX_SECRET" \
    VULCAN_DB_URL="postgresql://infracast_authenticator@/proxy_startup?host=/nonexistent&port=1"
refuses "a bad listen address" "VULCAN_LISTEN" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=localhost
refuses "half a TLS configuration" "VULCAN_TLS_KEY" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_TLS_CERT=/etc/hostname
refuses "plain HTTP off loopback" "is not a loopback address and no TLS" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=0.0.0.0:0
refuses "plain HTTP on every IPv6 address" "is not a loopback address and no TLS" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=[::]:0
refuses "plain HTTP off loopback with ALLOW_PLAINTEXT other than 1" "is not a loopback address" \
    VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=0.0.0.0:0 VULCAN_ALLOW_PLAINTEXT=yes
refuses "a short admin password" "VULCAN_ADMIN_PASSWORD" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_ADMIN_PASSWORD=short
psql -qX -d postgres -c "DROP ROLE regress_px_bypass" -c "DROP ROLE regress_px_plain" >/dev/null

# --- first boot: a generated admin password, logged once -----------------------------------------
PX_ADMIN_PASSWORD= px_start || { echo "proxy did not start"; exit 1; }
generated=$(grep -o 'with the password [^ ]*' "$PX_LOG" | awk '{print $4}')
check "first boot logs a generated admin password" eval '[ ${#generated} -ge 20 ]'
check "the secret does not appear in the log" eval '! grep -qF "$PX_SECRET" "$PX_LOG"'
check "the generated password logs admin in" px_login default admin "$generated"
check "... and must be changed first" body_has '"restricted":"password_change"'
px_req POST /api/rpc/change_password "{\"current_password\":\"$generated\",\"new_password\":\"admin chosen passphrase\"}" "$PX_TOKEN"
check "admin changes the password" status_is 200
px_stop
PX_ADMIN_PASSWORD= px_start || { echo "proxy did not restart"; exit 1; }
check "a second boot logs no password" eval '! grep -q "with the password" "$PX_LOG"'
check "the chosen password still works" eval 'px_login default admin "admin chosen passphrase" && body_lacks restricted'
check "the secret is wiped from the process environment" eval '! tr "\0" "\n" < /proc/$PX_PID/environ | grep -qF "$PX_SECRET"'
px_stop

# --- HTTPS -----------------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PX_DIR/key.pem" -out "$PX_DIR/cert.pem" -days 1 \
    -subj "/CN=127.0.0.1" >/dev/null 2>&1
px_start VULCAN_TLS_CERT="$PX_DIR/cert.pem" VULCAN_TLS_KEY="$PX_DIR/key.pem" || { echo "TLS proxy did not start"; exit 1; }
check "with a certificate the proxy listens on https" eval '[[ "$PX_URL" == https://* ]]'
px_req GET /healthz
check "https healthz answers 200" status_is 200
check "https responses carry Strict-Transport-Security" eval 'grep -qi "^Strict-Transport-Security:" <<<"$PX_HEADERS"'
check "https login works" px_login default admin "admin chosen passphrase"
plain=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:${PX_URL##*:}/healthz")
check "plain http to the TLS port gets no answer" eval '[ "$plain" = 000 ]'
px_stop

# --- single-page app ----------------------------------------------------------------------------
mkdir -p "$PX_DIR/ui/assets"
echo '<!doctype html><title>infracast ui</title>' > "$PX_DIR/ui/index.html"
echo 'console.log("app")' > "$PX_DIR/ui/assets/app.js"
echo 'top secret' > "$PX_DIR/outside.txt"
ln -s "$PX_DIR/outside.txt" "$PX_DIR/ui/assets/link.txt"
px_start VULCAN_UI_DIR="$PX_DIR/ui" || { echo "UI proxy did not start"; exit 1; }
px_req GET /
check "/ serves index.html" eval 'status_is 200 && body_has "infracast ui"'
px_req GET /assets/app.js
check "a file is served with its type" eval 'status_is 200 && body_has "console.log" && grep -qi "^Content-Type: text/javascript" <<<"$PX_HEADERS"'
px_req GET /attack-paths/42
check "an app route falls back to index.html" eval 'status_is 200 && body_has "infracast ui"'
px_req GET /assets/missing.js
check "a missing asset is 404" status_is 404
for path in "/../outside.txt" "/assets/../../outside.txt" "/%2e%2e/outside.txt" "/assets/link.txt" "/..%2foutside.txt"; do
    px_req GET "$path" "" "" --path-as-is
    check "no escape from the UI folder: $path" body_lacks "top secret"
done
px_req GET /api/nodes
check "the API still wants a token beside the UI" status_is 401
px_stop

# VULCAN_ALLOW_PLAINTEXT=1 lets it start (on a kernel-chosen port of every address; no request is
# sent), and the log says plainly that this is clear text.
PX_ADMIN_PASSWORD= px_start VULCAN_LISTEN=0.0.0.0:0 VULCAN_ALLOW_PLAINTEXT=1 || { echo "not ok - ALLOW_PLAINTEXT=1 start"; exit 1; }
check "VULCAN_ALLOW_PLAINTEXT=1 starts off loopback and warns of clear text" \
    eval 'grep -q "listening on http://0.0.0.0:" "$PX_LOG" && grep -q "clear text" "$PX_LOG"'
px_stop
px_finish
