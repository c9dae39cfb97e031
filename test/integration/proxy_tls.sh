#!/usr/bin/env bash
# TLS on both sides of infracast-proxy, with real servers:
#  - to the database: a private PostgreSQL cluster with ssl=on, a certificate for "localhost" signed
#    by a throwaway CA, and pg_hba.conf allowing the authenticator only by hostssl + scram-sha-256.
#    The proxy connects with sslmode=verify-full and the CA in VULCAN_DB_URL and serves; it refuses
#    to start, saying why, with another CA, with a host name the certificate does not name, and
#    with sslmode=disable. The URL's other parameters (passfile, application_name, options) reach
#    libpq too.
#  - to the browser: the proxy's HTTPS refuses TLS 1.0 and 1.1 (the server's own protocol_version
#    alert, with a client willing to speak them) and accepts TLS 1.2 and 1.3.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
cd "$(dirname "$0")/../.."
source test/harness/lib.sh

TLS=$(mktemp -d "${IC_STAGE:?run through make test}/tls-cluster.XXXXXX")
chmod 755 "$TLS"
trap 'cluster_stop "$TLS" "$IC_BINDIR"; px_cleanup' EXIT

# --- certificates: two throwaway CAs; the server's certificate names localhost only -------------
ca() { openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/$1.key" -out "$TLS/$1.pem" -days 1 -subj "/CN=$2" 2>/dev/null; }
ca ca "infracast test CA" && ca other-ca "some other CA" || { echo "could not make the CAs"; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout "$TLS/server.key" -out "$TLS/server.csr" -subj /CN=localhost 2>/dev/null \
    && openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 1 \
        -out "$TLS/server.crt" -extfile <(printf 'subjectAltName = DNS:localhost\nextendedKeyUsage = serverAuth\n') 2>/dev/null \
    || { echo "could not make the server certificate"; exit 1; }
chown postgres: "$TLS/server.key" "$TLS/server.crt"
chmod 600 "$TLS/server.key"
chmod 644 "$TLS/ca.pem" "$TLS/other-ca.pem"

# --- the cluster: TCP on 127.0.0.1 (a port the kernel says is free), hostssl + scram only ---------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cluster_start "$TLS" "$IC_BINDIR" "listen_addresses = '127.0.0.1'" "port = $port" "ssl = on" \
    "ssl_cert_file = '$TLS/server.crt'" "ssl_key_file = '$TLS/server.key'" \
    "password_encryption = 'scram-sha-256'" || { echo "the TLS cluster did not start"; exit 1; }
export PGHOST="$TLS/sock" PGPORT=$port
cat > "$TLS/data/pg_hba.conf" <<'HBA'
# the test's own set-up, over the private unix socket
local    all  postgres                               trust
# the proxy: TLS and a password only
hostssl  all  infracast_authenticator  127.0.0.1/32  scram-sha-256
HBA
chown postgres: "$TLS/data/pg_hba.conf"
as_pg "$IC_BINDIR/pg_ctl" -D "$TLS/data" -l "$TLS/server.log" -w -t 60 restart >/dev/null \
    || { cat "$TLS/server.log"; echo "the TLS cluster did not restart"; exit 1; }

PW=$(openssl rand -hex 16)
PX_DB=ic_tls
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $PX_DB" >/dev/null || exit 1
px_psql -c "SET client_min_messages = warning" -c "CREATE EXTENSION infracast" \
    -c "ALTER ROLE infracast_authenticator LOGIN PASSWORD '$PW'" >/dev/null || exit 1
px_psql >/dev/null <<'SQL' || exit 1
SELECT infracast.create_tenant('tls_a');
BEGIN;
SELECT infracast.set_tenant('tls_a');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('ana', 'infracast_analyst', infracast.password_hash('ana passphrase 1'), false);
COMMIT;
SQL
# The password in a passfile named by the URL, as docs/hardening.md advises, not in the URL.
printf '*:*:*:infracast_authenticator:%s\n' "$PW" > "$PX_DIR/pgpass"
chmod 600 "$PX_DIR/pgpass"

# url HOST SSLMODE CA: VULCAN_DB_URL for the TLS cluster
url() {
    printf 'postgresql://infracast_authenticator@/%s?host=%s&port=%s&sslmode=%s&sslrootcert=%s&passfile=%s' \
        "$PX_DB" "$1" "$port" "$2" "$TLS/$3" "$PX_DIR/pgpass"
}

# refuses NAME DB_URL TEXT: the proxy exits 2 without listening, and its log says TEXT.
refuses() {
    local name=$1 db_url=$2 expect=$3 out rc
    out=$(timeout 30 env VULCAN_DB_URL="$db_url" VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=127.0.0.1:0 \
          VULCAN_ADMIN_PASSWORD="admin first passphrase" "$PX_BIN" 2>&1)
    rc=$?
    if [ $rc -eq 2 ] && grep -q "refusing to start: cannot connect with VULCAN_DB_URL" <<<"$out" \
        && grep -qF -- "$expect" <<<"$out" && ! grep -q "listening on" <<<"$out"; then
        PX_PASSED=$((PX_PASSED + 1)); echo "ok - refuses: $name"
    else
        PX_FAILED=$((PX_FAILED + 1)); echo "not ok - refuses: $name (exit $rc): $out"
    fi
}

# --- verify-full against the right CA and name: it serves ------------------------------------------
# application_name and options (a time zone) ride along in the URL: libpq must get them intact.
PX_DB_URL="$(url localhost verify-full ca.pem)&application_name=ic-tls-test&options=-c%20TimeZone%3DAsia/Kolkata"
px_start || { echo "not ok - the proxy did not start with sslmode=verify-full"; exit 1; }
check "verify-full: ana logs in through the proxy" px_login tls_a ana "ana passphrase 1"
px_req POST /api/rpc/whoami '{}' "$PX_TOKEN"
check "verify-full: an API call answers" eval 'status_is 200 && body_has "\"username\": \"ana\""'
sessions=$(px_psql -c "SELECT count(*) FILTER (WHERE s.ssl) || ' of ' || count(*) || ' ' || string_agg(DISTINCT a.application_name, ',')
                         FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                        WHERE a.usename = 'infracast_authenticator'")
read -r ssl_count _ all_count app_names <<<"$sessions"
check "verify-full: every proxy session is TLS, with the URL's application_name ($sessions)" \
    eval '[ "${ssl_count:-0}" -ge 1 ] && [ "$ssl_count" = "$all_count" ] && [ "$app_names" = ic-tls-test ]'
px_req GET /readyz
check "verify-full: the URL's options reach the session (licence expiry in Asia/Kolkata time)" \
    eval 'status_is 200 && body_has "+05:30"'
px_stop

refuses "a server certificate from another CA" "$(url localhost verify-full other-ca.pem)" "certificate verify failed"
refuses "a host name the certificate does not name" "$(url 127.0.0.1 verify-full ca.pem)" \
    'does not match host name "127.0.0.1"'
refuses "sslmode=disable against hostssl only" "$(url localhost disable ca.pem)" "no encryption"

# --- the proxy's own HTTPS: TLS 1.2 and 1.3 only -------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PX_DIR/key.pem" -out "$PX_DIR/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext "subjectAltName = IP:127.0.0.1" 2>/dev/null
PX_DB_URL=$(url localhost verify-full ca.pem)
px_start VULCAN_TLS_CERT="$PX_DIR/cert.pem" VULCAN_TLS_KEY="$PX_DIR/key.pem" || { echo "not ok - the HTTPS proxy did not start"; exit 1; }
hostport=${PX_URL#https://}
# handshake VERSION: s_client's output; SECLEVEL=0 and no system configuration (Debian's sets
# MinProtocol = TLSv1.2), so that the client offers the old versions and only the server refuses.
handshake() {
    OPENSSL_CONF=/dev/null timeout 20 openssl s_client -connect "$hostport" -servername 127.0.0.1 -brief -msg \
        "-$1" -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1
}
for v in tls1:1.0 tls1_1:1.1; do
    out=$(handshake "${v%%:*}"); rc=$?
    # The client did offer the version (its ClientHello went out), and no ServerHello came back.
    got=$(grep -o "^Protocol version: .*" <<<"$out"); got=${got:-no handshake}
    check "HTTPS refuses TLS ${v#*:}: the ClientHello offering it gets no ServerHello ($got)" \
        eval '[ $rc -ne 0 ] && grep -q "^>>> TLS ${v#*:}, Handshake .*ClientHello" <<<"$out" \
              && ! grep -q "ServerHello" <<<"$out" && ! grep -q "CONNECTION ESTABLISHED" <<<"$out"'
done
for v in tls1_2:TLSv1.2 tls1_3:TLSv1.3; do
    out=$(handshake "${v%%:*}"); rc=$?
    check "HTTPS accepts ${v#*:}" eval '[ $rc -eq 0 ] && grep -q "^Protocol version: ${v#*:}$" <<<"$out"'
done
got=$(curl -sk --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' --max-time 10 "$PX_URL/healthz")
check "HTTPS over TLS 1.2 answers a request" eval '[ "$got" = 200 ]'
px_stop
px_finish
