#!/usr/bin/env bash
# make demo, step 90: the REST API. Starts infracast-proxy on 127.0.0.1:8080 (IC_PROXY_LISTEN to
# change it) against the demo cluster, with demo users in tenants acme and globex, and prints how
# to log in. Stopped by make demo-stop (demo/stop.d/proxy.sh).
#
# Demo-only shortcuts, not for production (see docs/hardening.md): the authenticator logs in over
# the demo's private unix socket with the cluster's trust authentication, the demo users need not
# change their generated passwords, and there is no TLS (loopback only).
set -euo pipefail
: "${IC_DEMO:?run through make demo}" "${IC_BINDIR:?run through make demo}"
LISTEN=${IC_PROXY_LISTEN:-127.0.0.1:8080}
ENVFILE="$IC_DEMO/proxy.env"
LOG="$IC_DEMO/proxy.log"
PIDFILE="$IC_DEMO/proxy.pid"

DEMO="$IC_DEMO" bash "$(dirname "$0")/stop.d/proxy.sh" >/dev/null 2>&1 || true

# Secrets of this demo, generated once and kept (0600) beside its data.
if [ ! -f "$ENVFILE" ]; then
    umask 077
    {
        echo "VULCAN_JWT_SECRET=$(openssl rand -base64 48 | tr -d '\n')"
        echo "DEMO_PASSWORD=demo-$(openssl rand -hex 6)"
        echo "VULCAN_ADMIN_PASSWORD=admin-$(openssl rand -hex 8)"
    } > "$ENVFILE"
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

# Run it as an unprivileged user when we are root.
touch "$LOG"; run=()
if [ "$(id -u)" -eq 0 ]; then chown nobody "$LOG"; run=(runuser -u nobody --); fi
(
    cd /
    exec setsid env VULCAN_DB_URL="postgresql://infracast_authenticator@/infracast?host=$IC_DEMO/sock&port=${PGPORT:-5432}" \
        VULCAN_JWT_SECRET="$VULCAN_JWT_SECRET" VULCAN_ADMIN_PASSWORD="$VULCAN_ADMIN_PASSWORD" \
        VULCAN_LISTEN="$LISTEN" VULCAN_LOG_LEVEL=info ${VULCAN_UI_DIR:+VULCAN_UI_DIR="$VULCAN_UI_DIR"} \
        "${run[@]}" "$IC_BINDIR/infracast-proxy" >>"$LOG" 2>&1
) &
echo $! > "$PIDFILE"
for i in $(seq 1 50); do
    grep -q "listening on" "$LOG" && break
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        echo "infracast-proxy did not start:"; tail -n 5 "$LOG"; rm -f "$PIDFILE"; exit 1
    fi
    sleep 0.1
done
URL="http://$LISTEN"
DEMO_USERS=$(psql -qAtX -d infracast -c "SELECT count(*) FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id WHERE t.name IN ('acme', 'globex')")
if [ "$DEMO_USERS" = 0 ]; then
    cat <<MSG

REST API (infracast-proxy) on $URL   (log: $LOG)
  The demo inventory (tenants acme, globex) was not loaded before this step, so only the first-boot
  admin exists: tenant "default", user admin, password $VULCAN_ADMIN_PASSWORD (must be changed at first login).
  Run  bash demo/90_proxy.sh  again (IC_DEMO, IC_BINDIR, PGHOST set as by make demo) for the demo users.
MSG
    exit 0
fi
PSQL="psql -h $IC_DEMO/sock -U postgres -qAt infracast"
cat <<MSG

REST API (infracast-proxy) on $URL   (log: $LOG)
${VULCAN_UI_DIR:+  Web UI: $URL/   (log in with a user below; acme asks for the TOTP code printed by the CODE= line)
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
MSG
