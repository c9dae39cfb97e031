#!/usr/bin/env bash
# make demo / make demo-stop: a persistent private cluster under ./.infracast/ with a generated
# two-tenant enterprise, then every subsystem's demo step (demo/sql/NN_*.sql, demo/NN_*.sh hooks).
set -euo pipefail
source "$(dirname "$0")/../test/harness/lib.sh"
cd "$IC_ROOT"
DEMO="$IC_ROOT/.infracast"

case "${1:-start}" in
stop)
    for h in demo/stop.d/*.sh; do [ -f "$h" ] && DEMO="$DEMO" bash "$h" || true; done
    if [ -d "$DEMO/usr" ]; then cluster_stop "$DEMO" "$DEMO/usr/lib/postgresql/$IC_PG_MAJOR/bin"; fi
    ic_log "demo stopped; the next make demo starts a fresh cluster in $DEMO"
    exit 0 ;;
start) ;;
*) echo "usage: demo.sh start|stop" >&2; exit 2 ;;
esac

ensure_packages
# Built with the real KEV catalogue carried in test/data as the embedded seed.
KEV_REAL="$(restore_test_data)/feeds/kev/cisagov-kev-data/known_exploited_vulnerabilities.json" || exit 1
export INFRACAST_KEV_SEED="$KEV_REAL"
make -s all
mkdir -p "$DEMO"; chmod 755 "$DEMO"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$DEMO"; then
    ic_log "the postgres user cannot reach $DEMO (a private parent folder?): move the checkout somewhere world-readable"
    exit 1
fi
# (Re)install this build into the demo's private PostgreSQL and restart it on the new build.
BIN="$DEMO/usr/lib/postgresql/$IC_PG_MAJOR/bin"
[ -d "$DEMO/usr" ] && cluster_stop "$DEMO" "$BIN"
rm -rf "$DEMO/usr" "$DEMO/data" "$DEMO/sock"
BIN=$(stage_install "$DEMO")
cluster_start "$DEMO" "$BIN"
export IC_DEMO="$DEMO" IC_BINDIR="$BIN"

psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE infracast"
# Steps run in the order of their file names (NN_), whether SQL or shell.
for step in $(ls demo/sql/*.sql demo/*.sh 2>/dev/null | grep -v '/demo.sh$' | awk -F/ '{print $NF "\t" $0}' | sort | cut -f2); do
    case "$step" in
        *.sql) psql -X -q -v ON_ERROR_STOP=1 -d infracast -f "$step" ;;
        *.sh)  bash "$step" ;;
    esac
done
cat <<MSG

Infracast demo is running.  Connect with:
    psql -h $DEMO/sock -U postgres infracast
Stop it with:  make demo-stop
MSG
