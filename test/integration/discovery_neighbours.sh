#!/usr/bin/env bash
# SNMP discovery of neighbours and hardware: LLDP (lldpRemTable, lldpRemManAddrTable), CDP
# (cdpCacheTable), ENTITY-MIB serials and ARP (ipNetToMediaPhysAddress), served by a real snmpd on
# loopback through pass_persist (test/fixtures/discovery/pass_persist_agent.py: fixed values, so
# every check below is exact). Then broken agents: one answering the wrong ASN.1 types and malformed
# indexes, one answering too much; each leaves a recorded reason and deletes nothing known.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
is()  { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

BIN=${IC_BINDIR:?IC_BINDIR is set by the harness}
D=$(mktemp -d "${IC_STAGE:-/tmp}/discovery_neighbours.XXXXXX"); chmod 755 "$D"
AGENT="$IC_ROOT/test/fixtures/discovery/pass_persist_agent.py"
declare -A SNMPD_PIDS=()
stop_agent() { local p=${SNMPD_PIDS[$1]:-}; if [ -n "$p" ]; then kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; unset "SNMPD_PIDS[$1]"; fi; }
stop_agents() { local a; for a in "${!SNMPD_PIDS[@]}"; do stop_agent "$a"; done; }
trap 'stop_agents; cluster_stop "$D" "$BIN"; [ -n "${KEEP:-}" ] || [ "$fail" -ne 0 ] || rm -rf "$D"' EXIT

COMMUNITY='n3ighbour-c0mmunity'
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_udp_port)
# each agent on its own loopback address, so each is a node of its own (nodes are keyed by address)
SWITCH=127.0.0.2
BROKEN=127.0.0.3
export MIBS= MIBDIRS=

# start_agent NAME ADDRESS PROFILE: a Cisco-like switch (no host resources table, so the kind comes
# from sysServices) whose LLDP, CDP, ENTITY-MIB and ARP MAC column come from the pass_persist PROFILE.
# The ARP column is registered with priority 1 so that it, not the machine's own ARP table, answers.
start_agent() {
    local name=$1 addr=$2 profile=$3 dir="$D/snmp-$1" i
    rm -rf "$dir"; mkdir -p "$dir/persist"
    cat >"$dir/snmpd.conf" <<EOF
[snmp] persistentDir $dir/persist
rocommunity $COMMUNITY 127.0.0.0/8
sysName $name.example.org
sysDescr Cisco IOS Software, Catalyst L3 Switch Software (CAT3K_CAA-UNIVERSALK9-M), Version 16.12.4
sysObjectID .1.3.6.1.4.1.9.1.2494
sysServices 2
sysLocation rack 4
sysContact noc@example.org
pass_persist .1.0.8802.1.1.2.1.4 /usr/bin/python3 $AGENT $profile .1.0.8802.1.1.2.1.4
pass_persist .1.3.6.1.4.1.9.9.23 /usr/bin/python3 $AGENT $profile .1.3.6.1.4.1.9.9.23
pass_persist .1.3.6.1.2.1.47 /usr/bin/python3 $AGENT $profile .1.3.6.1.2.1.47
pass_persist -p 1 .1.3.6.1.2.1.4.22.1.2 /usr/bin/python3 $AGENT $profile .1.3.6.1.2.1.4.22.1.2
EOF
    SNMP_PERSISTENT_DIR="$dir/persist" snmpd -f -Lo -C -c "$dir/snmpd.conf" -I -hrSWInstalledTable,swinst \
        "udp:$addr:$PORT" >>"$dir/snmpd.log" 2>&1 &
    SNMPD_PIDS[$name]=$!
    for i in $(seq 1 50); do
        snmpget -v2c -c "$COMMUNITY" -t 0.2 -r 0 -On -Oqv "$addr:$PORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$dir/snmpd.log"; return 1
}
W() { snmpwalk -v2c -c "$COMMUNITY" -On -Cc "$1:$PORT" "$2"; }

start_agent core-sw1 "$SWITCH" switch && ok "the switch agent answers on $SWITCH:$PORT" || { bad "snmpd did not start"; exit 1; }
# the agent itself serves the fixture's tables (so a failure below is the walker's or the store's)
is "the agent serves the LLDP remote table" "$(W $SWITCH 1.0.8802.1.1.2.1.4.1.1.9 | sed 's/.*STRING: //' | paste -sd,)" \
    '"dist-sw2.example.org","ap-3.example.org"'
is "the agent serves the CDP address as 4 raw octets" "$(W $SWITCH 1.3.6.1.4.1.9.9.23.1.2.1.1.4 | sed 's/.*= //')" "Hex-STRING: C6 33 64 09 "
is "the agent serves the fixture's ARP entries, not the machine's" "$(W $SWITCH 1.3.6.1.2.1.4.22.1.2 | sed 's/^\.1\.3\.6\.1\.2\.1\.4\.22\.1\.2\.//; s/ = .*//' | paste -sd,)" \
    "2.192.0.2.1,2.192.0.2.77"

# --- the cluster ------------------------------------------------------------------------------------
head -c 32 /dev/urandom >"$D/credential.key"
chown postgres: "$D/credential.key" 2>/dev/null; chmod 600 "$D/credential.key"
cluster_start "$D" "$BIN" "infracast.database = 'postgres'" "infracast.credential_key_file = '$D/credential.key'" \
    "infracast.discovery_poll_interval = 1" "infracast.discovery_snmp_timeout = 500" "infracast.discovery_snmp_retries = 1" \
    "infracast.discovery_device_timeout = 30" "infracast.discovery_retry_delay = 1" "infracast.discovery_max_attempts = 1" \
    "log_min_messages = log" || exit 1
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "$1"; }
qa() { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "SELECT infracast.set_tenant('acme', false)" -c "$1" | tail -n +2; }
wait_for() { # wait_for DESCRIPTION SQL WANT [seconds]
    local got="" i
    for i in $(seq 1 $((${4:-60} * 4))); do
        got=$(qa "$2" 2>/dev/null); [ "$got" == "$3" ] && break; sleep 0.25
    done
    is "$1" "$got" "$3"
}
job_wait() { wait_for "job $1 ends $2" "SELECT state FROM infracast.discovery_jobs WHERE id = $1" "$2" "${3:-60}"; }
# jsonb_is DESCRIPTION SQL-JSONB WANT-JSON: compared as jsonb (key order does not matter, values do)
jsonb_is() {
    local same
    same=$(qa "SELECT ($2) = '$3'::jsonb")
    if [ "$same" == t ]; then ok "$1"; else bad "$1: got '$(qa "SELECT ($2)::text")', want '$3'"; fi
}

q "CREATE EXTENSION infracast" >/dev/null
q "SELECT infracast.create_tenant('acme')" >/dev/null
qa "SELECT infracast.credential_create('pub', 'snmp_v2c', '$COMMUNITY')" >/dev/null
# the neighbours already known: by LLDP management address, by LLDP chassis network address, by CDP
# address, by ARP address; 192.0.2.77 (in ARP) is known to nobody
qa "INSERT INTO infracast.nodes (external_id, kind, name, addresses) VALUES
      ('dist-sw2', 'switch', 'dist-sw2', '{192.0.2.20}'), ('ap-3', 'host', 'ap3', '{192.0.2.21}'),
      ('access-sw9', 'switch', 'access-sw9', '{198.51.100.9}'), ('gw', 'router', 'gw', '{192.0.2.1}'),
      ('bystander', 'host', 'bystander', '{203.0.113.5}')" >/dev/null

# --- the switch: what the worker stored, exactly -------------------------------------------------------
JOB=$(qa "SELECT infracast.discover(ARRAY['$SWITCH'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done 60
[ "$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $JOB")" == done ] || { bad "the switch job did not end; stopping here"; exit 1; }
run() { qa "SELECT $1 FROM infracast.discovery_runs WHERE job_id = $JOB ORDER BY id DESC LIMIT 1"; }
is "the run is ok" "$(run "state || ':' || coalesce(reason, '')")" "ok:"
NODE=$(run node_id)
node() { qa "SELECT $1 FROM infracast.nodes WHERE id = $NODE"; }
is "the switch node: kind from sysServices (layer 2), name from sysName" "$(node "kind || ':' || name || ':' || external_id")" \
    "switch:core-sw1.example.org:snmp:$SWITCH"
jsonb_is "LLDP neighbours: chassis ID as a MAC and as a network address, port IDs by subtype, addresses" \
    "SELECT attrs->'snmp'->'lldp' FROM infracast.nodes WHERE id = $NODE" \
    '[{"name": "dist-sw2.example.org", "chassis_id": "00:1b:21:3a:4f:01", "port_id": "Gi0/1", "address": "192.0.2.20"},
      {"name": "ap-3.example.org", "chassis_id": "192.0.2.21", "port_id": "00:1b:21:3a:4f:99", "address": "192.0.2.21"}]'
jsonb_is "the CDP neighbour: device ID, port, platform, the address from its 4 raw octets" \
    "SELECT attrs->'snmp'->'cdp' FROM infracast.nodes WHERE id = $NODE" \
    '[{"name": "access-sw9.example.org", "port": "GigabitEthernet1/0/48", "platform": "cisco WS-C2960X-48FPD-L", "address": "198.51.100.9"}]'
jsonb_is "serials of the chassis and the module (the port without a serial is left out)" \
    "SELECT attrs->'snmp'->'serials' FROM infracast.nodes WHERE id = $NODE" \
    '[{"index": 1, "class": 3, "serial": "FOC1932X0AB", "manufacturer": "Cisco Systems", "model": "WS-C3850-48P"},
      {"index": 1001, "class": 9, "serial": "FOC19340C2D", "manufacturer": "Cisco Systems", "model": "C3850-NM-4-10G"}]'
jsonb_is "ARP entries: address, MAC, interface" "SELECT attrs->'snmp'->'arp' FROM infracast.nodes WHERE id = $NODE" \
    '[{"address": "192.0.2.1", "mac": "00:00:5e:00:01:01", "if_index": 2}, {"address": "192.0.2.77", "mac": "52:54:00:12:34:56", "if_index": 2}]'
EDGES_SQL="SELECT string_agg(s.external_id || '>' || d.external_id || ':' || e.kind || ':' || (e.attrs->>'via') || ':' || e.source, ',' ORDER BY s.external_id, d.external_id)
             FROM infracast.edges e JOIN infracast.nodes s ON s.id = e.src JOIN infracast.nodes d ON d.id = e.dst"
SW="snmp:$SWITCH"
EDGES_WANT="access-sw9>$SW:reach:cdp:discovery,ap-3>$SW:reach:lldp:discovery,dist-sw2>$SW:reach:lldp:discovery,gw>$SW:reach:arp:discovery,$SW>access-sw9:reach:cdp:discovery,$SW>ap-3:reach:lldp:discovery,$SW>dist-sw2:reach:lldp:discovery,$SW>gw:reach:arp:discovery"
is "reach edges both ways to each known neighbour, with how it was seen" "$(qa "$EDGES_SQL")" "$EDGES_WANT"
is "the run counts 5 neighbours and 8 edges" "$(run "neighbours || ':' || edges")" "5:8"
is "neighbours not already known are not made nodes (only the switch is new)" \
    "$(qa "SELECT string_agg(external_id, ',' ORDER BY external_id) FROM infracast.nodes")" "access-sw9,ap-3,bystander,dist-sw2,gw,$SW"
# the neighbour query of docs/discovery.md, verbatim
DOC_QUERY="SELECT n.name AS device, x.via, x.e->>'name' AS neighbour, coalesce(x.e->>'address', '') AS address,
       x.e->>'chassis_id' AS chassis_id, k.external_id AS known_as
  FROM infracast.nodes n
  CROSS JOIN LATERAL (SELECT 'lldp' AS via, e FROM jsonb_array_elements(n.attrs->'snmp'->'lldp') e
                      UNION ALL SELECT 'cdp', e FROM jsonb_array_elements(n.attrs->'snmp'->'cdp') e
                      UNION ALL SELECT 'arp', e FROM jsonb_array_elements(n.attrs->'snmp'->'arp') e) x
  LEFT JOIN infracast.nodes k ON k.id <> n.id
        AND (k.addresses @> ARRAY[(x.e->>'address')::inet] OR k.name = x.e->>'name')
 WHERE n.name = 'core-sw1.example.org'
 ORDER BY x.via, neighbour, address;"
is "the documented neighbour query" "$(qa "$DOC_QUERY" | paste -sd' ')" \
    "core-sw1.example.org|arp||192.0.2.1||gw core-sw1.example.org|arp||192.0.2.77|| core-sw1.example.org|cdp|access-sw9.example.org|198.51.100.9||access-sw9 core-sw1.example.org|lldp|ap-3.example.org|192.0.2.21|192.0.2.21|ap-3 core-sw1.example.org|lldp|dist-sw2.example.org|192.0.2.20|00:1b:21:3a:4f:01|dist-sw2"

# a second walk: the same edges, not new ones
JOB=$(qa "SELECT infracast.discover(ARRAY['$SWITCH'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done
is "a second walk adds no edge" "$(qa "$EDGES_SQL")" "$EDGES_WANT"
is "a second walk adds no node" "$(qa "SELECT count(*) FROM infracast.nodes")" "6"

# --- an agent that answers too much: partial, the reason recorded, nothing known deleted ---------------
snapshot="SELECT name, kind, addresses, attrs->'snmp'->'lldp', attrs->'snmp'->'cdp', attrs->'snmp'->'arp', attrs->'snmp'->'serials' FROM infracast.nodes WHERE id = $NODE"
before=$(qa "$snapshot")
stop_agent core-sw1
# the same switch, now with 3,000 physical entities behind the same neighbours
start_agent core-sw1 "$SWITCH" huge:3000 || bad "the too-much agent did not start"
is "the too-much agent serves 3,000 entity classes" "$(W $SWITCH 1.3.6.1.2.1.47.1.1.1.1.5 | grep -c ' = INTEGER: 10$')" "3000"
q "ALTER SYSTEM SET infracast.discovery_max_values = 2000" >/dev/null; reload_conf infracast.discovery_max_values 2000
JOB=$(qa "SELECT infracast.discover(ARRAY['$SWITCH'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done
q "ALTER SYSTEM RESET infracast.discovery_max_values" >/dev/null; reload_conf infracast.discovery_max_values 200000
is "too many values: partial, with the limit as the reason" \
    "$(run "state || ':' || reason || ':' || values_read")" "partial:the agent answered more than 2000 values (infracast.discovery_max_values):2000"
is "what the walk did not finish (serials) is kept, the rest is as before" "$(qa "$snapshot")" "$before"
is "no edge was deleted" "$(qa "$EDGES_SQL")" "$EDGES_WANT"

# --- an agent whose GETNEXT goes backwards: the walk stops, partial, nothing known deleted ------------
stop_agent core-sw1
start_agent core-sw1 "$SWITCH" loop || bad "the looping agent did not start"
is "the looping agent answers GETNEXT with an OID before the one asked for" \
    "$(snmpgetnext -v2c -c "$COMMUNITY" -On "$SWITCH:$PORT" 1.3.6.1.2.1.47.1.1.1.1.5 | sed 's/ = .*//')" ".1.3.6.1.2.1.47.1.1.1.1.2.1"
JOB=$(qa "SELECT infracast.discover(ARRAY['$SWITCH'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done
is "OIDs that do not increase: partial, the loop named as the reason" "$(run "state || ':' || reason")" \
    "partial:the agent answered OIDs out of order in entPhysicalTable.entPhysicalClass (it would loop)"
is "the looping agent changed nothing known" "$(qa "$snapshot")" "$before"
is "and deleted no edge" "$(qa "$EDGES_SQL")" "$EDGES_WANT"

# --- an agent answering the wrong types and malformed indexes -----------------------------------------
start_agent broken-sw "$BROKEN" wrongtypes || bad "the wrong-types agent did not start"
JOB=$(qa "SELECT infracast.discover(ARRAY['$BROKEN'], 'snmp', 'pub', $PORT)")
job_wait "$JOB" done
is "wrong types: partial, each table's malformed values counted in the reason" "$(run "state || ':' || reason")" \
    "partial:ipNetToMediaTable.ipNetToMediaPhysAddress: 2 malformed values left out (wrong type or index); lldpRemTable: 3 malformed values left out (wrong type or index); lldpRemManAddrTable.lldpRemManAddrIfSubtype: 1 malformed values left out (wrong type or index); cdpCacheTable: 1 malformed values left out (wrong type or index); entPhysicalTable.entPhysicalClass: 1 malformed values left out (wrong type or index); entPhysicalTable.entPhysicalSerialNum: 1 malformed values left out (wrong type or index)"
BNODE=$(run node_id)
jsonb_is "the well-formed values are kept" \
    "SELECT (attrs->'snmp') - ARRAY['sysDescr', 'sysObjectID', 'sysUpTime', 'sysContact', 'sysLocation', 'sysServices', 'sysName', 'interfaces']::text[] FROM infracast.nodes WHERE id = $BNODE" \
    '{"arp": [], "lldp": [{"name": "good-neighbour.example.org"}], "cdp": [{"platform": "cisco WS-C2960X-24TS-L"}], "serials": [{"index": 1, "serial": "SER-OK-1"}]}'
is "and the switch's data is untouched" "$(qa "$snapshot")" "$before"
is "no edge to or from the broken agent" "$(qa "SELECT count(*) FROM infracast.edges WHERE $BNODE IN (src, dst)")" "0"

grep -E "ERROR|FATAL|PANIC" "$D/server.log" | grep -v "terminating background worker .* due to administrator command" | head -5
grep -qE "ERROR|PANIC" "$D/server.log" && bad "the server log has errors" || ok "no error in the server log"
echo "1..$n"
[ "$fail" -eq 0 ]
