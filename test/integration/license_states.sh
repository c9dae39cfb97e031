#!/usr/bin/env bash
# Every licence state, on a build that embeds a key just made by `infracast-license keygen`.
#
# A copy of this tree is built with INFRACAST_LICENSE_PUBKEY=<that key> into its own stage (only
# license_keys.o is rebuilt), a cluster is started on it, and licences signed with the key (and with
# others) are swapped in and out of its license.json while it runs: no reload, no restart. For each
# state: license_status() says so, reads and feature checks still answer, adding nodes is refused with
# SQLSTATE IC301 naming the state. Then the node limit (at, past, import past, two sessions racing),
# kinds that count, a swap by SIGHUP, the clock rollback, and one log line per change of state.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"

TOOL="$IC_BINDIR/infracast-license"
W=$(mktemp -d /tmp/infracast-license.XXXXXX)
chmod 755 "$W"
STAGE="$W/stage"
BIN=""
fails=0
cleanup() {
    [ -n "$BIN" ] && cluster_stop "$STAGE" "$BIN"
    if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "kept $W for inspection"; fi
}
trap cleanup EXIT

ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
die() { echo "FATAL: $*"; fails=$((fails + 1)); exit 1; }

# --- a vendor key and a build that trusts it ------------------------------------------------------
"$TOOL" keygen "$W/vendor.key" "$W/vendor.pub" >"$W/keygen.out" || die "keygen failed"
"$TOOL" keygen "$W/other.key" "$W/other.pub" >/dev/null || die "keygen (other) failed"
PUB=$(cat "$W/vendor.pub")
FP=$(sed -n 's/^fingerprint: //p' "$W/keygen.out")
[ "$(stat -c %a "$W/vendor.key")" = 600 ] && ok "keygen writes the secret key with mode 0600" || fail "secret key mode"

mkdir -p "$W/src"
tar -C "$IC_ROOT" --exclude=./.git --exclude=./.infracast --exclude=./test/results -cf - . | tar -C "$W/src" -xf -
if ! INFRACAST_LICENSE_PUBKEY="$PUB" make -s -C "$W/src" all >"$W/build.log" 2>&1; then
    cat "$W/build.log"; die "build with INFRACAST_LICENSE_PUBKEY failed"
fi
BIN=$(IC_ROOT="$W/src" INFRACAST_LICENSE_PUBKEY="$PUB" stage_install "$STAGE") || die "stage_install failed"
cluster_start "$STAGE" "$BIN" || die "cluster start failed"
rm -f "$STAGE/license.json"   # cluster_start put the development licence there; start from nothing
LIC="$STAGE/license.json"

q()  { psql -X -At -v ON_ERROR_STOP=1 -d postgres -c "$1" 2>&1; }
# SQLSTATE of a statement run as the writer role in tenant lic_a ("OK" when it succeeds)
sqlstate_as() { # sqlstate_as ROLE TENANT SQL
    local out
    out=$(psql -X -At -d postgres -c "\\set VERBOSITY verbose" -c "SET ROLE $1" \
        -c "SELECT infracast.set_tenant('$2', false)" -c "$3" 2>&1)
    if grep -q '^ERROR:' <<<"$out"; then sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p' <<<"$out" | head -1
    else echo OK; fi
}
error_text_as() {
    psql -X -At -d postgres -c "SET ROLE $1" -c "SELECT infracast.set_tenant('$2', false)" -c "$3" 2>&1 | grep '^ERROR:' | head -1
}
state() { q "SELECT state FROM infracast.license_status()"; }

iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
claims() { # claims ID LIMIT EXPIRES [NOT_BEFORE] [EXTRA]
    local nb=""; [ -n "${4:-}" ] && nb="\"not_before\": \"$4\","
    cat <<JSON
{"license_id": "$1", "customer": "Regress Corp", "tier": "enterprise", "node_limit": $2,
 "features": ["attack_paths", "vuln_matching"], "issued_at": "$(iso '-1 day')", $nb
 "expires_at": "$3", "offline_mode": true ${5:-}}
JSON
}
sign() { # sign KEY OUT [--unchecked]  (claims on stdin)
    "$TOOL" sign "$1" - -o "$2" ${3:-} || die "signing $2 failed"
}
# Swaps the licence file the way an operator does: write beside it, then rename over it.
swap_in() { install -m 644 "$1" "$LIC.new" && mv -f "$LIC.new" "$LIC"; }

q "CREATE EXTENSION infracast" >/dev/null || die "CREATE EXTENSION failed"
q "SELECT infracast.create_tenant('lic_a'); SELECT infracast.create_tenant('lic_b');
   CREATE ROLE regress_lic_writer LOGIN; GRANT infracast_analyst TO regress_lic_writer;
   CREATE ROLE regress_lic_admin LOGIN; GRANT infracast_operator TO regress_lic_admin;
   INSERT INTO infracast.tenant_roles SELECT id, 'regress_lic_writer' FROM infracast.tenants;" >/dev/null \
   || die "setup failed"

check "the build embeds the keygen key (fingerprint)" "$FP|false" "$(q "SELECT key_fingerprint || '|' || development_key FROM infracast.license_status()")"
check "infracast-license fingerprint agrees" "$FP" "$("$TOOL" fingerprint "$PUB" | sed -n 's/^fingerprint: //p')"

# --- valid, at the limit, past it -------------------------------------------------------------------
claims L-valid 5 "$(iso '+1 year')" "" ', "support": "gold"' | sign "$W/vendor.key" "$W/valid.json"
"$TOOL" verify "$W/vendor.pub" "$W/valid.json" >/dev/null && ok "infracast-license verify accepts it" || fail "tool verify"
swap_in "$W/valid.json"
check "valid licence" "valid" "$(state)"
check "claims shown, unknown claims kept" "L-valid|Regress Corp|enterprise|5|{attack_paths,vuln_matching}|t|\"gold\"|\"gold\"" \
    "$(q "SELECT concat_ws('|', license_id, customer, tier, node_limit, features, offline_mode, claims->'support', unknown_claims->'support') FROM infracast.license_status()")"

check "3 hosts in tenant lic_a" OK "$(sqlstate_as regress_lic_writer lic_a "INSERT INTO infracast.nodes (external_id, kind) VALUES ('h1','host'),('h2','host'),('r1','router')")"
check "accounts do not count" OK "$(sqlstate_as regress_lic_writer lic_a "INSERT INTO infracast.nodes (external_id, kind) VALUES ('u1','account'),('g1','group')")"
check "2 VMs in tenant lic_b" OK "$(sqlstate_as regress_lic_writer lic_b "INSERT INTO infracast.nodes (external_id, kind) VALUES ('v1','vm'),('v2','vm')")"
check "at the limit: 5 of 5, still valid" "valid|5" "$(q "SELECT state || '|' || nodes_used FROM infracast.license_status()")"
check "one past the limit, from a tenant that sees only its own 2 rows: IC302" IC302 \
    "$(sqlstate_as regress_lic_writer lic_b "INSERT INTO infracast.nodes (external_id, kind) VALUES ('v3','vm')")"
check "import_graph past the limit: IC302" IC302 \
    "$(sqlstate_as regress_lic_writer lic_b "SELECT infracast.import_graph('{\"graph\":{\"nodes\":[{\"id\":\"x\",\"kinds\":[\"host\"]}],\"edges\":[]}}')")"
check "a non-licensable node at the limit is fine" OK "$(sqlstate_as regress_lic_writer lic_b "INSERT INTO infracast.nodes (external_id, kind) VALUES ('u2','account')")"
check "a node turned into a licensable kind past the limit: IC302" IC302 \
    "$(sqlstate_as regress_lic_writer lic_b "UPDATE infracast.nodes SET kind = 'host' WHERE external_id = 'u2'")"
check "nothing of the refused statements was kept" "5|8" "$(q "SELECT (SELECT nodes_used FROM infracast.license_status()) || '|' || count(*) FROM infracast.nodes")"
msg=$(error_text_as regress_lic_writer lic_b "INSERT INTO infracast.nodes (external_id, kind) VALUES ('v3','vm')")
grep -q 'node_limit of 5' <<<"$msg" && ok "the limit error names the limit ($msg)" || fail "limit message: $msg"

# kinds that count: only a superuser changes them, and a change recounts
check "an infracast_operator cannot make a kind not count" 42501 \
    "$(sqlstate_as regress_lic_admin lic_a "UPDATE infracast.node_kinds SET licensable = false WHERE name = 'vm'")"
check "nor add a kind that does not count" 42501 \
    "$(sqlstate_as regress_lic_admin lic_a "INSERT INTO infracast.node_kinds (name, licensable) VALUES ('printer', false)")"
check "a superuser can, and the count follows" "3" "$(q "UPDATE infracast.node_kinds SET licensable = false WHERE name = 'vm'" >/dev/null; q "SELECT nodes_used FROM infracast.license_status()")"
check "and back" "5" "$(q "UPDATE infracast.node_kinds SET licensable = true WHERE name = 'vm'" >/dev/null; q "SELECT nodes_used FROM infracast.license_status()")"

# --- two sessions racing for the last slot --------------------------------------------------------
claims L-race 6 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/race.json"
swap_in "$W/race.json"
check "one slot left" "valid|5|6" "$(q "SELECT concat_ws('|', state, nodes_used, node_limit) FROM infracast.license_status()")"
# race_pair ISOLATION A_ID B_ID: A inserts one host and holds its transaction open; B inserts one host
# and must wait for A; A commits; B's outcome is printed (its SQLSTATE, or OK).
race_pair() {
    local iso=$1 a=$2 b=$3 pid_a pid_b waited=no
    rm -f "$W/a.in"; mkfifo "$W/a.in"
    psql -X -At -d postgres -v ON_ERROR_STOP=1 -c "SET application_name = 'race_a'" -f "$W/a.in" >"$W/a.out" 2>&1 &
    pid_a=$!
    exec 7>"$W/a.in"
    echo "SET ROLE regress_lic_writer; SELECT infracast.set_tenant('lic_a', false);
          BEGIN ISOLATION LEVEL $iso; INSERT INTO infracast.nodes (external_id, kind) VALUES ('$a','host'); SELECT 'a inserted';" >&7
    for _ in $(seq 100); do
        [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'race_a' AND state = 'idle in transaction'")" = 1 ] && break
        sleep 0.1
    done
    PGAPPNAME=race_b psql -X -At -d postgres -c "\\set VERBOSITY verbose" -c "SET ROLE regress_lic_writer" \
        -c "SELECT infracast.set_tenant('lic_b', false)" -c "BEGIN ISOLATION LEVEL $iso" \
        -c "INSERT INTO infracast.nodes (external_id, kind) VALUES ('$b','host')" -c "COMMIT" >"$W/b.out" 2>&1 &
    pid_b=$!
    for _ in $(seq 100); do
        if [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'race_b' AND wait_event_type = 'Lock'")" = 1 ]; then waited=yes; break; fi
        sleep 0.1
    done
    check "$iso: session B waits for session A's uncommitted insert" yes "$waited"
    echo "COMMIT;" >&7
    exec 7>&-
    wait "$pid_a"
    check "$iso: session A (first) commits" "0|1" "$?|$(grep -c 'a inserted' "$W/a.out")"
    wait "$pid_b"
    if grep -q '^ERROR:' "$W/b.out"; then race_outcome=$(sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p' "$W/b.out" | head -1)
    else race_outcome=OK; fi
}
race_pair "READ COMMITTED" race-a race-b
check "READ COMMITTED: session B fails with IC302 once A has committed" IC302 "$race_outcome"
check "the two sessions did not pass the limit together" "6|6" "$(q "SELECT nodes_used || '|' || (SELECT count(*) FROM infracast.nodes n JOIN infracast.node_kinds k ON k.name = n.kind WHERE k.licensable) FROM infracast.license_status()")"

claims L-race-rr 7 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/race-rr.json"
swap_in "$W/race-rr.json"
race_pair "REPEATABLE READ" rr-a rr-b
check "REPEATABLE READ: session B fails with a serialization failure (40001), never past the limit" 40001 "$race_outcome"
check "the two sessions did not pass the limit together" "7|7" "$(q "SELECT nodes_used || '|' || (SELECT count(*) FROM infracast.nodes n JOIN infracast.node_kinds k ON k.name = n.kind WHERE k.licensable) FROM infracast.license_status()")"

# Eight sessions at once, unsynchronised, for three slots: exactly three get in.
claims L-race8 10 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/race8.json"
swap_in "$W/race8.json"
pids=()
for i in $(seq 8); do
    t=lic_a; [ $((i % 2)) -eq 0 ] && t=lic_b
    psql -X -At -d postgres -c "SET ROLE regress_lic_writer" -c "SELECT infracast.set_tenant('$t', false)" \
        -c "INSERT INTO infracast.nodes (external_id, kind) SELECT 'r8-$i', 'host' FROM pg_sleep(0.2)" >"$W/r8-$i.out" 2>&1 &
    pids+=($!)
done
wins=0
for i in $(seq 8); do wait "${pids[$((i - 1))]}" && wins=$((wins + 1)); done
check "8 racing sessions, 3 slots: 3 inserts succeed" 3 "$wins"
check "and the count is exactly the limit" "10|10" "$(q "SELECT nodes_used || '|' || (SELECT count(*) FROM infracast.nodes n JOIN infracast.node_kinds k ON k.name = n.kind WHERE k.licensable) FROM infracast.license_status()")"
check "the loser's error is IC302" 5 "$(grep -l 'node_limit of 10' "$W"/r8-*.out | wc -l)"

# --- restricted states ----------------------------------------------------------------------------
# restricted STATE DESCRIPTION: reads and analyses answer, adding nodes is refused (IC301, naming the state)
restricted() {
    local st=$1 what=$2 msg before
    before=$(q "SELECT count(*) FROM infracast.nodes")
    check "$what: state $st" "$st" "$(state)"
    check "$what: reads work (a tenant's own rows)" "$(q "SELECT count(*) FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id WHERE t.name = 'lic_a'")" \
        "$(psql -X -At -d postgres -c "SET ROLE regress_lic_writer" -c "SELECT infracast.set_tenant('lic_a', false)" -c "SELECT count(*) FROM infracast.nodes" 2>&1 | tail -1)"
    check "$what: a licensed analysis feature still answers" OK "$(sqlstate_as regress_lic_writer lic_a "SELECT infracast.require_feature('attack_paths')")"
    check "$what: an unlicensed feature is refused (IC303)" IC303 "$(sqlstate_as regress_lic_writer lic_a "SELECT infracast.require_feature('discovery')")"
    check "$what: adding a node is refused (IC301)" IC301 "$(sqlstate_as regress_lic_writer lic_a "INSERT INTO infracast.nodes (external_id, kind) VALUES ('no-$st','account')")"
    check "$what: importing a new node is refused (IC301)" IC301 "$(sqlstate_as regress_lic_writer lic_a "SELECT infracast.import_graph('{\"graph\":{\"nodes\":[{\"id\":\"imp-$st\",\"kinds\":[\"user\"]}],\"edges\":[]}}')")"
    check "$what: discovery and documents are refused (IC301)" IC301 "$(sqlstate_as regress_lic_writer lic_a "SELECT infracast.require_valid_license('run discovery')")"
    msg=$(error_text_as regress_lic_writer lic_a "INSERT INTO infracast.nodes (external_id, kind) VALUES ('no-$st','account')")
    grep -q "licence is $st" <<<"$msg" && ok "$what: the error names the state ($msg)" || fail "$what: error text: $msg"
    check "$what: updating existing nodes still works" OK "$(sqlstate_as regress_lic_writer lic_a "UPDATE infracast.nodes SET name = 'renamed' WHERE external_id = 'h1'")"
    check "$what: nothing was added or deleted" "$before" "$(q "SELECT count(*) FROM infracast.nodes")"
}

payload=$(sed 's/.*"payload":"\([^"]*\)".*/\1/' "$W/race8.json")
sig=$(sed 's/.*"signature":"\([^"]*\)".*/\1/' "$W/race8.json")
# one flipped byte in the payload: decode, flip a bit, re-encode (still valid base64url)
flipped=$(printf '%s' "$payload" | tr '_-' '/+' | base64 -d 2>/dev/null | python3 -c '
import sys, base64
b = bytearray(sys.stdin.buffer.read()); b[30] ^= 1
sys.stdout.write(base64.urlsafe_b64encode(bytes(b)).decode().rstrip("="))')
sed "s|$payload|$flipped|" "$W/race8.json" > "$W/flip-payload.json"
swap_in "$W/flip-payload.json"
restricted invalid_signature "a flipped payload byte"

# one flipped signature character (not the last: its spare bits must stay zero)
c=${sig:20:1}; [ "$c" = A ] && r=B || r=A
sed "s|$sig|${sig:0:20}$r${sig:21}|" "$W/race8.json" > "$W/flip-sig.json"
swap_in "$W/flip-sig.json"
restricted invalid_signature "a flipped signature byte"

claims L-other 100 "$(iso '+1 year')" | sign "$W/other.key" "$W/other.json"
swap_in "$W/other.json"
restricted invalid_signature "a licence signed with another key"
swap_in "$IC_FIXTURES/license/dev-license.json"
restricted invalid_signature "the development licence on a vendor-key build"

printf '{"format":"infracast-license-1","payload":' > "$W/bad-json.json"
swap_in "$W/bad-json.json"
restricted malformed "malformed JSON"
grep -q 'not valid JSON' <<<"$(q "SELECT reason FROM infracast.license_status()")" && ok "the reason says why" || fail "malformed reason"

printf '{"format":"infracast-license-1","payload":"%s===","signature":"%s"}' "$payload" "$sig" > "$W/bad-b64.json"
swap_in "$W/bad-b64.json"
restricted malformed "malformed base64"

claims L-types '"100"' "$(iso '+1 year')" | sign "$W/vendor.key" "$W/bad-types.json" --unchecked
swap_in "$W/bad-types.json"
restricted malformed "claims of the wrong type (node_limit as a string)"
check "the reason names the claim" "t" "$(q "SELECT reason LIKE '%node_limit%' FROM infracast.license_status()")"

rm -f "$LIC"
restricted missing "a missing file"
: > "$W/empty.json"; swap_in "$W/empty.json"
restricted malformed "an empty file"
check "the reason says it is empty" "t" "$(q "SELECT reason LIKE '%empty%' FROM infracast.license_status()")"
rm -f "$LIC"; mkdir "$LIC"
check "a directory where the file belongs: malformed, not a regular file" "malformed|true" "$(q "SELECT state || '|' || (reason LIKE '%not a regular file%') FROM infracast.license_status()")"
rmdir "$LIC"; mkfifo "$LIC"; chmod 644 "$LIC"
check "a FIFO there does not hang the server: malformed" "malformed" "$(timeout 20 psql -X -At -d postgres -c "SELECT state FROM infracast.license_status()" 2>&1)"
rm -f "$LIC"

claims L-expired 100 "$(iso '-1 hour')" | sign "$W/vendor.key" "$W/expired.json"
swap_in "$W/expired.json"
restricted expired "an expired licence"
check "an expired licence still shows its claims" "L-expired" "$(q "SELECT license_id FROM infracast.license_status()")"

claims L-future 100 "$(iso '+2 years')" "$(iso '+1 year')" | sign "$W/vendor.key" "$W/future.json"
swap_in "$W/future.json"
restricted not_yet_valid "a not-yet-valid licence"

claims L-small 3 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/small.json"
swap_in "$W/small.json"
restricted over_limit "a licence swapped for a smaller node_limit"
q "DELETE FROM infracast.nodes WHERE external_id IN ('h1','h2','r1','v1','v2','race-a','rr-a')" >/dev/null
check "deleting nodes down to the limit makes it valid again" "valid|3" "$(q "SELECT state || '|' || nodes_used FROM infracast.license_status()")"

# --- a swapped file takes effect in a running session, with no reload ----------------------------
claims L-first 100 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/first.json"
claims L-second 100 "$(iso '+1 year')" | sign "$W/vendor.key" "$W/second.json"
swap_in "$W/first.json"
out=$(psql -X -At -d postgres -c "SELECT license_id FROM infracast.license_status()" \
    -c "\\! install -m 644 $W/second.json $LIC.new && mv -f $LIC.new $LIC" \
    -c "SELECT license_id FROM infracast.license_status()" 2>&1 | tr '\n' ' ')
check "one session sees the swap (rename) at its next call" "L-first L-second " "$out"
# rewritten in place (same inode)
out=$(psql -X -At -d postgres -c "SELECT license_id FROM infracast.license_status()" \
    -c "\\! cat $W/first.json > $LIC" \
    -c "SELECT license_id FROM infracast.license_status()" 2>&1 | tr '\n' ' ')
check "and a file rewritten in place" "L-second L-first " "$out"

# --- SIGHUP: infracast.license_file pointing elsewhere --------------------------------------------
install -m 644 "$W/second.json" "$STAGE/elsewhere.json"
q "ALTER SYSTEM SET infracast.license_file = '$STAGE/elsewhere.json'" >/dev/null
reload_conf infracast.license_file "$STAGE/elsewhere.json"
check "a reload with another infracast.license_file takes effect" "L-second|$STAGE/elsewhere.json" "$(q "SELECT license_id || '|' || license_file FROM infracast.license_status()")"
q "ALTER SYSTEM SET infracast.license_file = ''" >/dev/null; reload_conf infracast.license_file ""
check "no infracast.license_file: missing" "missing|infracast.license_file is not set" "$(q "SELECT state || '|' || reason FROM infracast.license_status()")"
check "the features of the last authentic licence stay in force" "{attack_paths,vuln_matching}" "$(q "SELECT features_in_force FROM infracast.license_status()")"
q "ALTER SYSTEM RESET infracast.license_file" >/dev/null; reload_conf infracast.license_file "$LIC"
check "back to the file" "valid" "$(state)"
check "the setting is superuser-only" "42501" "$(psql -X -At -d postgres -c "\\set VERBOSITY verbose" -c "SET ROLE regress_lic_writer" -c "SHOW infracast.license_file" 2>&1 | sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p')"
check "and so is the path in license_status()" "valid|" "$(psql -X -At -d postgres -c "SET ROLE regress_lic_writer" -c "SELECT state || '|' || coalesce(license_file, '') FROM infracast.license_status()" | tail -1)"

# --- clock rollback -------------------------------------------------------------------------------
q "UPDATE infracast.license_memory SET highest_seen = now() + interval '12 hours'" >/dev/null
check "a clock less than a day behind the highest time seen is fine" "valid" "$(state)"
q "UPDATE infracast.license_memory SET highest_seen = now() + interval '3 days'" >/dev/null
restricted clock_rollback "a clock three days behind the highest time seen"
check "the highest time seen is not lowered by a rolled-back clock" "t" "$(q "SELECT highest_seen > now() + interval '2 days' FROM infracast.license_memory")"
check "an administrator is not allowed to reset the clock record" 42501 "$(sqlstate_as regress_lic_admin lic_a "SELECT infracast.license_clock_reset()")"
q "SELECT infracast.license_clock_reset()" >/dev/null
check "a superuser's license_clock_reset() clears it" "valid" "$(state)"
claims L-issued-later 100 "$(iso '+1 year')" | sed "s/\"issued_at\": \"[^\"]*\"/\"issued_at\": \"$(iso '+3 days')\"/" | sign "$W/vendor.key" "$W/issued-later.json"
swap_in "$W/issued-later.json"
check "a licence issued days after the clock's time: clock_rollback" "clock_rollback" "$(state)"
swap_in "$W/second.json"

# --- one log line per change of state -------------------------------------------------------------
swap_in "$W/expired.json"
for i in 1 2 3; do q "SELECT state FROM infracast.license_status()" >/dev/null; done
swap_in "$W/second.json"
for i in 1 2 3; do q "SELECT state FROM infracast.license_status()" >/dev/null; done
check "an expiry is logged once, though three sessions looked" 2 "$(grep -c 'infracast licence state is expired' "$STAGE/server.log")"
seq=$(sed -n 's/.*infracast licence state is \([a-z_]*\):.*/\1/p' "$STAGE/server.log" | tr '\n' ' ')
[ "$(tr ' ' '\n' <<<"$seq" | uniq | grep -c .)" = "$(tr ' ' '\n' <<<"$seq" | grep -c .)" ] \
    && ok "no state is logged twice in a row ($seq)" || fail "a state was logged twice in a row: $seq"

# --- restart: the licence is judged from the file again -------------------------------------------
as_pg "$BIN/pg_ctl" -D "$STAGE/data" -m fast -w restart -l "$STAGE/server.log" >/dev/null
check "after a restart" "valid|L-second|3" "$(q "SELECT concat_ws('|', state, license_id, nodes_used) FROM infracast.license_status()")"

echo "# $fails failure(s)"
[ "$fails" -eq 0 ]
