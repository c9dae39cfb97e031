-- SBOM import and VEX: bad input. Each case shows its SQLSTATE, message, detail and hint; the node's
-- software and its last import stay as they were after every refused document (nothing half-imported).
\set VERBOSITY terse
\pset null (null)
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SELECT infracast.create_tenant('regress_sbom_err') > 0 AS created;
SELECT infracast.set_tenant('regress_sbom_err', false) > 0 AS tenant_set;
INSERT INTO infracast.nodes (external_id, kind, name) VALUES ('web-1', 'host', 'web one');

-- every error as one row: SQLSTATE, message, detail, hint
CREATE FUNCTION pg_temp.err(stmt text) RETURNS TABLE (code text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN QUERY SELECT 'ok'::text, NULL::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                            hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END $$;
-- what the node holds: compared after every refused import (the tests run as a superuser, whom
-- row-level security does not filter: hence the explicit tenant)
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
    SELECT (SELECT string_agg(s.id || '=' || coalesce(s.purl, s.cpe) || '@' || coalesce(s.version, ''), ',' ORDER BY s.id)
              FROM infracast.software s JOIN infracast.nodes n ON n.id = s.node_id WHERE n.external_id = 'web-1')
           || ' | ' || (SELECT count(*) FROM infracast.sbom_components c WHERE c.tenant_id = infracast.current_tenant())
           || ' | ' || coalesce((SELECT d.format || ' ' || d.spec_version || ' ' || d.components FROM infracast.sbom_documents d WHERE d.tenant_id = infracast.current_tenant()), 'no document')
$$;

-- a good import first
SELECT format, spec_version, inserted, kept, removed, duplicates, rejected, rejections
  FROM infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
    {"type": "operating-system", "name": "debian", "version": "12"},
    {"type": "library", "name": "openssl", "version": "3.0.11-1~deb12u2", "bom-ref": "a",
     "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"},
    {"type": "library", "name": "log4j-core", "bom-ref": "b",
     "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
     "cpe": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"}]}');
SELECT pg_temp.state() AS before \gset
SELECT c.item_key, c.package, c.distro, c.component_type FROM infracast.sbom_components c
 WHERE c.tenant_id = infracast.current_tenant() ORDER BY c.item_key;

-- not an SBOM
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '[1, 2]')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', NULL)$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"name": "a list of things"}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "SWID", "specVersion": "1.6"}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {"a": 1}}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"spdxVersion": "SPDX-2.3", "packages": "none"}')$$);
-- malformed JSON never reaches the import: the jsonb input function refuses it
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", ')$$);

-- unknown or unsupported spec versions (CycloneDX 1.0-1.3 are refused on purpose: docs/sbom.md)
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.2", "components": []}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.3"}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "2.0"}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX"}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"spdxVersion": "SPDX-2.1", "packages": []}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"spdxVersion": "SPDX-3.0"}')$$);

-- duplicate bom-refs (a nested one too, and the subject's) and SPDXIDs
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
    {"type": "library", "name": "zlib", "bom-ref": "z", "purl": "pkg:deb/debian/zlib1g@1.2.13"},
    {"type": "library", "name": "curl", "bom-ref": "c", "purl": "pkg:deb/debian/curl@7.88.1",
     "components": [{"type": "library", "name": "zlib", "bom-ref": "z", "purl": "pkg:deb/debian/zlib1g@1.2.13"}]}]}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.4",
    "metadata": {"component": {"type": "container", "name": "img", "bom-ref": "x"}},
    "components": [{"type": "library", "name": "zlib", "bom-ref": "x", "purl": "pkg:deb/debian/zlib1g@1.2.13"}]}')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"spdxVersion": "SPDX-2.3", "packages": [
    {"SPDXID": "SPDXRef-p", "name": "zlib", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/zlib1g@1.2.13"}]},
    {"SPDXID": "SPDXRef-p", "name": "curl", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/curl@7.88.1"}]}]}')$$);

-- strict: one bad component refuses the whole document
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
    {"type": "library", "name": "curl", "purl": "pkg:deb/debian/curl@7.88.1"},
    {"type": "library", "name": "in-house-lib", "version": "1.0"}]}', strict => true)$$);

-- an unknown node
SELECT * FROM pg_temp.err($$SELECT infracast.import_sbom('no-such-node', '{"bomFormat": "CycloneDX", "specVersion": "1.6"}')$$);

-- after all that, the node is as the good import left it
SELECT pg_temp.state() = :'before' AS nothing_half_imported;

-- not strict: the good components go in, each bad one is listed with its path and reason
SELECT inserted, kept, removed, duplicates, rejected, jsonb_pretty(rejections) AS rejections
  FROM infracast.import_sbom('web-1', '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
    {"type": "library", "name": "openssl", "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"},
    {"type": "library", "name": "openssl", "bom-ref": "again", "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64"},
    {"type": "library", "name": "in-house-lib", "version": "1.0"},
    {"type": "library", "name": "odd", "purl": "npm:left-pad@1.3.0"},
    {"type": "library", "name": "odd-cpe", "cpe": "cpe:2.3:a:vendor"},
    "not an object",
    {"type": "application", "name": "app", "purl": "pkg:npm/app@1.0.0",
     "components": [{"type": "library", "name": "nested-without-id"}]}]}');
SELECT pg_temp.state() ~ '^[0-9]+=pkg:deb/debian/openssl@3.0.11-1~deb12u2\?arch=amd64@3.0.11-1~deb12u2,[0-9]+=pkg:npm/app@1.0.0@1.0.0 \| 2 \| CycloneDX 1.6 2$'
       AS replaced_by_the_new_document;
SELECT jsonb_array_length(rejections) AS rejections_kept FROM infracast.sbom_documents WHERE tenant_id = infracast.current_tenant();

-- VEX statements: bad input
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'fixed')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'not_affected')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'not_affected', 'because')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'exploitable', response => ARRAY['panic'])$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE 2021 44228', 'pkg:maven/org.apache.logging.log4j/log4j-core', 'in_triage')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', 'pkg:maven', 'in_triage')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.set_vex('CVE-2021-44228', '', 'in_triage')$$);
SELECT * FROM pg_temp.err($$SELECT infracast.export_obom('no-such-node')$$);
SELECT count(*) AS vex_rows FROM infracast.vex WHERE tenant_id = infracast.current_tenant();
