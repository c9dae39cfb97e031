#!/usr/bin/env bash
# A tenant's administrator stays in its tenant (issue 17). Two tenants hold the same small data set
# (nodes, edges, software, SBOM, findings, VEX, users, credentials, discovery jobs and runs, a
# compliance assessment with waivers and POA&M items, a stored report); tenant B's free-text fields
# carry the marker "bsecret". Then tenant A's admin, through SQL (a LOGIN role, member of
# infracast_admin, bound to A) and through REST (the real proxy, an API user with the admin role),
# tries every way to B's rows and to the cluster-wide tables:
#   - set_tenant to B by name and by id;
#   - SELECT, UPDATE, DELETE and INSERT on every table of schema infracast with a tenant_id column
#     (enumerated from pg_catalog, so new tables are covered without editing this file);
#   - every function it may execute, called with each of B's ids and names;
#   - INSERT, UPDATE, DELETE, TRUNCATE on every table without tenant_id (cluster-wide);
#   - every REST view and rpc (enumerated from infracast_api, which is the proxy's route table).
# Nothing it tries may show a "bsecret" or change B: each of B's tables is compared (md5 of its
# rows, as the superuser) before and after, and so are the cluster-wide tables. Then the positive
# side: the operator still creates tenants, kinds, bindings and sees every tenant; the tenant admin
# still manages its own users, inventory, findings and settings.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"

DB=tenant_admin
ADMIN=regress_ta_admin        # tenant A's SQL admin
ADMIN_B=regress_ta_admin_b    # tenant B's (bound to B, so tenant_roles has B rows to protect)
OPER=regress_ta_operator
PX_OPER=regress_ta_px_operator  # a would-be proxy login holding the operator role
px_setup_db "$DB" || exit 1
export PGOPTIONS='-c client_min_messages=warning'

# Roles are cluster-wide: start from none of ours, and leave none behind.
drop_roles() {
    psql -qX -d postgres -c "DROP ROLE IF EXISTS $ADMIN" -c "DROP ROLE IF EXISTS $ADMIN_B" -c "DROP ROLE IF EXISTS $OPER" \
        -c "DROP ROLE IF EXISTS $PX_OPER" >/dev/null
}
drop_roles
trap 'px_cleanup; drop_roles' EXIT

# fill_tenant T MARKER: the data set of tenant ta_T, MARKER in its free-text fields.
fill_tenant() {
    local T=$1 M=$2
    cat <<SQL
BEGIN;
SELECT infracast.set_tenant('ta_$T');
SELECT * FROM infracast.import_graph('{"graph": {"nodes": [
    {"id": "${T}1", "kinds": ["host"], "properties": {"name": "$M host"}},
    {"id": "${T}2", "kinds": ["database"], "properties": {"name": "$M db", "crown_jewel": true}}],
    "edges": [{"start": "${T}1", "end": "${T}2", "kind": "reach"}]}}');
SELECT * FROM infracast.import_sbom('${T}1', '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
    {"type": "operating-system", "name": "Debian", "version": "12.5"},
    {"type": "library", "name": "${T}pkg", "purl": "pkg:deb/debian/${T}pkg@1.0-1?arch=amd64"}]}');
-- the superuser sees every tenant: each statement below keeps to the current one
INSERT INTO infracast.findings (node_id, software_id, cve_id, status_note)
    SELECT s.node_id, s.id, 'CVE-2021-44228', '$M note' FROM infracast.software s
     WHERE s.tenant_id = infracast.current_tenant();
SELECT infracast.set_vex('CVE-2021-44228', '${T}pkg', 'not_affected', 'code_not_present', NULL, '$M vex', 'debian');
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('${T}_admin', 'infracast_admin', infracast.password_hash('${T} admin passphrase'), false),
    ('${T}_reader', 'infracast_reader', infracast.password_hash('${T} reader passphrase'), false);
-- sealed is opaque here: no key file is needed to keep a row, only to use it
INSERT INTO infracast.credentials (name, kind, username, auth_protocol, priv_protocol, sealed)
    VALUES ('${T}cred', 'snmp_v3', '$M', 'SHA', 'AES', '\\x00');
INSERT INTO infracast.discovery_jobs (targets, method, credential_id, port)
    SELECT '{192.0.2.1}', 'snmp', id, 161 FROM infracast.credentials WHERE tenant_id = infracast.current_tenant();
INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, sys_name, started_at)
    SELECT tenant_id, id, 1, '192.0.2.1', 'failed', '$M reason', '$M', now()
      FROM infracast.discovery_jobs WHERE tenant_id = infracast.current_tenant();
INSERT INTO infracast.ssh_host_keys (tenant_id, host, port, key_type, fingerprint)
    VALUES (infracast.current_tenant(), '192.0.2.1', 22, 'ssh-ed25519', 'SHA256:' || repeat('A', 43));
INSERT INTO infracast.ssh_host_key_mismatches (tenant_id, host, port, pinned_type, pinned_fingerprint, offered_type, offered_fingerprint)
    VALUES (infracast.current_tenant(), '192.0.2.1', 22, 'ssh-ed25519', 'SHA256:' || repeat('A', 43), 'ssh-ed25519', '$M offered');
INSERT INTO infracast.discovered_services (tenant_id, node_id, protocol, address, port, process, service)
    SELECT tenant_id, id, 'tcp', '0.0.0.0', 23, '$M telnetd', 'telnet' FROM infracast.nodes
     WHERE tenant_id = infracast.current_tenant() AND external_id = '${T}1';
SELECT infracast.compliance_assess('low');
INSERT INTO infracast.compliance_waivers (control_id, reason, approved_by) VALUES ('ac-2', '$M waiver', 'x');
INSERT INTO infracast.compliance_poam_items (control_id, title) VALUES ('ac-3', '$M poam');
SELECT infracast.generate_report(now());
UPDATE infracast.reports SET title = '$M report' WHERE tenant_id = infracast.current_tenant();
COMMIT;
SQL
}

px_psql -c "SELECT infracast.create_tenant('ta_a'), infracast.create_tenant('ta_b')" >/dev/null || exit 1
for t in a b; do fill_tenant "$t" "${t}secret" | px_psql >/dev/null || { echo "could not fill tenant ta_$t"; exit 1; }; done
px_psql >/dev/null <<SQL || exit 1
CREATE ROLE $ADMIN LOGIN IN ROLE infracast_admin;
CREATE ROLE $ADMIN_B LOGIN IN ROLE infracast_admin;
CREATE ROLE $OPER LOGIN IN ROLE infracast_operator;
INSERT INTO infracast.tenant_roles SELECT id, '$ADMIN' FROM infracast.tenants WHERE name = 'ta_a';
INSERT INTO infracast.tenant_roles SELECT id, '$ADMIN_B' FROM infracast.tenants WHERE name = 'ta_b';
SQL

A=$(px_psql -c "SELECT id FROM infracast.tenants WHERE name = 'ta_a'")
B=$(px_psql -c "SELECT id FROM infracast.tenants WHERE name = 'ta_b'")
bid() { px_psql -c "SELECT min(id) FROM infracast.$1 WHERE tenant_id = $B"; }
B_NODE=$(bid nodes); B_EDGE=$(bid edges); B_SOFT=$(bid software); B_FINDING=$(bid findings)
B_USER=$(bid users); B_CRED=$(bid credentials); B_JOB=$(bid discovery_jobs); B_RUN=$(bid discovery_runs)
B_ASSESS=$(bid compliance_assessments); B_WAIVER=$(bid compliance_waivers); B_POAM=$(bid compliance_poam_items)
B_REPORT=$(bid reports); B_EVIDENCE=$(bid compliance_evidence)
B_IDS="$B_NODE $B_EDGE $B_SOFT $B_FINDING $B_USER $B_CRED $B_JOB $B_RUN $B_ASSESS $B_WAIVER $B_POAM $B_REPORT $B_EVIDENCE $B"

# Tables enumerated from the catalog: with a tenant_id column (tenant tables) or without (cluster-wide).
TENANT_TABLES_SQL="SELECT c.relname FROM pg_catalog.pg_class c
  WHERE c.relnamespace = 'infracast'::regnamespace AND c.relkind IN ('r', 'p')
    AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
  ORDER BY 1"
GLOBAL_TABLES_SQL="SELECT c.relname FROM pg_catalog.pg_class c
  WHERE c.relnamespace = 'infracast'::regnamespace AND c.relkind IN ('r', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
  ORDER BY 1"
mapfile -t TENANT_TABLES < <(px_psql -c "$TENANT_TABLES_SQL")
mapfile -t GLOBAL_TABLES < <(px_psql -c "$GLOBAL_TABLES_SQL")
check "the catalog lists tenant tables (${#TENANT_TABLES[@]}) and cluster-wide tables (${#GLOBAL_TABLES[@]})" \
    eval '[ ${#TENANT_TABLES[@]} -ge 15 ] && [ ${#GLOBAL_TABLES[@]} -ge 10 ]'

# Every tenant table must hold rows of B, or an attack on it would prove nothing: a new table
# fails here until fill_tenant above puts a row in it.
empty=""
for t in "${TENANT_TABLES[@]}"; do
    [ "$(px_psql -c "SELECT count(*) FROM infracast.$t WHERE tenant_id = $B")" -gt 0 ] || empty="$empty $t"
done
check "every tenant table holds rows of tenant B (empty:${empty:- none})" test -z "$empty"

# md5 of B's rows in every tenant table, and of every cluster-wide table, as the superuser. Left out
# of the cluster-wide comparison: the licence counters and the login-failure log (A's own legitimate
# work moves them; direct writes to them are attacked below), and tenants, whose A row A's admin
# may change (B's row is compared on its own).
snapshot() {
    local t
    for t in "${TENANT_TABLES[@]}"; do
        printf '%s %s\n' "$t" "$(px_psql -c "SELECT count(*) || ':' || md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM infracast.$t r WHERE r.tenant_id = $B")"
    done
    for t in "${GLOBAL_TABLES[@]}"; do
        case $t in license_usage|license_memory|login_failures|tenants) continue ;; esac
        printf '%s %s\n' "$t" "$(px_psql -c "SELECT count(*) || ':' || md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM infracast.$t r")"
    done
    printf 'tenant_b %s\n' "$(px_psql -c "SELECT md5(r::text) FROM infracast.tenants r WHERE id = $B")"
    printf 'tenants %s\n' "$(px_psql -c "SELECT count(*) || ':' || string_agg(id || name, ',' ORDER BY id) FROM infracast.tenants")"
}
BEFORE=$(snapshot)

# as ROLE SQL...: runs the statements as ROLE after set_tenant('ta_a') for the session (each -c is
# its own transaction); prints stdout, and "ERROR <sqlstate>" lines for errors (VERBOSITY sqlstate).
as() {
    local role=$1; shift
    local args=() s
    for s in "$@"; do args+=(-c "$s"); done
    psql -qAtX -U "$role" -d "$DB" -v VERBOSITY=sqlstate -c "SELECT infracast.set_tenant('ta_a', false) IS NULL" "${args[@]}" 2>&1 \
        | sed -e '1{/^f$/d}' -e 's/^ERROR:  /ERROR /'
}
sqlstate_of() { as "$@" | sed -n 's/^ERROR \([0-9A-Z]\{5\}\).*/\1/p' | head -1; }

# --- SQL: switching tenant ---------------------------------------------------------------------
check "A's admin may set its own tenant" eval '[ "$(as $ADMIN "SELECT infracast.current_tenant()")" = "$A" ]'
check "A's admin may not set_tenant B by name (42501)" eval '[ "$(sqlstate_of $ADMIN "SELECT infracast.set_tenant('"'ta_b'"')")" = 42501 ]'
check "nor by id (42501)" eval '[ "$(sqlstate_of $ADMIN "SELECT infracast.set_tenant('"'$B'"')")" = 42501 ]'
check "nor for the session (42501)" eval '[ "$(sqlstate_of $ADMIN "SELECT infracast.set_tenant('"'ta_b'"', false)")" = 42501 ]'
check "an unknown tenant gives the same answer (no tenant enumeration)" \
    eval '[ "$(sqlstate_of $ADMIN "SELECT infracast.set_tenant('"'ta_nonexistent'"')")" = 42501 ]'
check "nor widen its view with set_config (42501)" \
    eval '[ "$(sqlstate_of $ADMIN "SELECT set_config('"'infracast.tenant_id'"', '"'$B'"', true)")" = 42501 ]'
check "nor bind itself to B (42501)" \
    eval '[ "$(sqlstate_of $ADMIN "INSERT INTO infracast.tenant_roles VALUES ($B, '"'$ADMIN'"')")" = 42501 ]'
check "it sees its own tenant only in infracast.tenants" eval '[ "$(as $ADMIN "SELECT string_agg(name, '"','"') FROM infracast.tenants")" = ta_a ]'
check "and its own bindings only in infracast.tenant_roles" eval '[ "$(as $ADMIN "SELECT string_agg(role_name, '"','"') FROM infracast.tenant_roles")" = $ADMIN ]'
check "the shared roles cannot be bound to a tenant (23514), even by the superuser" \
    eval '[ "$(px_psql -c "INSERT INTO infracast.tenant_roles VALUES ($B, '"'infracast_admin'"')" 2>&1 | grep -c tenant_roles_not_shared_role)" = 1 ]'

# --- SQL: every tenant table ---------------------------------------------------------------------
# One plpgsql function (in the admin's own pg_temp) tries each statement in a subtransaction and
# reports "table|statement|outcome", outcome being the row count or ERROR <sqlstate>.
ATTACK_TABLES=$(cat <<SQL
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE n bigint;
BEGIN
    EXECUTE sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE;
END \$f\$;
CREATE FUNCTION pg_temp.try_value(sql text) RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE v text;
BEGIN
    EXECUTE sql INTO v;
    RETURN v;
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE;
END \$f\$;
SELECT t || '|' || op || '|' || outcome FROM (
  SELECT t, 'select_b', pg_temp.try_value(format('SELECT count(*) FROM infracast.%I WHERE tenant_id = $B', t)) FROM tables
  UNION ALL SELECT t, 'select_other', pg_temp.try_value(format('SELECT count(*) FROM infracast.%I WHERE tenant_id IS DISTINCT FROM $A', t)) FROM tables
  UNION ALL SELECT t, 'select_marker', pg_temp.try_value(format('SELECT count(*) FROM infracast.%I r WHERE r::text LIKE ''%%bsecret%%''', t)) FROM tables
  UNION ALL SELECT t, 'update_b', pg_temp.try(format('UPDATE infracast.%I SET tenant_id = tenant_id WHERE tenant_id = $B', t)) FROM tables
  UNION ALL SELECT t, 'update_into_b', pg_temp.try(format('UPDATE infracast.%I SET tenant_id = $B', t)) FROM tables
  UNION ALL SELECT t, 'delete_b', pg_temp.try(format('DELETE FROM infracast.%I WHERE tenant_id = $B', t)) FROM tables
  UNION ALL SELECT t, 'insert_b', pg_temp.try(format(
      'INSERT INTO infracast.%1\$I SELECT (jsonb_populate_record(NULL::infracast.%1\$I, to_jsonb(r) || ''{"tenant_id": $B}'')).* FROM infracast.%1\$I r LIMIT 1', t)) FROM tables
  UNION ALL SELECT t, 'insert_b_bare', pg_temp.try(format('INSERT INTO infracast.%I (tenant_id) VALUES ($B)', t)) FROM tables
) x(t, op, outcome)
ORDER BY 1;
SQL
)
tables_values=$(printf "('%s')," "${TENANT_TABLES[@]}"); tables_values=${tables_values%,}
ATTACK_TABLES=${ATTACK_TABLES//FROM tables/FROM (VALUES $tables_values) tables(t)}
mapfile -t OUT < <(as $ADMIN "$ATTACK_TABLES")
check "the table attack ran over every tenant table" eval '[ ${#OUT[@]} -eq $(( ${#TENANT_TABLES[@]} * 8 )) ]'
bad=""
for line in "${OUT[@]}"; do
    IFS='|' read -r t op outcome <<<"$line"
    case $op in
        select_b|select_other|select_marker|update_b|delete_b)
            # 0 rows, or refused outright
            [ "$outcome" = 0 ] || [ "$outcome" = "ERROR 42501" ] || bad="$bad $t:$op=$outcome" ;;
        update_into_b|insert_b)
            # A's own rows moved or copied into B: refused by row-level security or by the grants
            [ "$outcome" = "ERROR 42501" ] || bad="$bad $t:$op=$outcome" ;;
        insert_b_bare)
            # a row of B's with defaults: refused (a table's own check may speak before RLS does)
            [ "${outcome%% *}" = ERROR ] || bad="$bad $t:$op=$outcome" ;;
    esac
done
check "every tenant table: B's rows are invisible and untouchable, writes into B refused (42501)${bad:+ —$bad}" test -z "$bad"

# --- SQL: every function A's admin may execute, with each of B's ids and names ------------------------
# Arguments by type (and, for text, by name); each function with a bigint or jsonb argument is
# called once per id of B's rows (nodes, edges, software, findings, users, credentials, jobs, runs,
# assessments, waivers, POA&M items, reports, evidence, the tenant). Reported: calls whose output
# shows a B marker, and calls that ran at all (a count, to know the loop did its work).
ATTACK_FUNCTIONS=$(cat <<SQL
CREATE FUNCTION pg_temp.attack_functions(ids bigint[]) RETURNS SETOF text LANGUAGE plpgsql AS \$f\$
DECLARE
    f record; id bigint; args text; v text; calls int := 0; skipped text := '';
    obj text;
BEGIN
    FOR f IN SELECT p.oid, p.oid::regprocedure::text AS sig, p.pronamespace::regnamespace::text || '.' || quote_ident(p.proname) AS fn,
                    coalesce(p.proargnames, '{}') AS names, p.proargtypes::oid[] AS types, p.pronargs AS nargs
               FROM pg_proc p
              WHERE p.pronamespace IN ('infracast'::regnamespace, 'infracast_api'::regnamespace)
                AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
                AND has_function_privilege(p.oid, 'EXECUTE')
              ORDER BY 2
    LOOP
        IF EXISTS (SELECT 1 FROM unnest(f.types) t WHERE t::regtype::text IN ('internal', 'cstring', 'anyelement', 'record')
                                                      OR t::regtype::text LIKE 'infracast.compliance_%') THEN
            skipped := skipped || ' ' || f.sig;
            CONTINUE;
        END IF;
        FOREACH id IN ARRAY (CASE WHEN EXISTS (SELECT 1 FROM unnest(f.types) t
                                                WHERE t::regtype::text IN ('bigint', 'bigint[]', 'jsonb'))
                                  THEN ids ELSE ARRAY[ids[1]] END)
        LOOP
            obj := jsonb_build_object('id', id, 'node_id', id, 'external_id', 'b1', 'source', id,
                       'sources', jsonb_build_array(id), 'targets', jsonb_build_array(id),
                       'username', 'b_admin', 'role', 'infracast_reader', 'password', 'a new passphrase 1',
                       'assessment_id', id, 'finding_id', id, 'job_id', id, 'report_id', id,
                       'status', 'accepted_risk', 'profile', 'low', 'kind', 'report',
                       'control_id', 'ac-2', 'reason', 'x', 'title', 'x', 'tenant', 'ta_b', 'tenant_id', $B)::text;
            SELECT string_agg(CASE t::regtype::text
                       WHEN 'bigint' THEN id::text
                       WHEN 'bigint[]' THEN format('ARRAY[%s]::bigint[]', id)
                       WHEN 'integer' THEN '2'
                       WHEN 'integer[]' THEN 'ARRAY[0]'
                       WHEN 'numeric' THEN '1'
                       WHEN 'double precision' THEN '0.5'
                       WHEN 'double precision[]' THEN 'ARRAY[0.5]::float8[]'
                       WHEN 'boolean' THEN 'false'
                       WHEN 'boolean[]' THEN 'ARRAY[false]'
                       WHEN 'jsonb' THEN quote_literal(obj) || '::jsonb'
                       WHEN 'interval' THEN '''1 hour''::interval'
                       WHEN 'timestamp with time zone' THEN 'now()'
                       WHEN 'date' THEN 'current_date'
                       WHEN 'bytea' THEN '''\\x00''::bytea'
                       WHEN 'uuid' THEN '''6ba7b810-9dad-11d1-80b4-00c04fd430c8''::uuid'
                       WHEN 'regtype' THEN '''bigint''::regtype'
                       WHEN 'infracast.cpe' THEN '''cpe:2.3:a:x:y:1:*:*:*:*:*:*:*''::infracast.cpe'
                       WHEN 'text[]' THEN quote_literal(ARRAY['b1', 'bcred', 'b_admin', '192.0.2.1']::text) || '::text[]'
                       ELSE quote_literal(CASE
                           WHEN n IN ('tenant') THEN 'ta_b'
                           WHEN n IN ('username', 'p_username') THEN 'b_admin'
                           WHEN n IN ('name', 'credential') THEN 'bcred'
                           WHEN n IN ('package') THEN 'bpkg'
                           WHEN n IN ('vulnerability') THEN 'CVE-2021-44228'
                           WHEN n IN ('profile', 'p_profile') THEN 'low'
                           WHEN n IN ('path', 'dir') THEN '/nonexistent'
                           ELSE 'b1' END) || '::' || t::regtype::text
                       END, ', ' ORDER BY i)
              INTO args
              FROM unnest(f.types, f.names[1:f.nargs]) WITH ORDINALITY AS a(t, n, i);
            BEGIN
                EXECUTE format('SELECT coalesce(string_agg(r::text, %L), %L) FROM %s(%s) r', '|', '', f.fn, coalesce(args, '')) INTO v;
                calls := calls + 1;
                IF v LIKE '%bsecret%' THEN
                    RETURN NEXT 'LEAK ' || f.sig || ' id ' || id || ': ' || left(v, 200);
                END IF;
            EXCEPTION WHEN OTHERS THEN
                NULL;  -- refused (or a bad argument): fine, as long as B is unchanged
            END;
        END LOOP;
    END LOOP;
    RETURN NEXT 'CALLS ' || calls;
    RETURN NEXT 'SKIPPED' || skipped;
END \$f\$;
SELECT * FROM pg_temp.attack_functions(ARRAY[$(tr ' ' ',' <<<"$B_IDS")]::bigint[]);
SQL
)
FN_OUT=$(as $ADMIN "$ATTACK_FUNCTIONS")
calls=$(sed -n 's/^CALLS //p' <<<"$FN_OUT")
check "A's admin called every function it may execute with B's ids (${calls:-0} calls ran)" eval '[ "${calls:-0}" -ge 100 ]'
check "no function showed any of B's rows to A's admin" eval '! grep -q "^LEAK" <<<"$FN_OUT"'
grep '^LEAK\|^ERROR\|^SKIPPED' <<<"$FN_OUT" | sed 's/^/# /'

# --- SQL: the cluster-wide tables ------------------------------------------------------------------
ATTACK_GLOBAL=$(cat <<SQL
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE n bigint;
BEGIN
    EXECUTE sql;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE;
END \$f\$;
SELECT t || '|' || op || '|' || outcome FROM (
  SELECT t, 'insert', pg_temp.try(format(
      'INSERT INTO infracast.%1\$I SELECT * FROM infracast.%1\$I LIMIT 1', t)) FROM tables
  UNION ALL SELECT t, 'insert_default', pg_temp.try(format('INSERT INTO infracast.%I DEFAULT VALUES', t)) FROM tables
  UNION ALL SELECT t, 'update', pg_temp.try(format('UPDATE infracast.%1\$I SET %2\$I = %2\$I',
      t, (SELECT attname FROM pg_attribute WHERE attrelid = ('infracast.' || quote_ident(t))::regclass AND attnum = 1))) FROM tables
  UNION ALL SELECT t, 'delete', pg_temp.try(format('DELETE FROM infracast.%I', t)) FROM tables
  UNION ALL SELECT t, 'truncate', pg_temp.try(format('TRUNCATE infracast.%I CASCADE', t)) FROM tables
) x(t, op, outcome) ORDER BY 1;
SQL
)
gtables_values=$(printf "('%s')," "${GLOBAL_TABLES[@]}"); gtables_values=${gtables_values%,}
ATTACK_GLOBAL=${ATTACK_GLOBAL//FROM tables/FROM (VALUES $gtables_values) tables(t)}
mapfile -t OUT < <(as $ADMIN "$ATTACK_GLOBAL")
check "the cluster-wide attack ran over every table without tenant_id" eval '[ ${#OUT[@]} -eq $(( ${#GLOBAL_TABLES[@]} * 5 )) ]'
bad=""
for line in "${OUT[@]}"; do
    IFS='|' read -r t op outcome <<<"$line"
    [ "$outcome" = "ERROR 42501" ] || bad="$bad $t:$op=$outcome"
done
check "every write to a cluster-wide table is refused (42501)${bad:+ —$bad}" test -z "$bad"

# The cluster-wide entry points refuse a tenant admin with a message naming the operator role.
for call in "SELECT infracast.create_tenant('ta_evil')" "SELECT * FROM infracast.load_kev('/nonexistent/kev.json')" \
            "SELECT * FROM infracast.load_feed_bundle('/nonexistent')" \
            "SELECT infracast.compliance_import_catalog('evil', '{}')" "SELECT infracast.compliance_import_profile('evil', '{}')"; do
    out=$(psql -qAtX -U $ADMIN -d "$DB" -v VERBOSITY=verbose -c "$call" 2>&1)
    check "a tenant admin: ${call%%(*} -> 42501 with a hint naming infracast_operator" \
        eval 'grep -q "^ERROR:  42501" <<<"$out" && grep -q "^HINT:.*infracast_operator" <<<"$out"'
done
check "refresh_feeds is the operator's (42501)" eval '[ "$(sqlstate_of $ADMIN "SELECT infracast.refresh_feeds()")" = 42501 ]'

check "after the SQL attacks, B's rows and the cluster-wide tables are unchanged" eval '[ "$(snapshot)" = "$BEFORE" ]'
[ "$(snapshot)" = "$BEFORE" ] || diff <(echo "$BEFORE") <(snapshot) | sed 's/^/# /'

# --- REST: every route, with B's ids -----------------------------------------------------------------
# The proxy never logs in as a role that could become the operator: no token may reach every tenant.
px_psql -c "CREATE ROLE $PX_OPER LOGIN NOINHERIT IN ROLE infracast_operator" >/dev/null
out=$(env -u VULCAN_ADMIN_PASSWORD VULCAN_DB_URL="postgresql://$PX_OPER@/$DB?host=$PGHOST&port=$PGPORT" \
      VULCAN_JWT_SECRET="$PX_SECRET" VULCAN_LISTEN=127.0.0.1:0 timeout 20 "$PX_BIN" 2>&1); rc=$?
check "the proxy refuses a database login that is a member of infracast_operator (exit $rc)" \
    eval '[ $rc -eq 2 ] && grep -q "refusing to start: .* is a member of infracast_operator" <<<"$out"'
px_start || { echo "proxy did not start"; exit 1; }
check "A's API admin logs in" px_login ta_a a_admin "a admin passphrase"
TOKEN=$PX_TOKEN
px_login ta_b a_admin "a admin passphrase"
check "A's admin's password does not open tenant B (401)" status_is 401
mapfile -t VIEWS < <(px_psql -c "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'infracast_api'::regnamespace AND c.relkind = 'v' ORDER BY 1")
mapfile -t RPCS < <(px_psql -c "SELECT DISTINCT p.proname FROM pg_proc p WHERE p.pronamespace = 'infracast_api'::regnamespace ORDER BY 1")
check "the API has views (${#VIEWS[@]}) and rpc functions (${#RPCS[@]})" eval '[ ${#VIEWS[@]} -ge 10 ] && [ ${#RPCS[@]} -ge 20 ]'
bad=""
for v in "${VIEWS[@]}"; do
    px_req GET "/api/$v" "" "$TOKEN"
    { [ "$PX_STATUS" = 200 ] || [ "$PX_STATUS" = 403 ]; } && body_lacks bsecret || bad="$bad $v=$PX_STATUS"
    px_req GET "/api/$v?tenant_id=eq.$B" "" "$TOKEN"
    { [ "$PX_STATUS" = 200 ] && [ "$PX_BODY" = "[]" ]; } || { [ "${PX_STATUS:0:1}" = 4 ] && body_lacks bsecret; } || bad="$bad $v?tenant_id=$PX_STATUS"
    px_req GET "/api/$v?id=eq.$B_NODE" "" "$TOKEN"
    body_lacks bsecret && [ "${PX_STATUS:0:1}" != 5 ] || bad="$bad $v?id=$PX_STATUS"
done
check "every view: nothing of B, and filtering on B gives nothing${bad:+ —$bad}" test -z "$bad"

bad=""; n=0
for f in "${RPCS[@]}"; do
    [ "$f" = logout ] && continue   # it would end this token's life, not reach B (it takes no argument)
    for id in $B_IDS; do
        body=$(printf '{"id": %s, "node_id": %s, "external_id": "b1", "source": %s, "sources": [%s], "targets": [%s], "username": "b_admin", "role": "infracast_reader", "password": "a new passphrase 1", "assessment_id": %s, "finding_id": %s, "status": "accepted_risk", "profile": "low", "kind": "report", "control_id": "ac-2", "reason": "x", "title": "x", "tenant": "ta_b", "tenant_id": %s}' \
            "$id" "$id" "$id" "$id" "$id" "$id" "$id" "$B")
        px_req POST "/api/rpc/$f" "$body" "$TOKEN"
        n=$((n + 1))
        body_lacks bsecret && [ "${PX_STATUS:0:1}" != 5 ] || bad="$bad $f($id)=$PX_STATUS"
    done
done
check "every rpc with each of B's ids ($n calls): no B data, no server error${bad:+ —$bad}" test -z "$bad"

# The routes that name one object answer 404 for B's (as for one that does not exist).
rpc_404() { # rpc_404 FUNCTION BODY
    px_req POST "/api/rpc/$1" "$2" "$TOKEN"
    check "REST $1 $2 -> 404" eval 'status_is 404 && body_lacks bsecret'
}
rpc_404 delete_node "{\"id\": $B_NODE}"
rpc_404 delete_node '{"external_id": "b1"}'
rpc_404 delete_user '{"username": "b_admin"}'
rpc_404 set_user_role '{"username": "b_reader", "role": "infracast_admin"}'
rpc_404 reset_password '{"username": "b_reader", "password": "a new passphrase 1"}'
rpc_404 reset_mfa '{"username": "b_reader"}'
rpc_404 set_finding_status "{\"id\": $B_FINDING, \"status\": \"accepted_risk\"}"
rpc_404 compliance_scores "{\"assessment_id\": $B_ASSESS}"
rpc_404 compliance_oscal_results "{\"assessment_id\": $B_ASSESS}"
rpc_404 document_get "{\"id\": $B_REPORT}"
px_req POST /api/rpc/blast_radius "{\"source\": $B_NODE}" "$TOKEN"
check "REST blast_radius from B's node: refused or empty" eval '[ "${PX_STATUS:0:1}" = 4 ] || [ "$PX_BODY" = "[]" ]'

check "after the REST attacks, B's rows and the cluster-wide tables are unchanged" eval '[ "$(snapshot)" = "$BEFORE" ]'
[ "$(snapshot)" = "$BEFORE" ] || diff <(echo "$BEFORE") <(snapshot) | sed 's/^/# /'

# --- what a tenant admin still does, in its own tenant -------------------------------------------------
px_req POST /api/rpc/create_user '{"username": "a_new", "password": "a new passphrase 1", "role": "infracast_analyst"}' "$TOKEN"
check "REST: A's admin creates a user of A" status_is 200
px_req GET /api/users "" "$TOKEN"
check "REST: A's admin lists A's users, none of B's" eval 'status_is 200 && body_has "a_new" && body_lacks "b_admin"'
px_req POST /api/rpc/import_graph '{"graph": {"nodes": [{"id": "a3", "kinds": ["host"]}]}}' "$TOKEN"
check "REST: A's admin imports into A" eval 'status_is 200 && body_has "\"nodes_inserted\": 1"'
A_FINDING=$(px_psql -c "SELECT min(id) FROM infracast.findings WHERE tenant_id = $A")
px_req POST /api/rpc/set_finding_status "{\"id\": $A_FINDING, \"status\": \"accepted_risk\", \"note\": \"ok\"}" "$TOKEN"
check "REST: A's admin accepts a finding of A" eval 'status_is 200 && body_has accepted_risk'
px_req POST /api/rpc/delete_user '{"username": "a_new"}' "$TOKEN"
check "REST: A's admin deletes a user of A" status_is 200
px_stop

out=$(as $ADMIN "WITH u AS (UPDATE infracast.tenants SET settings = settings || '{\"mfa_required\": true}' RETURNING name) SELECT string_agg(name, ',') FROM u")
check "SQL: A's admin changes A's settings (one row: $out)" test "$out" = ta_a
check "SQL: but not A's name (42501: column privilege)" eval '[ "$(sqlstate_of $ADMIN "UPDATE infracast.tenants SET name = '"'ta_renamed'"'")" = 42501 ]'
out=$(as $ADMIN "INSERT INTO infracast.users (username, role, password_hash) VALUES ('a_sql', 'infracast_reader', infracast.password_hash('a sql passphrase'))" \
    "SELECT nodes_inserted FROM infracast.import_graph('{\"graph\": {\"nodes\": [{\"id\": \"a4\", \"kinds\": [\"host\"]}]}}')" \
    "WITH d AS (DELETE FROM infracast.findings WHERE id = $A_FINDING RETURNING 1) SELECT count(*) FROM d")
check "SQL: A's admin adds a user, a node, and deletes a finding of A ($(echo $out))" test "$(echo $out)" = "1 1"
check "SQL: A's admin deletes an assessment of A" \
    eval '[ "$(as $ADMIN "WITH d AS (DELETE FROM infracast.compliance_assessments RETURNING 1) SELECT count(*) FROM d")" -ge 1 ]'

# --- what the operator still does ------------------------------------------------------------------------
check "the operator creates a tenant" eval '[ "$(psql -qAtX -U $OPER -d $DB -c "SELECT infracast.create_tenant('"'ta_c'"') > 0")" = t ]'
check "the operator adds a node kind" eval 'psql -qAtX -U $OPER -d $DB -v ON_ERROR_STOP=1 -c "INSERT INTO infracast.node_kinds (name) VALUES ('"'regress_ta_kind'"')" >/dev/null'
check "the operator binds a role to a tenant" eval 'psql -qAtX -U $OPER -d $DB -v ON_ERROR_STOP=1 -c "INSERT INTO infracast.tenant_roles SELECT id, '"'$ADMIN'"' FROM infracast.tenants WHERE name = '"'ta_c'"'" >/dev/null'
check "the operator sees every tenant" eval '[ "$(psql -qAtX -U $OPER -d $DB -c "SELECT count(*) FROM infracast.tenants")" = 3 ]'
check "the operator sets tenant B and administers it" \
    eval '[ "$(psql -qAtX -U $OPER -d $DB -c "SELECT infracast.set_tenant('"'ta_b'"', false) IS NULL" -c "SELECT count(*) FROM infracast.users")" = "$(printf "f\n2")" ]'
check "the operator gets past the operator check of the feed loaders (to the missing file)" \
    eval '[ "$(psql -qAtX -U $OPER -d $DB -v VERBOSITY=sqlstate -c "SELECT * FROM infracast.load_kev('"'/nonexistent/kev.json'"')" 2>&1 | grep -c 42501)" = 0 ]'
check "a newly bound tenant is open to A's admin too (bound by the operator)" \
    eval '[ "$(psql -qAtX -U $ADMIN -d $DB -c "SELECT infracast.set_tenant('"'ta_c'"') > 0")" = t ]'
px_psql -c "DELETE FROM infracast.node_kinds WHERE name = 'regress_ta_kind'" >/dev/null

px_finish
