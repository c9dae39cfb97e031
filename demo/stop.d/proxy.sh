#!/usr/bin/env bash
# make demo-stop: stops the demo's infracast-proxy processes (HTTP and HTTPS, started by demo/90_proxy.sh).
for PIDFILE in "${DEMO:?}/proxy.pid" "$DEMO/proxy-https.pid"; do
    [ -f "$PIDFILE" ] || continue
    pid=$(cat "$PIDFILE")
    # Only a process that is still our proxy (pids are reused).
    for p in $pid $(pgrep -P "$pid" 2>/dev/null); do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "infracast-proxy" ]; then
            kill -TERM "$p"
            for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
            echo "[infracast] stopped infracast-proxy (pid $p)"
        fi
    done
    rm -f "$PIDFILE"
done
