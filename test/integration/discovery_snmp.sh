#!/usr/bin/env bash
# SNMP discovery against a real snmpd on loopback, on a cluster of its own (the worker needs
# shared_preload_libraries and infracast.database). The facts stored are checked against what
# snmpget/snmpwalk read from the same agent: sysName, sysDescr, interfaces, addresses, installed
# software; ARP entries come from test/fixtures/discovery (the machine's own ARP table may be
# empty). Then the failures: wrong community, wrong v3 passphrase, a dead port (within the
# deadline), data from a good run surviving a failed one, SIGTERM in the middle of a job, the
# licence refusing, and a fast shutdown while a job runs. Secrets never appear in the table or log.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
is()  { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

BIN=${IC_BINDIR:?IC_BINDIR is set by the harness}
D=$(mktemp -d "${IC_STAGE:-/tmp}/discovery_snmp.XXXXXX"); chmod 755 "$D"
SNMPD_PID=""
stop_snmpd() { if [ -n "$SNMPD_PID" ]; then kill "$SNMPD_PID" 2>/dev/null; wait "$SNMPD_PID" 2>/dev/null; SNMPD_PID=""; fi; }
trap 'stop_snmpd; cluster_stop "$D" "$BIN"; [ -n "${KEEP:-}" ] || [ "$fail" -ne 0 ] || rm -rf "$D"' EXIT

COMMUNITY='c0mmunity-s3cret'
V3_AUTH='auth-Pass-7731'
V3_PRIV='priv-Pass-9902'
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_udp_port)
# IPv6 loopback: listened on and walked only where the machine has it
LISTEN="udp:127.0.0.1:$PORT"
v6_bind() { python3 -c "import socket,sys; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('::1', int(sys.argv[1]))); print(1)" "$PORT" 2>/dev/null; }
HAVE_V6=$(v6_bind)
# a container may start with IPv6 off on lo: turn it on (root) rather than leave IPv6 untested
if [ "$HAVE_V6" != 1 ] && [ "$(id -u)" -eq 0 ]; then sysctl -qw net.ipv6.conf.lo.disable_ipv6=0 2>/dev/null; HAVE_V6=$(v6_bind); fi
[ "$HAVE_V6" == 1 ] && LISTEN="$LISTEN,udp6:[::1]:$PORT"
DEAD=$(free_udp_port)

# --- the agent: numeric OIDs, a fresh persistent dir, a v2c community and two v3 users --------------
mkdir -p "$D/snmp"
cat >"$D/snmp/snmpd.conf" <<EOF
[snmp] persistentDir $D/snmp/persist
rocommunity $COMMUNITY 127.0.0.1
rocommunity6 $COMMUNITY ::1
createUser icsha SHA "$V3_AUTH" AES "$V3_PRIV"
createUser icsha512 SHA-512 "$V3_AUTH" AES-256 "$V3_PRIV"
rouser icsha authpriv
rouser icsha512 authpriv
sysName infracast-disc-test
sysLocation loopback lab
sysContact ops@example.org
# the ARP MAC column from the fixture (priority 1: it answers, not the machine's ARP table, which
# may be empty), so the ARP checks below are exact
pass_persist -p 1 .1.3.6.1.2.1.4.22.1.2 /usr/bin/python3 $IC_ROOT/test/fixtures/discovery/pass_persist_agent.py switch .1.3.6.1.2.1.4.22.1.2
EOF
mkdir -p "$D/snmp/persist"
export MIBS= MIBDIRS=
start_snmpd() {
    SNMP_PERSISTENT_DIR="$D/snmp/persist" snmpd -f -Lo -C -c "$D/snmp/snmpd.conf" "$LISTEN" >>"$D/snmp/snmpd.log" 2>&1 &
    SNMPD_PID=$!
    local i
    for i in $(seq 1 50); do
        snmpget -v2c -c "$COMMUNITY" -t 0.2 -r 0 -On -Oqv "127.0.0.1:$PORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$D/snmp/snmpd.log"; return 1
}
start_snmpd && ok "snmpd answers on 127.0.0.1:$PORT" || { bad "snmpd did not start"; exit 1; }
W() { snmpwalk -v2c -c "$COMMUNITY" -On -Cc "127.0.0.1:$PORT" "$@"; }
G() { snmpget -v2c -c "$COMMUNITY" -On -Oqv "127.0.0.1:$PORT" "$@"; }

# --- the key and the cluster ---------------------------------------------------------------------
head -c 32 /dev/urandom >"$D/credential.key"
chown postgres: "$D/credential.key" 2>/dev/null; chmod 600 "$D/credential.key"
cluster_start "$D" "$BIN" "infracast.database = 'postgres'" "infracast.credential_key_file = '$D/credential.key'" \
    "infracast.discovery_poll_interval = 1" "infracast.discovery_snmp_timeout = 300" "infracast.discovery_snmp_retries = 1" \
    "infracast.discovery_device_timeout = 20" "infracast.discovery_retry_delay = 1" "infracast.discovery_max_attempts = 2" \
    "log_min_messages = log" || exit 1
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "$1"; }
qa() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "SELECT infracast.set_tenant('acme', false)" -c "$1" | tail -n +2; }
# sqlstate SQL: the SQLSTATE the statement raises (as tenant acme), or "none"
sqlstate() {
    local out
    out=$(psql -X -At -d postgres -c "\\set VERBOSITY verbose" -c "SELECT infracast.set_tenant('acme', false)" -c "$1" 2>&1 >/dev/null)
    sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p' <<<"$out" | head -1 | grep . || echo none
}
hint_of() { psql -X -At -d postgres -c "\\set VERBOSITY verbose" -c "SELECT infracast.set_tenant('acme', false)" -c "$1" 2>&1 | sed -n 's/^HINT:  //p' | head -1; }
wait_for() { # wait_for DESCRIPTION SQL WANT [seconds]
    local got="" i
    for i in $(seq 1 $((${4:-60} * 4))); do
        got=$(qa "$2" 2>/dev/null); [ "$got" == "$3" ] && break; sleep 0.25
    done
    is "$1" "$got" "$3"
}
job_wait() { # job_wait ID STATE: waits for the job to end in STATE
    wait_for "job $1 ends $2" "SELECT state FROM infracast.discovery_jobs WHERE id = $1" "$2" "${3:-60}"
}

q "CREATE EXTENSION infracast" >/dev/null
q "SELECT infracast.create_tenant('acme'), infracast.create_tenant('other')" >/dev/null
qa "SELECT infracast.credential_create('pub', 'snmp_v2c', '$COMMUNITY')" >/dev/null
qa "SELECT infracast.credential_create('wrong-community', 'snmp_v2c', 'not-the-community')" >/dev/null
qa "SELECT infracast.credential_create('v3', 'snmp_v3', '$V3_AUTH', 'icsha', 'SHA', 'AES', '$V3_PRIV')" >/dev/null
qa "SELECT infracast.credential_create('v3-512', 'snmp_v3', '$V3_AUTH', 'icsha512', 'SHA-512', 'AES-256', '$V3_PRIV')" >/dev/null
qa "SELECT infracast.credential_create('v3-badpass', 'snmp_v3', 'wrong-pass-123', 'icsha', 'SHA', 'AES', '$V3_PRIV')" >/dev/null
is "credentials are stored" "$(qa "SELECT string_agg(name || ':' || kind, ',' ORDER BY name) FROM infracast.credentials")" \
    "pub:snmp_v2c,v3:snmp_v3,v3-512:snmp_v3,v3-badpass:snmp_v3,wrong-community:snmp_v2c"
is "no secret is stored in plain text" "$(q "SELECT count(*) FROM infracast.credentials WHERE position(convert_to('$COMMUNITY', 'UTF8') IN sealed) > 0 OR position(convert_to('$V3_AUTH', 'UTF8') IN sealed) > 0 OR position(convert_to('$V3_PRIV', 'UTF8') IN sealed) > 0")" "0"
is "each secret is sealed with its own nonce" "$(q "SELECT count(DISTINCT substr(sealed, 10, 24)) FROM infracast.credentials")" "5"

# --- v2c: the facts, exactly as snmpget/snmpwalk read them -----------------------------------------
JOB=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done 30
[ "$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $JOB")" == done ] || { bad "the first job did not end; stopping here"; exit 1; }
run() { qa "SELECT $1 FROM infracast.discovery_runs WHERE job_id = $JOB ORDER BY id DESC LIMIT 1"; }
is "the run is ok" "$(run "state || ':' || coalesce(reason, '')")" "ok:"
NODE=$(run node_id)
node() { qa "SELECT $1 FROM infracast.nodes WHERE id = $NODE"; }
is "sysName is the node's name" "$(node name)" "$(G 1.3.6.1.2.1.1.5.0 | tr -d '"')"
is "sysDescr" "$(node "attrs->'snmp'->>'sysDescr'")" "$(G 1.3.6.1.2.1.1.1.0 | sed 's/^"//; s/"$//')"
is "sysLocation and sysContact" "$(node "(attrs->'snmp'->>'sysLocation') || '|' || (attrs->'snmp'->>'sysContact')")" "loopback lab|ops@example.org"
is "sysObjectID (numeric)" "$(node "attrs->'snmp'->>'sysObjectID'")" "$(G 1.3.6.1.2.1.1.2.0 | sed 's/^\.//')"
is "a Net-SNMP agent is a host" "$(node "kind || ':' || source || ':' || external_id")" "host:discovery:snmp:127.0.0.1"
IFS_WANT=$(W 1.3.6.1.2.1.2.2.1.2 | grep -c '^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.')
is "interface count" "$(node "jsonb_array_length(attrs->'snmp'->'interfaces')")" "$IFS_WANT"
is "interfaces in the run" "$(run interfaces)" "$IFS_WANT"
is "interface names" "$(node "string_agg(i->>'descr', ',' ORDER BY (i->>'index')::int) FROM infracast.nodes, jsonb_array_elements(attrs->'snmp'->'interfaces') i WHERE id = $NODE --")" \
    "$(W 1.3.6.1.2.1.2.2.1.2 | sed -n 's/.*STRING: "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' | paste -sd,)"
# addresses: ipAdEntAddr plus ipAddressTable unicast rows, without loopback and link-local, plus the target
want_addrs=$( { W 1.3.6.1.2.1.4.20.1.1 | sed -n 's/.*IpAddress: //p'
                W 1.3.6.1.2.1.4.34.1.4 | awk -F' = ' '$2 == "INTEGER: 1" || $2 == "INTEGER: unicast(1)" {
                    n = split($1, p, "."); t = p[12]; l = p[13];
                    if (t == 1 && l == 4) print p[14] "." p[15] "." p[16] "." p[17];
                    else if (t == 2 && l == 16) { s = ""; for (i = 0; i < 8; i++) s = s (i ? ":" : "") sprintf("%x", p[14 + 2*i] * 256 + p[15 + 2*i]); print s } }'
                echo 127.0.0.1; } | sort -u | paste -sd,)
is "addresses" "$(node "addresses::text")" \
    "$(q "SELECT array_agg(DISTINCT a ORDER BY a)::text FROM unnest('{$want_addrs}'::inet[]) a WHERE a = '127.0.0.1' OR NOT (a << '127.0.0.0/8' OR a = '::1' OR a << 'fe80::/10' OR a << '169.254.0.0/16')")"
W 1.3.6.1.2.1.25.6.3.1.2 | sed -n 's/.*STRING: "\(.*\)"$/\1/p' \
    | sed -E 's/^([^_ ]+)_([^_ ]+)_([^_ ]+)$/\1 \2/' | sort -u >"$D/sw.want"
qa "SELECT name || coalesce(' ' || version, '') FROM infracast.software WHERE node_id = $NODE" | sort -u >"$D/sw.got"
SW_WANT=$(wc -l <"$D/sw.want")
[ "$SW_WANT" -gt 0 ] && ok "the agent reports $SW_WANT installed packages" || bad "the agent reports no installed software"
if diff -q "$D/sw.want" "$D/sw.got" >/dev/null; then ok "installed software rows match hrSWInstalledTable"
else bad "installed software differs"; diff "$D/sw.want" "$D/sw.got" | head -5; fi
is "software count in the run" "$(run software)" "$SW_WANT"
is "no duplicate software rows" "$(qa "SELECT count(*) - count(DISTINCT (name, version)) FROM infracast.software WHERE node_id = $NODE")" "0"
is "the agent serves the fixture's ARP entries" "$(W 1.3.6.1.2.1.4.22.1.2 | sed 's/^\.1\.3\.6\.1\.2\.1\.4\.22\.1\.2\.//' | paste -sd,)" \
    "2.192.0.2.1 = Hex-STRING: 00 00 5E 00 01 01 ,2.192.0.2.77 = Hex-STRING: 52 54 00 12 34 56 "
is "ARP neighbours: address, MAC, interface" "$(node "attrs->'snmp'->'arp' = '[{\"address\": \"192.0.2.1\", \"mac\": \"00:00:5e:00:01:01\", \"if_index\": 2}, {\"address\": \"192.0.2.77\", \"mac\": \"52:54:00:12:34:56\", \"if_index\": 2}]'::jsonb")" "t"

# a second run: nothing duplicated, last_seen moves
before=$(node last_seen)
JOB2=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$JOB2" done
is "the same node again" "$(qa "SELECT node_id FROM infracast.discovery_runs WHERE job_id = $JOB2")" "$NODE"
is "no duplicate software after a second run" "$(qa "SELECT count(*) FROM infracast.software WHERE node_id = $NODE")" "$SW_WANT"
is "last_seen moves" "$(qa "SELECT last_seen > '$before' FROM infracast.nodes WHERE id = $NODE")" "t"

# an ARP neighbour that is a known node gets reach edges both ways
qa "INSERT INTO infracast.nodes (external_id, kind, addresses) VALUES ('gw', 'router', '{192.0.2.1}')" >/dev/null
JOB3=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$JOB3" done
is "reach edges both ways to the ARP neighbour 192.0.2.1" "$(qa "SELECT string_agg(CASE WHEN e.src = $NODE THEN 'out' ELSE 'in' END || ':' || (e.attrs->>'via'), ',' ORDER BY e.src = $NODE) FROM infracast.edges e JOIN infracast.nodes g ON g.id IN (e.src, e.dst) AND g.external_id = 'gw' WHERE e.kind = 'reach' AND e.source = 'discovery' AND $NODE IN (e.src, e.dst)")" "in:arp,out:arp"
is "edges in the run" "$(qa "SELECT edges FROM infracast.discovery_runs WHERE job_id = $JOB3")" "2"
is "the ARP neighbour nobody knows (192.0.2.77) is not made a node" "$(qa "SELECT count(*) FROM infracast.nodes WHERE addresses && '{192.0.2.77}'")" "0"

# --- v3 -------------------------------------------------------------------------------------------
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'v3', $PORT)")
job_wait "$J" done
is "SNMPv3 authPriv SHA/AES reads the same sysName" "$(qa "SELECT state || ':' || sys_name FROM infracast.discovery_runs WHERE job_id = $J")" "ok:infracast-disc-test"
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'v3-512', $PORT)")
job_wait "$J" done
is "SNMPv3 SHA-512/AES-256 too" "$(qa "SELECT state || ':' || software FROM infracast.discovery_runs WHERE job_id = $J")" "ok:$SW_WANT"

if [ "$HAVE_V6" == 1 ]; then
    J=$(qa "SELECT infracast.discover(ARRAY['::1'], 'snmp', 'pub', $PORT)")
    job_wait "$J" done
    is "an IPv6 target (udp6)" "$(qa "SELECT r.state || ':' || r.sys_name || ':' || n.external_id FROM infracast.discovery_runs r JOIN infracast.nodes n ON n.id = r.node_id WHERE r.job_id = $J")" "ok:infracast-disc-test:snmp:::1"
else
    bad "no IPv6 loopback on this machine (::1 cannot be bound, even after sysctl net.ipv6.conf.lo.disable_ipv6=0): IPv6 targets are untested"
fi

# --- failures -------------------------------------------------------------------------------------
snapshot="SELECT name, addresses, attrs, last_seen, (SELECT count(*) FROM infracast.software s WHERE s.node_id = n.id) FROM infracast.nodes n WHERE id = $NODE"
before=$(qa "$snapshot")
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'v3-badpass', $PORT)")
job_wait "$J" failed
is "a wrong v3 passphrase is recorded with the reason" \
    "$(qa "SELECT DISTINCT state || ':' || (reason ~* 'authentication failure') FROM infracast.discovery_runs WHERE job_id = $J")" "failed:true"
is "after infracast.discovery_max_attempts attempts, with back-off" "$(qa "SELECT attempts || ':' || (last_error ~* 'authentication') FROM infracast.discovery_jobs WHERE id = $J")" "2:true"
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'wrong-community', $PORT)")
job_wait "$J" failed
is "a wrong community is recorded as a timeout, saying it may be the community" \
    "$(qa "SELECT DISTINCT state || ':' || (reason ~ '^timeout: .*wrong community') FROM infracast.discovery_runs WHERE job_id = $J")" "failed:true"
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $DEAD)")
job_wait "$J" failed
# the reason says which limit ended it: net-snmp's 2 tries of 300 ms, not the 20 s device deadline
is "a dead port ends on the SNMP timeout, not the device deadline" \
    "$(qa "SELECT string_agg(DISTINCT state || ':' || reason, ' / ') FROM infracast.discovery_runs WHERE job_id = $J")" \
    "failed:timeout: no answer to 2 tries of 300 ms while reading system (unreachable, no agent, or a wrong community)"
is "failed runs leave the node as it was" "$(qa "$snapshot")" "$before"
stop_snmpd
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$J" failed
is "with the agent gone: failed, and the earlier data is still there" "$(qa "$snapshot")" "$before"
start_snmpd || bad "snmpd did not restart"

# --- SIGTERM in the middle of a job: the device done is kept, the job resumes -----------------------
q "ALTER SYSTEM SET infracast.discovery_concurrency = 1" >/dev/null; reload_conf infracast.discovery_concurrency 1
# 2 s a request: the five dead devices take 20 s, so the job is surely still running when looked at
q "ALTER SYSTEM SET infracast.discovery_snmp_timeout = 2000" >/dev/null; reload_conf infracast.discovery_snmp_timeout 2s
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'], 'snmp', 'pub', $PORT)")
wait_for "the first device of the job is stored" "SELECT count(*) FROM infracast.discovery_runs WHERE job_id = $J AND target = '127.0.0.1'" "1"
wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'infracast discovery worker'")
is "the job is still running" "$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $J")" "running"
q "SELECT pg_terminate_backend($wpid)" >/dev/null
for i in $(seq 1 100); do [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid")" == 0 ] && break; sleep 0.1; done
is "SIGTERM ends the worker" "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid")" "0"
is "the device done before SIGTERM is kept" "$(qa "SELECT state FROM infracast.discovery_runs WHERE job_id = $J AND target = '127.0.0.1' AND attempt = 1")" "ok"
job_wait "$J" done 150
q "ALTER SYSTEM RESET infracast.discovery_snmp_timeout" >/dev/null; reload_conf infracast.discovery_snmp_timeout 300ms
is "the restarted worker ran the job again (attempt 2) over every device" \
    "$(qa "SELECT count(DISTINCT target) FROM infracast.discovery_runs WHERE job_id = $J AND attempt = 2")" "6"
is "the other five were recorded as timeouts" \
    "$(qa "SELECT count(*) FROM infracast.discovery_runs WHERE job_id = $J AND attempt = 2 AND state = 'failed' AND reason LIKE 'timeout:%'")" "5"
is "the job says how many failed" "$(qa "SELECT last_error ~ '^5 of 6 devices failed' FROM infracast.discovery_jobs WHERE id = $J")" "t"

# --- an agent that answers garbage, the per-device deadline, an agent that answers too much --------
GARBAGE=$(free_udp_port)
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(b"\x30\x82\xff\xff" + os.urandom(200), peer)   # a BER header that lies, then noise
' "$GARBAGE" &
GARBAGE_PID=$!
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $GARBAGE)")
job_wait "$J" failed
is "garbage answers are dropped: a timeout, recorded" "$(qa "SELECT DISTINCT state || ':' || (reason LIKE 'timeout:%') FROM infracast.discovery_runs WHERE job_id = $J")" "failed:true"
q "ALTER SYSTEM SET infracast.discovery_snmp_timeout = 5000" >/dev/null
q "ALTER SYSTEM SET infracast.discovery_device_timeout = 1" >/dev/null; reload_conf infracast.discovery_device_timeout 1s
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $GARBAGE)")
job_wait "$J" failed
# 2 tries of 5 s are still pending when the 1 s deadline passes: the reason names the deadline
is "the per-device deadline ends a device whose requests are still pending" \
    "$(qa "SELECT string_agg(DISTINCT state || ':' || reason, ' / ') FROM infracast.discovery_runs WHERE job_id = $J")" \
    "failed:deadline of 1 s passed (infracast.discovery_device_timeout) after 0 values"
kill "$GARBAGE_PID" 2>/dev/null; wait "$GARBAGE_PID" 2>/dev/null
q "ALTER SYSTEM RESET infracast.discovery_snmp_timeout" >/dev/null; q "ALTER SYSTEM RESET infracast.discovery_device_timeout" >/dev/null
q "ALTER SYSTEM SET infracast.discovery_max_values = 100" >/dev/null; reload_conf infracast.discovery_max_values 100
before=$(qa "$snapshot" | cut -d'|' -f1,2,5)
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$J" done
is "an agent answering too much: partial, with the reason" \
    "$(qa "SELECT state || ':' || (reason LIKE 'the agent answered more than 100 values%') || ':' || software FROM infracast.discovery_runs WHERE job_id = $J")" "partial:true:0"
is "the partial run kept the software known before" "$(qa "$snapshot" | cut -d'|' -f1,2,5)" "$before"
q "ALTER SYSTEM RESET infracast.discovery_max_values" >/dev/null; reload_conf infracast.discovery_max_values 200000

# --- a key file that is not the one the secrets were sealed with: recorded, nothing else changes ----
head -c 32 /dev/urandom >"$D/other.key"; chown postgres: "$D/other.key" 2>/dev/null; chmod 600 "$D/other.key"
q "ALTER SYSTEM SET infracast.credential_key_file = '$D/other.key'" >/dev/null; reload_conf infracast.credential_key_file "$D/other.key"
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")
job_wait "$J" failed
is "a secret sealed under another key: IC902 reason recorded" \
    "$(qa "SELECT DISTINCT state || ':' || (reason ~ '^the credential could not be used: the secret was sealed under another key') FROM infracast.discovery_runs WHERE job_id = $J")" "failed:true"
q "ALTER SYSTEM RESET infracast.credential_key_file" >/dev/null; reload_conf infracast.credential_key_file "$D/credential.key"

# --- the licence: jobs wait and discover() refuses in a restricted state -----------------------------
mv "$D/license.json" "$D/license.json.away"
is "discover() refuses without a valid licence (IC301)" "$(sqlstate "SELECT infracast.discover(ARRAY['127.0.0.1'], 'snmp', 'pub', $PORT)")" "IC301"
for i in $(seq 1 40); do grep -q 'discovery worker runs no job: the licence is' "$D/server.log" && break; sleep 0.25; done
grep -q 'discovery worker runs no job: the licence is' "$D/server.log" && ok "the worker says why it runs no job" || bad "no licence message from the worker"
mv "$D/license.json.away" "$D/license.json"

# --- a fast shutdown while the worker waits on dead targets -------------------------------------
q "ALTER SYSTEM SET infracast.discovery_snmp_timeout = 60000" >/dev/null; reload_conf infracast.discovery_snmp_timeout 1min
J=$(qa "SELECT infracast.discover(ARRAY['127.0.0.0/28'], 'snmp', 'pub', $DEAD)")
wait_for "a long job is running" "SELECT state FROM infracast.discovery_jobs WHERE id = $J" "running"
t0=$(date +%s.%N)
cluster_stop "$D" "$BIN"
t1=$(date +%s.%N)
# each dead device takes 2 x 60 s: a worker that held up the shutdown until its device ended would
# take two minutes; the bound leaves a loaded machine four times the margin it needs
is "the server stops within 30 s while the worker waits on a device that would take 120 s" "$(python3 -c "print($t1 - $t0 < 30)")" "True"
grep -E "ERROR|FATAL|PANIC" "$D/server.log" | grep -v "terminating background worker .* due to administrator command\|terminating connection due to administrator command" | head -5
for s in "$COMMUNITY" "$V3_AUTH" "$V3_PRIV"; do
    grep -qF -- "$s" "$D/server.log" && bad "a secret appears in the server log" || ok "the secret ${s:0:4}... never appears in the server log"
done

echo "1..$n"
[ "$fail" -eq 0 ]
