#!/usr/bin/env bash
# Demo step (feeds): generate a small dated feed bundle on the spot (no network), load it with
# infracast.load_feed_bundle() and show infracast.feed_status.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO=${IC_DEMO:?run through make demo}
BUNDLE="$DEMO/feeds-$(date -u +%Y-%m-%d)"
rm -rf "$BUNDLE"
bash "$ROOT/test/fixtures/feeds/make_bundle.sh" "$BUNDLE"
echo
echo "== feeds: loading the generated bundle $BUNDLE (manifest.json checked first)"
psql -X -q -v ON_ERROR_STOP=1 -d infracast <<SQL
SELECT feed, rows, version, state, message FROM infracast.load_feed_bundle('$BUNDLE');
\echo == infracast.feed_status
SELECT feed, rows, state, feed_date::date AS feed_date, source_path FROM infracast.feed_status ORDER BY feed;
\echo == infracast.kev: the bundle carries the five-entry seed catalogue
SELECT k.cve_id, k.vendor_project, k.product, k.known_ransomware_campaign_use AS ransomware
  FROM infracast.kev k ORDER BY k.date_added DESC LIMIT 5;
\echo == NVD: the modified feed replaced CVE-2099-0001 with a newer version, and kept the newer CVE-2099-0002
SELECT id, vuln_status, last_modified::date, nvd_feed, cvss_v40_score FROM infracast.cve ORDER BY id;
SQL
