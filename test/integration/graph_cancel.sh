#!/usr/bin/env bash
# The graph engine's loops honour statement_timeout and pg_cancel_backend, and the backend (and
# its snapshot cache) stays usable afterwards. The query asks for the 100 most likely paths across
# a 100 x 100 grid: tens of thousands of searches, seconds of work, so a 300 ms timeout always
# lands inside the engine's loops.
set -uo pipefail
DB=graph_cancel_$$
fail() { echo "FAIL: $*"; exit 1; }
psql -qX -d postgres -c "CREATE DATABASE $DB" || fail "cannot create database"
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

psql -qX -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL' || fail "cannot load the grid"
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('cancel');
SELECT infracast.set_tenant('cancel', false);
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'g' || i, 'host' FROM generate_series(1, 10000) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood)
SELECT r * 100 + c + 1, r * 100 + c + 2, 'reach', 0.5 + ((r * 7 + c * 13) % 40) / 100.0
  FROM generate_series(0, 99) r, generate_series(0, 98) c
UNION ALL
SELECT r * 100 + c + 1, (r + 1) * 100 + c + 1, 'reach', 0.5 + ((r * 11 + c * 3) % 40) / 100.0
  FROM generate_series(0, 98) r, generate_series(0, 99) c
UNION ALL
SELECT r * 100 + c + 2, r * 100 + c + 1, 'reach', 0.3 FROM generate_series(0, 99) r, generate_series(0, 98) c
UNION ALL
SELECT (r + 1) * 100 + c + 1, r * 100 + c + 1, 'reach', 0.3 FROM generate_series(0, 98) r, generate_series(0, 99) c;
SQL

# 1. statement_timeout, then the same session goes on
out=$(psql -X -d "$DB" 2>&1 <<'SQL'
SELECT infracast.set_tenant('cancel', false) IS NOT NULL AS tenant_set;
SELECT 'warm:' || count(*) FROM infracast.blast_radius(1);
SET statement_timeout = '300ms';
SELECT count(*) FROM infracast.attack_paths('{1}', '{10000}', 100);
RESET statement_timeout;
SELECT 'after:' || count(*) FROM infracast.blast_radius(1);
SELECT 'paths:' || count(DISTINCT path_id) FROM infracast.attack_paths('{1}', '{10000}', 3);
SQL
)
echo "$out"
grep -q 'canceling statement due to statement timeout' <<<"$out" || fail "statement_timeout did not stop attack_paths"
grep -q 'after:10000' <<<"$out" || fail "the session did not recover after the timeout"
grep -q 'paths:3' <<<"$out" || fail "attack_paths did not work after the timeout"

# 2. pg_cancel_backend from another session
log=$(mktemp)
psql -X -d "$DB" >"$log" 2>&1 <<'SQL' &
SELECT infracast.set_tenant('cancel', false) IS NOT NULL AS tenant_set;
SELECT count(*) FROM infracast.attack_paths('{1}', '{10000}', 100);
SELECT 'alive:' || count(*) FROM infracast.blast_radius(1);
SQL
bg=$!
cancelled=0
for _ in $(seq 1 100); do
    sleep 0.1
    n=$(psql -XAtq -d "$DB" -c "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity
                                WHERE datname = current_database() AND pid <> pg_backend_pid()
                                  AND query LIKE '%attack_paths%100)%' AND state = 'active'")
    if [ "${n:-0}" -ge 1 ]; then cancelled=1; break; fi
done
wait $bg
cat "$log"
[ "$cancelled" -eq 1 ] || fail "never saw the query running"
grep -q 'canceling statement due to user request' "$log" || fail "pg_cancel_backend did not stop attack_paths"
grep -q 'alive:10000' "$log" || fail "the session did not recover after the cancel"
rm -f "$log"
echo "ok: statement_timeout and pg_cancel_backend both stop the engine; the backend goes on"
