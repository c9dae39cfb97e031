#!/usr/bin/env bash
# tools/release/build_packages.sh OUT_DIR   (run by `make package`)
#
# Builds the Debian packages of this tree with dpkg-buildpackage (debian/) in OUT_DIR/build, from a
# copy of the tracked and unignored files (never the checkout's objects), and leaves the .debs in
# OUT_DIR/debs. INFRACAST_LICENSE_PUBKEY (base64 of the vendor's licence public key) is required: a
# package is a release build, and mk/license.mk refuses the development key for those.
set -euo pipefail

die() { echo "make package: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build_packages.sh OUT_DIR}
key=${INFRACAST_LICENSE_PUBKEY:-}
[ -n "$key" ] && [ "$key" != development ] ||
    die "set INFRACAST_LICENSE_PUBKEY to the vendor's licence public key (base64; infracast-license keygen prints it): packages are release builds and never embed the development key"
for tool in dpkg-buildpackage dh pg_buildext dpkg-parsechangelog; do
    command -v "$tool" >/dev/null ||
        die "$tool is missing: apt-get install dpkg-dev debhelper postgresql-server-dev-all (test/harness/packages-package.txt)"
done

version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$root/extension/infracast.control")
deb_version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
[ "${deb_version%-*}" = "$version" ] ||
    die "debian/changelog is at $deb_version but the control file's default_version is $version: add a changelog entry for $version-1 first"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/build"
src="$work/infracast-$version"
rm -rf "$work"
mkdir -p "$src"

# The files a clean checkout would have (plus new, unignored ones), so that build outputs and the
# checkout's generated key header stay behind.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$src" -xf -
else
    tar -C "$root" --exclude=./.infracast --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
        --exclude=./src/license/license_pubkey.h -cf - . | tar -C "$src" -xf -
fi

echo "make package: building infracast $deb_version with dpkg-buildpackage (log: $out/build.log)"
# nocheck: the suite runs as make test (pg_virtualenv would lack its fixtures); noddebs: the bundle
# carries what an operator installs, not debug symbols.
if ! (cd "$src" && INFRACAST_LICENSE_PUBKEY="$key" \
        DEB_BUILD_OPTIONS="nocheck noddebs${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}" \
        dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    die "dpkg-buildpackage failed (whole log: $out/build.log)"
fi
if grep -E '(^|[^-])warning: ' "$out/build.log" | grep -v '^dpkg-' >&2; then
    die "the package build printed compiler warnings (above); the project builds warning-free"
fi

rm -rf "$out/debs"
mkdir -p "$out/debs"
mv "$work"/*.deb "$out/debs/"
rm -rf "$work"
for deb in "$out"/debs/*.deb; do
    echo "make package: $deb"
done
