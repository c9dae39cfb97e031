#!/usr/bin/env bash
# make lint: cppcheck and clang-tidy over our C code. Exits non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/../.."
inc=(-I src -I "$(pg_config --includedir-server)" -I "$(pg_config --includedir)" $(pkg-config --cflags-only-I libsodium json-c zlib 2>/dev/null))
# the defines the Makefile passes (the library's version, from the control file)
ver=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" extension/infracast.control)
inc+=("-DINFRACAST_EXTVERSION=\"$ver\"")
files=$(git ls-files '*.c' | grep -v '^test/')
rc=0
if command -v cppcheck >/dev/null; then
    cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
        --suppress=missingIncludeSystem --inline-suppr --std=c99 -D__GNUC__ \
        "${inc[@]}" $files || rc=1
else
    echo "cppcheck not installed (apt-get install cppcheck)"; rc=1
fi
if command -v clang-tidy >/dev/null; then
    for f in $files; do
        clang-tidy --quiet --warnings-as-errors='*' \
            --checks='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-implicit-widening-of-multiplication-result,-bugprone-assignment-in-if-condition,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-bugprone-branch-clone,-bugprone-macro-parentheses,-bugprone-sizeof-expression' \
            "$f" -- "${inc[@]}" -D_GNU_SOURCE >"/tmp/lint.$$" 2>/dev/null
        if grep -E 'warning:|error:' "/tmp/lint.$$"; then rc=1; fi
        rm -f "/tmp/lint.$$"
    done
else
    echo "clang-tidy not installed (apt-get install clang-tidy)"; rc=1
fi
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
