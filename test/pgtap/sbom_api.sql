-- SBOM tables follow the tenant rules (tenant_id leads every key, RLS enabled and forced, dumped),
-- the functions' privileges, the purl helpers, and tenant isolation as a non-owner analyst: one
-- tenant's imports and VEX statements are invisible to, and untouched by, another's.
BEGIN;
SELECT plan(27);
SET LOCAL search_path = infracast, public;

SELECT has_table('infracast', t, format('%s table exists', t))
  FROM unnest(ARRAY['sbom_documents', 'sbom_components', 'vex']) t;
SELECT is((SELECT string_agg(c.relname || '=' || a.attname, ',' ORDER BY c.relname)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE c.relnamespace = 'infracast'::regnamespace AND i.indisprimary
              AND c.relname IN ('sbom_documents', 'sbom_components', 'vex')),
          'sbom_components=tenant_id,sbom_documents=tenant_id,vex=tenant_id', 'tenant_id leads every primary key');
SELECT is((SELECT count(*) FROM pg_constraint c
            WHERE c.conrelid IN ('infracast.sbom_documents'::regclass, 'infracast.sbom_components'::regclass, 'infracast.vex'::regclass)
              AND c.contype IN ('f', 'u')
              AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) <> 'tenant_id'),
          0::bigint, 'tenant_id leads every foreign key and unique key');
SELECT ok((SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class
            WHERE oid IN ('infracast.sbom_documents'::regclass, 'infracast.sbom_components'::regclass, 'infracast.vex'::regclass)),
          'row-level security is enabled and forced on the SBOM tables');
SELECT policies_are('infracast', t, ARRAY['tenant_isolation'], format('%s has the tenant isolation policy', t))
  FROM unnest(ARRAY['sbom_documents', 'sbom_components', 'vex']) t;
SELECT ok((SELECT 'infracast.sbom_documents'::regclass = ANY (extconfig) AND 'infracast.sbom_components'::regclass = ANY (extconfig)
                  AND 'infracast.vex'::regclass = ANY (extconfig)
             FROM pg_extension WHERE extname = 'infracast'), 'the SBOM tables are dumped by pg_dump');

-- privileges
CREATE ROLE regress_tap_sbom_nobody;
SELECT ok(NOT has_function_privilege('regress_tap_sbom_nobody', 'infracast.import_sbom(text, jsonb, boolean)', 'EXECUTE')
          AND NOT has_function_privilege('regress_tap_sbom_nobody', 'infracast.export_obom(text)', 'EXECUTE')
          AND NOT has_function_privilege('regress_tap_sbom_nobody', 'infracast.set_vex(text, text, text, text, text[], text, text)', 'EXECUTE'),
          'EXECUTE is revoked from PUBLIC');
SELECT ok(has_function_privilege('infracast_reader', 'infracast.export_obom(text)', 'EXECUTE')
          AND NOT has_function_privilege('infracast_reader', 'infracast.import_sbom(text, jsonb, boolean)', 'EXECUTE')
          AND NOT has_table_privilege('infracast_reader', 'infracast.vex', 'INSERT'),
          'readers export, but neither import nor record VEX');
SELECT ok(has_function_privilege('infracast_analyst', 'infracast.import_sbom(text, jsonb, boolean)', 'EXECUTE')
          AND has_function_privilege('infracast_analyst', 'infracast.set_vex(text, text, text, text, text[], text, text)', 'EXECUTE')
          AND has_function_privilege('infracast_analyst', 'infracast.clear_vex(text, text, text)', 'EXECUTE'),
          'analysts import and record VEX');

-- purl helpers
SELECT is(purl_package('pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12'), 'pkg:deb/debian/openssl', 'purl_package drops version and qualifiers');
SELECT is(purl_package('pkg:NPM/%40angular/core@16.0.0#dist'), 'pkg:npm/%40angular/core', 'purl_package lower-cases the type, keeps the encoded namespace');
SELECT is(purl_version('pkg:npm/%40angular/core@16.0.0%2Bbuild'), '16.0.0+build', 'purl_version decodes');
SELECT is(purl_qualifier('pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810', 'distro'),
          'centos-7.6.1810', 'purl_qualifier reads distro');
SELECT ok(NOT purl_is_valid('npm:left-pad@1.3.0') AND NOT purl_is_valid('pkg:npm') AND purl_is_valid('pkg:generic/thing'),
          'purl_is_valid knows a package URL');
SELECT is(purl_decode('caf%C3%A9%2Fx%'), 'café/x%', 'purl_decode decodes UTF-8 escapes and keeps a stray %');

-- two tenants, an analyst acting for both (not the owner: RLS applies)
SELECT create_tenant('regress_tap_sbom_a') > 0 AS a, create_tenant('regress_tap_sbom_b') > 0 AS b;
CREATE ROLE regress_tap_sbom_analyst;
GRANT infracast_analyst TO regress_tap_sbom_analyst;
INSERT INTO tenant_roles (tenant_id, role_name)
SELECT id, 'regress_tap_sbom_analyst' FROM tenants WHERE name IN ('regress_tap_sbom_a', 'regress_tap_sbom_b');
SET LOCAL ROLE regress_tap_sbom_analyst;
SELECT set_tenant('regress_tap_sbom_a') > 0;
INSERT INTO nodes (external_id, kind) VALUES ('shared-name', 'host');
SELECT results_eq($$SELECT inserted, rejected FROM import_sbom('shared-name', '{"bomFormat": "CycloneDX", "specVersion": "1.5",
    "components": [{"type": "library", "name": "curl", "purl": "pkg:deb/debian/curl@7.88.1?distro=debian-12"}]}')$$,
    $$VALUES (1::bigint, 0::bigint)$$, 'tenant A imports as an analyst');
SELECT lives_ok($$SELECT set_vex('CVE-2023-38545', 'pkg:deb/debian/curl@7.88.1?distro=debian-12', 'resolved', response => ARRAY['update'])$$,
                'tenant A records a VEX statement');
SELECT set_tenant('regress_tap_sbom_b') > 0;
INSERT INTO nodes (external_id, kind) VALUES ('shared-name', 'host');
SELECT is((SELECT count(*) FROM vex) + (SELECT count(*) FROM sbom_components) + (SELECT count(*) FROM sbom_documents),
          0::bigint, 'tenant B sees none of tenant A''s SBOM rows or VEX statements');
SELECT results_eq($$SELECT inserted, kept FROM import_sbom('shared-name', '{"bomFormat": "CycloneDX", "specVersion": "1.6",
    "components": [{"type": "library", "name": "curl", "purl": "pkg:deb/debian/curl@7.88.1?distro=debian-12"}]}')$$,
    $$VALUES (1::bigint, 0::bigint)$$, 'tenant B''s node of the same name imports its own rows');
SELECT is(clear_vex('CVE-2023-38545', 'pkg:deb/debian/curl?distro=debian-12'), false, 'tenant B cannot clear tenant A''s statement');
SELECT set_tenant('regress_tap_sbom_a') > 0;
SELECT results_eq($$SELECT state, response FROM vex$$, $$VALUES ('resolved'::text, ARRAY['update'])$$,
                  'tenant A''s statement is intact');
SELECT is((SELECT count(*) FROM sbom_components), 1::bigint, 'tenant A still has exactly its one component');
SELECT throws_ok($$UPDATE vex SET tenant_id = (SELECT id FROM tenants WHERE name = 'regress_tap_sbom_b')$$, '42501', NULL,
                 'a statement cannot be moved to another tenant');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
