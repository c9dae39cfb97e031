#!/usr/bin/env bash
# make demo, step 90: the REST API and the web UI. Starts infracast-proxy twice against the demo
# cluster: plain HTTP on 127.0.0.1:8080 (IC_PROXY_LISTEN) and HTTPS on 127.0.0.1:8443
# (IC_PROXY_TLS_LISTEN; empty: none) with a throwaway self-signed certificate made here, with demo
# users in tenants acme and globex, and prints how to log in. Stopped by make demo-stop
# (demo/stop.d/proxy.sh).
#
# Demo-only shortcuts, not for production (see docs/hardening.md): the authenticator logs in over
# the demo's private unix socket with the cluster's trust authentication, the demo users need not
# change their generated passwords, and the certificate is self-signed (browsers warn; compare
# the fingerprint printed below) and valid for 30 days (made again when it is about to expire).
set -euo pipefail
: "${IC_DEMO:?run through make demo}" "${IC_BINDIR:?run through make demo}"
LISTEN=${IC_PROXY_LISTEN:-127.0.0.1:8080}
TLS_LISTEN=${IC_PROXY_TLS_LISTEN-127.0.0.1:8443}
ENVFILE="$IC_DEMO/proxy.env"
LOG="$IC_DEMO/proxy.log"
TLS_LOG="$IC_DEMO/proxy-https.log"
TLS_DIR="$IC_DEMO/tls"

DEMO="$IC_DEMO" bash "$(dirname "$0")/stop.d/proxy.sh" >/dev/null 2>&1 || true

# Secrets of this demo, generated once and kept (0600) beside its data.
# (umask in a subshell: left set, it made the UI build and the TLS folder unreadable to the proxy)
if [ ! -f "$ENVFILE" ]; then
    (
        umask 077
        {
            echo "VULCAN_JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
            echo "DEMO_PASSWORD=demo-$(openssl rand -hex 6)"
            echo "VULCAN_ADMIN_PASSWORD=admin-$(openssl rand -hex 8)"
        } > "$ENVFILE"
    )
fi
# shellcheck disable=SC1090
source "$ENVFILE"

psql -qX -v ON_ERROR_STOP=1 -d infracast -v pw="$DEMO_PASSWORD" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
ALTER ROLE infracast_authenticator LOGIN;
CREATE TEMP TABLE demo_users (tenant text, username text, role name);
INSERT INTO demo_users VALUES
    ('acme', 'alice', 'infracast_admin'), ('acme', 'ana', 'infracast_analyst'), ('acme', 'rea', 'infracast_reader'),
    ('globex', 'gary', 'infracast_admin'), ('globex', 'gwen', 'infracast_analyst');
INSERT INTO infracast.users AS u (tenant_id, username, role, password_hash, must_change_password)
SELECT t.id, d.username, d.role, infracast.password_hash(:'pw'), false
  FROM demo_users d JOIN infracast.tenants t ON t.name = d.tenant
ON CONFLICT (tenant_id, username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
    must_change_password = false;
-- Tenants that require MFA: the demo users get a TOTP secret (kept across demo runs).
UPDATE infracast.users u SET totp_secret = infracast.totp_new_secret(), totp_enabled = true
  FROM infracast.tenants t
 WHERE t.id = u.tenant_id AND COALESCE((t.settings ->> 'mfa_required')::boolean, false)
   AND u.username IN (SELECT username FROM demo_users) AND NOT u.totp_enabled;
SQL

# The web UI, built (npm ci from the committed lockfile, then vite) when missing or stale, and
# served by the proxy itself. Without Node.js the demo still serves the API.
if [ -z "${VULCAN_UI_DIR:-}" ]; then
    UI_ROOT=$(cd "$(dirname "$0")/.." && pwd)/ui
    if bash "$UI_ROOT/scripts/build.sh" >"$IC_DEMO/ui-build.log" 2>&1; then VULCAN_UI_DIR="$UI_ROOT/dist"
    else echo "the web UI was not built (see $IC_DEMO/ui-build.log): serving the API only"; fi
fi

# The demo's certificate: self-signed for localhost and 127.0.0.1, 30 days, kept between runs while
# it has more than a day left, so that a browser exception made once keeps working.
if [ -n "$TLS_LISTEN" ] && ! openssl x509 -checkend 86400 -noout -in "$TLS_DIR/cert.pem" >/dev/null 2>&1; then
    rm -rf "$TLS_DIR"; mkdir -p "$TLS_DIR"; chmod 755 "$TLS_DIR"
    (umask 077; openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj /CN=localhost \
        -addext "subjectAltName = DNS:localhost, IP:127.0.0.1" \
        -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null) \
        || { echo "could not make the demo's TLS certificate"; exit 1; }
    chmod 644 "$TLS_DIR/cert.pem"
fi

# start_proxy LISTEN LOG PIDFILE [VAR=value...]: one infracast-proxy in the background, as an
# unprivileged user when we are root; returns when it listens (1, with its log, when it did not).
start_proxy() {
    local listen=$1 log=$2 pidfile=$3 i; shift 3
    local run=()
    touch "$log"
    if [ "$(id -u)" -eq 0 ]; then chown nobody "$log"; run=(runuser -u nobody --); fi
    (
        cd /
        exec setsid env VULCAN_DB_URL="postgresql://infracast_authenticator@/infracast?host=$IC_DEMO/sock&port=${PGPORT:-5432}" \
            VULCAN_JWT_SECRET="$VULCAN_JWT_SECRET" VULCAN_ADMIN_PASSWORD="$VULCAN_ADMIN_PASSWORD" \
            VULCAN_LISTEN="$listen" VULCAN_LOG_LEVEL=info ${VULCAN_UI_DIR:+VULCAN_UI_DIR="$VULCAN_UI_DIR"} "$@" \
            "${run[@]}" "$IC_BINDIR/infracast-proxy" >>"$log" 2>&1
    ) &
    echo $! > "$pidfile"
    for i in $(seq 1 50); do
        grep -q "listening on" "$log" && return 0
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "infracast-proxy on $listen did not start:"; tail -n 5 "$log"; rm -f "$pidfile"; return 1
        fi
        sleep 0.1
    done
}

start_proxy "$LISTEN" "$LOG" "$IC_DEMO/proxy.pid" || exit 1
HTTPS_NOTE=""
if [ -n "$TLS_LISTEN" ]; then
    # the proxy runs as nobody: the key is its alone (0600), as in production
    [ "$(id -u)" -eq 0 ] && chown nobody "$TLS_DIR/key.pem"
    start_proxy "$TLS_LISTEN" "$TLS_LOG" "$IC_DEMO/proxy-https.pid" \
        VULCAN_TLS_CERT="$TLS_DIR/cert.pem" VULCAN_TLS_KEY="$TLS_DIR/key.pem" || exit 1
    FINGERPRINT=$(openssl x509 -noout -fingerprint -sha256 -in "$TLS_DIR/cert.pem" | cut -d= -f2)
    HTTPS_NOTE="
HTTPS (TLS 1.2/1.3) on https://$TLS_LISTEN/   (log: $TLS_LOG)
  The certificate is self-signed, made for this demo ($TLS_DIR/cert.pem, valid until
  $(openssl x509 -noout -enddate -in "$TLS_DIR/cert.pem" | cut -d= -f2)): your browser will warn that it is not trusted.
  Accept it only if the SHA-256 fingerprint the browser shows is
    $FINGERPRINT
  curl: --cacert $TLS_DIR/cert.pem (or -k) with the same commands on https://$TLS_LISTEN."
fi
URL="http://$LISTEN"
DEMO_USERS=$(psql -qAtX -d infracast -c "SELECT count(*) FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id WHERE t.name IN ('acme', 'globex')")
if [ "$DEMO_USERS" = 0 ]; then
    cat <<MSG

REST API (infracast-proxy) on $URL   (log: $LOG)
  The demo inventory (tenants acme, globex) was not loaded before this step, so only the first-boot
  admin exists: tenant "default", user admin, password $VULCAN_ADMIN_PASSWORD (must be changed at first login).
  Run  bash demo/90_proxy.sh  again (IC_DEMO, IC_BINDIR, PGHOST set as by make demo) for the demo users.
$HTTPS_NOTE
MSG
    exit 0
fi
PSQL="psql -h $IC_DEMO/sock -U postgres -qAt infracast"
cat <<MSG

REST API (infracast-proxy) on $URL   (log: $LOG)
${VULCAN_UI_DIR:+  Web UI: $URL/${TLS_LISTEN:+ and https://$TLS_LISTEN/ (see HTTPS below)}   (log in with a user below; acme asks for the TOTP code printed by the CODE= line)
}  Users of tenant globex: gary (admin), gwen (analyst); of acme (requires MFA): alice (admin), ana (analyst), rea (reader).
  Their demo password: $DEMO_PASSWORD
  Log in and call it:
    TOKEN=\$(curl -s -X POST $URL/api/auth/login -d '{"tenant":"globex","username":"gwen","password":"$DEMO_PASSWORD"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
    curl -s -H "Authorization: Bearer \$TOKEN" "$URL/api/nodes?crown_jewel=is.true&select=external_id,name&limit=5"
    curl -s -H "Authorization: Bearer \$TOKEN" -X POST $URL/api/rpc/whoami -d '{}'
  acme needs a TOTP code too (an authenticator app would show it; here the database computes it):
    CODE=\$($PSQL -c "SELECT infracast.totp_code(totp_secret) FROM infracast.users WHERE username = 'ana'")
    curl -s -X POST $URL/api/auth/login -d '{"tenant":"acme","username":"ana","password":"$DEMO_PASSWORD","totp":"'\$CODE'"}'
  Everything it exposes: $URL/api/openapi.json   (reference: docs/api.md)
  First-boot admin of tenant "default": admin / $VULCAN_ADMIN_PASSWORD (must be changed at first login)
$HTTPS_NOTE
MSG
