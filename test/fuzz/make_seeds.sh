#!/bin/bash
# Seeds the fuzz_nvd corpus (make fuzz-seeds): the hand-written documents in test/fuzz/seeds, edge
# cases generated here, and, when the real feed files are at hand (test/data, or
# IC_TEST_DATA), a few CVE records cut from them. The cut records stay in the corpus folder,
# which git ignores: copies of the real files are not committed.
set -euo pipefail
out=${1:-test/fuzz/corpus}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cp "$here"/seeds/*.json "$out"/

rec() {	# a document around one record: rec NAME RECORD
	printf '{"totalResults":1,"format":"NVD_CVE","vulnerabilities":[%s]}' "$2" > "$out/gen-$1.json"
}
cve='"id":"CVE-2099-0100","lastModified":"2099-01-01T00:00:00","vulnStatus":"Analyzed"'

# nesting around the limit (64 inside a record, 32 for json-c)
for d in 31 32 33 62 63 64 65 200; do
	open=$(printf '[%.0s' $(seq $d)); close=$(printf ']%.0s' $(seq $d))
	rec "deep$d" "{\"cve\":{$cve,\"x\":$open$close}}"
	printf '%s%s' "$open" "$close" > "$out/gen-array-deep$d.json"
done
# long strings, plain and escaped, and a long number
long=$(head -c 60000 /dev/zero | tr '\0' 'a')
rec long-string "{\"cve\":{$cve,\"descriptions\":[{\"lang\":\"en\",\"value\":\"$long\"}]}}"
esc=$(for i in $(seq 2000); do printf '\\u00e9\\ud83d\\ude00'; done)
rec long-escapes "{\"cve\":{$cve,\"descriptions\":[{\"lang\":\"en\",\"value\":\"$esc\"}]}}"
rec long-number "{\"cve\":{$cve,\"metrics\":{\"cvssMetricV31\":[{\"cvssData\":{\"baseScore\":1.${long//a/7}e-5}}]}}}"
# many small cpeMatch and many weaknesses
m=$(for i in $(seq 300); do printf '{"criteria":"cpe:2.3:a:v%d:p:%d:*:*:*:*:*:*:*"},' $i $i; done)
rec many-matches "{\"cve\":{$cve,\"configurations\":[{\"nodes\":[{\"cpeMatch\":[${m%,}]}]}]}}"
w=$(for i in $(seq 100); do printf '{"value":"CWE-%d"},' $i; done)
rec many-cwes "{\"cve\":{$cve,\"weaknesses\":[{\"description\":[${w%,}]}]}}"
# a long header value, scalars at the end of the input, plain values for json_pull
printf '{"timestamp":"%s","vulnerabilities":[]}' "$long" > "$out/gen-long-header.json"
printf '{"totalResults":1,"x":[{"a":[1,2,{"b":"c"}]}],"vulnerabilities":[{"cve":{%s}}],"after":12}' "$cve" > "$out/gen-member-after.json"
printf '12' > "$out/gen-number.json"
printf '"\\ud800\\udbff\\udc00\\u0000x"' > "$out/gen-string.json"
printf ' \t\r\n{"a" : [true , false , null , -0.0e-0 , "" ] }  ' > "$out/gen-spaces.json"
# every truncation of the small document
min="$here/seeds/minimal.json"
n=$(stat -c %s "$min")
for ((i = 0; i < n; i++)); do head -c $i "$min" > "$out/gen-trunc-$i.json"; done

# records cut from the real files
shared=${IC_TEST_DATA:-}
[ -z "$shared" ] && shared=$(source "$here/../harness/lib.sh" && restore_test_data)
if [ -n "$shared" ] && command -v python3 >/dev/null; then
	python3 - "$shared/feeds/nvd" "$out" <<'PY'
import glob, gzip, json, os, sys
src, out = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(glob.glob(os.path.join(src, '*', '*.json*'))):
    with (gzip.open if f.endswith('.gz') else open)(f, 'rt') as fh:
        doc = json.load(fh)
    vulns = doc.get('vulnerabilities', [])
    head = {k: v for k, v in doc.items() if k != 'vulnerabilities'}
    fit = [v for v in vulns if len(json.dumps(v, indent=2)) < 60000]
    picked = []
    for v in fit:  # one of each kind: with CVSS 4.0, 3.1, 2, with cpeMatch, rejected, the largest under 60 KB
        c = v['cve']
        m = c.get('metrics', {})
        for key in ('cvssMetricV40', 'cvssMetricV31', 'cvssMetricV2', 'configurations', 'Rejected'):
            if (key in m or key in c or c.get('vulnStatus') == key) and key not in [p[0] for p in picked]:
                picked.append((key, v))
    if fit:
        picked.append(('largest', max(fit, key=lambda v: len(json.dumps(v, indent=2)))))
    for key, v in picked[:6]:
        d = dict(head, totalResults=1, resultsPerPage=1, vulnerabilities=[v])
        with open(os.path.join(out, 'real-%s-%s.json' % (v['cve']['id'], key)), 'w') as o:
            json.dump(d, o, indent=2, ensure_ascii=False)
        n += 1
print('fuzz seeds: %d records cut from the real NVD files' % n)
PY
else
	echo "fuzz seeds: no real NVD files (test/data) or no python3: hand-written seeds only"
fi
echo "fuzz seeds: $(ls "$out" | wc -l) files in $out"
