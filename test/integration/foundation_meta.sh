#!/usr/bin/env bash
# META.json is valid PGXN metadata (spec 1.0.2) and agrees with the control file and the Makefile;
# the Makefile's object list names every C file of the extension.
set -euo pipefail
cd "$(dirname "$0")/../.."
meta=$(cat META.json)
control_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" extension/infracast.control)
make_version=$(make -s --no-print-directory print-version)   # the Makefile reads it from the control file
result=$(psql -qXAt -d postgres -v meta="$meta" -v cv="$control_version" <<'SQL'
WITH m AS (SELECT :'meta'::jsonb AS j)
SELECT concat_ws(',',
    CASE WHEN NOT (j ?& ARRAY['name','abstract','maintainer','license','provides','meta-spec','version']) THEN 'missing required key' END,
    CASE WHEN j->'meta-spec'->>'version' <> '1.0.2' THEN 'meta-spec is not 1.0.2' END,
    CASE WHEN j->>'version' <> :'cv' THEN 'version differs from the control file' END,
    CASE WHEN j->'provides'->'infracast'->>'version' <> :'cv' THEN 'provides.infracast.version differs' END,
    CASE WHEN j->>'version' !~ '^\d+\.\d+\.\d+' THEN 'version is not semantic' END)
FROM m;
SQL
)
[ "$control_version" = "$make_version" ] || result="$result,Makefile EXTVERSION $make_version differs from control $control_version"
# every C file of the extension is listed in the Makefile's OBJS, and every listed object has its file
listed=$(make -s --no-print-directory print-objs | tr ' ' '\n' | sed 's/\.o$/.c/' | sort)
present=$(find src bgworkers -name '*.c' | sort)
unlisted=$(comm -13 <(echo "$listed") <(echo "$present") | tr '\n' ' ')
missing=$(comm -23 <(echo "$listed") <(echo "$present") | tr '\n' ' ')
[ -z "${unlisted// }" ] || result="$result,C files not in the Makefile's OBJS: $unlisted"
[ -z "${missing// }" ] || result="$result,OBJS names files that do not exist: $missing"
if [ -n "$result" ]; then echo "META.json and build problems: $result"; exit 1; fi
echo "META.json valid, version $control_version"
