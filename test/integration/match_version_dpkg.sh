#!/usr/bin/env bash
# infracast.version_cmp(a, b, 'debian') against the oracle, dpkg --compare-versions, on a few
# hundred version pairs: the versions of the packages installed on this machine (real Debian
# versions: epochs, revisions, +debNuM, ~bpo, +dfsg) and generated ones built to hit the corners
# (tildes, empty and zero parts, letters against digits, plus signs, hyphens in the upstream part).
set -euo pipefail
command -v dpkg >/dev/null || { echo "dpkg is not installed: cannot run the oracle"; exit 1; }
DB=match_version_dpkg
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -X -q -d $DB -c "CREATE EXTENSION infracast"

WORK=$(mktemp -d); trap 'rm -rf "$WORK"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
dpkg-query -W -f='${Version}\n' | sort -u > "$WORK/real.txt"
python3 - "$WORK/real.txt" > "$WORK/pairs.tsv" <<'PY'
import random, sys
rnd = random.Random(20261128)
real = [l.strip() for l in open(sys.argv[1]) if l.strip()]
def gen():
    parts = []
    for _ in range(rnd.randint(1, 4)):
        parts.append(rnd.choice(["0", "1", "2", "10", "01", "9", "123"]) +
                     rnd.choice(["", "", "a", "b", "~rc1", "~", "+dfsg", "+b1", "z", "~~"]))
    v = rnd.choice([".", ".", "+", "~"]).join(parts)
    if not v[0].isdigit():
        v = "1" + v
    if rnd.random() < 0.2:
        v = rnd.choice(["0", "1", "2", "10"]) + ":" + v
    if rnd.random() < 0.5:
        v = v + "-" + rnd.choice(["1", "0", "1ubuntu1", "2+deb12u1", "1~bpo11+1", "10", "1.1", "0~exp1"])
    return v
pairs = set()
# real neighbours (similar versions) and random real pairs
for a, b in zip(real, real[1:]):
    pairs.add((a, b))
while len(pairs) < 200 and len(real) > 1:
    pairs.add((rnd.choice(real), rnd.choice(real)))
# generated corner cases, plus mutations of real versions
while len(pairs) < 500:
    if rnd.random() < 0.7:
        a = gen(); b = gen() if rnd.random() < 0.5 else a.replace("~", "", 1) if "~" in a else a + rnd.choice(["", "~1", "+1", "a", ".0"])
    else:
        a = rnd.choice(real); b = a + rnd.choice(["~1", "+1", "a", ".0", "-1"]) if "-" not in a else a.rsplit("-", 1)[0] + rnd.choice(["", "-0", "-1"])
    pairs.add((a, b))
for a, b in sorted(pairs)[:500]:
    print(f"{a}\t{b}")
PY
n=$(wc -l < "$WORK/pairs.tsv")
psql -X -q -d $DB -At -F $'\t' > "$WORK/ours.tsv" <<SQL
CREATE TEMP TABLE pairs (i serial, a text, b text);
\copy pairs (a, b) FROM '$WORK/pairs.tsv'
SELECT a, b, infracast.version_cmp(a, b, 'debian') FROM pairs ORDER BY i;
SQL
bad=0; checked=0
while IFS=$'\t' read -r a b ours; do
    if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then want=-1
    elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then want=0
    else want=1; fi
    checked=$((checked + 1))
    if [ "$want" != "$ours" ]; then
        bad=$((bad + 1)); echo "DISAGREE: '$a' vs '$b': dpkg $want, infracast $ours"
    fi
done < "$WORK/ours.tsv"
echo "$checked pairs checked against dpkg --compare-versions ($n generated), $bad disagreements"
[ "$checked" -ge 300 ] || { echo "too few pairs checked"; exit 1; }
[ "$bad" -eq 0 ]
