#!/usr/bin/env bash
# The discovery SQL API on a cluster of its own (no agent needed; the worker's infracast.database
# names another database, so it leaves the queue alone): credential_create/rotate/delete and the
# key file, discover() validation (SQLSTATE and hint for each bad input), de-duplication of queued
# jobs, discovery_cancel(), row-level security between tenants, privileges, and pg_dump keeping the
# sealed secrets.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
is()  { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

BIN=${IC_BINDIR:?IC_BINDIR is set by the harness}
D=$(mktemp -d "${IC_STAGE:-/tmp}/discovery_api.XXXXXX"); chmod 755 "$D"
trap 'cluster_stop "$D" "$BIN"; [ -n "${KEEP:-}" ] || [ "$fail" -ne 0 ] || rm -rf "$D"' EXIT
KEY="$D/credential.key"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEY"; echo >>"$KEY"   # the hex form
chown postgres: "$KEY" 2>/dev/null; chmod 600 "$KEY"
cluster_start "$D" "$BIN" "infracast.database = 'nodb_for_this_test'" "infracast.credential_key_file = '$KEY'" || exit 1
export PGOPTIONS="-c client_min_messages=warning"
DB=discovery_api
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
qa() { psql -X -At -v ON_ERROR_STOP=1 -d "$DB" -c "SELECT infracast.set_tenant('${T:-acme}', false)" -c "$1" | tail -n +2; }
# err SQL: "SQLSTATE|hint" of the error the statement raises as tenant $T (default acme)
err() {
    psql -X -At -d "$DB" -c "\\set VERBOSITY verbose" -c "SELECT infracast.set_tenant('${T:-acme}', false)" -c "$1" 2>&1 >/dev/null \
        | awk '/^ERROR:  [A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]:/ { code = substr($2, 1, 5) } /^HINT:  / { sub(/^HINT:  /, ""); hint = $0 } END { print code "|" hint }'
}
code() { err "$1" | cut -d'|' -f1; }
has_hint() { # has_hint DESCRIPTION SQL SQLSTATE
    local e; e=$(err "$2")
    if [ "${e%%|*}" == "$3" ] && [ -n "${e#*|}" ]; then ok "$1 ($3, with a hint)"; else bad "$1: got '$e', want $3 and a hint"; fi
}

psql -X -q -d postgres -c "CREATE DATABASE $DB" || exit 1
q "CREATE EXTENSION infracast" >/dev/null
q "SELECT infracast.create_tenant('acme'), infracast.create_tenant('other')" >/dev/null

# --- credentials ---------------------------------------------------------------------------------
is "an SNMP v2c credential" "$(qa "SELECT infracast.credential_create('pub', 'snmp_v2c', 'Community-0001') > 0")" "t"
is "an SNMPv3 credential (hex key file)" "$(qa "SELECT infracast.credential_create('v3', 'snmp_v3', 'auth-pass-01', 'mon', 'SHA-256', 'AES', 'priv-pass-01') > 0")" "t"
is "an SSH password credential" "$(qa "SELECT infracast.credential_create('ssh', 'ssh_password', 'Ssh-Pass-01', 'root') > 0")" "t"
has_hint "duplicate name" "SELECT infracast.credential_create('pub', 'snmp_v2c', 'x')" 23505
has_hint "bad name" "SELECT infracast.credential_create('1bad', 'snmp_v2c', 'x')" 22023
has_hint "unknown kind" "SELECT infracast.credential_create('k', 'telnet', 'x')" 22023
has_hint "empty community" "SELECT infracast.credential_create('k', 'snmp_v2c', '')" 22023
has_hint "v2c with a username" "SELECT infracast.credential_create('k', 'snmp_v2c', 'x', 'u')" 22023
has_hint "v3 without a username" "SELECT infracast.credential_create('k', 'snmp_v3', 'auth-pass-01', NULL, 'SHA', 'AES', 'priv-pass-01')" 22023
has_hint "v3 with MD5" "SELECT infracast.credential_create('k', 'snmp_v3', 'auth-pass-01', 'u', 'MD5', 'AES', 'priv-pass-01')" 22023
has_hint "v3 without an explicit privacy protocol" "SELECT infracast.credential_create('k', 'snmp_v3', 'auth-pass-01', 'u', 'SHA', NULL, 'priv-pass-01')" 22023
has_hint "v3 with DES" "SELECT infracast.credential_create('k', 'snmp_v3', 'auth-pass-01', 'u', 'SHA', 'DES', 'priv-pass-01')" 22023
has_hint "v3 passphrase under 8 characters" "SELECT infracast.credential_create('k', 'snmp_v3', 'short', 'u', 'SHA', 'AES', 'priv-pass-01')" 22023
has_hint "v3 without a privacy passphrase" "SELECT infracast.credential_create('k', 'snmp_v3', 'auth-pass-01', 'u', 'SHA', 'AES')" 22023
has_hint "an SSH key that is not a key" "SELECT infracast.credential_create('k', 'ssh_key', 'not a key', 'root')" 22023
e=$(psql -X -d "$DB" -c "SELECT infracast.set_tenant('acme', false)" -c "SELECT infracast.credential_create('k', 'snmp_v3', 'Secret-Short', 'u', 'SHA', 'AES', 'x')" 2>&1)
grep -q 'Secret-Short' <<<"${e//SELECT*/}" && bad "an error message repeats a secret" || ok "error messages never repeat a secret"
is "no tenant set: IC001" "$(psql -X -At -d "$DB" -c "\\set VERBOSITY verbose" -c "SELECT infracast.credential_create('k', 'snmp_v2c', 'x')" 2>&1 | sed -n 's/^ERROR:  \([A-Z0-9]\{5\}\):.*/\1/p')" "IC001"
sealed_before=$(qa "SELECT encode(sealed, 'hex') FROM infracast.credentials WHERE name = 'pub'")
qa "SELECT infracast.credential_rotate('pub', 'Community-0002')" >/dev/null
is "rotate seals the new secret (rotated_at set, sealed changed)" \
    "$(qa "SELECT rotated_at IS NOT NULL AND encode(sealed, 'hex') <> '$sealed_before' FROM infracast.credentials WHERE name = 'pub'")" "t"
has_hint "rotate an unknown credential" "SELECT infracast.credential_rotate('nope', 'x')" 42704
has_hint "rotate v3 with a short passphrase" "SELECT infracast.credential_rotate('v3', 'short', 'priv-pass-01')" 22023

# the key file: missing, readable by others, not a key, not set
psql -X -q -d postgres -c "ALTER SYSTEM SET infracast.credential_key_file = '$D/missing.key'" && reload_conf infracast.credential_key_file "$D/missing.key"
has_hint "a missing key file" "SELECT infracast.credential_create('k', 'snmp_v2c', 'x')" IC901
cp "$KEY" "$D/open.key"; chown postgres: "$D/open.key" 2>/dev/null; chmod 644 "$D/open.key"
psql -X -q -d postgres -c "ALTER SYSTEM SET infracast.credential_key_file = '$D/open.key'" && reload_conf infracast.credential_key_file "$D/open.key"
has_hint "a key file others can read" "SELECT infracast.credential_create('k', 'snmp_v2c', 'x')" IC901
echo "not a key" >"$D/bad.key"; chown postgres: "$D/bad.key" 2>/dev/null; chmod 600 "$D/bad.key"
psql -X -q -d postgres -c "ALTER SYSTEM SET infracast.credential_key_file = '$D/bad.key'" && reload_conf infracast.credential_key_file "$D/bad.key"
has_hint "a key file without a key" "SELECT infracast.credential_create('k', 'snmp_v2c', 'x')" IC901
psql -X -q -d postgres -c "ALTER SYSTEM SET infracast.credential_key_file = ''" && reload_conf infracast.credential_key_file ""
has_hint "no key file configured" "SELECT infracast.credential_create('k', 'snmp_v2c', 'x')" IC901
psql -X -q -d postgres -c "ALTER SYSTEM RESET infracast.credential_key_file" && reload_conf infracast.credential_key_file "$KEY"
is "the setting is superuser-only" "$(psql -X -At -d "$DB" -c "CREATE ROLE regress_disc_peek" -c "SET ROLE regress_disc_peek" -c "SHOW infracast.credential_key_file" 2>&1 | grep -c 'must be superuser\|permission denied')" "1"

# --- discover() ----------------------------------------------------------------------------------
J1=$(qa "SELECT infracast.discover(ARRAY['192.0.2.0/29', '192.0.2.100'], 'snmp', 'pub')")
is "a job is queued with normalised targets and port 161" \
    "$(qa "SELECT state || ' ' || targets::text || ' ' || port || ' ' || attempts FROM infracast.discovery_jobs WHERE id = $J1")" \
    "queued {192.0.2.0/29,192.0.2.100} 161 0"
is "the same request returns the queued job" "$(qa "SELECT infracast.discover(ARRAY['192.0.2.100', ' 192.0.2.0/29', '192.0.2.100'], 'SNMP', 'pub')")" "$J1"
is "one job, not two" "$(qa "SELECT count(*) FROM infracast.discovery_jobs")" "1"
J2=$(qa "SELECT infracast.discover(ARRAY['192.0.2.100'], 'snmp', 'pub', 1161)")
[ "$J2" != "$J1" ] && ok "another port is another job" || bad "another port gave the same job"
J3=$(qa "SELECT infracast.discover(ARRAY['Switch-01.Example.ORG.'], 'snmp', 'v3')")
is "host names are accepted (lower-cased)" "$(qa "SELECT targets::text FROM infracast.discovery_jobs WHERE id = $J3")" "{switch-01.example.org}"
is "the expansion skips network and broadcast addresses" "$(q "SELECT string_agg(t, ',') FROM infracast.discovery_expand(ARRAY['192.0.2.0/29', '192.0.2.100', '192.0.2.8/31', 'h.example']) AS e(t)")" \
    "192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4,192.0.2.5,192.0.2.6,192.0.2.100,192.0.2.8,192.0.2.9,h.example"
has_hint "host bits set in a CIDR block" "SELECT infracast.discover(ARRAY['192.0.2.7/24'], 'snmp', 'pub')" 22023
is "the hint names the block meant" "$(err "SELECT infracast.discover(ARRAY['192.0.2.7/24'], 'snmp', 'pub')" | cut -d'|' -f2)" "Did you mean 192.0.2.0/24?"
has_hint "a bad address" "SELECT infracast.discover(ARRAY['192.0.2.300'], 'snmp', 'pub')" 22023
has_hint "not a host name" "SELECT infracast.discover(ARRAY['bad host!'], 'snmp', 'pub')" 22023
has_hint "an empty target" "SELECT infracast.discover(ARRAY[''], 'snmp', 'pub')" 22023
has_hint "no targets" "SELECT infracast.discover(ARRAY[]::text[], 'snmp', 'pub')" 22023
has_hint "more addresses than infracast.discovery_max_targets" "SELECT infracast.discover(ARRAY['10.0.0.0/16'], 'snmp', 'pub')" 54000
has_hint "an IPv6 block too large to sweep" "SELECT infracast.discover(ARRAY['2001:db8::/64'], 'snmp', 'pub')" 54000
has_hint "an unknown method" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'telnet', 'pub')" 22023
has_hint "an SNMP credential for SSH" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'ssh', 'pub')" 22023
JS=$(qa "SELECT infracast.discover(ARRAY['192.0.2.1'], 'ssh', 'ssh')")
is "SSH jobs default to port 22" "$(qa "SELECT method || ':' || port FROM infracast.discovery_jobs WHERE id = $JS")" "ssh:22"
has_hint "an unknown credential" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'nope')" 42704
has_hint "an SSH credential for SNMP" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'ssh')" 22023
has_hint "a bad port" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'pub', 70000)" 22023
has_hint "a schedule under a minute" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'pub', NULL, '10 seconds')" 22023
J4=$(qa "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'pub', NULL, '1 day')")
is "a schedule is kept" "$(qa "SELECT schedule FROM infracast.discovery_jobs WHERE id = $J4")" "1 day"

# --- where a credential may be aimed ---------------------------------------------------------------
JR=$(qa "SELECT infracast.discover(ARRAY['198.51.100.7'], 'snmp', 'pub', NULL, '1 day')")
is "an admin restricts a credential; its queued job aiming elsewhere is cancelled" \
    "$(qa "SELECT infracast.credential_restrict('pub', ARRAY['192.0.2.0/24', '2001:db8::/64'])")" "1"
is "... with the reason" "$(qa "SELECT state || ': ' || last_error FROM infracast.discovery_jobs WHERE id = $JR")" \
    "cancelled: cancelled: its credential was restricted to 192.0.2.0/24, 2001:db8::/64"
is "the restriction is visible" "$(qa "SELECT allowed_targets FROM infracast.credentials WHERE name = 'pub'")" "{192.0.2.0/24,2001:db8::/64}"
has_hint "aiming it outside is refused" "SELECT infracast.discover(ARRAY['192.0.2.1', '198.51.100.1'], 'snmp', 'pub')" IC904
has_hint "a block wider than the allowed one too" "SELECT infracast.discover(ARRAY['192.0.2.0/23'], 'snmp', 'pub')" IC904
has_hint "and a host name (it cannot be checked before it is resolved)" "SELECT infracast.discover(ARRAY['switch1.example'], 'snmp', 'pub')" IC904
is "inside, by address, block and IPv6, it is queued" \
    "$(qa "SELECT infracast.discover(ARRAY['192.0.2.5', '192.0.2.64/26', '2001:db8::10'], 'snmp', 'pub') > 0")" "t"
has_hint "a restriction that is not a network" "SELECT infracast.credential_restrict('pub', ARRAY['not a net'])" 22023
has_hint "an empty restriction" "SELECT infracast.credential_restrict('pub', '{}')" 22023
has_hint "an unknown credential" "SELECT infracast.credential_restrict('nope', NULL)" 42704
# a scheduled job running when its credential was restricted: queued again (as the worker does), it is cancelled
qa "SELECT infracast.credential_restrict('pub', NULL)" >/dev/null
JQ=$(qa "SELECT infracast.discover(ARRAY['198.51.100.9'], 'snmp', 'pub', NULL, '1 day')")
q "UPDATE infracast.discovery_jobs SET state = 'running' WHERE id = $JQ" >/dev/null
is "a running job is left to finish (the queued IPv6 one above is cancelled)" "$(qa "SELECT infracast.credential_restrict('pub', ARRAY['192.0.2.0/24'])"):$(qa "SELECT state FROM infracast.discovery_jobs WHERE id = $JQ")" "1:running"
q "UPDATE infracast.discovery_jobs SET state = 'queued' WHERE id = $JQ" >/dev/null
is "queued again for its next run, it is cancelled instead" "$(qa "SELECT state || ': ' || last_error FROM infracast.discovery_jobs WHERE id = $JQ")" \
    "cancelled: cancelled: its credential was restricted to 192.0.2.0/24"
is "NULL lifts it" "$(qa "SELECT infracast.credential_restrict('pub', NULL)"):$(qa "SELECT allowed_targets IS NULL FROM infracast.credentials WHERE name = 'pub'")" "0:t"

# --- cancel, delete --------------------------------------------------------------------------------
has_hint "a credential used by a queued job cannot be deleted" "SELECT infracast.credential_delete('pub')" 2BP01
is "cancel a queued job" "$(qa "SELECT infracast.discovery_cancel($J2)")" "t"
is "cancel it again: nothing to do" "$(qa "SELECT infracast.discovery_cancel($J2)")" "f"
has_hint "cancel an unknown job" "SELECT infracast.discovery_cancel(999999)" 42704
qa "SELECT infracast.credential_create('tmp', 'snmp_v2c', 'x')" >/dev/null
qa "SELECT infracast.discovery_cancel(infracast.discover(ARRAY['192.0.2.9'], 'snmp', 'tmp'))" >/dev/null
qa "SELECT infracast.credential_delete('tmp')" >/dev/null
is "deleting a credential keeps its finished jobs, without it" "$(qa "SELECT count(*) FROM infracast.discovery_jobs WHERE targets = '{192.0.2.9}' AND credential_id IS NULL AND state = 'cancelled'")" "1"
has_hint "delete an unknown credential" "SELECT infracast.credential_delete('tmp')" 42704

# --- tenants and privileges ------------------------------------------------------------------------
T=other has_hint "as tenant other: acme's credential is unknown" "SELECT infracast.discover(ARRAY['192.0.2.1'], 'snmp', 'pub')" 42704
T=other qa "SELECT infracast.credential_create('pub', 'snmp_v2c', 'x')" >/dev/null && ok "the same credential name in another tenant" || bad "the same name in another tenant"
q "CREATE ROLE regress_disc_analyst; GRANT infracast_analyst TO regress_disc_analyst;
   CREATE ROLE regress_disc_admin; GRANT infracast_admin TO regress_disc_admin;
   INSERT INTO infracast.tenant_roles SELECT id, r FROM infracast.tenants, unnest(ARRAY['regress_disc_analyst', 'regress_disc_admin']) r" >/dev/null
as_role() { psql -X -At -d "$DB" -c "\\set VERBOSITY verbose" -c "SET ROLE $1" -c "SELECT infracast.set_tenant('${T:-acme}', false)" -c "$2" 2>&1 | tail -n +3; }
is "row-level security: tenant other sees none of acme's jobs" "$(T=other as_role regress_disc_analyst "SELECT count(*) FROM infracast.discovery_jobs")" "0"
is "nor its credentials (only its own)" "$(T=other as_role regress_disc_analyst "SELECT string_agg(name, ',') FROM infracast.credentials")" "pub"
is "acme sees its own" "$(as_role regress_disc_analyst "SELECT count(*) > 0 FROM infracast.discovery_jobs")" "t"
is "an analyst queues jobs" "$(as_role regress_disc_analyst "SELECT infracast.discover(ARRAY['192.0.2.77'], 'snmp', 'pub') > 0")" "t"
is "an analyst sees credentials' names" "$(as_role regress_disc_analyst "SELECT string_agg(name, ',' ORDER BY name) FROM infracast.credentials")" "pub,ssh,v3"
is "but not the sealed secrets" "$(as_role regress_disc_analyst "SELECT sealed FROM infracast.credentials" | grep -o '42501' | head -1)" "42501"
is "and cannot create credentials" "$(as_role regress_disc_analyst "SELECT infracast.credential_create('a', 'snmp_v2c', 'x')" | grep -o '42501' | head -1)" "42501"
is "an analyst cannot insert a job by hand (only through discover())" "$(as_role regress_disc_analyst "INSERT INTO infracast.discovery_jobs (targets, method, port) VALUES ('{192.0.2.1}', 'snmp', 161)" | grep -o '42501' | head -1)" "42501"
is "a job inserted directly (by a superuser) is checked too" "$(psql -X -At -d "$DB" -c "\\set VERBOSITY verbose" -c "SELECT infracast.set_tenant('acme', false)" -c "INSERT INTO infracast.discovery_jobs (targets, method, port) VALUES ('{not a host!}', 'snmp', 161)" 2>&1 | grep -o '22023' | head -1)" "22023"
is "an admin can" "$(as_role regress_disc_admin "SELECT infracast.credential_create('adm', 'snmp_v2c', 'x') > 0")" "t"
is "an analyst cannot restrict (or widen) a credential" "$(as_role regress_disc_analyst "SELECT infracast.credential_restrict('pub', NULL)" | grep -o '42501' | head -1)" "42501"
is "an admin can restrict one" "$(as_role regress_disc_admin "SELECT infracast.credential_restrict('adm', ARRAY['192.0.2.0/24'])")" "0"
is "the worker's functions are not for users" "$(as_role regress_disc_admin "SELECT infracast.discovery_record_failure(1, 1, 1, '{x}', now(), 'x')" | grep -o '42501' | head -1)" "42501"

# --- pg_dump keeps the sealed credentials, jobs and runs --------------------------------------------
pg_dump_out=$("$BIN/pg_dump" -d "$DB" -a -t 'infracast.credentials' -t 'infracast.discovery_jobs' 2>&1)
grep -q 'COPY infracast.credentials' <<<"$pg_dump_out" && grep -q 'COPY infracast.discovery_jobs' <<<"$pg_dump_out" \
    && ok "pg_dump dumps credentials and jobs" || bad "pg_dump lacks the discovery tables"
grep -q 'Community-000' <<<"$pg_dump_out" && bad "a secret is in the dump in plain text" || ok "no secret in the dump in plain text"
grep -qE 'Community-000|auth-pass-01|priv-pass-01|Ssh-Pass-01' "$D/server.log" && bad "a secret is in the server log" || ok "no secret in the server log"

echo "1..$n"
[ "$fail" -eq 0 ]
