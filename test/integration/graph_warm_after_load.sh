#!/usr/bin/env bash
# Issue 20: right after a bulk load committed, the second attack_paths call of a session must be
# warm, whatever VACUUM, ANALYZE or freezing other sessions do meanwhile. Asserts on counts, never
# on time: the backend's snapshot builds (graph_stats().backend_builds) and the edge tuples each
# warm call reads (pg_stat_xact_user_tables, compared within the call's own transaction).
#
# What used to go wrong, and what each step would catch:
#   - the edge ids of a path were read back by a planned query; with statistics of
#     infracast.edges gathered before the tenant existed, the planner believed the tenant had
#     about one edge and scanned all of them on every call (steps 2: tuples read per call);
#   - the cache was keyed on HeapTupleHeaderGetXmin() of the graph_versions row, which turns into
#     FrozenTransactionId once VACUUM freezes the row, so every backend rebuilt an unchanged graph
#     (step 3: builds after a VACUUM FREEZE in another session).
set -uo pipefail
DB=graph_warm_$$
NODES=5000
EDGES=50000
fail() { echo "FAIL: $*"; exit 1; }
psql -qX -d postgres -c "CREATE DATABASE $DB" || fail "cannot create database"
vacpid=
cleanup() {
    [ -n "$vacpid" ] && kill "$vacpid" 2>/dev/null && wait "$vacpid" 2>/dev/null
    psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 1. Statistics of infracast.edges that know only another tenant (as on a server that has run for
#    a while), then the load as a new user writes it: one transaction, a staging table analysed
#    before the join, an 8-hop path 1 -> 9 among random edges. Autovacuum stays off for edges
#    until the first warm calls are done, so that the stale statistics are really there then.
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -v nodes=$NODES -v edges=$EDGES >/dev/null <<'SQL' || fail "cannot load"
CREATE EXTENSION infracast;
ALTER TABLE infracast.edges SET (autovacuum_enabled = off);
SELECT infracast.create_tenant('older');
SELECT infracast.set_tenant('older', false);
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'o' || i, 'host' FROM generate_series(1, 100) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT i, i + 1, 'reach', 0.5 FROM generate_series(1, 99) i;
ANALYZE infracast.nodes, infracast.edges;

BEGIN;
SELECT infracast.create_tenant('bulk');
SELECT infracast.set_tenant('bulk', true);
CREATE TEMP TABLE staging AS
SELECT DISTINCT s, d FROM (SELECT 1 + floor(random() * :nodes)::bigint AS s,
                                  1 + floor(random() * :nodes)::bigint AS d
                             FROM generate_series(1, :edges)) x
 WHERE s <> d AND NOT (s < 9 AND d = s + 1);
ANALYZE staging;
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'n' || i, 'host' FROM generate_series(1, :nodes) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT s, d, 'reach', 0.5 FROM staging;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT i, i + 1, 'reach', 0.99 FROM generate_series(1, 8) i;
COMMIT;
SQL

# One call in its own transaction; prints "call N: steps S, edge tuples read R".
call() {
    cat <<SQL
BEGIN;
SELECT coalesce(sum(seq_tup_read + idx_tup_fetch), 0) AS r0 FROM pg_stat_xact_user_tables
 WHERE relid = 'infracast.edges'::regclass \gset
SELECT count(*) AS steps FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
SELECT coalesce(sum(seq_tup_read + idx_tup_fetch), 0) - :r0 AS r FROM pg_stat_xact_user_tables
 WHERE relid = 'infracast.edges'::regclass \gset
COMMIT;
SELECT 'call $1: steps ' || :steps || ', edge tuples read ' || :r;
SQL
}

vacuum_all="VACUUM (FREEZE, ANALYZE) infracast.graph_versions, infracast.nodes, infracast.edges"
script=$(mktemp)
{
    echo "SELECT infracast.set_tenant('bulk', false) IS NOT NULL AS tenant_set;"
    # 2. at once: the first call builds, the next ones are warm with the stale statistics
    for i in 1 2 3; do call "$i"; done
    echo "ALTER TABLE infracast.edges RESET (autovacuum_enabled);"
    echo "\\! touch $script.go"
    # 3. while another session vacuums, freezes and analyses, again and again
    for i in $(seq 4 23); do call "$i"; echo "SELECT pg_sleep(0.05) \\g /dev/null"; done
    # ... and once more for certain, finished before the last calls
    echo "\\! psql -qX -d $DB -c '$vacuum_all'"
    for i in 24 25 26; do call "$i"; done
    echo "SELECT 'builds ' || backend_builds || ', reason ' || build_reason FROM infracast.graph_stats();"
} >"$script"

(
    for _ in $(seq 1 600); do [ -e "$script.go" ] && break; sleep 0.05; done
    for _ in 1 2 3 4 5; do psql -qX -d "$DB" -c "$vacuum_all" >/dev/null 2>&1; done
) &
vacpid=$!
out=$(psql -qXAt -v ON_ERROR_STOP=1 -d "$DB" -f "$script" 2>&1)
rc=$?
wait "$vacpid"; vacpid=
rm -f "$script" "$script.go"
echo "$out"
[ $rc -eq 0 ] || fail "the calls failed"
[ "$(grep -c 'steps 9,' <<<"$out")" -eq 26 ] || fail "not every call found the 8-hop path"
grep -q '^builds 1, reason first use$' <<<"$out" \
    || fail "the snapshot was built more than once (or for another reason) while the graph did not change"
# A warm call reads the 8 path edges by their index; a whole scan would read the tenant's 50,000.
while read -r n r; do
    [ "$n" -eq 1 ] && continue
    [ "$r" -le 64 ] || fail "warm call $n read $r edge tuples (expected at most 64: the path's edges only)"
done < <(sed -n 's/^call \([0-9]*\): steps 9, edge tuples read \([0-9]*\)$/\1 \2/p' <<<"$out")
echo "ok: 26 calls around VACUUM (FREEZE, ANALYZE) in another session, 1 snapshot build, warm calls read only the path's edges"
