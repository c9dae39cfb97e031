#!/usr/bin/env bash
# make bench: every test/bench/bench_*.sh against one throwaway cluster; each writes its section
# to docs/benchmarks/<name>.md, and docs/benchmarks.md is assembled from them here.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"
ensure_packages || exit 1
# Built with the real KEV catalogue carried in test/data as the embedded seed.
KEV_REAL="$(restore_test_data)/feeds/kev/cisagov-kev-data/known_exploited_vulnerabilities.json" || exit 1
export INFRACAST_KEV_SEED="$KEV_REAL"
make -s all || exit 1
IC_STAGE=$(mktemp -d /tmp/infracast-bench.XXXXXX); export IC_STAGE
IC_BINDIR=$(stage_install "$IC_STAGE") || exit 1; export IC_BINDIR
trap 'cluster_stop "$IC_STAGE" "$IC_BINDIR"; rm -rf "$IC_STAGE"' EXIT
cluster_start "$IC_STAGE" "$IC_BINDIR" "shared_buffers = '1GB'" "max_wal_size = '8GB'" "work_mem = '256MB'" \
    "maintenance_work_mem = '1GB'"
rc=0
for b in test/bench/bench_*.sh; do
    [ -f "$b" ] || continue
    [ -n "${BENCH:-}" ] && [[ "$b" != *"$BENCH"* ]] && continue
    ic_log "running $b"
    bash "$b" || { ic_log "$b failed"; rc=1; }
done
bash test/bench/assemble_docs.sh
exit $rc
