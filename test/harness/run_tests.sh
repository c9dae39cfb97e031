#!/usr/bin/env bash
# make test: the whole suite on a real, throwaway PostgreSQL cluster.
#
#  1. installs missing Debian packages (root) or prints the apt-get line and stops;
#  2. builds, and installs into a private staged copy of PostgreSQL (see lib.sh);
#  3. runs the C unit tests (test/unit, built by `make unit-build`), under valgrind when present;
#  4. starts a cluster as postgres with shared_preload_libraries='infracast';
#  5. runs pg_regress over sql/ (make installcheck), the isolation specs of test/isolation
#     (isolationtester), pg_prove over test/pgtap/, and every test/integration/*.sh;
#  6. stops the cluster on every exit path and ends with one line "N passed, N failed".
#
# Environment for integration tests: PGHOST/PGPORT/PGUSER, IC_STAGE (staged root), IC_BINDIR
# (its bin folder), IC_TEST_DATA (a postgres-readable copy of the real files in test/data, restored
# under their original names; or of IC_SHARED_SOURCE when that names a larger corpus of the same
# layout), IC_FIXTURES (a postgres-readable copy of test/fixtures).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$IC_ROOT"

ensure_packages || exit 1
# Real-world data: test/data (restored and checked against its SHA256SUMS), or IC_SHARED_SOURCE.
data_src=${IC_SHARED_SOURCE:-}
if [ -z "$data_src" ]; then data_src=$(restore_test_data) || { echo "0 passed, 1 failed"; exit 1; }
elif [ ! -d "$data_src" ]; then ic_log "IC_SHARED_SOURCE=$data_src is not a folder"; echo "0 passed, 1 failed"; exit 1; fi
# The tests build with the real KEV catalogue as the embedded seed.
KEV_REAL="$data_src/feeds/kev/cisagov-kev-data/known_exploited_vulnerabilities.json"
[ -f "$KEV_REAL" ] && export INFRACAST_KEV_SEED="$KEV_REAL"
make -s all >/tmp/infracast-build.$$ 2>&1 || { cat /tmp/infracast-build.$$; rm -f /tmp/infracast-build.$$; exit 1; }
if grep -E 'warning:' /tmp/infracast-build.$$; then
    ic_log "the build printed warnings (above); the project builds warning-free"; rm -f /tmp/infracast-build.$$; exit 1
fi
rm -f /tmp/infracast-build.$$

IC_STAGE=$(mktemp -d /tmp/infracast-test.XXXXXX)
export IC_STAGE
passed=0; failed=0; failures=()
IC_BINDIR=""
cleanup() {
    [ -n "$IC_BINDIR" ] && cluster_stop "$IC_STAGE" "$IC_BINDIR"
    if [ "$failed" -eq 0 ] && [ -z "${IC_KEEP:-}" ]; then rm -rf "$IC_STAGE"; else ic_log "kept $IC_STAGE for inspection"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() { # record NAME STATUS
    if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok - $1"
    else failed=$((failed + 1)); failures+=("$1"); echo "not ok - $1"; fi
}

IC_BINDIR=$(stage_install "$IC_STAGE") || { echo "0 passed, 1 failed"; exit 1; }
export IC_BINDIR

# A postgres-readable copy of the real-world data and the fixtures (the checkout may sit under a
# private folder).
mkdir -p "$IC_STAGE/testdata" "$IC_STAGE/fixtures"
cp -r "$data_src/." "$IC_STAGE/testdata/"; chmod -R a+rX "$IC_STAGE/testdata"
cp -r test/fixtures/. "$IC_STAGE/fixtures/"; chmod -R a+rX "$IC_STAGE/fixtures"
export IC_TEST_DATA="$IC_STAGE/testdata" IC_FIXTURES="$IC_STAGE/fixtures"
# pg_regress and pgTAP scripts read these with \getenv
export INFRACAST_TEST_DATA="$IC_TEST_DATA" INFRACAST_FIXTURES="$IC_FIXTURES"

# IC_ONLY=GLOB (a development aid, never set by make test or CI): run only the integration scripts
# whose name matches GLOB (e.g. IC_ONLY='discovery_*'), skipping the unit, regress, isolation and
# pgTAP steps, to iterate on one subsystem without the whole suite.
only=${IC_ONLY:-}
[ -n "$only" ] && ic_log "IC_ONLY=$only: only the integration scripts matching it run (not a full test run)"

# --- C unit tests -------------------------------------------------------------------------------
if [ -n "$only" ]; then :
elif make -s unit-build >"$IC_STAGE/unit-build.log" 2>&1; then
    # Under valgrind (memory errors and leaks fail the test) when it is installed.
    vg=()
    command -v valgrind >/dev/null && vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
    for t in test/unit/bin/*; do
        [ -x "$t" ] || continue
        if (cd "$IC_ROOT" && "${vg[@]}" "$t") >"$IC_STAGE/unit-$(basename "$t").log" 2>&1; then record "unit $(basename "$t")" 0
        else record "unit $(basename "$t")" 1; tail -n 30 "$IC_STAGE/unit-$(basename "$t").log"; fi
    done
else
    cat "$IC_STAGE/unit-build.log"; record "unit test build" 1
fi

# --- cluster ----------------------------------------------------------------------------------
cluster_start "$IC_STAGE" "$IC_BINDIR" || { record "cluster start" 1; echo "$passed passed, $failed failed"; exit 1; }

# --- pg_regress -------------------------------------------------------------------------------
mkdir -p test/results
if [ -z "$only" ]; then
make -s installcheck ISOLATION= PG_REGRESS_DIFF_OPTS=-U3 >"$IC_STAGE/regress.log" 2>&1
regress_rc=$?
while read -r line; do
    name=$(sed -E 's/^(test|ok [0-9]+|not ok [0-9]+)?[ +-]*([A-Za-z0-9_]+) +\.\.\. .*/\2/' <<<"$line")
    if grep -q '\.\.\. ok' <<<"$line"; then record "regress $name" 0; else record "regress $name" 1; fi
done < <(grep -E '\.\.\. (ok|FAILED|failed)' "$IC_STAGE/regress.log")
if [ $regress_rc -ne 0 ]; then
    [ -f test/results/regression.diffs ] && head -n 200 test/results/regression.diffs
    grep -qE '\.\.\. (ok|FAILED|failed)' "$IC_STAGE/regress.log" || { cat "$IC_STAGE/regress.log"; record "pg_regress run" 1; }
fi

# --- isolation (test/isolation) ---------------------------------------------------------------
# Races made deterministic by isolationtester: each spec in test/isolation/specs is one check. PGXS
# runs them in `make installcheck` after pg_regress; here REGRESS= leaves pg_regress out (it ran
# above with ISOLATION=), so each tool has its own log, results folder and parsed lines.
isolation_failed_before=$failed
make -s installcheck REGRESS= PG_REGRESS_DIFF_OPTS=-U3 >"$IC_STAGE/isolation.log" 2>&1
isolation_rc=$?
while read -r line; do
    name=$(sed -E 's/^(test|ok [0-9]+|not ok [0-9]+)?[ +-]*([A-Za-z0-9_]+) +\.\.\. .*/\2/' <<<"$line")
    if grep -q '\.\.\. ok' <<<"$line"; then record "isolation $name" 0; else record "isolation $name" 1; fi
done < <(grep -E '\.\.\. (ok|FAILED|failed)' "$IC_STAGE/isolation.log")
if [ $isolation_rc -ne 0 ]; then
    [ -f test/results/isolation/regression.diffs ] && head -n 200 test/results/isolation/regression.diffs
    # a run that failed without failing a spec (no expected file, no isolationtester): say why
    [ "$failed" -gt "$isolation_failed_before" ] || { cat "$IC_STAGE/isolation.log"; record "isolation run" 1; }
fi

# --- pgTAP ------------------------------------------------------------------------------------
psql -qX -d postgres -c "CREATE DATABASE infracast_tap" >/dev/null &&
psql -qX -d infracast_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION infracast;" >/dev/null \
    || record "pgTAP database setup" 1
for f in test/pgtap/*.sql; do
    [ -f "$f" ] || continue
    if pg_prove -q -d infracast_tap "$f" >"$IC_STAGE/tap-$(basename "$f").log" 2>&1; then record "pgtap $(basename "$f" .sql)" 0
    else record "pgtap $(basename "$f" .sql)" 1; tail -n 40 "$IC_STAGE/tap-$(basename "$f").log"; fi
done
fi # IC_ONLY

# --- integration ------------------------------------------------------------------------------
for f in test/integration/*.sh; do
    [ -f "$f" ] || continue
    # shellcheck disable=SC2053 # a glob on purpose
    [ -n "$only" ] && [[ $(basename "$f" .sh) != $only ]] && continue
    log="$IC_STAGE/integration-$(basename "$f" .sh).log"
    if bash "$f" >"$log" 2>&1; then record "integration $(basename "$f" .sh)" 0
    else record "integration $(basename "$f" .sh)" 1; tail -n 40 "$log"; fi
done

[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
