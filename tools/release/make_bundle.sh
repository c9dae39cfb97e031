#!/usr/bin/env bash
# tools/release/make_bundle.sh DEBS_DIR SECRET_KEY_FILE OUT.tar.gz   (run by `make bundle`)
#
# The offline bundle an operator carries into the enclave: one folder named like the archive,
# holding the .debs, SHA256SUMS (sha256sum's format) and SHA256SUMS.minisig, a detached Ed25519
# signature of SHA256SUMS made by `infracast-license sign-file` (minisign's format). The signature's
# trusted comment names the bundle, so a SHA256SUMS signed for another release or architecture is
# refused by tools/release/verify_bundle.sh even though its signature is good.
#
# INFRACAST_LICENSE_TOOL names the infracast-license binary (default: the one `make` built here).
set -euo pipefail

die() { echo "make_bundle: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 3 ] || die "usage: make_bundle.sh DEBS_DIR SECRET_KEY_FILE OUT.tar.gz"
debs=$1 key=$2 out=$3
tool=${INFRACAST_LICENSE_TOOL:-$root/tools/license/infracast-license}
[ -x "$tool" ] || die "$tool is missing: run make first (or set INFRACAST_LICENSE_TOOL)"
[ -r "$key" ] || die "cannot read the signing key $key"
case "$out" in *.tar.gz) ;; *) die "$out: the bundle's name must end in .tar.gz" ;; esac
shopt -s nullglob
files=("$debs"/*.deb)
[ ${#files[@]} -gt 0 ] || die "no .deb in $debs: run make package first"

name=$(basename "$out" .tar.gz)
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
stage=$(mktemp -d /tmp/infracast-bundle.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "${files[@]}" "$stage/$name/"
(cd "$stage/$name" && sha256sum -- *.deb > SHA256SUMS)
"$tool" sign-file "$key" "$stage/$name/SHA256SUMS" \
    -t "bundle:$name timestamp:$(date -u +%Y-%m-%dT%H:%M:%SZ) file:SHA256SUMS" >/dev/null ||
    die "signing SHA256SUMS failed"
# Fixed owners, order and times: the archive's bytes depend on the packages, not on who built it.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$stage/$name/SHA256SUMS")}" -czf "$out.tmp" "$name"
mv "$out.tmp" "$out"
echo "bundle: $out"
echo "sha256: $(sha256sum "$out" | cut -d' ' -f1)"
"$tool" pubkey "$key" | sed -n 's/^fingerprint: /signed by key: /p'
