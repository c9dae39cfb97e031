#!/usr/bin/env bash
# The feed worker on a cluster of its own (shared_preload_libraries, a bundle in infracast.feeds_dir):
# it waits quietly for CREATE EXTENSION, loads the bundle, picks up a changed file by itself, wakes
# on refresh_feeds(), re-reads its GUCs on SIGHUP, survives a bad bundle (WARNING, error recorded,
# old data kept) and exits on SIGTERM without taking the server down.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
is()  { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

D=$(mktemp -d "${IC_STAGE:-/tmp}/feeds_worker.XXXXXX"); chmod 755 "$D"
BIN=${IC_BINDIR:?IC_BINDIR is set by the harness}
trap 'cluster_stop "$D" "$BIN"; [ -n "${KEEP:-}" ] || rm -rf "$D"' EXIT
MK="$IC_ROOT/test/fixtures/feeds/make_bundle.sh"
bash "$MK" "$D/bundle" 0
bash "$IC_ROOT/test/fixtures/feeds/make_bundle.sh" "$D/other" 0
# infracast.database names an existing database (a missing one makes the worker exit and retry a
# minute later, as pg_cron does): the cluster's postgres database, where the extension is not yet created.
cluster_start "$D" "$BIN" "infracast.database = 'postgres'" "infracast.feeds_dir = '$D/bundle'" \
    "infracast.feed_poll_interval = 1" "infracast.feed_max_age = 0" || exit 1
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -At -d postgres -c "$1"; }
# wait_for DESCRIPTION SQL WANT: polls for up to 60 s
wait_for() {
    local got="" i
    for i in $(seq 1 120); do
        got=$(q "$2" 2>/dev/null); [ "$got" == "$3" ] && break; sleep 0.5
    done
    is "$1" "$got" "$3"
}

for i in $(seq 1 300); do grep -q 'waiting for CREATE EXTENSION infracast' "$D/server.log" && break; sleep 0.1; done
sleep 1   # long enough for a worker that repeated itself to have done so
grep -q "waiting for CREATE EXTENSION infracast (or its update to $IC_EXTVERSION) in database \"postgres\"" "$D/server.log" \
    && ok "the worker waits quietly for CREATE EXTENSION" || bad "no waiting message in the log"
is "it said so once, not in a loop" "$(grep -c 'waiting for CREATE EXTENSION' "$D/server.log")" "1"
q "CREATE EXTENSION infracast" >/dev/null

wait_for "the worker loads the bundle at start" \
    "SELECT string_agg(feed || '=' || rows || ':' || state, ',' ORDER BY feed) FROM infracast.feed_status" \
    "bundle=6:ok,epss=200:ok,feodo=2:ok,kev=5:ok,nvd:2099=2:ok,nvd:modified=3:ok"
is "the data is in the tables" "$(q "SELECT (SELECT count(*) FROM infracast.feodo) || '/' || (SELECT count(*) FROM infracast.epss) || '/' || (SELECT count(*) FROM infracast.cve)")" "2/200/3"

# a changed file (a new generation of the bundle), picked up without being asked
bash "$MK" "$D/bundle" 3
wait_for "the worker picks up a changed file" "SELECT count(*) FROM infracast.feodo" "5"
is "feed_status describes the new file" "$(q "SELECT rows, sha256 FROM infracast.feed_status WHERE feed = 'feodo'")" \
    "5|$(sha256sum "$D/bundle/feodo/ipblocklist.csv" | cut -d' ' -f1)"

# refresh_feeds() wakes it: loaded_at moves although nothing changed
t0=$(q "SELECT loaded_at FROM infracast.feed_status WHERE feed = 'bundle'")
is "refresh_feeds() finds the worker" "$(q "SELECT infracast.refresh_feeds()")" "t"
wait_for "refresh_feeds() makes it load again" "SELECT loaded_at > '$t0' FROM infracast.feed_status WHERE feed = 'bundle'" "t"

# SIGHUP: a new GUC value is read
psql -X -q -d postgres -c "ALTER SYSTEM SET infracast.feodo_file = '$D/other/feodo/ipblocklist.csv'" -c "SELECT pg_reload_conf()" >/dev/null
wait_for "SIGHUP: the worker reads infracast.feodo_file" "SELECT source_path FROM infracast.feed_status WHERE feed = 'feodo'" \
    "$D/other/feodo/ipblocklist.csv"
psql -X -q -d postgres -c "ALTER SYSTEM RESET infracast.feodo_file" -c "SELECT pg_reload_conf()" >/dev/null

# a bad bundle: WARNING, error recorded, old data kept, worker alive
wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'infracast feed worker'")
before=$(q "SELECT count(*) FROM infracast.epss")
echo "tampered" >> "$D/bundle/epss/epss_scores.csv.gz"
wait_for "a damaged bundle is recorded as an error" "SELECT state FROM infracast.feed_status WHERE feed = 'bundle'" "error"
for i in $(seq 1 20); do grep -q 'WARNING:  infracast feed "bundle" was not loaded' "$D/server.log" && break; sleep 0.5; done
grep -q 'WARNING:  infracast feed "bundle" was not loaded' "$D/server.log" && ok "the worker logs a WARNING" \
    || { bad "no WARNING in the log"; grep -i -A2 'warning\|error' "$D/server.log" | tail -20; }
is "the data loaded before is kept" "$(q "SELECT count(*) FROM infracast.epss")" "$before"
is "the worker carried on (same process)" "$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'infracast feed worker'")" "$wpid"
bash "$MK" "$D/bundle" 4
wait_for "a repaired bundle loads again" "SELECT state || ':' || (SELECT count(*) FROM infracast.feodo) FROM infracast.feed_status WHERE feed = 'bundle'" "ok:6"

# SIGTERM: the worker exits cleanly, the server stays up
q "SELECT pg_terminate_backend($wpid)" >/dev/null
for i in $(seq 1 300); do [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid")" == 0 ] && break; sleep 0.1; done
is "SIGTERM ends the worker" "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $wpid")" "0"
is "the server is still up" "$(q "SELECT 1")" "1"
grep -q 'terminating background worker "infracast feed worker" due to administrator command' "$D/server.log" \
    && ok "it exited through die()" || bad "no termination message"
if grep -qE 'server process .* was terminated by signal|PANIC' "$D/server.log"; then bad "the server log shows a crash"; else ok "no crash in the server log"; fi

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
