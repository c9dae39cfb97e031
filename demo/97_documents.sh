#!/usr/bin/env bash
# Demo step 97 (documents; after 95 so that the assessment exists): generate the HTML report and
# the three OSCAL documents (SSP, assessment results, POA&M) of tenant acme, plus the FedRAMP-style
# inventory and the eMASS-style POA&M as CSV; keep each in infracast.reports with its sha256,
# write them under .infracast/out, check the files against the stored sha256 and print the paths.
set -euo pipefail
DEMO=${IC_DEMO:?run through make demo}
OUT="$DEMO/out"
mkdir -p "$OUT"
echo
echo "== documents: acme's report and OSCAL documents, stored in infracast.reports and written to $OUT"
for kind in report ssp assessment-results poam inventory poam-csv; do
    # base64 carries the stored text byte for byte through psql
    row=$(psql -qXAt -v ON_ERROR_STOP=1 -d infracast -F ' ' -c "BEGIN" -c "SELECT infracast.set_tenant('acme')" \
        -c "SELECT r.id, r.filename, r.sha256, translate(encode(convert_to(r.content, 'UTF8'), 'base64'), E'\n', '')
              FROM infracast.store_document('$kind', 'moderate') r" -c "COMMIT" | sed -n 2p)
    read -r id file sha b64 <<<"$row"
    base64 -d <<<"$b64" >"$OUT/$file"
    got=$(sha256sum "$OUT/$file" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || { echo "$OUT/$file does not match its stored sha256" >&2; exit 1; }
    printf '  %-20s %-60s sha256 %s (infracast.reports id %s)\n' "$kind" "$OUT/$file" "${sha:0:16}…" "$id"
done
