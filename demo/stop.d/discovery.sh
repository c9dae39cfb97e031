#!/usr/bin/env bash
# make demo-stop: stops the demo's snmpd and sshd (started by demo/75_discovery.sh).
DIR="${DEMO:?}/discovery"
for name in sshd snmpd; do
    PIDFILE="$DIR/$name.pid"
    [ -f "$PIDFILE" ] || continue
    pid=$(cat "$PIDFILE")
    # only a process that is still ours (pids are reused)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
        kill -TERM "$pid"
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        echo "[infracast] stopped the demo's $name (pid $pid)"
    fi
    rm -f "$PIDFILE"
done
