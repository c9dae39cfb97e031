#!/usr/bin/env bash
# pg_dump of a database with compliance data, restored into a new database: the user's catalog,
# profile, rule and mapping, and the tenant's assessments, results, evidence, waivers and POA&M items
# come back; the shipped catalogue is not doubled (CREATE EXTENSION makes it again, the dump leaves
# it out); an assessment after the restore works and gets a fresh id.
set -euo pipefail
src=ic_comp_dump_src; dst=ic_comp_dump_dst; dump="$IC_STAGE/compliance_dump.custom"
psql -qX -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1 || true' EXIT
psql -qX -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION infracast;
SELECT infracast.create_tenant('cd_a');
SELECT infracast.compliance_import_catalog('site-controls', '{"catalog": {"uuid": "s", "metadata": {"title": "Site controls", "version": "1"},
   "groups": [{"id": "st", "title": "Site", "controls": [{"id": "st-1", "title": "Badges", "parts": [{"id": "st-1_smt", "name": "statement", "prose": "Wear badges."}],
               "params": [{"id": "st-01_odp.01", "props": [{"name": "alt-identifier", "value": "st-1_prm_1"}]}]}]}]}}', '{site.json}');
SELECT infracast.compliance_import_profile('site-base', '{"profile": {"uuid": "b", "metadata": {"title": "Site base"}, "imports": [{"href": "site.json", "include-all": {}}]}}');
INSERT INTO infracast.compliance_rules (id, title, decides, check_sql) VALUES ('always_pass', 'Always', 'nothing', $$SELECT 'tenant', 'pass', '{}'::jsonb$$);
INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source) VALUES ('always_pass', 'site-controls', 'st-1', 'st-1_smt', 'site policy 4.2');
BEGIN;
SELECT infracast.set_tenant('cd_a');
SELECT * FROM infracast.import_graph('{"graph":{"nodes":[{"id":"w","kinds":["host"]}]}}', true);
INSERT INTO infracast.compliance_waivers (control_id, reason, approved_by) VALUES ('ac-6', 'reviewed', 'ciso');
INSERT INTO infracast.compliance_poam_items (control_id, title) VALUES ('ra-5', 'patch');
SELECT infracast.compliance_assess('moderate');
SELECT infracast.compliance_assess('site-base');
COMMIT;
SQL
snapshot() {
    psql -qXAt -d "$1" <<'SQL'
SELECT 'catalog', name, title, version, source_names::text, doc_sha256, builtin FROM infracast.compliance_catalogs ORDER BY name;
SELECT 'controls', catalog, count(*) FROM infracast.compliance_controls GROUP BY 2 ORDER BY 2;
SELECT 'parts', catalog, count(*) FROM infracast.compliance_parts GROUP BY 2 ORDER BY 2;
SELECT 'params', catalog, param_id, alt_id FROM infracast.compliance_params WHERE catalog <> 'nist-800-53-rev5' ORDER BY 2, 3;
SELECT 'profile', name, catalog, (SELECT count(*) FROM infracast.compliance_profile_controls c WHERE c.profile = p.name) FROM infracast.compliance_profiles p ORDER BY name;
SELECT 'rule', id, builtin FROM infracast.compliance_rules ORDER BY id;
SELECT 'mapping', rule_id, catalog, control_id, part_id, source FROM infracast.compliance_rule_controls ORDER BY 2, 3, 4, 5;
SELECT 'assessment', id, profile, counts::text FROM infracast.compliance_assessments ORDER BY id;
SELECT 'results', assessment_id, state, waived, poam_open, count(*) FROM infracast.compliance_results GROUP BY 2, 3, 4, 5 ORDER BY 2, 3, 4, 5;
SELECT 'evidence', id, rule_id, subject, result, raw_sha256 FROM infracast.compliance_evidence ORDER BY id;
SELECT 'waiver', id, control_id, reason FROM infracast.compliance_waivers ORDER BY id;
SELECT 'poam', id, control_id, title, status FROM infracast.compliance_poam_items ORDER BY id;
SQL
}
before=$(snapshot $src)
"$IC_BINDIR/pg_dump" -Fc -d $src -f "$dump"
"$IC_BINDIR/pg_restore" --exit-on-error -d $dst "$dump"
after=$(snapshot $dst)
if [ "$before" != "$after" ]; then
    echo "restored data differs:"; diff <(echo "$before") <(echo "$after"); exit 1
fi
grep -q '^catalog|site-controls|' <<<"$after" || { echo "the user's catalog is missing"; exit 1; }
grep -q '^controls|nist-800-53-rev5|1189$' <<<"$after" || { echo "the shipped catalog is not 1189 controls once"; exit 1; }
grep -q '^profile|nist-800-53-rev5-moderate|nist-800-53-rev5|287$' <<<"$after" || { echo "MODERATE is not 287 controls"; exit 1; }
[ "$(grep -c '^assessment|' <<<"$after")" -eq 2 ] || { echo "expected 2 assessments"; exit 1; }
next=$(psql -qXAt -v ON_ERROR_STOP=1 -d $dst -c "BEGIN" -c "SELECT infracast.set_tenant('cd_a')" -c "SELECT infracast.compliance_assess('low')" -c "COMMIT" | sed -n 2p)
[ "$next" = 3 ] || { echo "the assessment after the restore got id '$next', not 3"; exit 1; }
echo "dump/restore kept the user's catalogue rows, $(grep -c '^evidence|' <<<"$after") evidence rows and 2 assessments; assessment 3 ran after the restore"
