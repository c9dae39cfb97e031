#!/usr/bin/env bash
# A release build (make INFRACAST_RELEASE=1) refuses the development licence key, whose secret key
# is in this repository, and accepts a vendor key. Dry runs (make -n) in a scratch clone of the
# working tree's build files, so the checkout's own build and its embedded key are not touched.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail=0; n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
# the Makefile, mk/ and what mk/license.mk reads, without the generated header (a fresh checkout)
mkdir -p "$W/test/fixtures/license" "$W/src/license"
cp "$ROOT/Makefile" "$W/"; cp -r "$ROOT/mk" "$W/"; cp "$ROOT/test/fixtures/license/dev.pub" "$W/test/fixtures/license/"
vendor=$(head -c 32 /dev/urandom | base64)

out=$(make -C "$W" -n INFRACAST_RELEASE=1 all 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'would embed the development licence key' <<<"$out"; then ok "release build with no key is refused"
else bad "release build with no key: rc=$rc: $out"; fi
out=$(make -C "$W" -n INFRACAST_RELEASE=1 INFRACAST_LICENSE_PUBKEY=development all 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q 'would embed the development licence key' <<<"$out"; then ok "release build with the development key named is refused"
else bad "release build with INFRACAST_LICENSE_PUBKEY=development: rc=$rc: $out"; fi
out=$(make -C "$W" -n INFRACAST_RELEASE=1 INFRACAST_LICENSE_PUBKEY="$vendor" src/license/license_pubkey.h 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qF "$vendor" <<<"$out"; then ok "release build with a vendor key goes ahead and embeds it"
else bad "release build with a vendor key: rc=$rc: $out"; fi
out=$(make -C "$W" -n src/license/license_pubkey.h 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -qF "$(cat "$ROOT/test/fixtures/license/dev.pub")" <<<"$out"; then ok "a development build still embeds the development key"
else bad "development build: rc=$rc: $out"; fi
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
