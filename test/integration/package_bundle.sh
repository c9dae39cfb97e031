#!/usr/bin/env bash
# The offline bundle's signature: tools/release/make_bundle.sh signs SHA256SUMS with
# `infracast-license sign-file`; tools/release/verify_bundle.sh accepts a good bundle (with the tool,
# with OpenSSL alone, and minisign agrees) and refuses, saying why, a changed .deb, a changed or
# re-signed SHA256SUMS, an added or missing file, another key's signature, a changed trusted comment,
# a renamed bundle and a link inside the archive. Small real .debs (dpkg-deb) keep it fast; the real
# packages are built and installed by package_install.sh.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"

TOOL="$IC_BINDIR/infracast-license"
MAKE_BUNDLE="$IC_ROOT/tools/release/make_bundle.sh"
VERIFY="$IC_ROOT/tools/release/verify_bundle.sh"
W=$(mktemp -d /tmp/infracast-bundle-test.XXXXXX)
fails=0
trap 'rm -rf "$W"' EXIT

ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
die()  { echo "FATAL: $*"; exit 1; }

"$TOOL" keygen "$W/release.key" "$W/release.pub" >/dev/null || die "keygen failed"
"$TOOL" keygen "$W/other.key" "$W/other.pub" >/dev/null || die "keygen (other) failed"
FP=$("$TOOL" fingerprint "$W/release.pub" | sed -n 's/^fingerprint: //p')

# two small but real packages
for p in infracast-demo-a infracast-demo-b; do
    mkdir -p "$W/src/$p/DEBIAN" "$W/src/$p/usr/share/$p"
    printf 'Package: %s\nVersion: 0.1.0-1\nArchitecture: all\nMaintainer: test <t@example.invalid>\nDescription: bundle test\n' \
        "$p" >"$W/src/$p/DEBIAN/control"
    head -c 20000 /dev/urandom >"$W/src/$p/usr/share/$p/payload"
    mkdir -p "$W/debs"
    dpkg-deb -Zgzip --root-owner-group -b "$W/src/$p" "$W/debs/${p}_0.1.0-1_all.deb" >/dev/null || die "dpkg-deb failed"
done

NAME=infracast-0.1.0-bookworm-amd64
INFRACAST_LICENSE_TOOL="$TOOL" bash "$MAKE_BUNDLE" "$W/debs" "$W/release.key" "$W/out/$NAME.tar.gz" >"$W/make.out" 2>&1 \
    || { cat "$W/make.out"; die "make_bundle failed"; }
BUNDLE="$W/out/$NAME.tar.gz"
members=$(tar -tzf "$BUNDLE" | sort | tr '\n' ' ')
[ "$members" = "$NAME/ $NAME/SHA256SUMS $NAME/SHA256SUMS.minisig $NAME/infracast-demo-a_0.1.0-1_all.deb $NAME/infracast-demo-b_0.1.0-1_all.deb " ] \
    && ok "the bundle holds one folder with the .debs, SHA256SUMS and its signature" || fail "bundle members: $members"
grep -q "signed by key: $FP" "$W/make.out" && ok "make_bundle names the signing key's fingerprint" || fail "make_bundle output: $(cat "$W/make.out")"

# verify WHAT EXPECT_RC EXPECT_TEXT BUNDLE [ARGS...]
verify() {
    local what=$1 rc_want=$2 text=$3 bundle=$4; shift 4
    local out rc
    out=$(bash "$VERIFY" "$bundle" "$@" 2>&1); rc=$?
    if [ $rc -eq "$rc_want" ] && grep -qF -- "$text" <<<"$out"; then ok "$what"
    else fail "$what: exit $rc, output: $out"; fi
}
verify "a good bundle passes (infracast-license)" 0 "verified: $NAME" "$BUNDLE" "$W/release.pub" --tool "$TOOL"
verify "... and names the signing key" 0 "signed by key: $FP" "$BUNDLE" "$W/release.pub" --tool "$TOOL"
verify "a good bundle passes (OpenSSL only)" 0 "verified: $NAME" "$BUNDLE" "$(cat "$W/release.pub")" --openssl
verify "an unpacked good bundle passes" 0 "verified: $NAME" "$(tar -C "$W" -xzf "$BUNDLE" && echo "$W/$NAME")" "$W/release.pub" --tool "$TOOL"
rm -rf "${W:?}/$NAME"
# --extract: the checked copy is what the caller gets, byte for byte what the archive held
mkdir -p "$W/x"
verify "--extract puts the verified folder in place and prints it" 0 "$W/x/$NAME" "$BUNDLE" "$W/release.pub" --tool "$TOOL" --extract "$W/x"
(cd "$W/x/$NAME" && sha256sum --quiet --strict --check SHA256SUMS) && [ -f "$W/x/$NAME/SHA256SUMS.minisig" ] \
    && ok "... with every listed file and the signature" || fail "the extracted folder does not match SHA256SUMS"
verify "--extract refuses to overwrite a folder" 2 "exists already" "$BUNDLE" "$W/release.pub" --tool "$TOOL" --extract "$W/x"
rm -rf "${W:?}/x"; mkdir -p "$W/x"
verify "--extract leaves nothing when the bundle is refused" 1 "signed by another key" "$BUNDLE" "$W/other.pub" --tool "$TOOL" --extract "$W/x"
[ -z "$(ls -A "$W/x")" ] && ok "... (the folder stays empty)" || fail "a refused bundle left $(ls -A "$W/x")"
rm -rf "${W:?}/x"
verify "another key's public key is refused" 1 "signed by another key" "$BUNDLE" "$W/other.pub" --tool "$TOOL"
verify "another key's public key is refused (OpenSSL)" 1 "signed by another key" "$BUNDLE" "$W/other.pub" --openssl

# minisign itself accepts the signature, given the key in its format
"$TOOL" minisign-pubkey "$W/release.pub" >"$W/release.minisign.pub"
tar -C "$W" -xzf "$BUNDLE"
if command -v minisign >/dev/null; then
    if minisign -Vm "$W/$NAME/SHA256SUMS" -p "$W/release.minisign.pub" >/dev/null 2>&1; then ok "minisign verifies SHA256SUMS.minisig"
    else fail "minisign refused a good signature"; fi
else
    fail "minisign is not installed (test/harness/packages-package.txt lists it)"
fi

# --- tampering: change the unpacked folder, re-pack it under the same name -----------------------
# tampered CASE EXPECT_TEXT COMMAND...: applies COMMAND inside a fresh copy, re-packs, verifies both ways
tampered() {
    local what=$1 text=$2; shift 2
    local t="$W/t" out
    rm -rf "$t"; mkdir -p "$t"; tar -C "$t" -xzf "$BUNDLE"
    (cd "$t/$NAME" && "$@") || { fail "$what: could not tamper"; return; }
    tar -C "$t" -czf "$t.tar.gz" "$NAME"
    mkdir -p "$W/tt"; mv "$t.tar.gz" "$W/tt/$NAME.tar.gz"
    verify "refused: $what" 1 "$text" "$W/tt/$NAME.tar.gz" "$W/release.pub" --tool "$TOOL"
    verify "refused (OpenSSL): $what" 1 "$text" "$W/tt/$NAME.tar.gz" "$W/release.pub" --openssl
}
flip_byte() { printf '\x00' | dd of="$1" bs=1 seek=$(( $(stat -c %s "$1") / 2 )) conv=notrunc status=none; }

tampered "a changed .deb" "infracast-demo-a_0.1.0-1_all.deb: its sha256 differs from SHA256SUMS" \
    flip_byte infracast-demo-a_0.1.0-1_all.deb
tampered "a changed .deb with SHA256SUMS updated to match" "the signature does not match the file" \
    sh -c 'printf "\000" | dd of=infracast-demo-b_0.1.0-1_all.deb bs=1 seek=1000 conv=notrunc status=none && sha256sum -- *.deb > SHA256SUMS'
tampered "a SHA256SUMS with one character changed" "the signature does not match the file" \
    sed -i '1{s/^0/x/;s/^[^x]/0/;s/^x/1/}' SHA256SUMS
tampered "SHA256SUMS re-signed by another key" "signed by another key" \
    "$TOOL" sign-file "$W/other.key" SHA256SUMS -t "bundle:$NAME file:SHA256SUMS"
tampered "a package added after signing" "is in the bundle but not in SHA256SUMS" \
    cp infracast-demo-a_0.1.0-1_all.deb infracast-extra_0.1.0-1_all.deb
tampered "a listed package missing" "listed in SHA256SUMS but missing" \
    rm infracast-demo-b_0.1.0-1_all.deb
tampered "a changed trusted comment" "the trusted comment was changed" \
    sed -i '3s/timestamp:/timestamp:1/' SHA256SUMS.minisig
tampered "no signature" "has no SHA256SUMS.minisig" rm SHA256SUMS.minisig

# a bundle signed for another name (an older release renamed, or another architecture)
mkdir -p "$W/renamed" && cp "$BUNDLE" "$W/renamed/infracast-0.2.0-bookworm-amd64.tar.gz"
rm -rf "$W/r"; mkdir -p "$W/r"; tar -C "$W/r" -xzf "$BUNDLE"; mv "$W/r/$NAME" "$W/r/infracast-0.2.0-bookworm-amd64"
verify "a bundle renamed after signing is refused" 1 "was signed for the bundle '$NAME'" \
    "$W/r/infracast-0.2.0-bookworm-amd64" "$W/release.pub" --tool "$TOOL"
verify "an archive whose folder is not its name is refused" 1 "is outside the folder" \
    "$W/renamed/infracast-0.2.0-bookworm-amd64.tar.gz" "$W/release.pub" --tool "$TOOL"
# a symlink member could make the installer read a file outside the bundle
rm -rf "$W/l"; mkdir -p "$W/l"; tar -C "$W/l" -xzf "$BUNDLE"; ln -s /etc/passwd "$W/l/$NAME/passwd.deb"
tar -C "$W/l" -czf "$W/l/$NAME.tar.gz" "$NAME"
verify "an archive with a link inside is refused" 1 "holds links or devices" "$W/l/$NAME.tar.gz" "$W/release.pub" --tool "$TOOL"
# the same in an unpacked folder: a listed .deb replaced by a link to a file with the same bytes
rm -rf "$W/lf"; mkdir -p "$W/lf"; tar -C "$W/lf" -xzf "$BUNDLE"
deb=$(cd "$W/lf/$NAME" && ls *.deb | head -1); mv "$W/lf/$NAME/$deb" "$W/lf/elsewhere.deb"; ln -s "$W/lf/elsewhere.deb" "$W/lf/$NAME/$deb"
verify "a folder whose .deb is a link is refused" 1 "is a link" "$W/lf/$NAME" "$W/release.pub" --tool "$TOOL"
# the verifier refuses to trust a tool shipped inside the bundle it checks
rm -rf "$W/s"; mkdir -p "$W/s"; tar -C "$W/s" -xzf "$BUNDLE"; cp "$TOOL" "$W/s/$NAME/"
verify "a verifier inside the bundle is not trusted" 1 "must not come from the bundle" \
    "$W/s/$NAME" "$W/release.pub" --tool "$W/s/$NAME/infracast-license"

# --- make package refuses to build without a vendor key ------------------------------------------
out=$(make -s -C "$IC_ROOT" package PACKAGE_DIR="$W/pkg" INFRACAST_LICENSE_PUBKEY= 2>&1) && fail "make package without a key succeeded" \
    || { grep -q "set INFRACAST_LICENSE_PUBKEY" <<<"$out" && ok "make package refuses to build without a vendor licence key" || fail "make package without a key: $out"; }
out=$(make -s -C "$IC_ROOT" package PACKAGE_DIR="$W/pkg" INFRACAST_LICENSE_PUBKEY=development 2>&1) && fail "make package with the development key succeeded" \
    || { grep -q "never embed the development key" <<<"$out" && ok "make package refuses the development key" || fail "make package with the development key: $out"; }
out=$(make -s -C "$IC_ROOT" bundle PACKAGE_DIR="$W/pkg" INFRACAST_LICENSE_PUBKEY="$(cat "$W/release.pub")" INFRACAST_RELEASE_KEY= 2>&1) && fail "make bundle without a signing key succeeded" \
    || { grep -q "set INFRACAST_RELEASE_KEY" <<<"$out" && ok "make bundle refuses to run without a signing key" || fail "make bundle without a signing key: $out"; }

echo "# $fails failed"
[ "$fails" -eq 0 ]
