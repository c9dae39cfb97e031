#!/usr/bin/env bash
# Makes the compliance tests' cuts of the NIST OSCAL content (test/data/SOURCES.md, "Compliance").
# Usage: make_cuts.sh /path/to/corpus/compliance/oscal   (writes into this script's folder)
#   resolved-ids/{LOW,MODERATE,HIGH}.txt  the control ids of NIST's resolved baseline catalogs
#                                         (5.1.1), every control and enhancement, sorted, one a line
#   rev5.1.1-ac-1-2-cut.json              the LOW resolved catalog cut to group ac with controls ac-1
#                                         and ac-2 (their params carry the new ids and alt-identifier)
set -euo pipefail
src=${1:?usage: $0 /path/to/compliance/oscal}
out=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/resolved-ids"
python3 - "$src" "$out" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
rc = src + '/resolved-catalogs/NIST_SP-800-53_rev5_%s-baseline-resolved-profile_catalog%s.json'
def ids(controls):
    for c in controls:
        yield c['id']
        yield from ids(c.get('controls', []))
for level, suffix in (('LOW', ''), ('MODERATE', ''), ('HIGH', '-min')):
    cat = json.load(open(rc % (level, suffix)))['catalog']
    got = sorted(i for g in cat['groups'] for i in ids(g.get('controls', [])))
    open('%s/resolved-ids/%s.txt' % (out, level), 'w').write('\n'.join(got) + '\n')
doc = json.load(open(rc % ('LOW', '')))
cat = doc['catalog']
ac = [g for g in cat['groups'] if g['id'] == 'ac'][0]
ac['controls'] = [c for c in ac['controls'] if c['id'] in ('ac-1', 'ac-2')]
cat['groups'] = [ac]
cat.pop('back-matter', None)
json.dump(doc, open(out + '/rev5.1.1-ac-1-2-cut.json', 'w'), indent=1, ensure_ascii=False)
PY
