# Shared shell functions of the test harness, the demo and the benchmarks.
#
#   ensure_packages            install what test/harness/packages.txt lists (root) or say what is missing
#   stage_install DIR [TREE]   a private copy of PostgreSQL 15 with this build of infracast installed in it
#                              (or TREE's build: the update test installs an older release this way)
#   cluster_start DIR [CONF]   initdb + start a throwaway cluster as postgres, sockets in DIR/sock
#   cluster_stop DIR           stop it (safe to call twice)
#   reload_conf GUC VALUE      pg_reload_conf(), then wait (up to 30 s) until a new session sees VALUE
#   restore_test_data          test/data's real files under their original names, checked; prints the folder
#
# A staged install keeps `make test` off the system's PostgreSQL: several checkouts (or a test and a
# demo) can run at once, each with its own build. PostgreSQL finds its lib and share folders
# relative to its own binary, so a copy of the tree (hard links, so it is instant) works.

IC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IC_PG_MAJOR=15
# The version this checkout builds: the control file's default_version.
IC_EXTVERSION=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$IC_ROOT/extension/infracast.control")
IC_SYS_BIN=/usr/lib/postgresql/$IC_PG_MAJOR/bin

ic_log() { printf '[infracast] %s\n' "$*" >&2; }

ensure_packages() {
    local missing=() p
    while read -r p; do
        p=${p%%#*}; p=${p//[[:space:]]/}
        [ -n "$p" ] || continue
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done < <(cat "$IC_ROOT"/test/harness/packages*.txt)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        ic_log "missing Debian packages; as root run:"
        echo "apt-get update && apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    ic_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { ic_log "apt-get install failed"; return 1; }
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses root).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

stage_install() {
    local dir=$1 tree=${2:-$IC_ROOT}
    mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
    chmod 755 "$dir"
    cp -al "/usr/lib/postgresql/$IC_PG_MAJOR" "$dir/usr/lib/postgresql/" 2>/dev/null \
        || cp -a "/usr/lib/postgresql/$IC_PG_MAJOR" "$dir/usr/lib/postgresql/"
    cp -al "/usr/share/postgresql/$IC_PG_MAJOR" "$dir/usr/share/postgresql/" 2>/dev/null \
        || cp -a "/usr/share/postgresql/$IC_PG_MAJOR" "$dir/usr/share/postgresql/"
    # Never write through a hard link into the system's files: drop ours before installing.
    rm -rf "$dir/usr/lib/postgresql/$IC_PG_MAJOR/lib/infracast.so" \
           "$dir/usr/lib/postgresql/$IC_PG_MAJOR/lib/bitcode/infracast"* \
           "$dir/usr/share/postgresql/$IC_PG_MAJOR/extension/infracast"* \
           "$dir/usr/lib/postgresql/$IC_PG_MAJOR/bin/infracast-"*
    make -s -C "$tree" install DESTDIR="$dir" >"$dir/install.log" 2>&1 \
        || { cat "$dir/install.log" >&2; return 1; }
    echo "$dir/usr/lib/postgresql/$IC_PG_MAJOR/bin"
}

# cluster_start DIR BINDIR [extra postgresql.conf lines...]
cluster_start() {
    local dir=$1 bindir=$2; shift 2
    mkdir -p "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/sock"; install -d -o postgres -g postgres "$dir/data"
    else mkdir -p "$dir/data"; fi
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir/sock'"
        echo "port = 5432"
        echo "shared_preload_libraries = 'infracast'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 100"
        echo "log_min_messages = warning"
        local f
        for f in "$IC_ROOT"/test/harness/conf.d/*.conf; do [ -f "$f" ] && sed "s|@STAGE@|$dir|g" "$f"; done
        for f in "$@"; do echo "$f"; done
    } >> "$dir/data/postgresql.conf"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/data/postgresql.conf"
    # conf.d/license.conf points at DIR/license.json: the development licence unless a test put one there
    [ -e "$dir/license.json" ] || install -m 644 "$IC_ROOT/test/fixtures/license/dev-license.json" "$dir/license.json"
    touch "$dir/server.log"; [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/server.log"
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    export PGHOST="$dir/sock" PGPORT=5432 PGUSER=postgres
}

cluster_stop() {
    local dir=$1 bindir=$2
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# pg_reload_conf() only signals the postmaster: a session started right after it may still get the
# old settings. Waits until a new session shows VALUE for GUC (uses PGHOST/PGPORT; 1 on timeout).
reload_conf() {
    local i
    psql -qXAt -d postgres -c "SELECT pg_reload_conf()" >/dev/null || return 1
    for i in $(seq 1 300); do
        [ "$(psql -qXAt -d postgres -c "SHOW $1" 2>/dev/null)" == "$2" ] && return 0
        sleep 0.1
    done
    ic_log "reload_conf: $1 is still not '$2' after 30 s"
    return 1
}

# The real files in test/data are stored as they came, or gzipped (name + .gz) when they were large;
# SHA256SUMS names each original with the sha256 of its original bytes (test/data/SOURCES.md).
# Restores them into test/data/.restored (ignored by git, kept between runs and made again when a sum
# no longer matches) and prints that folder. Fails, saying which, on a missing, extra or damaged file.
restore_test_data() {
    local src="$IC_ROOT/test/data" out="$IC_ROOT/test/data/.restored" sum path f
    # every carried file is listed: a file added without its sum would go unchecked
    while read -r f; do
        f=${f#"$src"/}
        case "$f" in SOURCES.md|SHA256SUMS|.restored/*) continue ;; esac
        awk -v a="$f" -v b="${f%.gz}" '$2 == a || $2 == b { found = 1 } END { exit !found }' "$src/SHA256SUMS" \
            || { ic_log "test/data/$f is not listed in test/data/SHA256SUMS"; return 1; }
    done < <(find "$src" -type f)
    if [ -d "$out" ] && (cd "$out" && sha256sum --quiet --strict -c ../SHA256SUMS) >/dev/null 2>&1; then
        echo "$out"; return 0
    fi
    rm -rf "$out"; mkdir -p "$out"
    while read -r sum path; do
        mkdir -p "$out/$(dirname "$path")"
        if [ -f "$src/$path" ]; then cp "$src/$path" "$out/$path"
        elif [ -f "$src/$path.gz" ]; then gzip -dc "$src/$path.gz" >"$out/$path" || return 1
        else ic_log "test/data/$path (or $path.gz) is missing"; return 1; fi
    done <"$src/SHA256SUMS"
    (cd "$out" && sha256sum --quiet --strict -c ../SHA256SUMS) >&2 \
        || { ic_log "test/data: a restored file does not match test/data/SHA256SUMS"; return 1; }
    echo "$out"
}
