#!/usr/bin/env bash
# The packages, as an operator in the enclave gets them: `make bundle` with a throwaway vendor licence
# key and release key, tools/release/verify_bundle.sh, then `dpkg -i` of the .debs into a clean
# Debian 12 root (debootstrap --variant=minbase, then only postgresql-15 and the packages' runtime
# libraries from the Debian mirror) that has no compiler. In that root: the folders' owners, the
# proxy's system user and configuration, a cluster with CREATE EXTENSION infracast and the vendor key
# embedded, and infracast-proxy started the way its systemd unit starts it, answering /healthz and
# /readyz on 127.0.0.1. Everything runs under one temp folder, removed (after unmounting) on every exit.
#
# Needs the Debian mirror this machine's apt uses (debootstrap); IC_DEBIAN_MIRROR overrides it.
set -uo pipefail
source "$(dirname "$0")/../harness/lib.sh"
cd "$IC_ROOT"

TOOL="$IC_BINDIR/infracast-license"
W=$(mktemp -d /tmp/infracast-pkg-install.XXXXXX)
R="$W/root"            # the clean root
PG_IN=/usr/lib/postgresql/15/bin
SOCK_IN=/tmp/pgsock    # paths inside the root
DATA_IN=/var/lib/postgresql/itest
PROXY_PID=""
fails=0

in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
as_pg_in_root() { chroot --userspec=postgres:postgres "$R" /usr/bin/env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 HOME=/var/lib/postgresql "$@"; }

# Long steps run in a session of their own and the script waits for them: a TERM or INT then
# interrupts the wait at once (bash would otherwise run the trap only after the step ends), and
# cleanup stops the whole step (debootstrap's or apt's children too) before unmounting.
BG_PID=""
bg_run() {
    setsid "$@" &
    BG_PID=$!
    wait "$BG_PID"
    local rc=$?
    BG_PID=""
    return $rc
}

cleanup() {
    local m i
    if [ -n "$BG_PID" ]; then
        kill -TERM -- "-$BG_PID" 2>/dev/null
        for i in $(seq 1 50); do kill -0 -- "-$BG_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$BG_PID" 2>/dev/null
    fi
    [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
    [ -f "$R$DATA_IN/postmaster.pid" ] && as_pg_in_root "$PG_IN/pg_ctl" -D "$DATA_IN" -m immediate -w -t 30 stop >/dev/null 2>&1
    # every mount under the root, deepest first; never delete through one that is still mounted
    for m in $(awk -v r="$R" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    if awk -v r="$R" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
        echo "cleanup: something is still mounted under $R; left $W in place"
    else
        rm -rf --one-file-system "$W"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi; }
die()  { echo "FATAL: $*"; fails=$((fails + 1)); exit 1; }
t0=$SECONDS
step() { echo "# $(( SECONDS - t0 )) s: $*"; }

# --- build, bundle, verify -----------------------------------------------------------------------
"$TOOL" keygen "$W/vendor.key" "$W/vendor.pub" >/dev/null || die "keygen (vendor) failed"
"$TOOL" keygen "$W/release.key" "$W/release.pub" >/dev/null || die "keygen (release) failed"
VENDOR_FP=$("$TOOL" fingerprint "$W/vendor.pub" | sed -n 's/^fingerprint: //p')
step "make bundle"
bg_run make -s -C "$IC_ROOT" bundle PACKAGE_DIR="$W/pkg" INFRACAST_LICENSE_PUBKEY="$(cat "$W/vendor.pub")" \
    INFRACAST_RELEASE_KEY="$W/release.key" >"$W/bundle.log" 2>&1 || { cat "$W/bundle.log"; die "make bundle failed"; }
BUNDLE=$(sed -n 's/^bundle: //p' "$W/bundle.log")
check "the bundle is named infracast-<version>-<codename>-<arch>.tar.gz" \
    "infracast-$IC_EXTVERSION-bookworm-$(dpkg --print-architecture).tar.gz" "$(basename "$BUNDLE")"
# what the operator does on the enclave's side: unpack, verify with a trusted tool, install
mkdir -p "$W/carried" && tar -C "$W/carried" -xzf "$BUNDLE" || die "cannot unpack $BUNDLE"
NAME=$(basename "$BUNDLE" .tar.gz)
bash tools/release/verify_bundle.sh "$W/carried/$NAME" "$W/release.pub" --tool "$TOOL" >"$W/verify.log" 2>&1 \
    && ok "the bundle verifies" || { cat "$W/verify.log"; die "the bundle does not verify"; }
DEBS=("$W/carried/$NAME"/*.deb)
check "three packages" "infracast-license infracast-proxy postgresql-15-infracast" \
    "$(for d in "${DEBS[@]}"; do dpkg-deb -f "$d" Package; done | sort | tr '\n' ' ' | sed 's/ $//')"

# --- a clean Debian 12 root ----------------------------------------------------------------------
# The mirrors this machine's apt uses (bookworm, -updates, -security): the packages depend on the
# PostgreSQL minor version they were built against, which only the updated suites carry.
mapfile -t REPOS < <(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Identifier: Packages' 2>/dev/null |
    awk '$2 ~ /^bookworm(-updates|-security)?$/' | sort -u)
MIRROR=${IC_DEBIAN_MIRROR:-$(printf '%s\n' "${REPOS[@]}" | awk '$2 == "bookworm" { print $1; exit }')}
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian/
step "debootstrap --variant=minbase bookworm from $MIRROR"
bg_run debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$W/debootstrap.log" 2>&1 \
    || { tail -n 20 "$W/debootstrap.log"; die "debootstrap could not make a Debian 12 root from $MIRROR (is the mirror reachable? IC_DEBIAN_MIRROR overrides it)"; }
{
    echo "deb $MIRROR bookworm main"
    for repo in "${REPOS[@]}"; do
        set -- $repo
        [ "$2" = bookworm ] || echo "deb $1 $2 main"
    done
} >"$R/etc/apt/sources.list"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
# no service starts inside the root, and postgresql-common makes no cluster of its own
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d" && chmod 755 "$R/usr/sbin/policy-rc.d"
mkdir -p "$R/etc/postgresql-common" && echo "create_main_cluster = false" >"$R/etc/postgresql-common/createcluster.conf"
mount -t proc proc "$R/proc" || die "cannot mount /proc in the root"

# PostgreSQL 15 and the runtime libraries the packages declare, nothing else
deps=$(for d in "${DEBS[@]}"; do dpkg-deb -f "$d" Depends; done | tr ',' '\n' | sed 's/([^)]*)//; s/|.*//; s/ //g' |
    grep -v -e '^$' -e '^postgresql-15-infracast$' -e '^infracast-' | sort -u | tr '\n' ' ')
step "apt-get install postgresql-15 $deps"
bg_run chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 sh -c "DEBIAN_FRONTEND=noninteractive apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 $deps" \
    >"$W/apt.log" 2>&1 || { tail -n 30 "$W/apt.log"; die "apt-get install in the root failed"; }
compilers=$(in_root sh -c 'for c in cc gcc c99 clang make ld as; do command -v $c; done')
check "the root has no compiler, linker or make" "" "$compilers"

# --- dpkg -i -------------------------------------------------------------------------------------
step "dpkg -i"
mkdir -p "$R/tmp/bundle" && cp "${DEBS[@]}" "$R/tmp/bundle/"
if in_root sh -c 'dpkg -i /tmp/bundle/*.deb' >"$W/dpkg.log" 2>&1; then ok "dpkg -i installs the three packages"
else cat "$W/dpkg.log"; die "dpkg -i failed"; fi
check "the packages are installed" "ii ii ii" \
    "$(in_root dpkg-query -W -f='${db:Status-Abbrev}\n' postgresql-15-infracast infracast-proxy infracast-license | tr -d ' ' | paste -sd ' ')"
check "licence folder /etc/infracast" "root:root 755" "$(stat -c '%U:%G %a' "$R/etc/infracast")"
check "feeds folder /var/lib/infracast/feeds (postgres reads, setgid)" "root:postgres 2750" \
    "$(in_root stat -c '%U:%G %a' /var/lib/infracast/feeds)"
check "the proxy's system user" "infracast:/nonexistent:/usr/sbin/nologin infracast" \
    "$(in_root getent passwd infracast | cut -d: -f1,6,7) $(in_root id -gn infracast)"
check "proxy.env: root only" "root:root 600" "$(stat -c '%U:%G %a' "$R/etc/infracast/proxy.env")"
UNIT="$R/lib/systemd/system/infracast-proxy.service"
for line in User=infracast EnvironmentFile=/etc/infracast/proxy.env ExecStart=/usr/bin/infracast-proxy \
            NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet= Restart=on-failure; do
    grep -qx "$line" "$UNIT" && ok "unit: $line" || fail "the unit lacks $line"
done
# The root has no systemd: check the unit on this machine, pointing ExecStart= at the root's binary.
if command -v systemd-analyze >/dev/null; then
    sed "s|^ExecStart=/|ExecStart=$R/|" "$UNIT" >"$W/infracast-proxy.service"
    out=$(systemd-analyze verify "$W/infracast-proxy.service" 2>&1) \
        && ok "systemd-analyze verify accepts the unit" || fail "systemd-analyze verify: $out"
    # exposure 0-10, 10 is worst; the threshold is in tenths: fail above 2.5
    out=$(systemd-analyze security --offline=yes --threshold=25 "$W/infracast-proxy.service" 2>&1) \
        && ok "systemd-analyze security: $(grep -o 'exposure level.*' <<<"$out")" || fail "systemd-analyze security: $(tail -n 3 <<<"$out")"
fi
[ ! -e "$R/etc/systemd/system/multi-user.target.wants/infracast-proxy.service" ] \
    && ok "the unit is not enabled before the database is prepared" || fail "the unit was enabled on installation"

# the next bundle is checked inside the root with the installed, now trusted, verifier
mkdir -p "$R/tmp/next" && cp -r "$W/carried/$NAME" "$R/tmp/next/" && cp "$W/release.pub" "$R/tmp/next/"
out=$(in_root infracast-verify-bundle "/tmp/next/$NAME" /tmp/next/release.pub 2>&1) \
    && ok "the installed infracast-verify-bundle verifies a bundle in the root" || fail "infracast-verify-bundle in the root: $out"
printf '\0' | dd of="$R/tmp/next/$NAME/$(basename "${DEBS[0]}")" bs=1 seek=2000 conv=notrunc status=none
out=$(in_root infracast-verify-bundle "/tmp/next/$NAME" /tmp/next/release.pub 2>&1)
[ $? -eq 1 ] && grep -q "REFUSED: .*its sha256 differs" <<<"$out" \
    && ok "... and refuses a changed .deb there" || fail "infracast-verify-bundle accepted a changed .deb: $out"

# --- the extension -------------------------------------------------------------------------------
step "cluster and CREATE EXTENSION"
mkdir -p "$R$SOCK_IN" && in_root chown postgres:postgres "$SOCK_IN"
as_pg_in_root "$PG_IN/initdb" -D "$DATA_IN" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$W/initdb.log" 2>&1 \
    || { cat "$W/initdb.log"; die "initdb in the root failed"; }
cat >>"$R$DATA_IN/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK_IN'
shared_preload_libraries = 'infracast'
dynamic_shared_memory_type = sysv
fsync = off
CONF
as_pg_in_root "$PG_IN/pg_ctl" -D "$DATA_IN" -l "$DATA_IN/server.log" -w -t 60 start >/dev/null \
    || { cat "$R$DATA_IN/server.log"; die "the cluster in the root did not start"; }
q() { in_root psql -X -At -v ON_ERROR_STOP=1 -h "$SOCK_IN" -U postgres -d "$1" -c "$2" 2>&1; }
q postgres "CREATE DATABASE infracast" >/dev/null || die "CREATE DATABASE failed"
out=$(q infracast "CREATE EXTENSION infracast") && ok "CREATE EXTENSION infracast" || fail "CREATE EXTENSION: $out"
check "extension version" "$IC_EXTVERSION" "$(q infracast "SELECT extversion FROM pg_extension WHERE extname = 'infracast'")"
check "the release build embeds the vendor key, not the development key" "$VENDOR_FP|false" \
    "$(q infracast "SELECT key_fingerprint || '|' || development_key FROM infracast.license_status()")"
check "the background worker runs from the packaged library" "1" \
    "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'infracast feed worker'")"
q infracast "ALTER ROLE infracast_authenticator LOGIN" >/dev/null || fail "ALTER ROLE infracast_authenticator LOGIN"

# --- the proxy, started as its unit starts it ----------------------------------------------------
step "infracast-proxy"
sed -i "s|^VULCAN_DB_URL=.*|VULCAN_DB_URL=postgresql://infracast_authenticator@/infracast?host=$SOCK_IN|; s|^VULCAN_LISTEN=.*|VULCAN_LISTEN=127.0.0.1:0|" \
    "$R/etc/infracast/proxy.env"
secret=$(sed -n 's/^VULCAN_JWT_SECRET=//p' "$R/etc/infracast/proxy.env")
[ ${#secret} -ge 32 ] && ok "postinst generated a JWT secret" || fail "proxy.env has no usable JWT secret"
# systemd reads EnvironmentFile= as root, then runs ExecStart= as User=: the same here
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
user=$(sed -n 's/^User=//p' "$UNIT")
mapfile -t envs < <(grep -E '^[A-Z_]+=' "$R/etc/infracast/proxy.env")
env -i "${envs[@]}" "$(command -v chroot)" --userspec="$user:$user" "$R" $exec_start >"$W/proxy.log" 2>&1 &
PROXY_PID=$!
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$W/proxy.log" | sed 's/listening on //')
    [ -n "$url" ] && break
    kill -0 "$PROXY_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$url" ]; then cat "$W/proxy.log"; die "infracast-proxy did not start in the root"; fi
ok "infracast-proxy starts from the package as $user"
check "it runs as the system user" "$(in_root id -u infracast)" "$(ps -o uid= -p "$PROXY_PID" | tr -d ' ')"
check "GET /healthz" '200 {"status":"ok"}' "$(curl -s --max-time 10 -w ' %{http_code}' "$url/healthz" | awk '{print $NF, $1}')"
body=$(curl -s --max-time 10 -o "$W/readyz" -w '%{http_code}' "$url/readyz")
check "GET /readyz (the database answers)" 200 "$body"
grep -qF "\"$IC_EXTVERSION\"" "$W/readyz" && ok "/readyz names the extension version" || fail "/readyz: $(cat "$W/readyz")"
kill "$PROXY_PID" && wait "$PROXY_PID" 2>/dev/null; PROXY_PID=""
as_pg_in_root "$PG_IN/pg_ctl" -D "$DATA_IN" -m fast -w -t 60 stop >/dev/null || fail "pg_ctl stop in the root"

# --- purge ---------------------------------------------------------------------------------------
in_root dpkg --purge infracast-proxy >"$W/purge.log" 2>&1 && [ ! -e "$R/etc/infracast/proxy.env" ] \
    && ok "purging infracast-proxy removes proxy.env (it holds the secret)" || fail "purge: $(cat "$W/purge.log")"
step "done"
echo "# $fails failed"
[ "$fails" -eq 0 ]
