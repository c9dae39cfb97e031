-- The OSCAL catalogue shipped with the extension: the NIST SP 800-53 rev5 (5.0.1) catalog and the
-- LOW/MODERATE/HIGH/PRIVACY profiles are loaded by CREATE EXTENSION from the library alone. The
-- resolution of each baseline must give exactly the control ids of NIST's resolved catalogs
-- (5.1.1; test/data/compliance/resolved-ids, made by make_cuts.sh). PRIVACY has no resolved
-- catalog in the corpus: its oracle is the id list of the profile itself (SOURCES.md says that
-- every resolved catalog holds exactly its profile's ids).
\set VERBOSITY terse
-- Leave the database as found: the extension is dropped again at the end when this file made it.
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS comp_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
\getenv data INFRACAST_TEST_DATA

-- The catalog: 20 families, 1,189 controls and enhancements, 322 base controls, 182 withdrawn.
SELECT name, version, oscal_version, builtin FROM infracast.compliance_catalogs ORDER BY name;
SELECT count(*) AS controls, count(*) FILTER (WHERE parent_id IS NULL) AS base,
       count(*) FILTER (WHERE withdrawn) AS withdrawn, count(DISTINCT family) AS families
  FROM infracast.compliance_controls WHERE catalog = 'nist-800-53-rev5';
SELECT (SELECT count(*) FROM infracast.compliance_groups WHERE catalog = 'nist-800-53-rev5') AS groups,
       (SELECT count(*) FROM infracast.compliance_parts WHERE catalog = 'nist-800-53-rev5') AS parts,
       (SELECT count(*) FROM infracast.compliance_params WHERE catalog = 'nist-800-53-rev5') AS params;
-- nested enhancements, labels, withdrawn status, statement parts and params as given
SELECT control_id, parent_id, family, label, sort_id, withdrawn, title FROM infracast.compliance_controls
 WHERE catalog = 'nist-800-53-rev5' AND control_id IN ('ac-2', 'ac-2.1', 'ac-2.10', 'ra-5.2', 'sc-8') ORDER BY ord;
SELECT path, part_id, parent_part_id, name, label, left(prose, 60) AS prose FROM infracast.compliance_parts
 WHERE catalog = 'nist-800-53-rev5' AND control_id = 'ra-5' AND name IN ('statement', 'item') ORDER BY path;
SELECT param_id, alt_id, label FROM infracast.compliance_params
 WHERE catalog = 'nist-800-53-rev5' AND control_id = 'ac-2' ORDER BY param_id LIMIT 3;

-- The baselines: 149 / 287 / 370 / 96 controls.
SELECT name, catalog, merge, version, builtin, (SELECT count(*) FROM infracast.compliance_profile_controls pc WHERE pc.profile = p.name) AS controls
  FROM infracast.compliance_profiles p ORDER BY name;

-- Exact id sets against NIST's resolved catalogs: nothing missing, nothing extra.
CREATE TEMP TABLE resolved (level text, control_id text);
\set f :data '/compliance/resolved-ids/LOW.txt'
COPY resolved (control_id) FROM :'f';
UPDATE resolved SET level = 'low' WHERE level IS NULL;
\set f :data '/compliance/resolved-ids/MODERATE.txt'
COPY resolved (control_id) FROM :'f';
UPDATE resolved SET level = 'moderate' WHERE level IS NULL;
\set f :data '/compliance/resolved-ids/HIGH.txt'
COPY resolved (control_id) FROM :'f';
UPDATE resolved SET level = 'high' WHERE level IS NULL;
INSERT INTO resolved
SELECT 'privacy', jsonb_array_elements_text(s -> 'with-ids')
  FROM infracast.compliance_profiles p, jsonb_array_elements(p.document -> 'profile' -> 'imports') i,
       jsonb_array_elements(i -> 'include-controls') s
 WHERE p.name = 'nist-800-53-rev5-privacy';
SELECT r.level, count(*) AS expected,
       (SELECT count(*) FROM resolved x WHERE x.level = r.level
           AND NOT EXISTS (SELECT 1 FROM infracast.compliance_profile_controls pc
                            WHERE pc.profile = 'nist-800-53-rev5-' || r.level AND pc.control_id = x.control_id)) AS missing,
       (SELECT count(*) FROM infracast.compliance_profile_controls pc WHERE pc.profile = 'nist-800-53-rev5-' || r.level
           AND NOT EXISTS (SELECT 1 FROM resolved x WHERE x.level = r.level AND x.control_id = pc.control_id)) AS extra
  FROM resolved r GROUP BY r.level ORDER BY expected;
-- no baseline selects a withdrawn control
SELECT count(*) AS withdrawn_selected FROM infracast.compliance_profile_controls pc
  JOIN infracast.compliance_controls c USING (catalog, control_id) WHERE c.withdrawn;

-- The shipped documents are the files as published (sha256 of the catalog's JSON text).
SELECT doc_sha256 = encode(sha256(convert_to(infracast.compliance_shipped_document('nist-800-53-rev5'), 'UTF8')), 'hex') AS same
  FROM infracast.compliance_catalogs WHERE name = 'nist-800-53-rev5';

-- A user's import of a profile file, as published: its href is a relative path to
-- NIST_SP-800-53_rev5_catalog.json, resolved locally by file name to the shipped catalog.
SELECT name, catalog, title FROM infracast.compliance_import_profile('my-moderate',
       infracast.compliance_shipped_document('nist-800-53-rev5-moderate'));
SELECT count(*) FROM infracast.compliance_profile_controls WHERE profile = 'my-moderate';
-- include-all minus an exclusion with its children; with-child-controls
SELECT name FROM infracast.compliance_import_profile('my-ac-only', '{"profile": {"uuid": "x", "metadata": {"title": "AC family minus AC-2 and its enhancements"},
   "imports": [{"href": "NIST_SP-800-53_rev5_catalog.json", "include-controls": [{"with-ids": ["ac-2"], "with-child-controls": "yes"}, {"with-ids": ["ac-3"]}],
                "exclude-controls": [{"with-ids": ["ac-2.1"]}]}], "merge": {"as-is": true}}}');
SELECT count(*) AS selected, count(*) FILTER (WHERE control_id LIKE 'ac-2.%') AS enhancements, bool_or(control_id = 'ac-2.1') AS has_ac_2_1
  FROM infracast.compliance_profile_controls WHERE profile = 'my-ac-only';

-- A 5.1.1 catalog (NIST's cut of AC-1 and AC-2): params carry the new ids and the old ones as
-- alt-identifier; either form finds the param.
\set f :data '/compliance/rev5.1.1-ac-1-2-cut.json'
SELECT name, version, oscal_version FROM infracast.compliance_import_catalog('rev511-cut', pg_read_file(:'f'), '{cut.json}');
SELECT count(*) AS controls, (SELECT count(*) FROM infracast.compliance_params WHERE catalog = 'rev511-cut') AS params,
       (SELECT count(*) FROM infracast.compliance_params WHERE catalog = 'rev511-cut' AND alt_id IS NOT NULL) AS with_alt_id
  FROM infracast.compliance_controls WHERE catalog = 'rev511-cut';
SELECT (infracast.compliance_param('rev511-cut', 'ac-2_prm_1')).param_id AS by_old_id,
       (infracast.compliance_param('rev511-cut', 'ac-02_odp.01')).alt_id AS by_new_id,
       (infracast.compliance_param('nist-800-53-rev5', 'ac-2_prm_1')).label AS shipped_old_id;
-- 53A assessment objectives come in as parts
SELECT name, count(*) FROM infracast.compliance_parts WHERE catalog = 'rev511-cut' GROUP BY name ORDER BY name;

-- Re-importing a catalog re-resolves the profiles that use it.
SELECT name FROM infracast.compliance_import_profile('cut-profile', '{"profile": {"uuid": "y", "metadata": {"title": "cut"},
   "imports": [{"href": "cut.json", "include-all": {}}]}}');
SELECT count(*) FROM infracast.compliance_profile_controls WHERE profile = 'cut-profile';
SELECT name FROM infracast.compliance_import_catalog('rev511-cut', pg_read_file(:'f'), '{cut.json}');
SELECT count(*) FROM infracast.compliance_profile_controls WHERE profile = 'cut-profile';

-- The starter rules and their mappings to statement parts, with the mapping's source.
SELECT r.id, m.control_id, m.part_id, r.requires FROM infracast.compliance_rules r
  JOIN infracast.compliance_rule_controls m ON m.rule_id = r.id ORDER BY r.id, m.control_id, m.part_id;

-- Leave the shared catalogue as CREATE EXTENSION made it (the other tests share this database).
DELETE FROM infracast.compliance_profiles WHERE NOT builtin;
DELETE FROM infracast.compliance_catalogs WHERE NOT builtin;
SELECT (SELECT count(*) FROM infracast.compliance_catalogs) AS catalogs, (SELECT count(*) FROM infracast.compliance_profiles) AS profiles;
\if :comp_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
