#!/usr/bin/env bash
# Upgrades, as a customer makes them: every release listed in extension/updates/releases.txt is built
# from the repository's history and installed in a private cluster, filled with its own demo data,
# dumped with pg_dump; then this checkout's build is installed over it, the server restarted, and:
#   - ALTER EXTENSION infracast UPDATE brings the database to this version, and the result describes
#     itself exactly as a fresh install does (test/harness/extension_catalog.sql: objects, bodies,
#     privileges, row-level security, policies, triggers, dumped tables, role memberships);
#   - every row the old version stored is still there, column for column;
#   - the old version's pg_dump restores into this version (pg_restore --exit-on-error), with the
#     same rows, and that database too describes itself as a fresh install;
#   - with infracast.auto_update = on, the startup worker migrates a database of the old version on
#     start and logs "migrated from X to Y", logs "schema up to date" on the next start, logs the
#     licence state each time; with it off it migrates nothing and says what to run.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"

W=$(mktemp -d /tmp/infracast-update.XXXXXX); chmod 755 "$W"
S="$W/stage"; BIN=""
fails=0
ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
die()  { echo "not ok - $*"; exit 1; }
cleanup() {
    [ -n "$BIN" ] && cluster_stop "$S" "$BIN"
    if [ "$fails" -eq 0 ]; then rm -rf "$W"; else echo "kept $W for inspection"; fi
}
trap cleanup EXIT

export PGHOST="$S/sock" PGPORT=5432 PGUSER=postgres
q()  { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
describe() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$IC_ROOT/test/harness/extension_catalog.sql"; }
new=$IC_EXTVERSION

# Each table of the old version, its columns as the old version had them, and the md5 of its rows
# over those columns: after the update (new columns may be added) the same query must agree.
rows_digest() { # rows_digest DB COLUMNS_FILE
    local db=$1 cols=$2 t c
    while IFS='|' read -r t c; do
        printf '%s %s\n' "$t" "$(q "$db" "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-')
                                          FROM (SELECT $c FROM $t) x")"
    done < "$cols"
}

start_cluster_at() { # start_cluster_at TREE: (re)install TREE's build in the stage and start
    [ -n "$BIN" ] && cluster_stop "$S" "$BIN"
    rm -rf "$S/usr"
    BIN=$(stage_install "$S" "$1") || die "installing the build of $1 failed"
    if [ -d "$S/data/base" ]; then
        as_pg "$BIN/pg_ctl" -D "$S/data" -l "$S/server.log" -w -t 60 start >/dev/null || { cat "$S/server.log"; die "restart failed"; }
    else
        cluster_start "$S" "$BIN" "infracast.database = 'autoupd'" || die "the cluster did not start"
    fi
}

while read -r old rev; do
    case "$old" in ''|\#*) continue ;; esac
    echo "# from $old ($rev) to $new"
    git -C "$IC_ROOT" cat-file -e "$rev^{commit}" 2>/dev/null \
        || die "release $old: commit $rev is not in this repository's history (a shallow clone? git fetch --unshallow)"

    # --- build and install the old release ---------------------------------------------------------
    OLD="$W/src-$old"; mkdir -p "$OLD"
    git -C "$IC_ROOT" archive "$rev" | tar -x -C "$OLD" || die "git archive $rev"
    make -s -C "$OLD" -j2 all >"$W/build-$old.log" 2>&1 || { tail -n 30 "$W/build-$old.log"; die "building $old failed"; }
    start_cluster_at "$OLD"
    [ "$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'infracast'")" = "$old" ] \
        || die "the staged server does not offer $old"

    # --- fill it: the old release's own demo steps, API users and a failed login ------------------
    for db in upd autoupd badbind; do q postgres "CREATE DATABASE $db" >/dev/null || die "CREATE DATABASE $db"; done
    q autoupd "CREATE EXTENSION infracast VERSION '$old'" >/dev/null || die "CREATE EXTENSION in autoupd"
    # a binding 0.2.0 forbids (a shared role bound to a tenant): the update must stop, changing nothing
    q badbind "CREATE EXTENSION infracast VERSION '$old'; SELECT infracast.create_tenant('t1');
               INSERT INTO infracast.tenant_roles SELECT id, 'infracast_analyst' FROM infracast.tenants" >/dev/null \
        || die "setting up badbind"
    for step in $(ls "$OLD"/demo/sql/*.sql | sort); do
        (cd "$OLD" && psql -X -q -v ON_ERROR_STOP=1 -d upd -f "$step" >"$W/demo-$(basename "$step").log" 2>&1) \
            || { tail -n 20 "$W/demo-$(basename "$step").log"; die "old demo step $(basename "$step") failed"; }
    done
    q upd "SELECT infracast.api_bootstrap('Upgrade-test-passw0rd!')" >/dev/null || die "api_bootstrap"
    # a DBA who administered everything as infracast_admin in 0.1.0, and a proxy-style login
    q postgres "DROP ROLE IF EXISTS upd_dba; DROP ROLE IF EXISTS upd_proxy;
                CREATE ROLE upd_dba LOGIN IN ROLE infracast_admin; CREATE ROLE upd_proxy LOGIN NOINHERIT IN ROLE infracast_admin" >/dev/null \
        || die "creating the 0.1.0 admin roles"
    q upd "SELECT infracast.api_login('default', 'admin', 'wrong-password-1', NULL, '192.0.2.7')" >/dev/null 2>&1 || true
    [ "$(q upd "SELECT count(*) FROM infracast.login_failures")" -gt 0 ] || die "the failed login left no row"
    [ "$(q upd "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")" = "$old" ] || die "upd is not at $old"
    q upd "SELECT c.oid::regclass || '|' || string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind = 'r' AND c.oid IN (SELECT objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                                                WHERE e.extname = 'infracast' AND d.deptype = 'e' AND d.classid = 'pg_class'::regclass)
            GROUP BY c.oid ORDER BY 1" >"$W/columns" || die "listing the old tables"
    # the tables pg_dump carries (extconfig); the feed tables are not among them: feeds are reloaded
    q upd "SELECT unnest(extconfig)::regclass FROM pg_extension WHERE extname = 'infracast'" | sort >"$W/dumped" || die "extconfig"
    grep -F -f <(sed 's/$/|/' "$W/dumped") "$W/columns" >"$W/columns-dumped"
    [ "$(wc -l <"$W/columns-dumped")" -ge 5 ] || die "too few dumped tables: $(cat "$W/dumped")"
    rows_digest upd "$W/columns" >"$W/rows-before" || die "digest before"
    # the comparison of rows proves little over empty tables: most must hold the demo's rows
    [ "$(grep -vc ' 0 -$' "$W/rows-before")" -ge 12 ] || die "the old demo filled fewer than 12 tables: $(cat "$W/rows-before")"
    "$BIN/pg_dump" -Fc -d upd -f "$W/upd-$old.dump" || die "pg_dump of $old"

    # --- this build over it ------------------------------------------------------------------------
    new_log_from=$(( $(stat -c %s "$S/server.log") + 1 ))   # what the new build's server logs follows
    start_cluster_at "$IC_ROOT"
    [ "$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'infracast'")" = "$new" ] \
        || die "the staged server does not offer $new"
    if out=$(psql -X -At -v ON_ERROR_STOP=1 -d upd -c "ALTER EXTENSION infracast UPDATE" 2>&1); then ok "$old: ALTER EXTENSION infracast UPDATE"
    else fail "$old: ALTER EXTENSION infracast UPDATE: $out"; fi
    [ "$(q upd "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")" = "$new" ] \
        && ok "$old: the database is at $new" || fail "$old: the database is not at $new"
    grep -q 'WARNING:  role "upd_dba" was granted infracast_operator' <<<"$out" && ok "$old: the update warns which 0.1.0 admins became operators" \
        || fail "$old: no NOTICE about upd_dba: $out"
    [ "$(q postgres "SELECT pg_has_role('upd_dba', 'infracast_operator', 'MEMBER') || ' ' || pg_has_role('upd_proxy', 'infracast_operator', 'MEMBER')")" = "true false" ] \
        && ok "$old: a 0.1.0 admin keeps cluster-wide access (operator); a NOINHERIT proxy login does not get it" \
        || fail "$old: operator memberships after the update"
    out=$(psql -X -At -v ON_ERROR_STOP=1 -d badbind -c "ALTER EXTENSION infracast UPDATE" 2>&1)
    grep -q 'tenant_roles binds shared roles to tenants' <<<"$out" \
        && [ "$(q badbind "SELECT extversion || ' ' || (SELECT count(*) FROM infracast.tenant_roles) FROM pg_extension WHERE extname = 'infracast'")" = "$old 1" ] \
        && ok "$old: a shared role bound to a tenant stops the update with its reason; nothing changed" \
        || fail "$old: the update over a shared-role binding: $out"
    q badbind "DELETE FROM infracast.tenant_roles" >/dev/null
    q badbind "ALTER EXTENSION infracast UPDATE" >/dev/null 2>&1 && ok "$old: once the binding is removed, the update goes through" \
        || fail "$old: the update after removing the binding failed"
    q postgres "CREATE DATABASE fresh" >/dev/null && q fresh "CREATE EXTENSION infracast" >/dev/null || die "fresh install of $new"
    describe fresh >"$W/catalog-fresh" || die "describing the fresh install"
    [ "$(wc -l <"$W/catalog-fresh")" -gt 1000 ] || die "the description of a fresh install is too short: $(wc -l <"$W/catalog-fresh") lines"
    describe upd >"$W/catalog-updated" || die "describing the updated install"
    if diff -u "$W/catalog-fresh" "$W/catalog-updated" >"$W/catalog.diff"; then
        ok "$old: the updated database describes itself as a fresh $new ($(wc -l <"$W/catalog-fresh") facts)"
    else
        fail "$old: the updated database differs from a fresh $new ($(grep -c '^[-+][^-+]' "$W/catalog.diff") facts):"
        head -n 60 "$W/catalog.diff"
    fi
    rows_digest upd "$W/columns" >"$W/rows-after" || die "digest after"
    if diff -u "$W/rows-before" "$W/rows-after"; then ok "$old: every row of $old is intact ($(awk '{s+=$2} END {print s}' "$W/rows-before") rows in $(wc -l <"$W/columns") tables, $(grep -vc ' 0 -$' "$W/rows-before") of them not empty)"
    else fail "$old: rows changed by the update"; fi
    # the updated database works: the old demo's paths and findings are still computed
    out=$(psql -X -At -1 -v ON_ERROR_STOP=1 -d upd -c "SELECT infracast.set_tenant('acme')" \
              -c "SELECT count(*) FROM infracast.findings" 2>&1 | sed -n 2p)
    [ "${out:-0}" -gt 0 ] && ok "$old: the updated database still answers (findings: $out)" || fail "$old: findings after the update: $out"

    # --- the old dump into the new version ----------------------------------------------------------
    q postgres "CREATE DATABASE restored" >/dev/null || die "CREATE DATABASE restored"
    if out=$("$BIN/pg_restore" --exit-on-error -d restored "$W/upd-$old.dump" 2>&1); then ok "$old: its pg_dump restores into $new"
    else fail "$old: pg_restore into $new: $out"; fi
    [ "$(q restored "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")" = "$new" ] \
        && ok "$old: the restored database is at $new" || fail "$old: the restored database is not at $new"
    rows_digest restored "$W/columns-dumped" >"$W/rows-restored" || die "digest restored"
    if diff -u <(grep -F -f <(cut -d'|' -f1 "$W/columns-dumped" | sed 's/$/ /') "$W/rows-before") "$W/rows-restored"; then
        ok "$old: the restored database has every row pg_dump carries ($(wc -l <"$W/columns-dumped") tables; the feeds are reloaded, docs/operations.md)"
    else fail "$old: rows differ after pg_restore"; fi
    describe restored >"$W/catalog-restored" || die "describing the restored database"
    if diff -u "$W/catalog-fresh" "$W/catalog-restored" >"$W/catalog-restored.diff"; then ok "$old: the restored database describes itself as a fresh $new"
    else fail "$old: the restored database differs from a fresh $new:"; head -n 40 "$W/catalog-restored.diff"; fi

    # --- migrations on start ------------------------------------------------------------------------
    # autoupd is still at $old. auto_update off (the default): the startup worker migrates nothing
    # and says what to run.
    wait_log() { # wait_log PATTERN: up to 60 s for PATTERN in the server log after the last restart
        local i
        for i in $(seq 1 600); do
            tail -c +"$log_from" "$S/server.log" | grep -qF -- "$1" && return 0
            sleep 0.1
        done
        return 1
    }
    restart() { # restart [GUC lines appended to postgresql.conf]
        cluster_stop "$S" "$BIN"
        local l; for l in "$@"; do echo "$l" >>"$S/data/postgresql.conf"; done
        log_from=$(( $(stat -c %s "$S/server.log") + 1 ))
        as_pg "$BIN/pg_ctl" -D "$S/data" -l "$S/server.log" -w -t 60 start >/dev/null || { cat "$S/server.log"; die "restart failed"; }
    }
    restart
    wait_log "infracast.auto_update is off" && ok "$old: auto_update off: the log says the schema waits for ALTER EXTENSION" \
        || { fail "$old: no auto_update-off line"; tail -n 20 "$S/server.log"; }
    [ "$(q autoupd "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")" = "$old" ] \
        && ok "$old: auto_update off: nothing migrated" || fail "$old: auto_update off migrated autoupd"
    # the DBA made upd_dba a tenant admin after the first update: updating another database of the
    # cluster must not hand it cluster-wide access again
    q postgres "REVOKE infracast_operator FROM upd_dba" >/dev/null
    restart "infracast.auto_update = on"
    wait_log "migrated from $old to $new" && ok "$old: auto_update on: the log says \"migrated from $old to $new\"" \
        || { fail "$old: no \"migrated\" line"; tail -n 20 "$S/server.log"; }
    wait_log "infracast licence:" && ok "$old: the licence state is logged at start ($(tail -c +"$log_from" "$S/server.log" | grep -o 'infracast licence: [^,]*' | head -n 1))" \
        || fail "$old: no licence line"
    [ "$(q autoupd "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")" = "$new" ] \
        && ok "$old: auto_update on: autoupd is at $new" || fail "$old: autoupd is not at $new"
    [ "$(q postgres "SELECT pg_has_role('upd_dba', 'infracast_operator', 'MEMBER')")" = f ] \
        && wait_log 'role "upd_dba" administered every tenant in 0.1.0 and now administers only the tenants it is bound to' \
        && ok "$old: a later update of another database grants the operator role to nobody, and says whom it left" \
        || fail "$old: after the second database's update, upd_dba's operator role or the warning"
    describe autoupd >"$W/catalog-auto" || die "describing autoupd"
    diff -q "$W/catalog-fresh" "$W/catalog-auto" >/dev/null && ok "$old: the migrated-on-start database describes itself as a fresh $new" \
        || { fail "$old: autoupd differs from a fresh $new"; diff -u "$W/catalog-fresh" "$W/catalog-auto" | head -n 20; }
    restart
    wait_log "schema up to date" && ok "$old: the next start logs \"schema up to date\"" \
        || { fail "$old: no \"schema up to date\" line"; tail -n 20 "$S/server.log"; }
    # the feed worker waited for the migration instead of failing on the old schema
    if tail -c +"$new_log_from" "$S/server.log" | grep -E 'ERROR|FATAL|PANIC' \
         | grep -v 'terminating background worker ".*" due to administrator command' \
         | grep -v 'infracast.tenant_roles binds shared roles to tenants' >"$W/errors"; then   # badbind's, on purpose
        fail "$old: errors in the server log:"; head -n 20 "$W/errors"
    else ok "$old: no error in the server log across the upgrade"; fi

    q postgres "DROP ROLE upd_dba; DROP ROLE upd_proxy" >/dev/null
    cluster_stop "$S" "$BIN"; BIN=""
    [ "$fails" -eq 0 ] && rm -rf "$S"
done < "$IC_ROOT/extension/updates/releases.txt"

[ "$fails" -eq 0 ]
