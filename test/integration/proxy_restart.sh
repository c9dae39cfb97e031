#!/usr/bin/env bash
# A database restart under a running proxy: the pooled sessions die with the server, and the next
# requests must still succeed (a session found dead before it was used is replaced and the request
# sent again), with no more sessions than the pool afterwards.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
: "${IC_STAGE:?run through make test}"

px_setup_db proxy_restart || exit 1
px_psql <<'SQL' >/dev/null || exit 1
SELECT infracast.create_tenant('rs');
BEGIN;
SELECT infracast.set_tenant('rs');
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('ria', 'infracast_reader', infracast.password_hash('ria passphrase'), false);
COMMIT;
SQL
px_start VULCAN_DB_POOL=3 VULCAN_THREADS=3 || { echo "proxy did not start"; exit 1; }
check "login" px_login rs ria "ria passphrase"
T=$PX_TOKEN
for i in 1 2 3 4 5 6; do px_req GET /api/nodes "" "$T"; done
check "requests before the restart succeed" status_is 200

as_postgres() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
as_postgres "$IC_BINDIR/pg_ctl" -D "$IC_STAGE/data" -l "$IC_STAGE/server.log" -m fast -w -t 60 restart >/dev/null \
    || { echo "could not restart the cluster"; exit 1; }

ok=0
for i in $(seq 1 10); do px_req GET /api/nodes "" "$T"; [ "$PX_STATUS" = 200 ] && ok=$((ok + 1)); done
check "all 10 requests after the restart succeed ($ok)" eval '[ "$ok" -eq 10 ]'
px_req POST /api/rpc/whoami '{}' "$T"
check "functions work after the restart" status_is 200
check "login works after the restart" px_login rs ria "ria passphrase"
check "the proxy logged the replaced sessions" grep -q "was lost before it was used" "$PX_LOG"
n=$(px_psql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'infracast-proxy'")
check "no more sessions than the pool ($n)" eval '[ "$n" -le 3 ]'
px_stop
px_finish
