#!/usr/bin/env bash
# Matching a small inventory against the real NVD 2002/2003 feed files (test/data/feeds),
# loaded with infracast.load_nvd, together with the real KEV catalogue.
#   - old Apache httpd and OpenSSL versions find their known CVEs; patched versions find none;
#   - CVE-2003-0851 (OpenSSL running on Cisco IOS: an AND configuration) is found on the router that
#     runs both, and not on the host with OpenSSL alone;
#   - every node's CVE set equals the one an independent Python evaluator derives from the JSON.
set -euo pipefail
if [ -z "${IC_TEST_DATA:-}" ] || [ ! -d "$IC_TEST_DATA/feeds/nvd" ]; then
    echo "ABSENT: test data (IC_TEST_DATA is empty; run through make test): the real NVD files are needed for this test"; exit 1
fi
NVD="$IC_TEST_DATA/feeds/nvd/teundeclercq-nvd-mirror"
KEV="$IC_TEST_DATA/feeds/kev/cisagov-kev-data/known_exploited_vulnerabilities.json"
DB=match_nvd_real
WORK=$(mktemp -d); chmod 755 "$WORK"
cleanup() { rm -rf "$WORK"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -X -q -d $DB -c "CREATE EXTENSION infracast"

# The inventory: node | software name | vendor | version | cpe
cat > "$WORK/inventory.tsv" <<'INV'
old-web	HTTP Server	Apache	1.3.26	\N
mid-web	http_server	apache	2.0.40	\N
new-web	HTTP Server	Apache	2.4.62	\N
old-ssl	openssl	\N	\N	cpe:2.3:a:openssl:openssl:0.9.6d:-:*:*:*:*:*:*
new-ssl	OpenSSL	OpenSSL	3.0.13	\N
router	ios	\N	\N	cpe:2.3:o:cisco:ios:12.2sx:*:*:*:*:*:*:*
router	openssl	openssl	0.9.6d	\N
INV

psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL
SET client_min_messages = warning;
SELECT feed, rows, state FROM infracast.load_nvd('$NVD/nvdcve-2002.json.gz');
SELECT feed, rows, state FROM infracast.load_nvd('$NVD/nvdcve-2003.json.gz');
SELECT feed, rows, state FROM infracast.load_kev('$KEV');
SELECT infracast.create_tenant('nvdreal');
SELECT infracast.set_tenant('nvdreal', false);
CREATE TEMP TABLE inv (node text, name text, vendor text, version text, cpe text);
\copy inv FROM '$WORK/inventory.tsv'
INSERT INTO infracast.nodes (external_id, kind, name) SELECT DISTINCT node, 'host', node FROM inv;
INSERT INTO infracast.software (node_id, name, vendor, version, cpe)
SELECT n.id, i.name, i.vendor, i.version, i.cpe FROM inv i JOIN infracast.nodes n ON n.external_id = i.node;
SQL
psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('nvdreal', false)" \
     -c "SELECT new_findings || ' new, ' || still_open || ' still open, ' || fixed || ' fixed' FROM infracast.match_vulnerabilities()" \
     -c "SELECT new_findings || ' new, ' || still_open || ' still open, ' || fixed || ' fixed' FROM infracast.match_vulnerabilities()" \
     | tail -n 2 > "$WORK/runs.txt"
echo "match runs: $(paste -sd'|' "$WORK/runs.txt")"
psql -X -q -At -F $'\t' -d $DB \
     -c "SELECT infracast.set_tenant('nvdreal', false)" \
     -c "SELECT DISTINCT n.external_id, f.cve_id FROM infracast.findings f JOIN infracast.nodes n ON n.id = f.node_id
          WHERE f.status = 'open' ORDER BY 1, 2" | tail -n +2 > "$WORK/ours.tsv"
psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('nvdreal', false)" \
     -c "SELECT string_agg(s.name, ',' ORDER BY s.name) FROM infracast.findings f JOIN infracast.software s ON s.id = f.software_id
          WHERE f.cve_id = 'CVE-2003-0851'" | tail -n 1 > "$WORK/culprits.txt"

fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
has() { grep -qx "$1"$'\t'"$2" "$WORK/ours.tsv"; }
count() { grep -c "^$1"$'\t' "$WORK/ours.tsv" || true; }
check "the second run is idempotent (0 new, 0 fixed)" "grep -q '^0 new, [0-9]* still open, 0 fixed$' <(tail -n 1 '$WORK/runs.txt')"
check "Apache 1.3.26 has CVE-2002-0840 (XSS in the default error page)" "has old-web CVE-2002-0840"
check "Apache 1.3.26 has CVE-2003-0020 (escape sequences in the error log)" "has old-web CVE-2003-0020"
check "Apache 2.0.40 has CVE-2003-0132 (memory leak, fixed in 2.0.45)" "has mid-web CVE-2003-0132"
check "Apache 2.4.62 has no 2002/2003 CVE" "[ \$(count new-web) -eq 0 ]"
check "OpenSSL 0.9.6d has CVE-2002-0656 (SSLv2/SSLv3 buffer overflows)" "has old-ssl CVE-2002-0656"
check "OpenSSL 0.9.6d has CVE-2003-0078 (range: versionEndExcluding 0.9.6i)" "has old-ssl CVE-2003-0078"
check "OpenSSL 3.0.13 has no 2002/2003 CVE" "[ \$(count new-ssl) -eq 0 ]"
check "CVE-2003-0851 needs Cisco IOS: not on the plain OpenSSL host" "! has old-ssl CVE-2003-0851"
check "CVE-2003-0851 is found on the router running IOS 12.2SX with OpenSSL" "has router CVE-2003-0851"
check "... and reported against both vulnerable parts, IOS and OpenSSL" "[ \"\$(cat '$WORK/culprits.txt')\" = 'ios,openssl' ]"

# Independent oracle: the same inventory evaluated in Python straight from the JSON files.
python3 - "$NVD/nvdcve-2002.json.gz" "$NVD/nvdcve-2003.json.gz" "$WORK/inventory.tsv" > "$WORK/oracle.tsv" <<'PY'
import gzip, json, re, sys
def unescape_split(cpe):
    out, cur, i = [], "", 0
    while i < len(cpe):
        c = cpe[i]
        if c == "\\" and i + 1 < len(cpe):
            cur += cpe[i + 1]; i += 2; continue
        if c == ":":
            out.append(cur); cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    return [x.lower() for x in out[2:]]          # 11 attributes
def tokens(v):
    return re.findall(r"\d+|[a-z]+", v.lower())
PRE = {"dev": 0, "snapshot": 0, "alpha": 1, "beta": 2, "milestone": 3, "pre": 4, "preview": 4, "rc": 5, "cr": 5}
def key(t):
    if t is None or (t.isdigit() and int(t) == 0): return (1, 0, "")
    if t.isdigit(): return (2, int(t), "")
    if t in PRE: return (0, PRE[t], t)
    return (3, 0, t)
def vcmp(a, b):
    ta, tb = tokens(a), tokens(b)
    for i in range(max(len(ta), len(tb))):
        ka = key(ta[i] if i < len(ta) else None); kb = key(tb[i] if i < len(tb) else None)
        if ka != kb: return -1 if ka < kb else 1
    return 0
inv = {}
for line in open(sys.argv[3]):
    node, name, vendor, version, cpe = line.rstrip("\n").split("\t")
    if cpe != "\\N":
        attrs = unescape_split(cpe); built = False
    else:
        attrs = ["a", vendor.lower().replace(" ", "_") if vendor != "\\N" else "*", name.lower().replace(" ", "_"),
                 version, "-", "*", "*", "*", "*", "*", "*"]; built = True
    inv.setdefault(node, []).append((attrs, built))
def entry_matches(m, attrs, built):
    crit = unescape_split(m["criteria"])
    for i in range(11):
        if i == 0 and built: continue
        if i == 1 and built and attrs[1] == "*": continue
        p, c = crit[i], attrs[i]
        if p == "*": continue
        if c == "*": return False                  # the inventory did not say: not shown
        if p != c: return False
    bounds = [(k, m.get(k)) for k in ("versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding") if m.get(k)]
    if bounds and attrs[3] in ("*", "-"): return False
    for k, b in bounds:
        r = vcmp(attrs[3], b)
        if k == "versionStartIncluding" and r < 0: return False
        if k == "versionStartExcluding" and r <= 0: return False
        if k == "versionEndIncluding" and r > 0: return False
        if k == "versionEndExcluding" and r >= 0: return False
    return True
found = set()
for path in sys.argv[1:3]:
    for v in json.load(gzip.open(path, "rt"))["vulnerabilities"]:
        cve = v["cve"]
        for node, items in inv.items():
            for cfg in cve.get("configurations", []):
                vals, culprits = [], False
                for nd in cfg["nodes"]:
                    hits = [any(entry_matches(m, a, b) for a, b in items) for m in nd["cpeMatch"]]
                    val = all(hits) if nd["operator"] == "AND" else any(hits)
                    if nd.get("negate"): val = not val
                    vals.append(val)
                    if val and not nd.get("negate") and any(h and m["vulnerable"] for h, m in zip(hits, nd["cpeMatch"])):
                        culprits = True
                holds = all(vals) if cfg.get("operator") == "AND" else any(vals)
                if cfg.get("negate"): holds = not holds
                if holds and culprits:
                    found.add((node, cve["id"]))
for node, cve in sorted(found):
    print(f"{node}\t{cve}")
PY
if diff -u "$WORK/oracle.tsv" "$WORK/ours.tsv" > "$WORK/diff.txt"; then
    echo "ok: infracast and the Python oracle agree on all $(wc -l < "$WORK/ours.tsv") findings"
else
    echo "FAIL: infracast (+) and the Python oracle (-) disagree:"; cat "$WORK/diff.txt"; fail=1
fi
for n in old-web mid-web new-web old-ssl new-ssl router; do echo "  $n: $(count $n) open findings"; done

# the prioritised view explains itself
psql -X -q -At -d $DB -c "SELECT infracast.set_tenant('nvdreal', false)" \
     -c "SELECT rank || '. ' || cve_id || ' on ' || node_external_id || ' [' || priority || ', ' || risk || ']: ' || reasons
           FROM infracast.prioritized_findings ORDER BY rank LIMIT 5" | tail -n +2
exit $fail
