#!/usr/bin/env bash
# Login rate limiting under concurrency, at the database: twelve wrong passwords for one user sent
# at once from twelve sessions (as a proxy with many threads, or several proxies, would) must be
# checked five times and refused seven times. Without the per-user lock in infracast.api_login all
# twelve pass the limit check before any failure is counted (measured: 12 of 12 checked).
set -uo pipefail
DB=api_login_race_$$
fail() { echo "not ok - $*"; exit 1; }
psql -qX -d postgres -c "CREATE DATABASE $DB" >/dev/null || fail "cannot create the database"
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1' EXIT
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL' || fail "cannot set up the user"
SET client_min_messages = warning;
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('race');
SELECT infracast.set_tenant('race', false);
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('carl', 'infracast_reader', infracast.password_hash('carl passphrase'), false);
SQL
out=$(for i in $(seq 1 12); do
          psql -qXAt -d "$DB" -c "SELECT infracast.api_login('race', 'carl', 'guess $i', NULL, '10.0.0.$i') ->> 'status'" &
      done; wait)
got=$(sort <<<"$out" | uniq -c | awk '{printf "%s=%s ", $2, $1}')
echo "# twelve parallel guesses: $got"
[ "$got" = "invalid=5 rate_limited=7 " ] || fail "expected invalid=5 rate_limited=7, got: $got"
echo "ok - parallel guesses are checked five times, then refused"
n=$(psql -qXAt -d "$DB" -c "SELECT failures FROM infracast.login_failures WHERE scope = 'user' AND key = 'race/carl'")
[ "$n" = 5 ] || fail "the user's failure count is $n, not 5"
echo "ok - the user's failure count is 5"
out=$(psql -qXAt -d "$DB" -c "SELECT infracast.api_login('race', 'carl', 'carl passphrase', NULL, '10.0.0.99') ->> 'status'")
[ "$out" = rate_limited ] || fail "the right password right after: $out, not rate_limited"
echo "ok - the right password is refused until the window ends"
