#!/usr/bin/env bash
# SSH discovery against a real sshd on loopback (its own host keys, config and port), on a cluster
# of its own (the worker needs shared_preload_libraries and infracast.database). Two real local
# accounts are made for it (one logs in with keys, one with a password) and removed at the end.
# The facts stored are checked against this machine, which is the one sshd serves: os-release,
# uname, every installed package (dpkg-query) and a few versions and purls, a port the key account
# listens on, getent passwd. Then the faults: a wrong password, a key the account does not accept,
# a key whose passphrase is wrong, a changed host key (refused before logging in, recorded for the
# analyst, nothing deleted, then accepted by an admin), a closed port, a silent server past the
# deadline, a command printing more than the cap, SIGTERM in the middle of a job, a fast shutdown,
# the licence (restricted state, node limit), and that no secret reaches the table or the log.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
is()  { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

BIN=${IC_BINDIR:?IC_BINDIR is set by the harness}
[ "$(id -u)" -eq 0 ] || { echo "not ok 1 - this test makes local accounts and runs sshd: run it as root"; exit 1; }
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "not ok 1 - $SSHD is missing (Debian openssh-server)"; exit 1; }
D=$(mktemp -d "${IC_STAGE:-/tmp}/discovery_ssh.XXXXXX"); chmod 755 "$D"
KUSER="icsk$$"; PUSER="icsp$$"      # short, unique per run, removed on exit
PASSWORD='Pw-s3cret-4417'
KEY_PASSPHRASE='key-Passphrase-9921'
SSHD_PID=""; PIDS=()
stop_sshd() { if [ -n "$SSHD_PID" ]; then kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null; SSHD_PID=""; fi; }
cleanup() {
    stop_sshd
    local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    cluster_stop "$D" "$BIN"
    userdel "$KUSER" 2>/dev/null; userdel "$PUSER" 2>/dev/null
    [ -n "${KEEP:-}" ] || [ "$fail" -ne 0 ] || rm -rf "$D"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)

# --- the accounts, keys and the server -------------------------------------------------------------
mkdir -p "$D/ssh/auth" "$D/home-k" "$D/home-p" /run/sshd
useradd -M -d "$D/home-k" -s /bin/bash "$KUSER" || { bad "useradd $KUSER"; exit 1; }
useradd -M -d "$D/home-p" -s /bin/bash "$PUSER" || { bad "useradd $PUSER"; exit 1; }
echo "$PUSER:$PASSWORD" | chpasswd
usermod -p '*' "$KUSER"     # no password, but not locked ("!"): sshd refuses locked accounts even keys
chown "$KUSER:" "$D/home-k"; chown "$PUSER:" "$D/home-p"
ssh-keygen -q -t ed25519 -N '' -C host1 -f "$D/ssh/host1"
ssh-keygen -q -t ed25519 -N '' -C host2 -f "$D/ssh/host2"
ssh-keygen -q -t ed25519 -N '' -f "$D/ssh/id_ed25519"
ssh-keygen -q -t ecdsa -b 256 -N "$KEY_PASSPHRASE" -f "$D/ssh/id_ecdsa"
ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -f "$D/ssh/id_rsa"
ssh-keygen -q -t ed25519 -N '' -f "$D/ssh/id_other"          # not authorised anywhere
cat "$D/ssh/id_ed25519.pub" "$D/ssh/id_ecdsa.pub" "$D/ssh/id_rsa.pub" >"$D/ssh/auth/$KUSER"
write_sshd_config() { # write_sshd_config HOSTKEY
    cat >"$D/ssh/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
HostKey $1
PidFile $D/ssh/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $D/ssh/auth/%u
AllowUsers $KUSER $PUSER
MaxStartups 100
EOF
}
start_sshd() { # start_sshd HOSTKEY
    write_sshd_config "$1"
    "$SSHD" -D -e -f "$D/ssh/sshd_config" >>"$D/ssh/sshd.log" 2>&1 &
    SSHD_PID=$!
    local i
    for i in $(seq 1 50); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$D/ssh/sshd.log"; return 1
}
start_sshd "$D/ssh/host1" && ok "sshd listens on 127.0.0.1:$PORT" || { bad "sshd did not start"; exit 1; }
FP1=$(ssh-keygen -lf "$D/ssh/host1.pub" | awk '{print $2}')
FP2=$(ssh-keygen -lf "$D/ssh/host2.pub" | awk '{print $2}')

# a port the key account listens on (ss shows an account its own processes)
LPORT=$(free_port)
runuser -u "$KUSER" -- python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(3600)' "$LPORT" &
PIDS+=($!)

# --- the cluster ---------------------------------------------------------------------------------
head -c 32 /dev/urandom >"$D/credential.key"
chown postgres: "$D/credential.key"; chmod 600 "$D/credential.key"
cluster_start "$D" "$BIN" "infracast.database = 'postgres'" "infracast.credential_key_file = '$D/credential.key'" \
    "infracast.discovery_poll_interval = 1" "infracast.discovery_device_timeout = 20" \
    "infracast.discovery_retry_delay = 1" "infracast.discovery_max_attempts = 1" "log_min_messages = log" || exit 1
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "$1"; }
qa() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "SELECT infracast.set_tenant('acme', false)" -c "$1" | tail -n +2; }
# err SQL: "SQLSTATE" the statement raises as tenant acme (and role $ROLE when set), or "none"
err() {
    local out
    out=$(psql -X -At -d postgres -c "\\set VERBOSITY verbose" ${ROLE:+-c "SET ROLE $ROLE"} -c "SELECT infracast.set_tenant('acme', false)" -c "$1" 2>&1 >/dev/null)
    sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p' <<<"$out" | head -1 | grep . || echo none
}
wait_for() { # wait_for DESCRIPTION SQL WANT [seconds]
    local got="" i
    for i in $(seq 1 $((${4:-60} * 4))); do
        got=$(qa "$2" 2>/dev/null); [ "$got" == "$3" ] && break; sleep 0.25
    done
    is "$1" "$got" "$3"
}
job_wait() { wait_for "job $1 ends $2" "SELECT state FROM infracast.discovery_jobs WHERE id = $1" "$2" "${3:-60}"; }
discover() { qa "SELECT infracast.discover(ARRAY[$1], 'ssh', '$2', $PORT)"; }
run() { qa "SELECT $2 FROM infracast.discovery_runs WHERE job_id = $1 ORDER BY id DESC LIMIT 1"; }
# sc8: the state of SC-8 in a fresh MODERATE assessment of tenant acme
sc8() { local a; a=$(qa "SELECT infracast.compliance_assess('moderate')"); qa "SELECT state FROM infracast.compliance_results WHERE assessment_id = $a AND control_id = 'sc-8'"; }

q "CREATE EXTENSION infracast" >/dev/null
q "SELECT infracast.create_tenant('acme'), infracast.create_tenant('other')" >/dev/null
qa "SELECT infracast.credential_create('pw', 'ssh_password', '$PASSWORD', '$PUSER')" >/dev/null
qa "SELECT infracast.credential_create('pw-wrong', 'ssh_password', 'not-the-password', '$PUSER')" >/dev/null
# keys go in as psql variables: the key's text never appears in a command line
cred_key() { # cred_key NAME FILE [PASSPHRASE]
    psql -X -At -v ON_ERROR_STOP=1 -d postgres -v key="$(cat "$2")" -v pass="${3:-}" -v name="$1" -v user="$KUSER" >/dev/null <<'SQL'
SELECT infracast.set_tenant('acme', false);
SELECT infracast.credential_create(:'name', 'ssh_key', :'key', :'user', NULL, NULL, nullif(:'pass', ''));
SQL
}
cred_key ed "$D/ssh/id_ed25519"
cred_key ecdsa "$D/ssh/id_ecdsa" "$KEY_PASSPHRASE"
cred_key rsa "$D/ssh/id_rsa"
cred_key other "$D/ssh/id_other"
cred_key ecdsa-badpass "$D/ssh/id_ecdsa" "not-the-passphrase"
is "SSH credentials are stored" "$(qa "SELECT string_agg(name || ':' || kind, ',' ORDER BY name) FROM infracast.credentials")" \
    "ecdsa:ssh_key,ecdsa-badpass:ssh_key,ed:ssh_key,other:ssh_key,pw:ssh_password,pw-wrong:ssh_password,rsa:ssh_key"
KEYLINE=$(sed -n 2p "$D/ssh/id_ed25519")
is "no password, passphrase or key is stored in plain text" \
    "$(q "SELECT count(*) FROM infracast.credentials WHERE position(convert_to('$PASSWORD', 'UTF8') IN sealed) > 0 OR position(convert_to('$KEY_PASSPHRASE', 'UTF8') IN sealed) > 0 OR position(convert_to('$KEYLINE', 'UTF8') IN sealed) > 0")" "0"

# --- a password login: the facts, against this machine -------------------------------------------
J=$(discover "'127.0.0.1'" pw)
job_wait "$J" done 60
[ "$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $J")" == done ] || { bad "the first job did not end; stopping here"; qa "SELECT reason FROM infracast.discovery_runs WHERE job_id = $J"; exit 1; }
is "the run is ok" "$(run "$J" "state || ':' || coalesce(reason, '')")" "ok:"
NODE=$(run "$J" node_id)
node() { qa "SELECT $1 FROM infracast.nodes WHERE id = $NODE"; }
osr() { ( . /etc/os-release; eval "echo \"\${$1:-}\"" ); }
is "a host node, made by discovery" "$(node "kind || ':' || source || ':' || external_id || ':' || addresses::text")" "host:discovery:ssh:127.0.0.1:{127.0.0.1}"
is "os-release: ID, VERSION_ID, NAME, PRETTY_NAME" \
    "$(node "concat_ws('|', attrs->'ssh'->>'os_id', attrs->'ssh'->>'os_version_id', attrs->'ssh'->>'os_name', attrs->'ssh'->>'os_pretty_name')")" \
    "$(osr ID)|$(osr VERSION_ID)|$(osr NAME)|$(osr PRETTY_NAME)"
is "uname: kernel name, release, machine, host name" \
    "$(node "concat_ws('|', attrs->'ssh'->>'kernel_name', attrs->'ssh'->>'kernel', attrs->'ssh'->>'arch', attrs->'ssh'->>'hostname')")" \
    "$(uname -s)|$(uname -r)|$(uname -m)|$(uname -n)"
is "the node is named after the host" "$(node name)" "$(uname -n)"
is "the run names it too" "$(run "$J" sys_name)" "$(uname -n)"
SW_WANT=$(dpkg-query -W -f '${db:Status-Abbrev}\n' | grep -c '^.i')
[ "$SW_WANT" -gt 50 ] && ok "dpkg-query lists $SW_WANT installed packages here" || bad "too few packages to compare ($SW_WANT)"
is "one software row per installed package" "$(qa "SELECT count(*) FROM infracast.software WHERE node_id = $NODE")" "$SW_WANT"
is "software count in the run" "$(run "$J" software)" "$SW_WANT"
DISTRO="$(osr ID)-$(osr VERSION_ID)"
for p in bash openssh-server libssh-4 postgresql-15; do
    want=$(dpkg-query -W -f '${Version}|pkg:deb/'"$(osr ID)"'/${Package}@${Version}?arch=${Architecture}&distro='"$DISTRO" "$p" 2>/dev/null)
    [ -n "$want" ] || continue
    is "package $p: version and purl" "$(qa "SELECT version || '|' || purl FROM infracast.software WHERE node_id = $NODE AND name = '$p'")" "$want"
done
dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Version}\n' | awk '$1 ~ /^.i/ {print $2 " " $3}' | sort -u >"$D/sw.want"
qa "SELECT name || ' ' || version FROM infracast.software WHERE node_id = $NODE" | sort -u >"$D/sw.got"
diff -q "$D/sw.want" "$D/sw.got" >/dev/null && ok "every package name and version matches dpkg-query" || { bad "packages differ"; diff "$D/sw.want" "$D/sw.got" | head -5; }
is "every purl is distro-qualified" "$(qa "SELECT count(*) FROM infracast.software WHERE node_id = $NODE AND purl LIKE 'pkg:deb/$(osr ID)/%distro=$DISTRO'")" "$SW_WANT"
ACC_WANT=$(getent passwd | wc -l)
is "every getent passwd entry is an account" "$(node "jsonb_array_length(attrs->'ssh'->'accounts')")" "$ACC_WANT"
is "accounts in the run" "$(run "$J" accounts)" "$ACC_WANT"
is "the key account: uid, shell, a login account, not a system one" \
    "$(node "a->>'uid' || '|' || (a->>'shell') || '|' || (a->>'login') || '|' || (a->>'system') FROM infracast.nodes, jsonb_array_elements(attrs->'ssh'->'accounts') a WHERE id = $NODE AND a->>'name' = '$KUSER' --")" \
    "$(id -u "$KUSER")|/bin/bash|true|false"
is "root is uid 0, a system account that can log in" \
    "$(node "(a->>'uid') || '|' || (a->>'system') || '|' || (a->>'login') FROM infracast.nodes, jsonb_array_elements(attrs->'ssh'->'accounts') a WHERE id = $NODE AND a->>'name' = 'root' --")" \
    "0|true|$( [ "$(getent passwd root | cut -d: -f7 | xargs basename)" == nologin ] && echo false || echo true)"
is "sshd's own port is among the listening services" "$(qa "SELECT count(*) FROM infracast.discovered_services WHERE node_id = $NODE AND protocol = 'tcp' AND address = '127.0.0.1' AND port = $PORT")" "1"
is "the host key is pinned on first use" "$(qa "SELECT key_type || ' ' || fingerprint FROM infracast.ssh_host_keys WHERE host = '127.0.0.1' AND port = $PORT")" "ssh-ed25519 $FP1"
is "and shown on the node" "$(node "attrs->'ssh'->'host_key'->>'fingerprint'")" "$FP1"
grep -q "Accepted password for $PUSER" "$D/ssh/sshd.log" && ok "sshd logged the password login" || bad "no password login in sshd's log"

# --- keys: ed25519, ECDSA with a passphrase, RSA (PEM) ----------------------------------------------
is "SC-8 passes while discovery saw no clear-text service" "$(sc8)" "pass"
# a telnet port (root's: the account sees the socket, not the process) for the SC-8 rule
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.5", 23)); s.listen(); time.sleep(3600)' &
PIDS+=($!)
J=$(discover "'127.0.0.1'" ed)
job_wait "$J" done
is "an ed25519 key logs in" "$(run "$J" "state || ':' || node_id")" "ok:$NODE"
is "the key account sees its own listener, with the process" \
    "$(qa "SELECT concat_ws('|', protocol, address, port, process) FROM infracast.discovered_services WHERE node_id = $NODE AND port = $LPORT")" "tcp|127.0.0.1|$LPORT|python3"
is "another user's socket: listed, named by its port, process unknown" \
    "$(qa "SELECT concat_ws('|', protocol, address, port, coalesce(process, 'NULL'), service) FROM infracast.discovered_services WHERE node_id = $NODE AND port = 23")" "tcp|127.0.0.5|23|NULL|telnet"
is "SC-8 (mgmt_cleartext_protocols) now fails" "$(sc8)" "fail"
is "no duplicate software after a second run" "$(qa "SELECT count(*) FROM infracast.software WHERE node_id = $NODE")" "$SW_WANT"
for k in ecdsa rsa; do
    J=$(discover "'127.0.0.1'" $k)
    job_wait "$J" done
    is "a $k key logs in" "$(run "$J" "state || ':' || software")" "ok:$SW_WANT"
done

# --- faults: nothing learnt before is lost -------------------------------------------------------
snapshot="SELECT name, addresses, attrs, (SELECT count(*) FROM infracast.software s WHERE s.node_id = n.id), (SELECT count(*) FROM infracast.discovered_services s WHERE s.node_id = n.id) FROM infracast.nodes n WHERE id = $NODE"
before=$(qa "$snapshot")
J=$(discover "'127.0.0.1'" pw-wrong)
job_wait "$J" failed
is "a wrong password: failed, with the reason" "$(run "$J" "state || ':' || (reason ~ '^authentication refused for user \"$PUSER\"')")" "failed:true"
J=$(discover "'127.0.0.1'" other)
job_wait "$J" failed
is "a key the account does not accept: failed, with the reason" "$(run "$J" "state || ':' || (reason ~ 'the key is not accepted')")" "failed:true"
J=$(discover "'127.0.0.1'" ecdsa-badpass)
job_wait "$J" failed
is "a wrong key passphrase: failed before connecting" "$(run "$J" "state || ':' || (reason ~ '^the private key could not be read')")" "failed:true"
is "failed runs leave the node as it was" "$(qa "$snapshot")" "$before"

CLOSED=$(free_port)
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'ssh', 'pw', $CLOSED)")
job_wait "$J" failed
is "a closed port: failed at once, saying so" "$(run "$J" "state || ':' || (reason ~ '^could not connect') || ':' || (finished_at - started_at < interval '5 seconds')")" "failed:true:true"

# a server that accepts and never says a word: the per-device deadline ends it
SILENT=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); c=[]
while True: c.append(s.accept()[0])' "$SILENT" &
PIDS+=($!)
q "ALTER SYSTEM SET infracast.discovery_device_timeout = 2" >/dev/null; reload_conf infracast.discovery_device_timeout 2s
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'ssh', 'pw', $SILENT)")
job_wait "$J" failed
is "a silent server: failed at the deadline, not long after" \
    "$(run "$J" "state || ':' || (reason = 'deadline of 2 s passed (infracast.discovery_device_timeout)') || ':' || (finished_at - started_at BETWEEN interval '1.9 seconds' AND interval '10 seconds')")" "failed:true:true"
q "ALTER SYSTEM RESET infracast.discovery_device_timeout" >/dev/null; reload_conf infracast.discovery_device_timeout 20s

# a command printing more than the cap: that command's output is dropped, the others are stored
cmd_bytes() { runuser -u "$KUSER" -- sh -c "$1" | wc -c; }
DPKG_BYTES=$(cmd_bytes "LC_ALL=C dpkg-query -W -f '\${Package}\\t\${Version}\\t\${Architecture}\\t\${db:Status-Abbrev}\\n'")
OTHER_MAX=$(for c in "cat /etc/os-release" "uname -snrm" "getent passwd" "ss -H -tulnp"; do cmd_bytes "LC_ALL=C $c"; done | sort -n | tail -1)
CAP=$(( (OTHER_MAX / 1024 + 4) * 1024 ))   # whole kB: SHOW prints it as NkB
if [ "$DPKG_BYTES" -gt "$CAP" ]; then
    q "ALTER SYSTEM SET infracast.discovery_ssh_max_output = $CAP" >/dev/null; reload_conf infracast.discovery_ssh_max_output "$((CAP / 1024))kB"
    before=$(qa "SELECT count(*) || '|' || max(last_seen) FROM infracast.software WHERE node_id = $NODE")
    J=$(discover "'127.0.0.1'" ed)
    job_wait "$J" done
    is "dpkg-query's $DPKG_BYTES bytes pass the cap of $CAP: partial, with the reason" \
        "$(run "$J" "state || ':' || (reason = 'dpkg-query: output larger than $CAP bytes (infracast.discovery_ssh_max_output), nothing of it stored') || ':' || software || ':' || accounts")" \
        "partial:true:0:$ACC_WANT"
    is "nothing of it was written: the software rows are as they were" "$(qa "SELECT count(*) || '|' || max(last_seen) FROM infracast.software WHERE node_id = $NODE")" "$before"
    q "ALTER SYSTEM RESET infracast.discovery_ssh_max_output" >/dev/null; reload_conf infracast.discovery_ssh_max_output 4MB
else
    bad "dpkg-query prints $DPKG_BYTES bytes, not more than the other commands: cannot test the cap"
fi

# --- a changed host key: refused before logging in, recorded, accepted by an admin ----------------
before=$(qa "$snapshot")
logins() { grep -c "Accepted \|Failed password\|Failed publickey" "$D/ssh/sshd.log"; }
logins_before=$(logins)
stop_sshd
start_sshd "$D/ssh/host2" || bad "sshd did not restart with another host key"
J=$(discover "'127.0.0.1'" pw)
job_wait "$J" failed
is "a changed host key: refused, with both fingerprints in the reason" \
    "$(run "$J" "state || ':' || (reason = 'the host key changed: pinned ssh-ed25519 $FP1, offered ssh-ed25519 $FP2; refused before logging in')")" "failed:true"
is "no credential was sent to it (sshd saw no login attempt)" \
    "$(( $(logins) - logins_before ))" "0"
is "the analyst sees the mismatch" \
    "$(qa "SELECT concat_ws('|', host, port, pinned_fingerprint, offered_fingerprint, times, resolved_at IS NULL, job_id = $J) FROM infracast.ssh_host_key_mismatches")" \
    "127.0.0.1|$PORT|$FP1|$FP2|1|t|t"
is "the pin did not move" "$(qa "SELECT fingerprint FROM infracast.ssh_host_keys WHERE host = '127.0.0.1' AND port = $PORT")" "$FP1"
is "nothing known of the node was deleted" "$(qa "$snapshot")" "$before"
J=$(discover "'127.0.0.1'" pw)
job_wait "$J" failed
is "refused again: the same mismatch row, counted" "$(qa "SELECT count(*) || ':' || max(times) FROM infracast.ssh_host_key_mismatches")" "1:2"
q "CREATE ROLE regress_ssh_analyst; GRANT infracast_analyst TO regress_ssh_analyst;
   CREATE ROLE regress_ssh_admin; GRANT infracast_admin TO regress_ssh_admin;
   INSERT INTO infracast.tenant_roles SELECT id, r FROM infracast.tenants, unnest(ARRAY['regress_ssh_analyst', 'regress_ssh_admin']) r WHERE name = 'acme'" >/dev/null
is "an analyst may not re-pin" "$(ROLE=regress_ssh_analyst err "SELECT infracast.ssh_host_key_accept('127.0.0.1', '$FP2', $PORT)")" "42501"
is "an analyst may read the mismatches" "$(psql -X -At -d postgres -c "SET ROLE regress_ssh_analyst" -c "SELECT infracast.set_tenant('acme', false)" -c "SELECT count(*) FROM infracast.ssh_host_key_mismatches" | tail -1)" "1"
is "accepting another fingerprint than the one offered: IC903" "$(ROLE=regress_ssh_admin err "SELECT infracast.ssh_host_key_accept('127.0.0.1', '$FP1', $PORT)")" "IC903"
is "a malformed fingerprint: 22023" "$(ROLE=regress_ssh_admin err "SELECT infracast.ssh_host_key_accept('127.0.0.1', 'MD5:aa:bb', $PORT)")" "22023"
is "a host without a refused key: 42704" "$(ROLE=regress_ssh_admin err "SELECT infracast.ssh_host_key_accept('192.0.2.1', '$FP2', $PORT)")" "42704"
is "the pin is still the old key" "$(qa "SELECT fingerprint FROM infracast.ssh_host_keys WHERE host = '127.0.0.1' AND port = $PORT")" "$FP1"
is "an admin accepts the new key" "$(ROLE=regress_ssh_admin err "SELECT infracast.ssh_host_key_accept('127.0.0.1', '$FP2', $PORT)")" "none"
is "the pin moved, saying who accepted it" "$(qa "SELECT fingerprint || '|' || accepted_by FROM infracast.ssh_host_keys WHERE host = '127.0.0.1' AND port = $PORT")" "$FP2|postgres"
is "the mismatch is resolved" "$(qa "SELECT count(*) FROM infracast.ssh_host_key_mismatches WHERE resolved_at IS NULL")" "0"
J=$(discover "'127.0.0.1'" pw)
job_wait "$J" done
is "discovery logs in again" "$(run "$J" "state || ':' || node_id")" "ok:$NODE"

# --- SIGTERM in the middle of a job: the device done is kept, the job resumes ------------------------
# 127.0.0.3 and .4 on the same port accept and stay silent; one device at a time
for a in 127.0.0.3 127.0.0.4; do
    python3 -c 'import socket,sys,time; s=socket.socket(); s.bind((sys.argv[2], int(sys.argv[1]))); s.listen(16); c=[]
while True: c.append(s.accept()[0])' "$PORT" "$a" &
    PIDS+=($!)
done
q "ALTER SYSTEM SET infracast.discovery_concurrency = 1" >/dev/null; reload_conf infracast.discovery_concurrency 1
# a silent device holds its session for two minutes: a worker that waited for it would be seen
q "ALTER SYSTEM SET infracast.discovery_device_timeout = 120" >/dev/null; reload_conf infracast.discovery_device_timeout 2min
J=$(discover "'127.0.0.1', '127.0.0.3', '127.0.0.4'" pw)
wait_for "the first device of the job is stored" "SELECT count(*) FROM infracast.discovery_runs WHERE job_id = $J AND target = '127.0.0.1'" "1"
wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'infracast discovery worker'")
is "the job is still running (on a silent device)" "$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $J")" "running"
t0=$(date +%s.%N)
q "SELECT pg_terminate_backend($wpid)" >/dev/null
for i in $(seq 1 300); do [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid")" == 0 ] && break; sleep 0.1; done
t1=$(date +%s.%N)
is "SIGTERM ends the worker within 30 s, in the middle of a session that would last 120 s" "$(python3 -c "print($t1 - $t0 < 30)")" "True"
is "the device done before SIGTERM is kept" "$(qa "SELECT state FROM infracast.discovery_runs WHERE job_id = $J AND target = '127.0.0.1' AND attempt = 1")" "ok"
q "ALTER SYSTEM SET infracast.discovery_device_timeout = 1" >/dev/null; reload_conf infracast.discovery_device_timeout 1s
job_wait "$J" done 90
is "the restarted worker ran the job again over every device" "$(qa "SELECT count(DISTINCT target) FROM infracast.discovery_runs WHERE job_id = $J AND attempt = 2")" "3"
is "the silent ones are deadline failures" "$(qa "SELECT count(*) FROM infracast.discovery_runs WHERE job_id = $J AND attempt = 2 AND state = 'failed' AND reason LIKE 'deadline of 1 s passed%'")" "2"
q "ALTER SYSTEM RESET infracast.discovery_concurrency" >/dev/null; reload_conf infracast.discovery_concurrency 32

# --- the licence: restricted state, node limit ----------------------------------------------------
mv "$D/license.json" "$D/license.json.away"
is "discover() refuses without a valid licence (IC301)" "$(err "SELECT infracast.discover(ARRAY['127.0.0.1'], 'ssh', 'pw', $PORT)")" "IC301"
mv "$D/license.json.away" "$D/license.json"
used=$(q "SELECT nodes_used FROM infracast.license_status()")
sed "s/\"node_limit\": [0-9]*/\"node_limit\": $used/; s/\"dev-0001\"/\"dev-ssh-limit\"/" "$IC_ROOT/test/fixtures/license/dev-claims.json" \
    | "$IC_ROOT/tools/license/infracast-license" sign "$IC_ROOT/test/fixtures/license/dev.key" - -o "$D/limited.json" >/dev/null \
    && install -m 644 "$D/limited.json" "$D/license.json.new" && mv -f "$D/license.json.new" "$D/license.json"
is "a licence with every node slot used" "$(q "SELECT state || ':' || (nodes_used = node_limit) FROM infracast.license_status()")" "valid:true"
J=$(discover "'127.0.0.2'" pw)
job_wait "$J" failed
is "a new host past the node limit: failed, the reason names the limit (IC302)" "$(run "$J" "state || ':' || (reason ~ '^could not store what the device answered: .*node_limit')")" "failed:true"
is "the new host's key was not pinned either (the store was rolled back)" "$(qa "SELECT count(*) FROM infracast.ssh_host_keys WHERE host = '127.0.0.2'")" "0"
install -m 644 "$IC_ROOT/test/fixtures/license/dev-license.json" "$D/license.json"

# --- a fast shutdown while the worker waits on silent servers -------------------------------------
q "ALTER SYSTEM SET infracast.discovery_device_timeout = 120" >/dev/null; reload_conf infracast.discovery_device_timeout 2min
J=$(discover "'127.0.0.3', '127.0.0.4'" pw)
wait_for "a long job is running" "SELECT state FROM infracast.discovery_jobs WHERE id = $J" "running"
t0=$(date +%s.%N)
cluster_stop "$D" "$BIN"
t1=$(date +%s.%N)
is "the server stops within 30 s while SSH sessions wait that would last 120 s" "$(python3 -c "print($t1 - $t0 < 30)")" "True"
grep -E "ERROR|FATAL|PANIC" "$D/server.log" | grep -v "terminating background worker .* due to administrator command\|terminating connection due to administrator command" | head -5
for s in "$PASSWORD" "$KEY_PASSPHRASE" "$KEYLINE"; do
    grep -qF -- "$s" "$D/server.log" && bad "a secret appears in the server log" || ok "the secret ${s:0:4}... never appears in the server log"
done

echo "1..$n"
[ "$fail" -eq 0 ]
