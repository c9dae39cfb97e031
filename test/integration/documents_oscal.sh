#!/usr/bin/env bash
# The generated documents on the demo's enterprise (tenant acme, 697 nodes), with findings, KEV due
# dates and a MODERATE assessment:
#  - SSP, assessment results and POA&M pass a structural check against the OSCAL 1.1.2 model as the
#    NIST ifa_* examples (test/data/compliance/oscal/examples) show it: the required keys of each
#    model, every key path either one the NIST example of the same model uses or a listed OSCAL
#    assembly the examples lack (props, back-matter, relevant-evidence, ...), UUIDs of version 4 or
#    5, unique, every reference resolved (components, parties, roles, observations, risks,
#    back-matter "#uuid" links, and across documents: AR/POA&M subjects are SSP inventory items, AR
#    findings point at SSP statements), no empty arrays, strings or nulls, RFC 3339 dates. The same
#    checks run on the NIST examples themselves, so the checker is shown to accept the real thing.
#    No OSCAL JSON schema is run: none ships with the test data (docs/documents.md says why).
#  - regenerating with the same as_of gives byte-identical documents; changing one node changes
#    only that node's inventory item (ids are stable, so the documents diff cleanly);
#  - the CSVs have the FedRAMP / eMASS columns, 24 fields a row; the HTML report is self-contained.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EX="${IC_TEST_DATA:?run through make test}/compliance/oscal/examples"
db=ic_documents_oscal
out=$(mktemp -d /tmp/ic-documents.XXXXXX)
trap 'rm -rf "$out"; [ -n "${IC_KEEP_DB:-}" ] || psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
PGOPTIONS='-c client_min_messages=warning' psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
psql -qX -v ON_ERROR_STOP=1 -d $db -f "$ROOT/demo/sql/10_inventory.sql" >/dev/null 2>&1 \
    || { echo "could not load the demo enterprise (demo/sql/10_inventory.sql)"; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL' || { echo "could not set up findings and an assessment"; exit 1; }
SET client_min_messages = warning;
BEGIN;
SELECT infracast.set_tenant('acme');
-- two exploited CVEs (KEV rows of our own, one due in the past) on web and app hosts, one plain CVE
INSERT INTO infracast.kev (cve_id, vendor_project, product, due_date) VALUES
    ('CVE-2099-80001', 'test', 'test', DATE '2021-12-24'), ('CVE-2099-80002', 'test', 'test', DATE '2099-06-30');
INSERT INTO infracast.software (node_id, name, vendor, version, cpe)
SELECT id, 'httpd', 'apache', '2.4.49', 'cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*' FROM infracast.nodes WHERE tenant_id = infracast.current_tenant() AND external_id LIKE 'web-%';
INSERT INTO infracast.findings (node_id, software_id, cve_id, status, priority, risk, first_seen)
SELECT s.node_id, s.id, 'CVE-2099-80001', 'open', 'act', 91, TIMESTAMPTZ '2026-11-01 00:00Z' FROM infracast.software s WHERE s.tenant_id = infracast.current_tenant() AND s.name = 'httpd';
INSERT INTO infracast.findings (node_id, cve_id, status, priority, risk, first_seen)
SELECT id, 'CVE-2099-80002', 'open', 'attend', 60, TIMESTAMPTZ '2026-11-02 00:00Z' FROM infracast.nodes WHERE tenant_id = infracast.current_tenant() AND external_id LIKE 'app-%';
INSERT INTO infracast.findings (node_id, cve_id, status, priority, risk, first_seen)
SELECT id, 'CVE-2099-80003', 'open', 'track', 20, TIMESTAMPTZ '2026-11-03 00:00Z' FROM infracast.nodes WHERE tenant_id = infracast.current_tenant() AND external_id = 'dc-1';
INSERT INTO infracast.compliance_poam_items (control_id, title, due_date) VALUES ('ra-5', 'scan weekly', DATE '2027-01-31');
SELECT infracast.compliance_assess('moderate');
COMMIT;
SQL
# gen KIND FILE: the document of acme as of a fixed time
gen() {
    psql -qXAt -v ON_ERROR_STOP=1 -d $db -c "SELECT infracast.set_tenant('acme', false)" \
        -c "SELECT content FROM infracast.render_document('$1', 'moderate', '2026-12-01 00:00Z')" | tail -n +2 >"$2"
}
fail=0
for k in ssp assessment-results poam inventory poam-csv report; do
    gen $k "$out/$k.1" || { echo "not ok - $k: generation failed"; fail=1; continue; }
    gen $k "$out/$k.2"
    if cmp -s "$out/$k.1" "$out/$k.2" && [ -s "$out/$k.1" ]; then echo "ok - $k: regenerated with the same as_of, byte-identical ($(wc -c <"$out/$k.1") bytes)"
    else echo "not ok - $k: two generations differ"; fail=1; fi
done
# one node changes: only its inventory item moves in the SSP
psql -qX -v ON_ERROR_STOP=1 -d $db -c "BEGIN" -c "SELECT infracast.set_tenant('acme', false)" \
    -c "UPDATE infracast.nodes SET attrs = attrs || '{\"location\": \"rack 7\"}' WHERE tenant_id = infracast.current_tenant() AND external_id = 'dc-1'" -c "COMMIT" >/dev/null
gen ssp "$out/ssp.3"
assets=$(psql -qXAt -d $db -c "SELECT infracast.set_tenant('acme', false)" -c "SELECT count(*) FROM infracast.document_assets" | tail -n 1)
python3 - "$out" "$EX" "$assets" <<'PY' || fail=1
import csv, hashlib, io, json, re, sys
from html.parser import HTMLParser
out, ex, n_assets = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = 0
def ok(cond, name):
    global failed
    print(("ok - " if cond else "not ok - ") + name)
    if not cond: failed += 1

UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[45][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$')
DATE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
TOKEN = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
# Required keys of each model (OSCAL 1.1.2 metaschema: the min-occurs=1 members we and NIST emit).
REQUIRED = {
    'system-security-plan': {'': ['uuid', 'metadata', 'import-profile', 'system-characteristics', 'system-implementation', 'control-implementation'],
        '/metadata': ['title', 'last-modified', 'version', 'oscal-version'], '/import-profile': ['href'],
        '/system-characteristics': ['system-ids', 'system-name', 'description', 'system-information', 'status', 'authorization-boundary'],
        '/system-characteristics/system-information/information-types': ['uuid', 'title', 'description'],
        '/system-implementation': ['users', 'components'], '/system-implementation/components': ['uuid', 'type', 'title', 'description', 'status'],
        '/system-implementation/inventory-items': ['uuid', 'description'],
        '/control-implementation': ['description', 'implemented-requirements'],
        '/control-implementation/implemented-requirements': ['uuid', 'control-id'],
        '/control-implementation/implemented-requirements/by-components': ['component-uuid', 'uuid', 'description']},
    'assessment-results': {'': ['uuid', 'metadata', 'import-ap', 'results'], '/metadata': ['title', 'last-modified', 'version', 'oscal-version'],
        '/import-ap': ['href'], '/results': ['uuid', 'title', 'description', 'start', 'reviewed-controls'],
        '/results/observations': ['uuid', 'description', 'methods', 'collected'],
        '/results/findings': ['uuid', 'title', 'description', 'target'], '/results/findings/target': ['type', 'target-id', 'status'],
        '/results/findings/target/status': ['state']},
    'plan-of-action-and-milestones': {'': ['uuid', 'metadata', 'poam-items'], '/metadata': ['title', 'last-modified', 'version', 'oscal-version'],
        '/observations': ['uuid', 'description', 'methods', 'collected'], '/risks': ['uuid', 'title', 'description', 'statement', 'status'],
        '/poam-items': ['title', 'description']},
}
# OSCAL assemblies and fields we emit that the NIST ifa_* example of the model happens not to use.
EXTRA_OK = [r'/props(/(name|ns|value))?$', r'/back-matter(/.*)?$', r'/relevant-evidence(/.*)?$',
            r'^/plan-of-action-and-milestones/local-definitions(/components(/.*)?)?$', r'/observations/origins(/.*)?$']

def walk(o, p='', acc=None):
    acc = {} if acc is None else acc
    if isinstance(o, dict):
        for k, v in o.items():
            acc.setdefault(p + '/' + k, []).append(v); walk(v, p + '/' + k, acc)
    elif isinstance(o, list):
        for x in o: walk(x, p, acc)
    return acc

def values(paths, suffix):
    return [v for p, vs in paths.items() if p.endswith(suffix) for v in vs]

def structural(doc, label, strict):
    (model, body), = doc.items()
    paths = walk(body, '')
    for parent, keys in REQUIRED[model].items():
        objs = [body] if parent == '' else [o for o in paths.get(parent, []) for o in (o if isinstance(o, list) else [o])]
        missing = sorted({k for o in objs for k in keys if k not in o})
        ok(not missing, f'{label}: required keys of {model}{parent or "/"} present' + (f' (missing {missing})' if missing else ''))
    uuids = values(paths, '/uuid')
    ok(uuids and all(UUID.match(u) for u in uuids), f'{label}: {len(uuids)} uuids, all RFC 4122 version 4 or 5')
    ok(len(set(uuids)) == len(uuids), f'{label}: uuids unique')
    dates = values(paths, '/last-modified') + values(paths, '/collected') + values(paths, '/deadline') + values(paths, '/start') + values(paths, '/end')
    ok(all(DATE.match(d) for d in dates), f'{label}: {len(dates)} dates in RFC 3339 with a zone')
    names = values(paths, '/props/name')
    ok(all(TOKEN.match(n) for n in names), f'{label}: prop names are OSCAL tokens')
    if not strict:
        return paths
    empties = [p for p, vs in paths.items() for v in vs if v in ([], {}, '', None)]
    ok(not empties, f'{label}: no empty arrays, objects, strings or nulls' + (f' ({sorted(set(empties))[:5]})' if empties else ''))
    # references inside the document
    def refs(suffix, targets, what):
        got = [r for v in values(paths, suffix) for r in (v if isinstance(v, list) else [v])]
        bad = sorted(set(got) - set(targets))
        ok(not bad, f'{label}: {len(got)} {what} references resolve' + (f' (unresolved {bad[:3]})' if bad else ''))
    refs('/component-uuid', values(paths, '/components/uuid'), 'component-uuid')
    refs('/party-uuids', values(paths, '/parties/uuid'), 'party-uuid')
    refs('/role-id', values(paths, '/roles/id'), 'role-id')
    refs('/role-ids', values(paths, '/roles/id'), 'role-ids')
    refs('/observation-uuid', values(paths, '/observations/uuid'), 'observation-uuid')
    refs('/risk-uuid', values(paths, '/risks/uuid'), 'risk-uuid')
    refs('/actor-uuid', values(paths, '/components/uuid'), 'actor-uuid')
    hrefs = [h[1:] for h in values(paths, '/href') if h.startswith('#')]
    ok(set(hrefs) <= set(values(paths, '/back-matter/resources/uuid')), f'{label}: "#uuid" links resolve to back-matter')
    return paths

def nist_paths(f):
    return set(walk(json.load(open(f'{ex}/{f}')), ''))

pairs = [('ssp', 'ifa_ssp-example.json'), ('assessment-results', 'ifa_assessment-results-example.json'),
         ('poam', 'ifa_plan-of-action-and-milestones.json')]
docs = {}
for kind, nist in pairs:
    structural(json.load(open(f'{ex}/{nist}')), 'NIST ' + nist, False)
    docs[kind] = json.load(open(f'{out}/{kind}.1'))
    ours = set(walk(docs[kind], ''))
    extra = sorted(p for p in ours - nist_paths(nist) if not any(re.search(x, p) for x in EXTRA_OK))
    ok(not extra, f'{kind}: every key path is one the NIST example uses or a listed OSCAL assembly' + (f' (not: {extra[:5]})' if extra else ''))
    ok(list(docs[kind]) == list(json.load(open(f'{ex}/{nist}'))), f'{kind}: root model is {list(docs[kind])[0]}')
    docs[kind + '.paths'] = structural(docs[kind], kind, True)

ssp = docs['ssp']['system-security-plan']
items = {i['uuid']: i for i in ssp['system-implementation']['inventory-items']}
bycomp = {b['uuid'] for r in ssp['control-implementation']['implemented-requirements'] for b in r['by-components']}
ok(len(items) == n_assets, f'ssp: {len(items)} inventory items, one per asset (node of a licensable kind)')
props = {p['name'] for i in items.values() for p in i['props']}
ok({'asset-id', 'ipv4-address', 'virtual', 'public', 'asset-type', 'fqdn'} <= props, 'ssp: inventory items carry the FedRAMP inventory props')
states = {b['implementation-status']['state'] for r in ssp['control-implementation']['implemented-requirements'] for b in r['by-components']}
ok(len(ssp['control-implementation']['implemented-requirements']) == 287 and {'implemented', 'partial', 'planned'} <= states,
   f'ssp: 287 MODERATE implemented requirements, statuses {sorted(states)}')
ar = docs['assessment-results']['assessment-results']
subj = [s['subject-uuid'] for o in ar['results'][0]['observations'] for s in o.get('subjects', [])]
ok(subj and set(subj) <= set(items), f'assessment-results: {len(subj)} observation subjects are SSP inventory items')
stmts = [f['implementation-statement-uuid'] for f in ar['results'][0]['findings']]
ok(set(stmts) <= bycomp, f'assessment-results: {len(stmts)} findings point at SSP implementation statements')
poam = docs['poam']['plan-of-action-and-milestones']
psubj = [s['subject-uuid'] for o in poam['observations'] for s in o.get('subjects', [])]
ok(set(psubj) <= set(items), 'poam: observation subjects are SSP inventory items')
kev = [r for r in poam['risks'] if r['title'].startswith('CVE-2099-80001')]
ok(kev and all(r['deadline'] == '2021-12-24T23:59:59Z' for r in kev), f'poam: {len(kev)} KEV risks take the KEV due date as deadline')
plain = [r for r in poam['risks'] if r['title'].startswith('CVE-2099-80003')]
ok(len(plain) == 1 and plain[0]['deadline'] == '2027-05-01T23:59:59Z', 'poam: a non-KEV track finding is due 180 days after first seen')
paths_r = [r for r in poam['risks'] if r['title'].startswith('Attack path')]
ok(len(paths_r) > 0, f'poam: {len(paths_r)} attack-path risks')
ok(len(poam['poam-items']) == len(poam['risks']) + 1, 'poam: one item per risk, plus the open manual POA&M item')

# stable ids: after one node changed, only its inventory item differs
a, b = docs['ssp'], json.load(open(f'{out}/ssp.3'))
ia = {i['uuid']: i for i in a['system-security-plan']['system-implementation']['inventory-items']}
ib = {i['uuid']: i for i in b['system-security-plan']['system-implementation']['inventory-items']}
changed = [u for u in ia if ia[u] != ib.get(u)]
ok(set(ia) == set(ib) and len(changed) == 1 and any(p['value'] == 'rack 7' for p in ib[changed[0]]['props']),
   'ssp: after one node moved, the same ids and only its inventory item changed')
a['system-security-plan']['system-implementation']['inventory-items'] = b['system-security-plan']['system-implementation']['inventory-items'] = None
ok(a == b, 'ssp: nothing else changed')

# CSVs
IIW = ['UNIQUE ASSET IDENTIFIER', 'IPv4 or IPv6 Address', 'Virtual', 'Public', 'DNS Name or URL', 'NetBIOS Name', 'MAC Address',
       'Authenticated Scan', 'Baseline Configuration Name', 'OS Name and Version', 'Location', 'Asset Type', 'Hardware Make/Model',
       'In Latest Scan', 'Software/ Database Vendor', 'Software/ Database Name & Version', 'Patch Level', 'Diagram Label', 'Comments',
       'Serial #/Asset Tag#', 'VLAN/Network ID', 'System Administrator/ Owner', 'Application Administrator/ Owner', 'Function']
def csvtext(f):  # psql ends its output with a newline of its own
    t = open(f, newline='').read()
    return t[:-1] if t.endswith('\r\n\n') else t
raw = csvtext(f'{out}/inventory.1')
rows = list(csv.reader(io.StringIO(raw, newline='')))
ok(rows[0] == IIW, 'inventory.csv: the FedRAMP Integrated Inventory Workbook columns, in order')
ok(all(len(r) == 24 for r in rows) and raw.count('\r\n') == len(rows), f'inventory.csv: {len(rows) - 1} rows of 24 fields, CRLF')
sw = [r for r in rows[1:] if r[11] == 'Software']
ok(len(rows) - 1 - len(sw) == n_assets and len(sw) > 0, f'inventory.csv: {n_assets} hardware rows and {len(sw)} software rows')
prow = list(csv.reader(io.StringIO(csvtext(f'{out}/poam-csv.1'), newline='')))
ok(prow[0][:3] == ['POA&M Item ID', 'Control Vulnerability Description', 'Security Control Number (NC/NA controls only)']
   and len(prow[0]) == 24 and all(len(r) == 24 for r in prow), f'poam.csv: eMASS columns, {len(prow) - 1} rows of 24 fields')
ok(len(prow) - 1 == len(poam['risks']), 'poam.csv: one row per POA&M risk')
ok({r[0] for r in prow[1:]} <= {i['uuid'] for i in poam['poam-items']}, 'poam.csv: item ids are the POA&M items\' uuids')

# the report: self-contained
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = []; self.ext = []; self.ids = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag); a = dict(attrs)
        for k in ('src', 'href', 'xlink:href'):
            if k in a and not a[k].startswith('#'): self.ext.append(a[k])
        if 'id' in a: self.ids.append(a['id'])
p = P(); p.feed(open(f'{out}/report.1').read())
ok('script' not in p.tags and 'link' not in p.tags and 'img' not in p.tags and not p.ext, 'report: no script, no external reference')
ok(p.ids == ['exposure', 'paths', 'choke-points', 'remediation', 'findings', 'compliance'], f'report: its six sections {p.ids}')
ok(p.tags.count('svg') == 2, 'report: two inline SVG charts (findings by priority, compliance per family)')
sys.exit(1 if failed else 0)
PY
exit $fail
