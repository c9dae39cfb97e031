#!/usr/bin/env bash
# SBOM import and OBOM export against the real documents carried in test/data/compliance:
#   - every CycloneDX (1.4-1.7) and SPDX (2.2/2.3) example imports into its own node, and the
#     software rows (purl or CPE, version, distro, component type) and the rejected components equal
#     what an independent reading of the JSON file (Python, below) says they must be;
#   - documents of other versions (CycloneDX 1.3) are refused with IC702 and import nothing;
#   - importing everything a second time changes nothing: same ids, all kept, none inserted or removed;
#   - every node's OBOM validates against the CycloneDX 1.6 JSON schema (python3-jsonschema), and a
#     deliberately broken copy does not (so the validation can fail).
set -euo pipefail
if [ -z "${IC_TEST_DATA:-}" ] || [ ! -d "$IC_TEST_DATA/compliance/cyclonedx" ]; then
    echo "ABSENT: test data (IC_TEST_DATA is empty; run through make test): the real SBOM files are needed for this test"; exit 1
fi
DB=sbom_import
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -X -q -d $DB -c "CREATE EXTENSION infracast" -c "SELECT infracast.create_tenant('sbom')" >/dev/null

DB=$DB python3 - "$IC_TEST_DATA/compliance" <<'PY'
import glob, json, os, subprocess, sys, urllib.parse, warnings

root = sys.argv[1]
db = os.environ["DB"]
failures = 0

def check(ok, what):
    global failures
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failures += 1

def psql(sql):
    """Runs SQL as the tenant; returns (rows, error line)."""
    p = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", db],
                       input="\\set VERBOSITY verbose\nSELECT infracast.set_tenant('sbom', false) \\g /dev/null\n" + sql,
                       capture_output=True, text=True)
    err = [l for l in p.stderr.splitlines() if l.startswith("ERROR:")]
    return [l.split("\t") for l in p.stdout.splitlines() if l != ""], (err[0] if err else None)

def lit(s):
    return "'" + s.replace("'", "''") + "'"

# ---- the independent reading of a document -------------------------------------------------
def purl_parts(purl):
    rest = purl[4:].lstrip("/")
    rest, _, _ = rest.partition("#")
    rest, _, query = rest.partition("?")
    ptype, _, path = rest.partition("/")
    name_ver = path.rsplit("/", 1)[-1]
    name, at, version = name_ver.partition("@")
    quals = dict(q.split("=", 1) for q in query.split("&") if "=" in q) if query else {}
    quals = {k.lower(): urllib.parse.unquote(v) for k, v in quals.items()}
    return ptype.lower(), urllib.parse.unquote(name), (urllib.parse.unquote(version) if at else None), quals

def expected(doc):
    """(format, spec, rows, rejected) or (format, spec, None, None) when the version is refused.
    rows: {key: (version, distro, type, name)}; rejected: number of rejected components."""
    if "bomFormat" in doc:
        spec = doc.get("specVersion")
        if spec not in ("1.4", "1.5", "1.6", "1.7"):
            return "CycloneDX", spec, None, None
        items = []
        def walk(cs):
            for c in cs:
                items.append(c)
                walk(c.get("components", []))
        walk(doc.get("components", []))
        items = [(c.get("type", "library"), c.get("name"), c.get("version"), c.get("purl"), c.get("cpe"), False)
                 for c in items]
    else:
        spec = doc.get("spdxVersion")
        described = set(doc.get("documentDescribes", []))
        described |= {r["relatedSpdxElement"] for r in doc.get("relationships", [])
                      if r.get("relationshipType") == "DESCRIBES" and r.get("spdxElementId") == doc.get("SPDXID", "SPDXRef-DOCUMENT")}
        items = []
        for p in doc.get("packages", []):
            refs = p.get("externalRefs", [])
            purl = next((r["referenceLocator"] for r in refs if r.get("referenceType") == "purl"), None)
            cpes = [r for r in refs if r.get("referenceType") in ("cpe23Type", "cpe22Type")]
            cpes.sort(key=lambda r: r["referenceType"] != "cpe23Type")
            cpe = cpes[0]["referenceLocator"] if cpes else None
            purpose = p.get("primaryPackagePurpose")
            if purpose == "OPERATING-SYSTEM" or p.get("SPDXID", "").startswith("SPDXRef-OperatingSystem-"):
                t = "operating-system"
            elif purpose in ("APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "FIRMWARE", "DEVICE", "FILE"):
                t = purpose.lower()
            else:
                t = "library"
            items.append((t, p.get("name"), p.get("versionInfo"), purl, cpe, p.get("SPDXID") in described))
    os_comp = next(((n, v) for t, n, v, pu, cp, _ in items if t == "operating-system" and n), None)
    rows, rejected = {}, 0
    for t, name, version, purl, cpe, subject in items:
        if not purl and not cpe:
            if t != "operating-system" and not subject:
                rejected += 1
            continue
        distro = None
        if purl:
            ptype, pname, pver, quals = purl_parts(purl)
            if pver is not None:
                version = pver
                if quals.get("epoch", "0") != "0" and ":" not in pver:
                    version = quals["epoch"] + ":" + pver
            name = name or pname
            distro = quals.get("distro")
            if distro is None and ptype in ("deb", "rpm", "apk") and os_comp:
                distro = os_comp[0].lower() + ("-" + os_comp[1] if os_comp[1] else "")
            key = purl
        else:
            key = cpe   # the examples' CPEs are already canonical 2.3 names
        rows.setdefault(key, (version or "", distro or "", t, name))
    return ("CycloneDX" if "bomFormat" in doc else "SPDX"), spec, rows, rejected

# ---- import every document, each into its own node ----------------------------------------
# the SBOMs only: compliance/ also holds the compliance tests' OSCAL cuts
files = sorted(f for d in ("cyclonedx", "spdx") for f in glob.glob(os.path.join(root, d) + "/**/*.json", recursive=True)
               if "/schema/" not in f)
check(len(files) >= 30, f"{len(files)} real SBOM documents found")
nodes = {}
for f in files:
    rel = os.path.relpath(f, root)
    doc = json.load(open(f))
    fmt, spec, rows, rejected = expected(doc)
    _, err = psql(f"INSERT INTO infracast.nodes (external_id, kind) VALUES ({lit(rel)}, 'host');")
    check(err is None, f"{rel}: node created {err or ''}")
    out, err = psql(f"SELECT format, spec_version, inserted, kept, removed, rejected, jsonb_array_length(rejections), "
                    f"(SELECT bool_and(r ? 'reason' AND r ? 'path') FROM jsonb_array_elements(rejections) r) "
                    f"FROM infracast.import_sbom({lit(rel)}, pg_read_file({lit(f)})::jsonb);")
    if rows is None:
        check(err is not None and "IC702" in err and "unsupported" in err,
              f"{rel}: {fmt} {spec} refused with IC702 ({err})")
        cnt, _ = psql(f"SELECT count(*) FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = {lit(rel)};")
        check(cnt == [["0"]], f"{rel}: nothing imported")
        continue
    if err:
        check(False, f"{rel}: import failed: {err}")
        continue
    r = out[0]
    nodes[rel] = len(rows)
    check(r[0] == fmt and r[1] == spec, f"{rel}: read as {r[0]} {r[1]}")
    check(int(r[2]) == len(rows) and int(r[3]) == 0 and int(r[4]) == 0,
          f"{rel}: {r[2]} software rows inserted (expected {len(rows)})")
    check(int(r[5]) == rejected and int(r[6]) == rejected and (rejected == 0 or r[7] == "t"),
          f"{rel}: {r[5]} components rejected with a path and reason (expected {rejected})")
    got, _ = psql(f"SELECT coalesce(s.purl, s.cpe), coalesce(s.version, ''), coalesce(c.distro, ''), c.component_type, s.name "
                  f"FROM infracast.software s JOIN infracast.sbom_components c ON c.software_id = s.id "
                  f"JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = {lit(rel)};")
    got = {g[0]: tuple(g[1:]) for g in got}
    want = {k: tuple(v) for k, v in rows.items()}
    diff = [(k, got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)]
    check(not diff, f"{rel}: purls/CPEs, versions, distros, types and names as in the file {diff[:3] if diff else ''}")

# spot checks of the quirks, straight from the files
fl, _ = psql("SELECT count(*) FILTER (WHERE c.distro = 'debian-10.2' AND s.purl LIKE 'pkg:deb/debian/%'), "
             "count(*) FILTER (WHERE s.purl LIKE 'pkg:gem/%' AND c.distro IS NULL) "
             "FROM infracast.software s JOIN infracast.sbom_components c ON c.software_id = s.id "
             "JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = 'cyclonedx/trivy/fluentd-multiple-lockfiles.cdx.json';")
check(fl == [["105", "55"]], f"Trivy CycloneDX 1.7: 105 deb packages with distro debian-10.2, 55 gems without a distro ({fl})")
sp, _ = psql("SELECT s.version FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id "
             "WHERE n.external_id = 'spdx/trivy/centos-7-spdx.json' AND s.name = 'openssl-libs';")
check(sp == [["1:1.0.2k-16.el7"]], f"Trivy SPDX 2.2: openssl-libs takes the purl's version with its epoch, not versionInfo ({sp})")

# ---- a second import of everything changes nothing --------------------------------------------
before, _ = psql("SELECT n.external_id, s.id, s.purl, s.cpe FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id ORDER BY 1, 2;")
same = True
for rel, n in nodes.items():
    out, err = psql(f"SELECT inserted, kept, removed, rejected FROM infracast.import_sbom({lit(rel)}, pg_read_file({lit(os.path.join(root, rel))})::jsonb);")
    if err or int(out[0][0]) != 0 or int(out[0][1]) != n or int(out[0][2]) != 0:
        same = False
        print(f"# {rel}: second import {out} {err}")
after, _ = psql("SELECT n.external_id, s.id, s.purl, s.cpe FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id ORDER BY 1, 2;")
check(same and before == after and len(after) == sum(nodes.values()) > 250, f"re-import is idempotent: {len(after)} software rows, same ids, none inserted or removed")

# ---- every OBOM validates against the CycloneDX 1.6 schema ------------------------------------
warnings.simplefilter("ignore", DeprecationWarning)
import jsonschema
from jsonschema import Draft7Validator, RefResolver
sdir = os.path.join(root, "cyclonedx/schema")
schema = json.load(open(os.path.join(sdir, "bom-1.6.schema.json")))
store = {}
for name in ("spdx.schema.json", "jsf-0.82.schema.json"):
    s = json.load(open(os.path.join(sdir, name)))
    store[name] = s
    store["http://cyclonedx.org/schema/" + name] = s
    if "$id" in s:
        store[s["$id"]] = s
validator = Draft7Validator(schema, resolver=RefResolver(base_uri="file://" + sdir + "/", referrer=schema, store=store))
bad = []
for rel, n in nodes.items():
    out, err = psql(f"SELECT infracast.export_obom({lit(rel)});")
    if err:
        bad.append((rel, err))
        continue
    bom = json.loads(out[0][0])
    errs = list(validator.iter_errors(bom))
    if errs or bom["specVersion"] != "1.6" or len(bom["components"]) < n:
        bad.append((rel, [e.message[:120] for e in errs[:2]], len(bom["components"])))
check(not bad, f"{len(nodes)} OBOMs valid against the CycloneDX 1.6 schema {bad[:2] if bad else ''}")
broken = dict(bom)
broken["components"] = [dict(bom["components"][0], type="teapot")] + bom["components"][1:]
check(list(validator.iter_errors(broken)) != [], "a broken OBOM (component type teapot) fails the schema check")
broken = dict(bom)
broken["components"] = [dict(bom["components"][0], licenses=[{"license": {"id": "NOT-AN-SPDX-ID"}}])] + bom["components"][1:]
check(list(validator.iter_errors(broken)) != [], "a licence id outside SPDX's list fails too (the referenced spdx.schema.json is read)")
sys.exit(1 if failures else 0)
PY
