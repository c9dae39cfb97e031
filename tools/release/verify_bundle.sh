#!/usr/bin/env bash
# tools/release/verify_bundle.sh BUNDLE PUBLIC_KEY [--openssl | --tool PATH] [--extract DIR]
#
# Checks an offline bundle (the .tar.gz, or the folder it unpacks to) before anything in it is
# installed, and refuses it, saying why, unless:
#   1. SHA256SUMS.minisig is a good signature of SHA256SUMS by PUBLIC_KEY (base64 of the release
#      public key, or a file holding it), and its trusted comment names this bundle;
#   2. every file SHA256SUMS lists is there with that sha256, and nothing else is in the bundle.
# Exit 0 verified, 1 refused, 2 usage error. On success the folder with the .debs is printed last.
#
# --extract DIR (a .tar.gz only): the verified, unpacked folder is moved to DIR/<bundle name>, so
# what gets installed is what was checked. Unpacking the archive again after checking it reads it a
# second time, and a file on shared or removable media can change in between.
#
# The signature is checked with a trusted infracast-license (--tool PATH, or the one on PATH; never
# the one inside the bundle being checked), or, with --openssl, with OpenSSL alone (>= 3.0: Ed25519
# and BLAKE2b-512), for a machine that has neither infracast nor minisign yet.
set -uo pipefail

refuse() { echo "REFUSED: $*" >&2; exit 1; }
usage() { echo "usage: verify_bundle.sh BUNDLE.tar.gz|FOLDER PUBLIC_KEY [--openssl | --tool PATH] [--extract DIR]" >&2; exit 2; }

[ $# -ge 2 ] || usage
bundle=$1 pubkey=$2; shift 2
mode=tool tool="" extract=""
while [ $# -gt 0 ]; do
    case "$1" in
        --openssl) mode=openssl ;;
        --tool) [ $# -ge 2 ] || usage; tool=$2; shift ;;
        --extract) [ $# -ge 2 ] || usage; extract=$2; shift ;;
        *) usage ;;
    esac
    shift
done
[ -f "$pubkey" ] && pubkey=$(tr -d ' \r\n' <"$pubkey")
if [ -n "$extract" ]; then
    [ -f "$bundle" ] || { echo "verify_bundle: --extract is for a .tar.gz; a folder is verified where it is" >&2; exit 2; }
    [ -d "$extract" ] || { echo "verify_bundle: --extract $extract: no such folder" >&2; exit 2; }
    extract=$(cd "$extract" && pwd)
    [ ! -e "$extract/$(basename "$bundle" .tar.gz)" ] ||
        { echo "verify_bundle: $extract/$(basename "$bundle" .tar.gz) exists already: remove it or extract elsewhere" >&2; exit 2; }
fi

work=$(mktemp -d /tmp/infracast-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT

# --- the folder ----------------------------------------------------------------------------------
if [ -f "$bundle" ]; then
    name=$(basename "$bundle" .tar.gz)
    # Only plain files and folders, and no path that leaves the archive's folder.
    listing=$(tar -tvzf "$bundle" 2>/dev/null) || refuse "$bundle is not a readable .tar.gz"
    if grep -qv '^[-d]' <<<"$listing"; then refuse "$bundle holds links or devices; a bundle holds only files"; fi
    while read -r member; do
        case "$member" in
            "$name"|"$name"/|"$name"/*) ;;
            *) refuse "$bundle: member '$member' is outside the folder $name/" ;;
        esac
        case "/$member/" in */../*) refuse "$bundle: member '$member' climbs out of its folder" ;; esac
    done < <(tar -tzf "$bundle")
    tar -C "$work" -xzf "$bundle" --no-same-owner || refuse "$bundle could not be unpacked"
    dir="$work/$name"
elif [ -d "$bundle" ]; then
    dir=$(cd "$bundle" && pwd)
    name=$(basename "$dir")
    # a listed .deb that is a link passes its sha256 today and can point elsewhere tomorrow
    link=$(find "$dir" -mindepth 1 -type l -print -quit)
    [ -z "$link" ] || refuse "${link#"$dir"/} is a link; a bundle holds only files"
    # the same for a member that is neither file nor folder (FIFO, socket, device)
    odd=$(find "$dir" -mindepth 1 ! -type f ! -type d -print -quit)
    [ -z "$odd" ] || refuse "${odd#"$dir"/} is not a regular file; a bundle holds only files"
else
    echo "verify_bundle: $bundle: no such file or folder" >&2; exit 2
fi
[ -f "$dir/SHA256SUMS" ] || refuse "$name has no SHA256SUMS"
[ -f "$dir/SHA256SUMS.minisig" ] || refuse "$name has no SHA256SUMS.minisig (the signature of SHA256SUMS)"

# --- 1. the signature of SHA256SUMS --------------------------------------------------------------
verify_with_tool() {
    if [ -z "$tool" ]; then
        tool=$(command -v infracast-license) ||
            refuse "no trusted infracast-license on PATH: give --tool PATH, or use --openssl"
    fi
    case "$(cd "$(dirname "$tool")" && pwd)/" in
        "$work"/*|"$dir"/*) refuse "the verifier must not come from the bundle it verifies" ;;
    esac
    local out
    out=$("$tool" verify-file "$pubkey" "$dir/SHA256SUMS" "$dir/SHA256SUMS.minisig" 2>&1)
    case $? in
        0) trusted=$(sed -n 's/^trusted_comment: //p' <<<"$out")
           fingerprint=$(sed -n 's/^key_fingerprint: //p' <<<"$out") ;;
        1) refuse "SHA256SUMS: $(sed -n 's/^reason: //p' <<<"$out")" ;;
        *) echo "verify_bundle: $out" >&2; exit 2 ;;
    esac
}

# minisign's format with OpenSSL: line 2 is base64("ED" || key id || Ed25519 signature of
# BLAKE2b-512(SHA256SUMS)), line 4 the signature of (that signature || the trusted comment).
verify_with_openssl() {
    command -v openssl >/dev/null || refuse "openssl is not installed: use --tool with a trusted infracast-license"
    local sig="$dir/SHA256SUMS.minisig" pk_hex keyid
    pk_hex=$(printf '%s' "$pubkey" | tr -- '-_' '+/' | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n')
    [ ${#pk_hex} -eq 64 ] || { echo "verify_bundle: the public key is not base64 of 32 bytes" >&2; exit 2; }
    # the key as DER SubjectPublicKeyInfo: a fixed 12-byte Ed25519 prefix, then the 32 bytes
    printf '%b' "$(printf '302a300506032b6570032100%s' "$pk_hex" | sed 's/../\\x&/g')" >"$work/pub.der"
    [ "$(wc -l <"$sig")" -eq 4 ] && sed -n 1p "$sig" | grep -q '^untrusted comment: ' &&
        sed -n 3p "$sig" | grep -q '^trusted comment: ' ||
        refuse "SHA256SUMS.minisig is not a minisign signature file"
    sed -n 2p "$sig" | base64 -d >"$work/blob" 2>/dev/null && [ "$(stat -c %s "$work/blob")" -eq 74 ] ||
        refuse "SHA256SUMS.minisig: the signature line is not base64 of 74 bytes"
    [ "$(head -c 2 "$work/blob")" = ED ] || refuse "SHA256SUMS.minisig is not a signature of a hashed file (\"ED\")"
    # our key id: the first 8 bytes of SHA-256 of the public key
    keyid=$(tail -c 32 "$work/pub.der" | openssl dgst -sha256 -binary | head -c 8 | od -An -tx1 | tr -d ' \n')
    [ "$(tail -c +3 "$work/blob" | head -c 8 | od -An -tx1 | tr -d ' \n')" = "$keyid" ] ||
        refuse "SHA256SUMS: signed by another key (the key id in SHA256SUMS.minisig is not this public key's)"
    tail -c 64 "$work/blob" >"$work/sig"
    openssl dgst -blake2b512 -binary "$dir/SHA256SUMS" >"$work/hash"
    openssl pkeyutl -verify -pubin -keyform DER -inkey "$work/pub.der" -rawin -in "$work/hash" \
        -sigfile "$work/sig" >/dev/null 2>&1 ||
        refuse "SHA256SUMS: the signature does not match the file: the file was changed after it was signed, or the signature belongs to another file"
    trusted=$(sed -n '3s/^trusted comment: //p' "$sig" | tr -d '\r')
    { cat "$work/sig"; printf '%s' "$trusted"; } >"$work/signed_comment"
    sed -n 4p "$sig" | base64 -d >"$work/global" 2>/dev/null || refuse "SHA256SUMS.minisig: bad global signature line"
    openssl pkeyutl -verify -pubin -keyform DER -inkey "$work/pub.der" -rawin -in "$work/signed_comment" \
        -sigfile "$work/global" >/dev/null 2>&1 ||
        refuse "SHA256SUMS: the trusted comment was changed after signing"
    fingerprint=$(tail -c 32 "$work/pub.der" | openssl dgst -sha256 -binary | head -c 16 | od -An -tx1 | tr -s ' \n' ':' | sed 's/^://; s/:$//')
}

trusted="" fingerprint=""
if [ "$mode" = openssl ]; then verify_with_openssl; else verify_with_tool; fi
signed_for=$(grep -o 'bundle:[^ ]*' <<<"$trusted" | cut -d: -f2)
[ "$signed_for" = "$name" ] ||
    refuse "SHA256SUMS was signed for the bundle '${signed_for:-(none)}', not for $name: do not rename bundles, and never mix files of two bundles"

# --- 2. the files ---------------------------------------------------------------------------------
# sha256sum's format: "<64 hex>  <name>" (or " *<name>"); a name may not contain a slash.
grep -Eqv '^[0-9a-f]{64} [ *][^/]+$' "$dir/SHA256SUMS" && refuse "SHA256SUMS has a line that is not '<sha256>  <file name>'"
while IFS= read -r -d '' f; do
    f=${f#"$dir"/}
    case "$f" in SHA256SUMS|SHA256SUMS.minisig) continue ;; esac
    awk -v f="$f" 'substr($0, 67) == f { found = 1 } END { exit !found }' "$dir/SHA256SUMS" ||
        refuse "$f is in the bundle but not in SHA256SUMS: it was added after signing"
done < <(find "$dir" -mindepth 1 \( -type f -o -type l -o -type d \) -print0)
if ! failed=$(cd "$dir" && sha256sum --strict --check SHA256SUMS 2>&1); then
    refuse "$(grep -v ': OK$' <<<"$failed" | grep -v '^sha256sum: ' | sed 's/: FAILED$/: its sha256 differs from SHA256SUMS (changed after signing)/; s/: FAILED open or read$/: listed in SHA256SUMS but missing/' | paste -sd ';' -)"
fi

echo "verified: $name"
echo "signed by key: $fingerprint"
echo "trusted comment: $trusted"
sed 's/^[0-9a-f]* [ *]/package: /' "$dir/SHA256SUMS"
if [ -n "$extract" ]; then
    # the checked copy itself, not a second reading of the archive
    mv "$dir" "$extract/$name" || refuse "could not move the verified folder to $extract/$name"
    echo "$extract/$name"
elif [ -f "$bundle" ]; then
    # this script's temp folder goes away: unpacking again reads the archive a second time
    echo "(to install exactly what was checked, run again with --extract DIR; or unpack with: tar -xzf $bundle, and verify the folder)"
else
    echo "$dir"
fi
