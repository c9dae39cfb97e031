#!/usr/bin/env bash
# make demo, step 75: discovery. Starts one snmpd and one sshd on loopback as an unprivileged user
# (postgres when make demo runs as root, else the user running it), with their state under
# .infracast/discovery, points the discovery worker at the demo database, queues an SNMP and an SSH
# job for tenant acme, and prints the nodes, addresses, software counts and what matching finds on
# that software. Stopped by make demo-stop (demo/stop.d/discovery.sh).
#
# Demo-only shortcuts, not for production (see docs/discovery.md): sshd runs as the same unprivileged
# user it logs in as (so only key logins work, and StrictModes is off), on loopback only; the
# sealing key and the user key are generated here and kept under .infracast.
set -euo pipefail
: "${IC_DEMO:?run through make demo}" "${IC_BINDIR:?run through make demo}"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/test/harness/lib.sh"
DIR="$IC_DEMO/discovery"
SSHD=/usr/sbin/sshd

DEMO="$IC_DEMO" bash "$ROOT/demo/stop.d/discovery.sh" >/dev/null 2>&1 || true
RUNAS=$(id -un); [ "$(id -u)" -eq 0 ] && RUNAS=postgres
as_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }
rm -rf "$DIR"; mkdir -p "$DIR"; chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown "$RUNAS:" "$DIR"
free_port() { python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket, sys.argv[1])); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])" "$1"; }
SNMP_PORT=$(free_port SOCK_DGRAM)
SSH_PORT=$(free_port SOCK_STREAM)
COMMUNITY="demo-$(openssl rand -hex 6)"

# --- the agents, as $RUNAS ---------------------------------------------------------------------------
as_user mkdir -p "$DIR/snmp-persist"
as_user sh -c "cat >'$DIR/snmpd.conf'" <<EOF
[snmp] persistentDir $DIR/snmp-persist
rocommunity $COMMUNITY 127.0.0.1
sysName infracast-demo-agent
sysLocation make demo
EOF
MIBS= SNMP_PERSISTENT_DIR="$DIR/snmp-persist" as_user setsid snmpd -f -Lo -C -c "$DIR/snmpd.conf" -p "$DIR/snmpd.pid" \
    "udp:127.0.0.1:$SNMP_PORT" >"$DIR/snmpd.log" 2>&1 < /dev/null &
as_user ssh-keygen -q -t ed25519 -N '' -C demo-host -f "$DIR/ssh_host_ed25519_key"
as_user ssh-keygen -q -t ed25519 -N '' -C demo-discovery -f "$DIR/id_ed25519"
as_user cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
as_user sh -c "cat >'$DIR/sshd_config'" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.2
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $RUNAS
EOF
as_user setsid "$SSHD" -D -e -f "$DIR/sshd_config" >"$DIR/sshd.log" 2>&1 < /dev/null &
for i in $(seq 1 50); do
    [ -s "$DIR/sshd.pid" ] && [ -s "$DIR/snmpd.pid" ] && break
    sleep 0.1
done
[ -s "$DIR/sshd.pid" ] || { ic_log "sshd did not start:"; cat "$DIR/sshd.log" >&2; exit 1; }
[ -s "$DIR/snmpd.pid" ] || { ic_log "snmpd did not start:"; cat "$DIR/snmpd.log" >&2; exit 1; }

# --- the worker: the demo database, a sealing key (a restart: infracast.database is read at start) --
KEY="$IC_DEMO/credential.key"
[ -f "$KEY" ] || head -c 32 /dev/urandom >"$KEY"
[ "$(id -u)" -eq 0 ] && chown postgres: "$KEY"
chmod 600 "$KEY"
psql -qX -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL
ALTER SYSTEM SET infracast.database = 'infracast';
ALTER SYSTEM SET infracast.credential_key_file = '$KEY';
ALTER SYSTEM SET infracast.discovery_poll_interval = 1;
SQL
as_pg "$IC_BINDIR/pg_ctl" -D "$IC_DEMO/data" -l "$IC_DEMO/server.log" -w -t 60 restart >/dev/null

echo
echo "== discovery: snmpd on udp 127.0.0.1:$SNMP_PORT and sshd on tcp 127.0.0.2:$SSH_PORT (as $RUNAS), tenant acme"
psql -X -q -v ON_ERROR_STOP=1 -d infracast -v community="$COMMUNITY" -v key="$(cat "$DIR/id_ed25519")" -v user="$RUNAS" \
     -v snmp_port="$SNMP_PORT" -v ssh_port="$SSH_PORT" <<'SQL'
SET client_min_messages = warning;
SELECT infracast.set_tenant('acme', false) \gset
SELECT infracast.credential_create('demo-snmp', 'snmp_v2c', :'community') IS NOT NULL AS snmp_credential,
       infracast.credential_create('demo-ssh', 'ssh_key', :'key', :'user') IS NOT NULL AS ssh_credential;
SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'demo-snmp', :snmp_port) AS snmp_job \gset
SELECT infracast.discover(ARRAY['127.0.0.2'], 'ssh', 'demo-ssh', :ssh_port) AS ssh_job \gset
\echo == waiting for jobs :snmp_job (snmp) and :ssh_job (ssh)
DO $$
BEGIN
    FOR i IN 1..120 LOOP
        EXIT WHEN NOT EXISTS (SELECT 1 FROM infracast.discovery_jobs WHERE state IN ('queued', 'running'));
        PERFORM pg_sleep(0.5);
    END LOOP;
END
$$;
\echo == infracast.discovery_runs
SELECT j.method, r.target, r.state, coalesce(r.reason, '') AS reason, r.sys_name, r.software, r.services, r.accounts
  FROM infracast.discovery_runs r JOIN infracast.discovery_jobs j ON j.tenant_id = r.tenant_id AND j.id = r.job_id
 WHERE r.job_id IN (:snmp_job, :ssh_job) ORDER BY r.job_id;
\echo == the nodes discovery made, their addresses and software
SELECT n.external_id, n.kind, n.name, n.addresses,
       coalesce(n.attrs->'ssh'->>'os_pretty_name', n.attrs->'snmp'->>'sysDescr') AS system,
       (SELECT count(*) FROM infracast.software s WHERE s.node_id = n.id) AS software,
       (SELECT count(*) FROM infracast.discovered_services d WHERE d.node_id = n.id) AS listening
  FROM infracast.nodes n WHERE n.source = 'discovery' ORDER BY n.external_id;
\echo == a few packages with their purls (SSH)
SELECT s.name, s.version, s.purl FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id
 WHERE n.external_id LIKE 'ssh:%' AND s.name IN ('bash', 'openssl', 'openssh-server', 'libc6') ORDER BY s.name;
\echo == the pinned host key
SELECT host, port, key_type, fingerprint FROM infracast.ssh_host_keys;
\echo == matching the discovered software against the loaded NVD data
SELECT new_findings, still_open, fixed FROM infracast.match_vulnerabilities();
SELECT n.name AS node, s.name AS software, s.version, f.cve_id, f.status
  FROM infracast.findings f JOIN infracast.software s ON s.tenant_id = f.tenant_id AND s.id = f.software_id
  JOIN infracast.nodes n ON n.tenant_id = f.tenant_id AND n.id = f.node_id
 WHERE s.source = 'discovery' ORDER BY n.name, s.name, f.cve_id LIMIT 20;
SELECT count(*) AS findings_on_discovered_software
  FROM infracast.findings f JOIN infracast.software s ON s.tenant_id = f.tenant_id AND s.id = f.software_id
 WHERE s.source = 'discovery';
\echo '(The feed bundle of this demo is generated, not real NVD data: a package of this machine is found'
\echo ' only when one of its CVEs names it. With a real NVD feed loaded, the same query lists them.)'
SQL
