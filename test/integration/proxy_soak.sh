#!/usr/bin/env bash
# infracast-proxy soak: a few thousand requests, hundreds at once, over loopback, against a small
# connection pool. Every request must succeed, the proxy must never hold more database sessions
# than its pool, none may be left inside a transaction, and none may survive the proxy's stop.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"

POOL=4
GETS=3000
POSTS=2000
PARALLEL=150

px_setup_db proxy_soak || exit 1
px_psql <<'SQL' >/dev/null || exit 1
SELECT infracast.create_tenant('soak');
BEGIN;
SELECT infracast.set_tenant('soak');
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('soaker', 'infracast_analyst', infracast.password_hash('soak passphrase'), false);
SELECT infracast.import_graph(jsonb_build_object('graph', jsonb_build_object('nodes',
    (SELECT jsonb_agg(jsonb_build_object('id', 'n' || i, 'kinds', '["host"]'::jsonb,
                                         'properties', jsonb_build_object('name', 'host-' || i)))
       FROM generate_series(1, 200) i))));
COMMIT;
SQL

# VULCAN_CLIENT_TIMEOUT stays at its default (10 s): a request must never sit unanswered until
# then. On a loaded machine 127 or 128 of 5,000 requests once did (curl: 000), all on the one
# worker thread that held its full share of 1024 / 8 = 128 connections: libmicrohttpd's epoll
# loop re-waited after an epoll_wait that returned exactly 128 events (see http_start in
# api-proxy/http.c; the stall check at the end reproduces it). The pool wait is long because 300
# requests at once share 4 sessions; a 503 here would be a failure too.
px_start VULCAN_DB_POOL=$POOL VULCAN_THREADS=8 VULCAN_DB_POOL_WAIT_MS=30000 \
    || { echo "proxy did not start"; exit 1; }
check "login" px_login soak soaker "soak passphrase"
TOKEN=$PX_TOKEN

# Watch the proxy's database sessions while the load runs: one sample per line, appended, and the
# watcher is told to stop (not killed), so no sample is ever half written.
sessions_sql="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'infracast-proxy'"
( while [ ! -e "$PX_DIR/stop_watch" ]; do px_psql -c "$sessions_sql" >> "$PX_DIR/session_samples"; sleep 0.05; done ) &
WATCH=$!

for i in $(seq 1 $GETS); do
    printf 'url = "%s/api/nodes?limit=%d&offset=%d&order=id"\noutput = "/dev/null"\n' "$PX_URL" $((i % 50 + 1)) $((i % 100))
done > "$PX_DIR/gets.cfg"
for i in $(seq 1 $POSTS); do
    printf 'url = "%s/api/rpc/whoami"\noutput = "/dev/null"\n' "$PX_URL"
done > "$PX_DIR/posts.cfg"

start=$(date +%s)
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max $PARALLEL -K "$PX_DIR/gets.cfg" \
    -H "Authorization: Bearer $TOKEN" --max-time 120 -w '%{http_code}\n' > "$PX_DIR/get_codes" 2>"$PX_DIR/get_err" &
G=$!
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max $PARALLEL -K "$PX_DIR/posts.cfg" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' --max-time 120 \
    -w '%{http_code}\n' > "$PX_DIR/post_codes" 2>"$PX_DIR/post_err" &
P=$!
wait $G $P
elapsed=$(( $(date +%s) - start ))
touch "$PX_DIR/stop_watch"; wait $WATCH

total=$(cat "$PX_DIR/get_codes" "$PX_DIR/post_codes" | wc -l)
ok=$(cat "$PX_DIR/get_codes" "$PX_DIR/post_codes" | grep -c '^200$')
echo "# $total requests in ${elapsed}s, $ok answered 200; other codes: $(cat "$PX_DIR/get_codes" "$PX_DIR/post_codes" | grep -v '^200$' | sort | uniq -c | tr '\n' ' ')"
check "all $((GETS + POSTS)) requests were made" eval '[ "$total" -eq $((GETS + POSTS)) ]'
check "no request failed" eval '[ "$ok" -eq "$total" ]'
if [ "$ok" -ne "$total" ]; then   # what curl and the proxy said, to tell a dropped connection from a refused one
    echo "# curl: $(sort "$PX_DIR/get_err" "$PX_DIR/post_err" | uniq -c | sort -rn | head -5 | tr '\n' ';')"
    echo "# proxy log, other than info: $(grep -v ' info ' "$PX_LOG" | tail -5 | tr '\n' ';')"
    echo "# load: $(cat /proc/loadavg); open files of the proxy: $(ls /proc/$PX_PID/fd 2>/dev/null | wc -l)"
fi
samples=$(grep -c '^[0-9][0-9]*$' "$PX_DIR/session_samples" 2>/dev/null)
max_sessions=$(grep '^[0-9][0-9]*$' "$PX_DIR/session_samples" 2>/dev/null | sort -n | tail -n 1)
echo "# at most ${max_sessions:-?} database sessions in ${samples:-0} samples during the soak (pool $POOL)"
check "the proxy never held more sessions than its pool" eval '[ "${max_sessions:-0}" -ge 1 ] && [ "$max_sessions" -le $POOL ]'
check "no session is left inside a transaction" eval \
    '[ "$(px_psql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"'"'infracast-proxy'"'"' AND state <> '"'"'idle'"'"'")" = 0 ]'
px_req GET /api/nodes?limit=1 "" "$TOKEN"
check "the proxy still answers after the soak" status_is 200
check "the proxy logged no error" eval '! grep -q " error " "$PX_LOG"'

px_stop
for i in $(seq 1 50); do [ "$(px_psql -c "$sessions_sql")" = 0 ] && break; sleep 0.1; done
check "no database session survives the proxy's stop" eval '[ "$(px_psql -c "$sessions_sql")" = 0 ]'

# The stall, made deterministic: one worker thread that, when it next runs, finds a request
# waiting on exactly 128 of its keep-alive connections (libmicrohttpd's epoll batch size). The
# proxy is stopped (SIGSTOP) while the requests go out, as a loaded machine leaves a thread
# unscheduled. Before the fix all 128 got no answer until the client timeout closed them.
STALL_CONNS=128
px_start VULCAN_DB_POOL=1 VULCAN_THREADS=1 || { echo "proxy did not start"; exit 1; }
trap 'kill -CONT "$PX_PID" 2>/dev/null; px_cleanup' EXIT   # never leave it stopped
port=${PX_URL##*:}
# read_status FD: the status of one HTTP/1.1 response on FD (000 when none came), body skipped
read_status() {
    local fd=$1 line status len=0
    IFS= read -r -t 60 -u "$fd" line || { echo 000; return; }
    status=$(printf '%s' "$line" | cut -d' ' -f2)
    while IFS= read -r -t 10 -u "$fd" line; do
        line=${line%$'\r'}
        [ -z "$line" ] && break
        case "${line,,}" in content-length:*) len=${line#*: } ;; esac
    done
    [ "$len" -gt 0 ] && IFS= read -r -N "$len" -t 10 -u "$fd" line
    echo "$status"
}
fds=()
for i in $(seq 1 $STALL_CONNS); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || break
    fds+=("$fd")
    # one exchange each first, so that all are accepted and idle (keep-alive) on the one thread
    printf 'GET /healthz HTTP/1.1\r\nHost: stall\r\n\r\n' >&"$fd"
    read_status "$fd" >/dev/null
done
check "$STALL_CONNS keep-alive connections are open" eval '[ "${#fds[@]}" -eq $STALL_CONNS ]'
# Stop it only once every thread of the proxy sleeps in a system call (the worker in its wait for
# events), so that it holds no connection it is still working on: that one would wake it at once.
for i in $(seq 1 100); do
    [ "$(awk '{print $3}' /proc/"$PX_PID"/task/*/stat | grep -vc '^S$')" = 0 ] && break
    sleep 0.05
done
kill -STOP "$PX_PID"
for fd in "${fds[@]}"; do
    printf 'GET /api/nodes?limit=1 HTTP/1.1\r\nHost: stall\r\nAuthorization: Bearer %s\r\n\r\n' "$TOKEN" >&"$fd"
done
# and every request has reached the proxy's socket (a loaded kernel may deliver loopback data late)
for i in $(seq 1 100); do
    [ "$(ss -Htn state established "( sport = :$port )" | awk '$1 > 0' | wc -l)" -ge $STALL_CONNS ] && break
    sleep 0.05
done
kill -CONT "$PX_PID"
stall_codes=$(for fd in "${fds[@]}"; do read_status "$fd"; done | sort | uniq -c | tr '\n' ' ')
for fd in "${fds[@]}"; do exec {fd}>&-; done
echo "# requests waiting on all $STALL_CONNS connections of one thread: $stall_codes"
check "every request waiting on a thread's $STALL_CONNS connections is answered" \
    eval '[ "$(echo $stall_codes)" = "$STALL_CONNS 200" ]'
px_stop

# A handler held busy past the client timeout (its query waits for a table lock) must not cost
# the requests that arrive meanwhile their answer. In libmicrohttpd's thread pool they waited on
# the busy thread and were then closed as idle, unanswered.
px_start VULCAN_DB_POOL=1 VULCAN_THREADS=1 VULCAN_CLIENT_TIMEOUT=1 VULCAN_DB_POOL_WAIT_MS=30000 \
    || { echo "proxy did not start"; exit 1; }
port=${PX_URL##*:}
mkfifo "$PX_DIR/lock_in"
px_psql < "$PX_DIR/lock_in" > "$PX_DIR/lock_out" 2>&1 &
LOCKER=$!
exec {lock}>"$PX_DIR/lock_in"
echo "BEGIN; LOCK TABLE infracast.nodes IN ACCESS EXCLUSIVE MODE; SELECT 'locked';" >&"$lock"
for i in $(seq 1 100); do grep -q locked "$PX_DIR/lock_out" && break; sleep 0.05; done
# Each connection sends its request as soon as it is open, so none sits idle past the 1 s client
# timeout on a slow machine before the handler is held.
fds=()
exec {fd}<>"/dev/tcp/127.0.0.1/$port" && fds+=("$fd")
printf 'GET /api/nodes?limit=1 HTTP/1.1\r\nHost: held\r\nAuthorization: Bearer %s\r\n\r\n' "$TOKEN" >&"${fds[0]}"
for i in $(seq 1 100); do
    [ "$(px_psql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'infracast-proxy' AND wait_event_type = 'Lock'")" = 1 ] && break
    sleep 0.05
done
for i in $(seq 2 32); do
    exec {fd}<>"/dev/tcp/127.0.0.1/$port" || break
    fds+=("$fd")
    printf 'GET /healthz HTTP/1.1\r\nHost: held\r\n\r\n' >&"$fd"
done
sleep 2   # hold the handler past the 1 s client timeout
echo "COMMIT;" >&"$lock"
exec {lock}>&-
wait $LOCKER
held_codes=$(for fd in "${fds[@]}"; do read_status "$fd"; done | sort | uniq -c | tr '\n' ' ')
for fd in "${fds[@]}"; do exec {fd}>&-; done
echo "# requests sent while a handler was held busy for 2 s (client timeout 1 s): $held_codes"
check "no request is dropped while a handler is held busy" eval '[ "$(echo $held_codes)" = "${#fds[@]} 200" ]'
px_stop
px_finish
