#!/usr/bin/env bash
# Feeds: load every real feed file in test/data/feeds and check counts and chosen records
# against the files themselves; then every bad input of issue 4 must fail with its SQLSTATE, leave
# the data loaded before untouched, and leave a committed 'error' row in infracast.feed_status.
#
# Each psql call is its own transaction, as an operator's would be.
set -uo pipefail
DB=feeds_load_it
export PGOPTIONS="-c client_min_messages=warning"
fail=0; n=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
bad()  { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
q()    { psql -X -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
is()   { if [ "$2" == "$3" ]; then ok "$1"; else bad "$1: got '$2', want '$3'"; fi; }

if [ -z "${IC_TEST_DATA:-}" ] || [ ! -d "$IC_TEST_DATA/feeds" ]; then
    echo "not ok - test data is ABSENT (IC_TEST_DATA is empty; run through make test): the real feed files cannot be loaded"
    exit 1
fi
S="$IC_TEST_DATA/feeds"
FX="$IC_FIXTURES/feeds"
W=$(mktemp -d "${IC_STAGE:-/tmp}/feeds_load.XXXXXX"); chmod 755 "$W"
trap 'rm -rf "$W"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || exit 1
q "CREATE EXTENSION infracast" >/dev/null || exit 1
# The real files are old: staleness is tested on its own below; here the states must be 'ok'.
psql -X -q -d postgres -c "ALTER DATABASE $DB SET infracast.feed_max_age = 0" >/dev/null

# expect_error NAME SQLSTATE FEED SQL: the call fails with SQLSTATE and feed_status records the error.
expect_error() {
    local name=$1 state=$2 feed=$3 sql=$4 out
    out=$(psql -X -At -v VERBOSITY=sqlstate -d "$DB" -c "$sql" 2>&1)
    if grep -q "ERROR:  $state" <<<"$out"; then ok "$name: fails with $state"; else bad "$name: expected $state, got: $out"; fi
    is "$name: feed_status records the error" "$(q "SELECT state FROM infracast.feed_status WHERE feed = '$feed'")" "error"
}

# ---- the embedded seed ----------------------------------------------------------------------------
is "seed KEV is loaded at CREATE EXTENSION and reported" \
   "$(q "SELECT state, source_path LIKE 'embedded seed%', rows > 0 FROM infracast.feed_status WHERE feed = 'kev'")" "warning|t|t"

# ---- KEV ------------------------------------------------------------------------------------------
KEV="$S/kev/cisagov-kev-data/known_exploited_vulnerabilities.json"
want=$(grep -c '"cveID"' "$KEV")
is "KEV loads: rows = entries in the file ($want)" "$(q "SELECT rows FROM infracast.load_kev('$KEV')")" "$want"
is "KEV table holds them" "$(q "SELECT count(*) FROM infracast.kev")" "$want"
is "KEV: catalogVersion and ok state" "$(q "SELECT version, state, sha256 FROM infracast.feed_status WHERE feed = 'kev'")" \
   "2025.08.25|ok|$(sha256sum "$KEV" | cut -d' ' -f1)"
is "KEV: Known ransomware entries as in the file" "$(q "SELECT count(*) FROM infracast.kev WHERE known_ransomware_campaign_use = 'Known'")" \
   "$(grep -c '"knownRansomwareCampaignUse": "Known"' "$KEV")"
is "KEV: CVE-2025-48384 record" "$(q "SELECT vendor_project, product, date_added, due_date, 'CWE-59' = ANY (cwes) FROM infracast.kev WHERE cve_id = 'CVE-2025-48384'")" \
   "Git|Git|2025-08-25|2025-09-15|t"

# ---- EPSS -----------------------------------------------------------------------------------------
for f in quay-claircore/data.csv aboutcode-vulnerablecode/epss_scores-2025-x-x.csv; do
    want=$(grep -c '^CVE-' "$S/epss/$f")
    is "EPSS $f: rows = lines in the file ($want)" "$(q "SELECT rows FROM infracast.load_epss('$S/epss/$f')")" "$want"
    is "EPSS $f: table count" "$(q "SELECT count(*) FROM infracast.epss")" "$want"
done
is "EPSS: model and score_date from the comment line (Z)" "$(q "SELECT DISTINCT model_version, score_date FROM infracast.epss")" \
   "v2025.03.14|2025-12-26 12:55:00+00"
is "EPSS: scientific notation 7e-05" "$(q "SELECT epss = 7e-05, percentile FROM infracast.epss WHERE cve = 'CVE-2025-9970'")" "t|0.00428"
q "SELECT rows FROM infracast.load_epss('$S/epss/quay-claircore/data.csv')" >/dev/null
is "EPSS: score_date ending in +0000" "$(q "SELECT DISTINCT model_version, score_date FROM infracast.epss")" \
   "v2023.03.01|2024-10-25 00:00:00+00"
is "EPSS: a chosen record" "$(q "SELECT epss, percentile FROM infracast.epss WHERE cve = 'CVE-1999-0005'")" "0.91963|0.9903"
is "EPSS: an older two-column file loads without model_version" \
   "$(q "SELECT rows, version IS NULL, message LIKE '%no #model_version%' FROM infracast.load_epss('$FX/epss_two_column.csv')")" "3|t|t"
is "EPSS: gzip with CRLF and scientific notation" \
   "$(q "SELECT rows FROM infracast.load_epss('$FX/epss_scientific.csv.gz')"), $(q "SELECT epss FROM infracast.epss WHERE cve = 'CVE-2024-0003'")" "4, 0.00015"

# ---- Feodo ----------------------------------------------------------------------------------------
for f in jainidhya-CSV/ipblocklist.csv kotesh442-kotichowdary/ipblocklist.csv wizard-projects-abuse.chC2Feeds/ipblocklist.csv \
         pavankalyankaki-cyberintern_Task04/ipblocklist.csv cesar214567-PC2_Redes/ipblocklist_aggressive.csv; do
    want=$(grep -c '^"[0-9]' "$S/feodo/$f")
    is "Feodo $f: rows = rows in the file ($want)" "$(q "SELECT rows FROM infracast.load_feodo('$S/feodo/$f')")" "$want"
    is "Feodo $f: table count" "$(q "SELECT count(*) FROM infracast.feodo")" "$want"
done
is "Feodo aggressive list: families as in the file" "$(q "SELECT string_agg(malware || '=' || n, ',' ORDER BY malware) FROM (SELECT malware, count(*) n FROM infracast.feodo GROUP BY 1) s")" \
   "$(grep '^"[0-9]' "$S/feodo/cesar214567-PC2_Redes/ipblocklist_aggressive.csv" | awk -F'","' '{gsub(/"|\r/,"",$6); c[$6]++} END {for (m in c) print m "=" c[m]}' | sort | paste -sd,)"
q "SELECT rows FROM infracast.load_feodo('$S/feodo/jainidhya-CSV/ipblocklist.csv')" >/dev/null
is "Feodo: first row of the 750 list (CRLF, no final newline)" \
   "$(q "SELECT port, status, first_seen, last_online, malware FROM infracast.feodo WHERE ip = '51.178.161.32'")" \
   "4643|online|2021-01-17 07:44:46+00|2021-12-20|Dridex"
is "Feodo: banner date is the feed date" "$(q "SELECT feed_date FROM infracast.feed_status WHERE feed = 'feodo'")" "2021-12-20 00:03:32+00"

# ---- NVD ------------------------------------------------------------------------------------------
N="$S/nvd/teundeclercq-nvd-mirror"
want=$(zcat "$N/nvdcve-2002.json.gz" | grep -c '"id" *: *"CVE-')
is "NVD 2002 (gzip, CRLF, .meta): rows = CVEs in the file ($want)" "$(q "SELECT rows FROM infracast.load_nvd('$N/nvdcve-2002.json.gz')")" "$want"
is "NVD 2002: table count" "$(q "SELECT count(*) FROM infracast.cve WHERE nvd_feed = '2002'")" "$want"
is "NVD 2002: Deferred CVEs as in the file" "$(q "SELECT count(*) FROM infracast.cve WHERE vuln_status = 'Deferred'")" \
   "$(zcat "$N/nvdcve-2002.json.gz" | grep -c '"vulnStatus" : "Deferred"')"
is "NVD 2002: cpeMatch rows as in the file" "$(q "SELECT count(*) FROM infracast.cve_cpe_match")" \
   "$(zcat "$N/nvdcve-2002.json.gz" | grep -c '"criteria" :')"
is "NVD 2002: the .meta sha256 was checked" "$(q "SELECT message LIKE '%checked against the .meta%' FROM infracast.feed_status WHERE feed = 'nvd:2002'")" "t"
is "NVD: a folder loads year, modified and recent files" "$(q "SELECT string_agg(feed || '=' || rows, ',' ORDER BY feed) FROM infracast.load_nvd('$N')")" \
   "nvd:2002=$(zcat "$N/nvdcve-2002.json.gz" | grep -c '"id" *: *"CVE-'),nvd:2003=$(zcat "$N/nvdcve-2003.json.gz" | grep -c '"id" *: *"CVE-'),nvd:modified=$(zcat "$N/nvdcve-modified.json.gz" | grep -c '"id" *: *"CVE-'),nvd:recent=$(zcat "$N/nvdcve-recent.json.gz" | grep -c '"id" *: *"CVE-')"
is "NVD: distinct CVEs = union of the files' ids" "$(q "SELECT count(*) FROM infracast.cve")" \
   "$(zcat "$N"/*.json.gz | grep -oE '"id" *: *"CVE-[0-9]+-[0-9]+"' | sort -u | wc -l)"
is "NVD: Rejected CVEs are kept with their status" "$(q "SELECT count(*) > 0 FROM infracast.cve WHERE vuln_status = 'Rejected'")" "t"
is "NVD: CVSS 4.0 block with unlisted keys" "$(q "SELECT cvss_v40_score, cvss_v40_severity, cvss_v31_score FROM infracast.cve WHERE id = 'CVE-2026-30820'")" "8.7|HIGH|8.8"
is "NVD: a version bound with letters, parsed CPE" \
   "$(q "SELECT part, vendor, product, version_end_excluding FROM infracast.cve_cpe_match WHERE cve_id = 'CVE-2025-11790' AND version_end_excluding = 'c25.10' LIMIT 1")" "a|acronis|agent|c25.10"
is "NVD: configuration grouping of CVE-2026-3823" \
   "$(q "SELECT string_agg(config_index || ':' || config_operator || ':' || node_index || ':' || vulnerable, ' ' ORDER BY config_index, node_index) FROM infracast.cve_cpe_match WHERE cve_id = 'CVE-2026-3823'")" \
   "0:AND:0:true 0:AND:1:false 1:AND:0:true 1:AND:1:false"
A="$S/nvd/Moralz-Lang-Agent-ZeroV2/nvdcve-2.0-recent.json.gz"
is "NVD: an older recent file is skipped where newer versions are loaded" \
   "$(q "SELECT rows FROM infracast.load_nvd('$A')")" "$(zcat "$A" | grep -c '"id" *: *"CVE-')"
# upsert by lastModified on the fixture: the year file, then a modified file with newer and older versions
q "SELECT 1 FROM infracast.load_nvd('$FX/nvd/nvdcve-2.0-2099.json')" >/dev/null
is "NVD fixture: version bound 14su5 and CVSS 4.0 9.3" \
   "$(q "SELECT c.cvss_v40_score, m.version_end_excluding FROM infracast.cve c JOIN infracast.cve_cpe_match m ON m.cve_id = c.id AND m.vulnerable WHERE c.id = 'CVE-2099-0001'")" "9.3|14su5"
q "SELECT 1 FROM infracast.load_nvd('$FX/nvd/nvdcve-2.0-modified.json.gz')" >/dev/null
is "NVD modified: the newer version replaced the year file's" \
   "$(q "SELECT c.vuln_status, c.nvd_feed, m.version_end_excluding FROM infracast.cve c JOIN infracast.cve_cpe_match m ON m.cve_id = c.id AND m.vulnerable WHERE c.id = 'CVE-2099-0001'")" "Modified|modified|14su6"
is "NVD modified: an older version did not replace the newer one" "$(q "SELECT last_modified, nvd_feed FROM infracast.cve WHERE id = 'CVE-2099-0002'")" "2099-01-11 00:00:00+00|2099"
q "SELECT 1 FROM infracast.load_nvd('$FX/nvd/nvdcve-2.0-2099.json')" >/dev/null
is "NVD: reloading the year file keeps the newer modified version" "$(q "SELECT vuln_status FROM infracast.cve WHERE id = 'CVE-2099-0001'")" "Modified"

# ---- bad input: previous data stays, the error is recorded ----------------------------------------
q "SELECT 1 FROM infracast.load_kev('$KEV')" >/dev/null
q "SELECT 1 FROM infracast.load_epss('$S/epss/quay-claircore/data.csv')" >/dev/null
q "SELECT 1 FROM infracast.load_feodo('$S/feodo/jainidhya-CSV/ipblocklist.csv')" >/dev/null
before() { q "SELECT (SELECT count(*) FROM infracast.kev) || '/' || (SELECT count(*) FROM infracast.epss) || '/' || (SELECT count(*) FROM infracast.feodo) || '/' || (SELECT count(*) FROM infracast.cve) || '/' || (SELECT count(*) FROM infracast.cve_cpe_match) || '/' || (SELECT md5(string_agg(cve || epss, ',' ORDER BY cve)) FROM infracast.epss)"; }
B0=$(before)

head -c 300000 "$KEV" > "$W/kev_truncated.json"
sed 's/"count": 1404/"count": 1405/' "$KEV" > "$W/kev_count.json"
printf '{"title": "x", "vulnerabilities": [ {"cveID": "CVE-2020-0001",, } ] }' > "$W/kev_badjson.json"
: > "$W/kev_empty.json"
expect_error "KEV missing file"        IC201 kev "SELECT * FROM infracast.load_kev('$W/no_such_file.json')"
expect_error "KEV empty file"          IC202 kev "SELECT * FROM infracast.load_kev('$W/kev_empty.json')"
expect_error "KEV truncated file"      IC203 kev "SELECT * FROM infracast.load_kev('$W/kev_truncated.json')"
expect_error "KEV bad JSON"            IC203 kev "SELECT * FROM infracast.load_kev('$W/kev_badjson.json')"
expect_error "KEV count mismatch"      IC205 kev "SELECT * FROM infracast.load_kev('$W/kev_count.json')"
is "KEV errors: the catalogue in place is described, the attempt is recorded" \
   "$(q "SELECT version, rows, attempted_path FROM infracast.feed_status WHERE feed = 'kev'")" "2025.08.25|1404|$W/kev_count.json"
expect_error "EPSS empty file"         IC202 epss "SELECT * FROM infracast.load_epss('$FX/empty.csv')"
expect_error "EPSS truncated gzip"     IC203 epss "SELECT * FROM infracast.load_epss('$FX/epss_truncated.csv.gz')"
expect_error "EPSS corrupt gzip"       IC203 epss "SELECT * FROM infracast.load_epss('$FX/not_gzip.csv.gz')"
expect_error "EPSS wrong columns"      IC203 epss "SELECT * FROM infracast.load_epss('$FX/epss_bad_columns.csv')"
# a file that is not EPSS: its bytes are not quoted back (feed_status is readable by every tenant),
# and the API's view names the file without its server folders
printf 'db-password: hunter2-not-for-tenants\n' > "$W/secret.txt"; chmod 644 "$W/secret.txt"
expect_error "EPSS a file that is not EPSS" IC203 epss "SELECT * FROM infracast.load_epss('$W/secret.txt')"
is "EPSS: the error does not quote the file" \
   "$(psql -X -At -d "$DB" -c "SELECT * FROM infracast.load_epss('$W/secret.txt')" 2>&1 | grep -c hunter2)" "0"
is "EPSS: feed_status does not quote the file" "$(q "SELECT message LIKE '%hunter2%' FROM infracast.feed_status WHERE feed = 'epss'")" "f"
is "API feed_status: the file's name without its folder" \
   "$(q "SELECT message LIKE 'EPSS file \"secret.txt\" line 1:%' AND strpos(message, '$W') = 0 FROM infracast_api.feed_status WHERE feed = 'epss'")" "t"
head -c 700 "$S/feodo/jainidhya-CSV/ipblocklist.csv" > "$W/feodo_cut.csv"
expect_error "Feodo count mismatch"    IC205 feodo "SELECT * FROM infracast.load_feodo('$FX/feodo_count_mismatch.csv')"
expect_error "Feodo wrong columns"     IC203 feodo "SELECT * FROM infracast.load_feodo('$FX/epss_two_column.csv')"
expect_error "NVD truncated"           IC203 nvd:truncated "SELECT * FROM infracast.load_nvd('$FX/nvd_bad/nvdcve-2.0-truncated.json')"
expect_error "NVD bad JSON"            IC203 nvd:badjson "SELECT * FROM infracast.load_nvd('$FX/nvd_bad/nvdcve-2.0-badjson.json')"
expect_error "NVD count mismatch"      IC205 nvd:count "SELECT * FROM infracast.load_nvd('$FX/nvd_bad/nvdcve-2.0-count.json')"
expect_error "NVD .meta sha256 mismatch" IC204 nvd:2099 "SELECT * FROM infracast.load_nvd('$FX/nvd_bad/nvdcve-2.0-2099.json')"
expect_error "NVD real trimmed 2022 file (totalResults 26716, 3 CVEs, .meta of the full file)" \
                                       'IC20[45]' nvd:2022 "SELECT * FROM infracast.load_nvd('$S/nvd/DependencyTrack-dependency-track/nvdcve-2.0-2022.json')"
expect_error "NVD real duplicate-cpes fixture (totalResults 23075, 1 CVE)" \
                                       IC205 nvd:2021_duplicate-cpes "SELECT * FROM infracast.load_nvd('$S/nvd/DependencyTrack-dependency-track/nvdcve-2.0-2021_duplicate-cpes.json')"
zcat "$N/nvdcve-2003.json.gz" | head -c 2000000 | gzip > "$W/nvdcve-2003.json.gz"
expect_error "NVD truncated real year file" IC203 nvd:2003 "SELECT * FROM infracast.load_nvd('$W/nvdcve-2003.json.gz')"
is "every failed load left the data in place" "$(before)" "$B0"

# ---- bundles --------------------------------------------------------------------------------------
mkb() { # mkb DIR: a bundle of real files
    mkdir -p "$1/kev" "$1/epss" "$1/nvd" "$1/feodo"
    cp "$KEV" "$1/kev/"; cp "$S/epss/aboutcode-vulnerablecode/epss_scores-2025-x-x.csv" "$1/epss/"
    cp "$N/nvdcve-2003.json.gz" "$N/nvdcve-2003.meta" "$1/nvd/"; cp "$S/feodo/kotesh442-kotichowdary/ipblocklist.csv" "$1/feodo/"
    echo "Test bundle: CISA KEV (CC0), FIRST EPSS, NVD (public domain), abuse.ch Feodo Tracker (CC0)." > "$1/ATTRIBUTION.txt"
    { echo '{"format": "infracast-feed-bundle", "version": 1, "created": "2026-11-28T00:00:00Z", "files": ['
      local first=1 f feed
      for f in kev/known_exploited_vulnerabilities.json epss/epss_scores-2025-x-x.csv nvd/nvdcve-2003.json.gz nvd/nvdcve-2003.meta feodo/ipblocklist.csv; do
          case $f in kev/*) feed=kev;; epss/*) feed=epss;; *.meta) feed=meta;; nvd/*) feed=nvd;; feodo/*) feed=feodo;; esac
          [ $first -eq 1 ] || echo ','; first=0
          printf '{"path": "%s", "feed": "%s", "sha256": "%s"}' "$f" "$feed" "$(sha256sum "$1/$f" | cut -d' ' -f1)"
      done
      echo ']}'; } > "$1/manifest.json"
    chmod -R a+rX "$1"
}
mkb "$W/bundle"
is "bundle: every feed loads, one row each plus the bundle's" \
   "$(q "SELECT string_agg(feed || '=' || rows, ',' ORDER BY feed) FROM infracast.load_feed_bundle('$W/bundle')")" \
   "bundle=5,epss=27,feodo=470,kev=1404,nvd:2003=1555"
B1=$(before)
mkb "$W/bad1"; echo "tampered" >> "$W/bad1/feodo/ipblocklist.csv"
expect_error "bundle: checksum mismatch" IC204 bundle "SELECT * FROM infracast.load_feed_bundle('$W/bad1')"
mkb "$W/bad2"; rm "$W/bad2/ATTRIBUTION.txt"
expect_error "bundle: no ATTRIBUTION.txt" IC206 bundle "SELECT * FROM infracast.load_feed_bundle('$W/bad2')"
mkb "$W/bad3"; rm "$W/bad3/manifest.json"
expect_error "bundle: no manifest.json" IC201 bundle "SELECT * FROM infracast.load_feed_bundle('$W/bad3')"
mkb "$W/bad4"; cp "$FX/epss_bad_columns.csv" "$W/bad4/epss/epss_scores-2025-x-x.csv"
sed -i "s/$(sha256sum "$W/bundle/epss/epss_scores-2025-x-x.csv" | cut -d' ' -f1)/$(sha256sum "$W/bad4/epss/epss_scores-2025-x-x.csv" | cut -d' ' -f1)/" "$W/bad4/manifest.json"
expect_error "bundle: a corrupt file with a matching checksum" IC203 epss "SELECT * FROM infracast.load_feed_bundle('$W/bad4')"
# A file changed, or replaced by a folder, while the bundle loads: test/isolation/specs/bundle_race.spec.
is "a failed bundle changes nothing (all or nothing)" "$(before)" "$B1"

# ---- staleness ------------------------------------------------------------------------------------
is "a feed older than infracast.feed_max_age is loaded but reported stale" \
   "$(psql -X -At -d "$DB" -c "SET infracast.feed_max_age = 30" -c "SELECT state, message LIKE 'stale: the feed is dated 2021-12-20%' FROM infracast.load_feodo('$S/feodo/jainidhya-CSV/ipblocklist.csv')" | tail -1)" "warning|t"

# ---- privileges -----------------------------------------------------------------------------------
psql -X -q -d "$DB" -c "DROP ROLE IF EXISTS regress_feeds_nobody; CREATE ROLE regress_feeds_nobody; GRANT infracast_reader TO regress_feeds_nobody;
                          DROP ROLE IF EXISTS regress_feeds_files; CREATE ROLE regress_feeds_files; GRANT pg_read_server_files TO regress_feeds_files;" >/dev/null
out=$(psql -X -At -v VERBOSITY=sqlstate -d "$DB" -c "SET ROLE regress_feeds_nobody" -c "SELECT * FROM infracast.load_kev('$KEV')" 2>&1)
grep -q 'ERROR:  42501' <<<"$out" && ok "a reader may not load feeds (42501)" || bad "a reader may not load feeds: $out"
is "a reader may read the feeds" "$(psql -X -At -d "$DB" -c "SET ROLE regress_feeds_nobody" -c "SELECT count(*) > 0 FROM infracast.kev" | tail -1)" "t"
is "a pg_read_server_files member may load feeds" \
   "$(psql -X -At -d "$DB" -c "SET ROLE regress_feeds_files" -c "SELECT rows FROM infracast.load_feodo('$S/feodo/wizard-projects-abuse.chC2Feeds/ipblocklist.csv')" | tail -1)" "28"
psql -X -q -d "$DB" -c "DROP ROLE regress_feeds_nobody; DROP ROLE regress_feeds_files" >/dev/null 2>&1

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
