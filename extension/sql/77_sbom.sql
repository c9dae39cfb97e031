-- Infracast SBOM: CycloneDX 1.4-1.7 and SPDX 2.2/2.3 JSON import into infracast.software, a
-- CycloneDX 1.6 OBOM per node with its findings as vulnerabilities, and VEX analyses kept across
-- re-runs. Reference: docs/sbom.md.
--
-- Why SQL over jsonb and not a C importer: the document arrives as jsonb (a parameter, not a file),
-- so PostgreSQL has already parsed it; walking it with jsonb_array_elements and writing it with a
-- handful of set-based statements imports a 10,000-component CycloneDX file in well under the 2 s
-- target (docs/benchmarks/sbom.md), with no second JSON parser and no struct hand-over to maintain.

-- ---------------------------------------------------------------------------------------------
-- Package URLs (https://github.com/package-url/purl-spec): the parts the import and VEX need.
-- No SET search_path here: it would stop PostgreSQL inlining these per-row helpers (and cost a
-- GUC save and restore per call); they name only pg_catalog and schema-qualified objects.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.purl_decode_escapes(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT convert_from(string_agg(CASE WHEN m[1] IS NOT NULL THEN decode(substr(m[1], 2), 'hex')
                                        ELSE convert_to(m[2], 'UTF8') END, ''::bytea ORDER BY r.ord), 'UTF8')
      FROM regexp_matches(t, '(%[0-9A-Fa-f]{2})|([^%]+|%)', 'g') WITH ORDINALITY AS r(m, ord)
$$;
-- Not STRICT, no subquery: so that it is inlined, and text without a % costs one strpos.
CREATE FUNCTION infracast.purl_decode(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN strpos(t, '%') = 0 THEN t ELSE infracast.purl_decode_escapes(t) END;
COMMENT ON FUNCTION infracast.purl_decode(text) IS 'Percent-decodes one component of a package URL.';

CREATE FUNCTION infracast.purl_is_valid(purl text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN purl ~ '^pkg:/*[A-Za-z.+-][A-Za-z0-9.+-]*/([^@?#]*/)?[^/@?#]+(@[^?#]+)?(\?[^#]*)?(#.*)?$';
COMMENT ON FUNCTION infracast.purl_is_valid(text) IS
    'Whether the text has the shape of a package URL: pkg:type/[namespace/]name[@version][?qualifiers][#subpath].';

CREATE FUNCTION infracast.purl_package(purl text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    -- the type is case-insensitive (lower-cased); namespace and name are kept as written
    SELECT 'pkg:' || lower(m[1]) || '/' || m[2]
      FROM regexp_match(purl, '^pkg:/*([^/]+)/([^@?#]+)') AS m
$$;
COMMENT ON FUNCTION infracast.purl_package(text) IS
    'The package a purl names, without version, qualifiers or subpath (pkg:deb/debian/openssl): the key of VEX statements.';

CREATE FUNCTION infracast.purl_version(purl text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN infracast.purl_decode((regexp_match(purl, '^pkg:/*[^/]+/[^@?#]+@([^?#]+)'))[1]);
COMMENT ON FUNCTION infracast.purl_version(text) IS 'The version of a purl (decoded), or NULL.';

CREATE FUNCTION infracast.purl_qualifier(purl text, key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT infracast.purl_decode(substr(q, length(key) + 2))
      FROM unnest(string_to_array((regexp_match(purl, '\?([^#]*)'))[1], '&')) AS q
     WHERE lower(split_part(q, '=', 1)) = lower(key)
     LIMIT 1
$$;
COMMENT ON FUNCTION infracast.purl_qualifier(text, text) IS
    'One qualifier of a purl (decoded), such as distro (debian-10.2), arch or epoch; NULL when absent.';

-- The key VEX statements and exports use for a software row: its purl's package, else the CPE's
-- part:vendor:product (the version is left out: an analysis holds for the package, not one build).
CREATE FUNCTION infracast.sbom_package_key(purl text, cpe text, name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN purl IS NOT NULL AND infracast.purl_is_valid(purl) THEN infracast.purl_package(purl)
        WHEN cpe IS NOT NULL AND infracast.cpe_try(cpe) IS NOT NULL
            THEN format('cpe:2.3:%s:%s:%s', infracast.cpe_attribute(infracast.cpe_try(cpe), 'part'),
                        infracast.cpe_attribute(infracast.cpe_try(cpe), 'vendor'),
                        infracast.cpe_attribute(infracast.cpe_try(cpe), 'product'))
        ELSE 'name:' || lower(name) END
$$;

-- ---------------------------------------------------------------------------------------------
-- Tables (tenant-owned: tenant_id first in every key, RLS enabled and forced)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.sbom_documents (
    tenant_id       bigint  NOT NULL DEFAULT infracast.current_tenant(),
    node_id         bigint  NOT NULL,
    format          text    NOT NULL CHECK (format IN ('CycloneDX', 'SPDX')),
    spec_version    text    NOT NULL,
    serial_number   text,                   -- CycloneDX serialNumber or SPDX documentNamespace
    os_name         text,                   -- the operating-system component, when the document has one
    os_version      text,
    components      integer NOT NULL,       -- software rows imported from it
    rejections      jsonb   NOT NULL DEFAULT '[]',
    imported_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, node_id),
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE infracast.sbom_documents IS
    'The last SBOM imported for each node: its format, spec version, operating system and rejected components.';

CREATE TABLE infracast.sbom_components (
    tenant_id       bigint  NOT NULL DEFAULT infracast.current_tenant(),
    software_id     bigint  NOT NULL,
    node_id         bigint  NOT NULL,
    item_key        text    NOT NULL,       -- the purl as written, else the canonical CPE
    bom_ref         text,                   -- CycloneDX bom-ref or SPDX SPDXID
    component_type  text    NOT NULL,       -- CycloneDX type (SPDX packages: library or operating-system)
    package         text    NOT NULL,       -- infracast.sbom_package_key(): what VEX statements name
    distro          text,                   -- purl qualifier distro, else the document's OS (deb, rpm, apk)
    PRIMARY KEY (tenant_id, software_id),
    UNIQUE (tenant_id, node_id, item_key),
    FOREIGN KEY (tenant_id, software_id) REFERENCES infracast.software (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sbom_components_package_idx ON infracast.sbom_components (tenant_id, package);
COMMENT ON TABLE infracast.sbom_components IS
    'What an SBOM said about each software row it created: its bom-ref, component type, package and distro.';

CREATE TABLE infracast.vex (
    tenant_id       bigint  NOT NULL DEFAULT infracast.current_tenant()
                    REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    vulnerability   text    NOT NULL CHECK (vulnerability ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$'),
    package         text    NOT NULL CHECK (package <> ''),
    distro          text    NOT NULL DEFAULT '',      -- '' = every distro
    state           text    NOT NULL CHECK (state IN ('resolved', 'exploitable', 'in_triage',
                                                       'false_positive', 'not_affected')),
    justification   text    CHECK (justification IN ('code_not_present', 'code_not_reachable',
                        'requires_configuration', 'requires_dependency', 'requires_environment',
                        'protected_by_compiler', 'protected_at_runtime', 'protected_at_perimeter',
                        'protected_by_mitigating_control')),
    response        text[]  NOT NULL DEFAULT '{}' CHECK (response <@ ARRAY['can_not_fix', 'will_not_fix',
                        'update', 'rollback', 'workaround_available']),
    detail          text,
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_by      text    NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (tenant_id, vulnerability, package, distro)
);
COMMENT ON TABLE infracast.vex IS
    'VEX analyses (CycloneDX impact analysis) per vulnerability, package (purl without version) and distro; independent of software and finding ids, so they survive re-imports and re-matching.';

ALTER TABLE infracast.sbom_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.sbom_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.sbom_documents
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());
ALTER TABLE infracast.sbom_components ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.sbom_components FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.sbom_components
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());
ALTER TABLE infracast.vex ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.vex FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.vex
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

GRANT SELECT ON infracast.sbom_documents, infracast.sbom_components, infracast.vex TO infracast_reader;
GRANT INSERT, UPDATE, DELETE ON infracast.sbom_documents, infracast.sbom_components, infracast.vex
    TO infracast_analyst;

SELECT pg_catalog.pg_extension_config_dump('infracast.sbom_documents', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.sbom_components', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.vex', '');

-- ---------------------------------------------------------------------------------------------
-- Reading a document into rows (one per component or package), without writing anything
-- ---------------------------------------------------------------------------------------------
-- CycloneDX: every component, nested ones too (components[].components), in document order.
CREATE FUNCTION infracast.sbom_cyclonedx_items(doc jsonb)
    RETURNS TABLE (ord bigint, path text, is_object boolean, bom_ref text, component_type text,
                   name text, version text, purl text, cpe text, subject boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE walk(c, path, sortkey) AS (
        SELECT e.c, '$.components[' || (e.i - 1) || ']', ARRAY[e.i]
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'components') = 'array'
                                         THEN doc -> 'components' ELSE '[]' END) WITH ORDINALITY AS e(c, i)
        UNION ALL
        SELECT e.c, w.path || '.components[' || (e.i - 1) || ']', w.sortkey || e.i
          FROM walk w,
               jsonb_array_elements(w.c -> 'components') WITH ORDINALITY AS e(c, i)
         WHERE jsonb_typeof(w.c) = 'object' AND jsonb_typeof(w.c -> 'components') = 'array'
    )
    SELECT row_number() OVER (ORDER BY w.sortkey), w.path, jsonb_typeof(w.c) = 'object',
           w.c ->> 'bom-ref', coalesce(w.c ->> 'type', 'library'),
           nullif(btrim(w.c ->> 'name'), ''), nullif(btrim(w.c ->> 'version'), ''),
           nullif(btrim(w.c ->> 'purl'), ''), nullif(btrim(w.c ->> 'cpe'), ''), false
      FROM walk w
    UNION ALL
    -- the subject of the document (metadata.component): its bom-ref counts for uniqueness only
    SELECT 0, '$.metadata.component', true, doc #>> '{metadata,component,bom-ref}', 'subject',
           NULL, NULL, NULL, NULL, true
     WHERE jsonb_typeof(doc #> '{metadata,component}') = 'object'
$$;

-- SPDX 2.x: every package; purl and CPE from externalRefs; the operating system from
-- primaryPackagePurpose (2.3) or Trivy's SPDXRef-OperatingSystem-* ids (2.2 has no purpose field).
CREATE FUNCTION infracast.sbom_spdx_items(doc jsonb)
    RETURNS TABLE (ord bigint, path text, is_object boolean, bom_ref text, component_type text,
                   name text, version text, purl text, cpe text, subject boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH described AS (
        SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(doc -> 'documentDescribes') = 'array'
                                              THEN doc -> 'documentDescribes' ELSE '[]' END) AS id
        UNION
        SELECT r ->> 'relatedSpdxElement'
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'relationships') = 'array'
                                         THEN doc -> 'relationships' ELSE '[]' END) AS r
         WHERE jsonb_typeof(r) = 'object' AND r ->> 'relationshipType' = 'DESCRIBES'
           AND r ->> 'spdxElementId' = coalesce(doc ->> 'SPDXID', 'SPDXRef-DOCUMENT')
    )
    SELECT e.i, '$.packages[' || (e.i - 1) || ']', jsonb_typeof(e.p) = 'object',
           e.p ->> 'SPDXID',
           CASE WHEN e.p ->> 'primaryPackagePurpose' = 'OPERATING-SYSTEM'
                  OR e.p ->> 'SPDXID' LIKE 'SPDXRef-OperatingSystem-%' THEN 'operating-system'
                WHEN e.p ->> 'primaryPackagePurpose' IN ('APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER',
                                                         'FIRMWARE', 'DEVICE', 'FILE')
                    THEN lower(e.p ->> 'primaryPackagePurpose')
                ELSE 'library' END,
           nullif(btrim(e.p ->> 'name'), ''), nullif(btrim(e.p ->> 'versionInfo'), ''),
           (SELECT nullif(btrim(r ->> 'referenceLocator'), '')
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.p -> 'externalRefs') = 'array'
                                             THEN e.p -> 'externalRefs' ELSE '[]' END) WITH ORDINALITY AS x(r, k)
             WHERE r ->> 'referenceType' = 'purl' ORDER BY x.k LIMIT 1),
           (SELECT nullif(btrim(r ->> 'referenceLocator'), '')
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.p -> 'externalRefs') = 'array'
                                             THEN e.p -> 'externalRefs' ELSE '[]' END) WITH ORDINALITY AS x(r, k)
             WHERE r ->> 'referenceType' IN ('cpe23Type', 'cpe22Type')
             ORDER BY r ->> 'referenceType' = 'cpe23Type' DESC, x.k LIMIT 1),
           e.p ->> 'SPDXID' IN (SELECT d.id FROM described d)
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'packages') = 'array'
                                     THEN doc -> 'packages' ELSE '[]' END) WITH ORDINALITY AS e(p, i)
$$;

-- Which format and version, or a clear error (IC701 not an SBOM, IC702 unsupported version).
CREATE FUNCTION infracast.sbom_format(doc jsonb, OUT format text, OUT spec_version text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF doc IS NULL OR jsonb_typeof(doc) <> 'object' THEN
        RAISE EXCEPTION 'an SBOM must be a JSON object, not %', coalesce(jsonb_typeof(doc), 'NULL')
            USING ERRCODE = 'IC701',
                  HINT = 'Pass the whole CycloneDX or SPDX JSON document, for example pg_read_file(...)::jsonb.';
    END IF;
    IF doc ? 'bomFormat' THEN
        format := 'CycloneDX';
        IF doc ->> 'bomFormat' IS DISTINCT FROM 'CycloneDX' THEN
            RAISE EXCEPTION 'bomFormat is "%", not "CycloneDX"', doc ->> 'bomFormat'
                USING ERRCODE = 'IC701', HINT = 'Only CycloneDX JSON documents carry bomFormat; check the file.';
        END IF;
        spec_version := doc ->> 'specVersion';
        IF spec_version IS NULL OR spec_version NOT IN ('1.4', '1.5', '1.6', '1.7') THEN
            RAISE EXCEPTION 'unsupported CycloneDX spec version "%"', coalesce(spec_version, '(missing)')
                USING ERRCODE = 'IC702',
                      DETAIL = 'Infracast imports CycloneDX 1.4, 1.5, 1.6 and 1.7.',
                      HINT = 'Regenerate the SBOM with a current tool, or convert it (cyclonedx-cli convert --output-version v1_6).';
        END IF;
        IF doc ? 'components' AND jsonb_typeof(doc -> 'components') <> 'array' THEN
            RAISE EXCEPTION '$.components must be an array, not %', jsonb_typeof(doc -> 'components')
                USING ERRCODE = 'IC701', HINT = 'Check that the file is a valid CycloneDX document.';
        END IF;
    ELSIF doc ? 'spdxVersion' THEN
        format := 'SPDX';
        spec_version := doc ->> 'spdxVersion';
        IF spec_version IS NULL OR spec_version NOT IN ('SPDX-2.2', 'SPDX-2.3') THEN
            RAISE EXCEPTION 'unsupported SPDX version "%"', coalesce(spec_version, '(missing)')
                USING ERRCODE = 'IC702',
                      DETAIL = 'Infracast imports SPDX 2.2 and 2.3 JSON.',
                      HINT = 'Export the SBOM as SPDX 2.3 JSON, or as CycloneDX 1.4-1.7.';
        END IF;
        IF doc ? 'packages' AND jsonb_typeof(doc -> 'packages') <> 'array' THEN
            RAISE EXCEPTION '$.packages must be an array, not %', jsonb_typeof(doc -> 'packages')
                USING ERRCODE = 'IC701', HINT = 'Check that the file is a valid SPDX JSON document.';
        END IF;
    ELSE
        RAISE EXCEPTION 'the document is neither CycloneDX (no bomFormat) nor SPDX (no spdxVersion)'
            USING ERRCODE = 'IC701',
                  HINT = 'Import CycloneDX 1.4-1.7 or SPDX 2.2/2.3 JSON (XML, tag-value and SPDX 3 are not read).';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Import
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.import_sbom(
    node      text,
    document  jsonb,
    strict    boolean DEFAULT false,
    OUT format        text,
    OUT spec_version  text,
    OUT inserted      bigint,
    OUT kept          bigint,
    OUT removed       bigint,
    OUT duplicates    bigint,
    OUT rejected      bigint,
    OUT rejections    jsonb)
    RETURNS record
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning
    SET jit = off
AS $$
DECLARE
    v_tenant   bigint;
    v_node     bigint;
    v_os_name  text;
    v_os_ver   text;
    v_dups     text;
BEGIN
    PERFORM infracast.require_feature('sbom');
    PERFORM infracast.require_valid_license('import an SBOM');
    v_tenant := infracast.current_tenant();
    SELECT n.id INTO v_node FROM infracast.nodes n WHERE n.tenant_id = v_tenant AND n.external_id = node;
    IF v_node IS NULL THEN
        RAISE EXCEPTION 'no node "%" in this tenant', node
            USING ERRCODE = 'IC705',
                  HINT = 'Name the node by its external_id (SELECT external_id FROM infracast.nodes), or create it first.';
    END IF;
    SELECT f.format, f.spec_version INTO format, spec_version FROM infracast.sbom_format(document) f;
    -- One import per node at a time: two would both insert the same packages.
    PERFORM pg_advisory_xact_lock(1229147470, (v_node % 2147483647)::integer);

    DROP TABLE IF EXISTS pg_temp.ic_sbom_raw, pg_temp.ic_sbom_items;
    CREATE TEMP TABLE ic_sbom_raw ON COMMIT DROP AS
    SELECT * FROM infracast.sbom_cyclonedx_items(document) WHERE format = 'CycloneDX'
    UNION ALL
    SELECT * FROM infracast.sbom_spdx_items(document) WHERE format = 'SPDX';

    -- A bom-ref (SPDXID) names one element: with duplicates the document's references are ambiguous.
    SELECT string_agg(format('"%s" (%s times)', d.bom_ref, d.n), ', ' ORDER BY d.bom_ref) INTO v_dups
      FROM (SELECT bom_ref, count(*) AS n FROM pg_temp.ic_sbom_raw WHERE bom_ref IS NOT NULL
             GROUP BY bom_ref HAVING count(*) > 1 ORDER BY bom_ref LIMIT 5) d;
    IF v_dups IS NOT NULL THEN
        RAISE EXCEPTION 'duplicate % in the SBOM: %', CASE format WHEN 'SPDX' THEN 'SPDXID' ELSE 'bom-ref' END, v_dups
            USING ERRCODE = 'IC703',
                  HINT = 'Each bom-ref (SPDXID) must name exactly one element; fix the generator or the file. Nothing was imported.';
    END IF;

    -- The operating system: the distro of OS packages whose purl does not say it.
    SELECT r.name, r.version INTO v_os_name, v_os_ver FROM pg_temp.ic_sbom_raw r
     WHERE r.is_object AND r.component_type = 'operating-system' AND r.name IS NOT NULL AND r.ord > 0
     ORDER BY r.ord LIMIT 1;

    -- One pass over the items: the purl's parts (one regular expression: type, namespace/name, name,
    -- version, qualifiers), the canonical CPE, the reason to reject (the first that applies), and
    -- which repeat an earlier item's purl (Trivy lists a gem once per lockfile: one software row).
    CREATE TEMP TABLE ic_sbom_items ON COMMIT DROP AS
    SELECT y.*, y.reason IS NULL AND row_number() OVER (PARTITION BY y.reason IS NULL, y.item_key ORDER BY y.ord) > 1 AS duplicate,
           NULL::bigint AS software_id, false AS existing
      FROM (
        SELECT x.ord, x.path, x.bom_ref, x.component_type, x.purl, x.cpe,
               coalesce(x.name, infracast.purl_decode(x.m[3])) AS name,
               -- the purl's version wins over the document's: Trivy's SPDX 2.2 versionInfo disagrees
               -- with its own purls, and the purl is what the package manager reported
               CASE WHEN x.m[4] IS NULL THEN x.version
                    WHEN x.epoch IS NOT NULL AND x.epoch <> '0' AND strpos(x.m[4], ':') = 0
                        THEN x.epoch || ':' || infracast.purl_decode(x.m[4])
                    ELSE infracast.purl_decode(x.m[4]) END AS version,
               coalesce(x.purl, x.cpe) AS item_key,
               coalesce(infracast.purl_decode(substring(x.m[5] from '(?:^|&)distro=([^&]*)')),
                        CASE WHEN lower(x.m[1]) IN ('deb', 'rpm', 'apk') AND v_os_name IS NOT NULL
                             THEN lower(v_os_name) || coalesce('-' || v_os_ver, '') END) AS distro,
               CASE WHEN x.m IS NOT NULL THEN 'pkg:' || lower(x.m[1]) || '/' || x.m[2]
                    ELSE infracast.sbom_package_key(NULL, x.cpe, x.name) END AS package,
               CASE
                   WHEN NOT x.is_object THEN 'not a JSON object'
                   WHEN x.purl IS NOT NULL AND x.m IS NULL
                       THEN format('purl "%s" is not a package URL (pkg:type/namespace/name@version)', left(x.purl, 200))
                   WHEN x.cpe_given IS NOT NULL AND x.cpe IS NULL
                       THEN format('cpe "%s" is not a valid CPE 2.3 name', left(x.cpe_given, 200))
                   WHEN x.purl IS NULL AND x.cpe IS NULL AND x.component_type = 'operating-system' THEN 'os'
                   WHEN x.purl IS NULL AND x.cpe IS NULL AND x.subject THEN 'subject'
                   WHEN x.purl IS NULL AND x.cpe IS NULL THEN 'no purl or cpe: nothing to match vulnerabilities by'
                   WHEN x.name IS NULL AND x.purl IS NULL THEN 'no name'
               END AS reason
          FROM (SELECT r.ord, r.path, r.is_object, r.bom_ref, r.component_type, r.name, r.version, r.purl,
                       r.subject, r.cpe AS cpe_given, infracast.cpe_try(r.cpe)::text AS cpe,
                       -- m: type, namespace/name, name, version, qualifiers (NULL: no purl, or not valid).
                       -- String functions, not one regular expression with captures: three times faster.
                       CASE WHEN infracast.purl_is_valid(r.purl) THEN
                           ARRAY[split_part(b.path, '/', 1), substr(b.path, strpos(b.path, '/') + 1),
                                 reverse(split_part(reverse(b.path), '/', 1)),
                                 CASE WHEN strpos(a.main, '@') > 0 THEN substr(a.main, strpos(a.main, '@') + 1) END,
                                 a.quals] END AS m,
                       substring(a.quals from '(?:^|&)epoch=([^&]*)') AS epoch
                  FROM pg_temp.ic_sbom_raw r
                  LEFT JOIN LATERAL (SELECT split_part(split_part(ltrim(substr(r.purl, 5), '/'), '#', 1), '?', 1) AS main,
                                            nullif(split_part(split_part(ltrim(substr(r.purl, 5), '/'), '#', 1), '?', 2), '') AS quals) a
                         ON r.purl IS NOT NULL
                  LEFT JOIN LATERAL (SELECT split_part(a.main, '@', 1) AS path) b ON r.purl IS NOT NULL
                 WHERE r.ord > 0 OR format = 'SPDX'
                OFFSET 0) x   -- computed once per row: flattened, every use of m would recompute it
      ) y;
    ANALYZE pg_temp.ic_sbom_items;

    SELECT count(*) FILTER (WHERE duplicate),
           count(*) FILTER (WHERE reason IS NOT NULL AND reason NOT IN ('os', 'subject')),
           coalesce(jsonb_agg(jsonb_build_object('path', path, 'ref', bom_ref, 'name', name, 'reason', reason)
                              ORDER BY ord) FILTER (WHERE reason IS NOT NULL AND reason NOT IN ('os', 'subject')), '[]')
      INTO duplicates, rejected, rejections
      FROM pg_temp.ic_sbom_items;
    IF strict AND rejected > 0 THEN
        RAISE EXCEPTION '% of the SBOM''s components were rejected', rejected
            USING ERRCODE = 'IC704',
                  DETAIL = (SELECT string_agg(format('%s (%s): %s', r ->> 'path', coalesce(r ->> 'name', r ->> 'ref', '?'),
                                                     r ->> 'reason'), '; ')
                              FROM (SELECT r FROM jsonb_array_elements(rejections) r LIMIT 5) x),
                  HINT = 'Nothing was imported. Fix those components, or import with strict => false to skip them (the result lists each with its reason).';
    END IF;

    -- Each item that becomes a software row keeps the id its package had (same purl, or same CPE)
    -- in the node's previous import, or takes a new one.
    UPDATE pg_temp.ic_sbom_items i
       SET software_id = coalesce(c.software_id, nextval('infracast.software_id_seq')),
           existing = c.software_id IS NOT NULL
      FROM pg_temp.ic_sbom_items j
      LEFT JOIN infracast.sbom_components c
             ON c.tenant_id = v_tenant AND c.node_id = v_node AND c.item_key = j.item_key
     WHERE j.ord = i.ord AND i.reason IS NULL AND NOT i.duplicate;

    WITH gone AS (
        DELETE FROM infracast.software s
         USING infracast.sbom_components c
         WHERE c.tenant_id = v_tenant AND c.node_id = v_node AND s.tenant_id = c.tenant_id AND s.id = c.software_id
           AND c.software_id NOT IN (SELECT i.software_id FROM pg_temp.ic_sbom_items i WHERE i.software_id IS NOT NULL)
        RETURNING s.id)
    SELECT count(*) INTO removed FROM gone;

    WITH upd AS (
        UPDATE infracast.software s
           SET name = i.name, version = i.version, purl = i.purl, cpe = i.cpe, last_seen = now()
          FROM pg_temp.ic_sbom_items i
         WHERE s.tenant_id = v_tenant AND s.id = i.software_id AND i.existing
        RETURNING s.id)
    SELECT count(*) INTO kept FROM upd;

    INSERT INTO infracast.software (tenant_id, id, node_id, name, vendor, version, cpe, purl, source)
    SELECT v_tenant, i.software_id, v_node, i.name, NULL, i.version, i.cpe, i.purl, 'sbom'
      FROM pg_temp.ic_sbom_items i
     WHERE i.software_id IS NOT NULL AND NOT i.existing;
    GET DIAGNOSTICS inserted = ROW_COUNT;

    INSERT INTO infracast.sbom_components AS c (tenant_id, software_id, node_id, item_key, bom_ref,
                                                component_type, package, distro)
    SELECT v_tenant, i.software_id, v_node, i.item_key, i.bom_ref, i.component_type,
           i.package, i.distro
      FROM pg_temp.ic_sbom_items i
     WHERE i.software_id IS NOT NULL
    ON CONFLICT (tenant_id, software_id) DO UPDATE
       SET bom_ref = EXCLUDED.bom_ref, component_type = EXCLUDED.component_type,
           package = EXCLUDED.package, distro = EXCLUDED.distro
     WHERE (c.bom_ref, c.component_type, c.package, c.distro)
           IS DISTINCT FROM (EXCLUDED.bom_ref, EXCLUDED.component_type, EXCLUDED.package, EXCLUDED.distro);

    INSERT INTO infracast.sbom_documents AS d (tenant_id, node_id, format, spec_version, serial_number,
                                               os_name, os_version, components, rejections)
    VALUES (v_tenant, v_node, format, spec_version,
            coalesce(document ->> 'serialNumber', document ->> 'documentNamespace'),
            v_os_name, v_os_ver, inserted + kept, rejections)
    ON CONFLICT (tenant_id, node_id) DO UPDATE
       SET format = EXCLUDED.format, spec_version = EXCLUDED.spec_version,
           serial_number = EXCLUDED.serial_number, os_name = EXCLUDED.os_name,
           os_version = EXCLUDED.os_version, components = EXCLUDED.components,
           rejections = EXCLUDED.rejections, imported_at = now();
    DROP TABLE pg_temp.ic_sbom_raw, pg_temp.ic_sbom_items;
END
$$;
COMMENT ON FUNCTION infracast.import_sbom(text, jsonb, boolean) IS
    'Imports a CycloneDX 1.4-1.7 or SPDX 2.2/2.3 JSON SBOM as the software of a node (by external_id), replacing what the node''s previous SBOM said; returns counts and each rejected component with its reason (strict => true raises IC704 instead).';

-- ---------------------------------------------------------------------------------------------
-- VEX
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.set_vex(
    vulnerability  text,
    package        text,
    state          text,
    justification  text DEFAULT NULL,
    response       text[] DEFAULT NULL,
    detail         text DEFAULT NULL,
    distro         text DEFAULT NULL)
    RETURNS infracast.vex
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_vuln    text := upper(btrim(vulnerability));
    v_pkg     text := btrim(package);
    v_distro  text := distro;
    v_row     infracast.vex;
BEGIN
    PERFORM infracast.require_feature('sbom');
    IF v_vuln IS NULL OR v_vuln !~ '^[A-Z0-9][A-Z0-9._:-]*$' THEN
        RAISE EXCEPTION 'vulnerability id "%" is not valid', vulnerability
            USING ERRCODE = 'IC706', HINT = 'Name the vulnerability by its id, for example CVE-2021-44228 or GHSA-jfh8-c2jp-5v3q.';
    END IF;
    IF v_pkg IS NULL OR v_pkg = '' THEN
        RAISE EXCEPTION 'a VEX statement needs a package'
            USING ERRCODE = 'IC706', HINT = 'Pass the package''s purl (pkg:deb/debian/openssl); the version is ignored.';
    END IF;
    IF v_pkg LIKE 'pkg:%' THEN
        IF NOT infracast.purl_is_valid(v_pkg) THEN
            RAISE EXCEPTION 'purl "%" is not a package URL', v_pkg
                USING ERRCODE = 'IC706', HINT = 'Write it as pkg:type/namespace/name, for example pkg:deb/debian/openssl.';
        END IF;
        v_distro := coalesce(v_distro, infracast.purl_qualifier(v_pkg, 'distro'));
        v_pkg := infracast.purl_package(v_pkg);
    END IF;
    IF state IS NULL OR state NOT IN ('resolved', 'exploitable', 'in_triage', 'false_positive', 'not_affected') THEN
        RAISE EXCEPTION 'VEX state "%" is not one of resolved, exploitable, in_triage, false_positive, not_affected',
                        coalesce(state, '(null)')
            USING ERRCODE = 'IC706', HINT = 'These are the CycloneDX impact analysis states.';
    END IF;
    IF justification IS NOT NULL AND justification NOT IN ('code_not_present', 'code_not_reachable',
            'requires_configuration', 'requires_dependency', 'requires_environment', 'protected_by_compiler',
            'protected_at_runtime', 'protected_at_perimeter', 'protected_by_mitigating_control') THEN
        RAISE EXCEPTION 'VEX justification "%" is not a CycloneDX justification', justification
            USING ERRCODE = 'IC706',
                  HINT = 'Use code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter or protected_by_mitigating_control.';
    END IF;
    IF response IS NOT NULL AND NOT response <@ ARRAY['can_not_fix', 'will_not_fix', 'update', 'rollback', 'workaround_available'] THEN
        RAISE EXCEPTION 'VEX response % has a value that is not a CycloneDX response', response
            USING ERRCODE = 'IC706', HINT = 'Use can_not_fix, will_not_fix, update, rollback or workaround_available.';
    END IF;
    IF state = 'not_affected' AND justification IS NULL AND nullif(btrim(detail), '') IS NULL THEN
        RAISE EXCEPTION 'not_affected needs a justification or a detail'
            USING ERRCODE = 'IC706',
                  HINT = 'Say why the package is not affected (VEX minimum requirements): pass justification => ''code_not_present'' or a detail.';
    END IF;
    INSERT INTO infracast.vex AS v (tenant_id, vulnerability, package, distro, state, justification, response, detail)
    VALUES (infracast.current_tenant(), v_vuln, v_pkg, coalesce(lower(btrim(v_distro)), ''), state, justification,
            coalesce(response, '{}'), detail)
    ON CONFLICT ON CONSTRAINT vex_pkey DO UPDATE
       SET state = EXCLUDED.state, justification = EXCLUDED.justification, response = EXCLUDED.response,
           detail = EXCLUDED.detail, updated_at = now(), updated_by = CURRENT_USER
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION infracast.set_vex(text, text, text, text, text[], text, text) IS
    'Records the VEX analysis of a vulnerability for a package (purl; version ignored) and distro (default: the purl''s distro qualifier, else every distro). Kept across re-imports and re-matching.';

CREATE FUNCTION infracast.clear_vex(vulnerability text, package text, distro text DEFAULT NULL) RETURNS boolean
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pkg    text := btrim(package);
    v_distro text := distro;
BEGIN
    PERFORM infracast.require_feature('sbom');
    IF v_pkg LIKE 'pkg:%' AND infracast.purl_is_valid(v_pkg) THEN
        v_distro := coalesce(v_distro, infracast.purl_qualifier(v_pkg, 'distro'));
        v_pkg := infracast.purl_package(v_pkg);
    END IF;
    DELETE FROM infracast.vex v
     WHERE v.tenant_id = infracast.current_tenant() AND v.vulnerability = upper(btrim(clear_vex.vulnerability))
       AND v.package = v_pkg AND v.distro = coalesce(lower(btrim(v_distro)), '');
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION infracast.clear_vex(text, text, text) IS 'Forgets one VEX analysis; true when there was one.';

-- ---------------------------------------------------------------------------------------------
-- Export: one CycloneDX 1.6 OBOM per node
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.export_obom(node text) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE   -- the licence check may record the time it saw
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
    n        infracast.nodes;
    d        infracast.sbom_documents;
    v_ref    text;
    v_os_ref text;
    v_comps  jsonb;
    v_vulns  jsonb;
BEGIN
    PERFORM infracast.require_feature('sbom');
    PERFORM infracast.require_valid_license('export an OBOM');
    v_tenant := infracast.current_tenant();
    SELECT * INTO n FROM infracast.nodes x WHERE x.tenant_id = v_tenant AND x.external_id = node;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no node "%" in this tenant', node
            USING ERRCODE = 'IC705', HINT = 'Name the node by its external_id (SELECT external_id FROM infracast.nodes).';
    END IF;
    SELECT * INTO d FROM infracast.sbom_documents x WHERE x.tenant_id = v_tenant AND x.node_id = n.id;
    v_ref := 'node:' || n.external_id;
    v_os_ref := CASE WHEN d.os_name IS NOT NULL THEN 'os:' || n.external_id END;

    SELECT coalesce(jsonb_agg(c ORDER BY k), '[]') INTO v_comps FROM (
        SELECT 0 AS k, jsonb_strip_nulls(jsonb_build_object('type', 'operating-system', 'bom-ref', v_os_ref,
                   'name', d.os_name, 'version', d.os_version)) AS c
         WHERE v_os_ref IS NOT NULL
        UNION ALL
        SELECT s.id, jsonb_strip_nulls(jsonb_build_object(
                   'type', CASE WHEN c.component_type IN ('application', 'framework', 'library', 'container',
                                     'platform', 'operating-system', 'device', 'device-driver', 'firmware', 'file',
                                     'machine-learning-model', 'data', 'cryptographic-asset')
                                THEN c.component_type ELSE 'library' END,
                   'bom-ref', 'software:' || s.id, 'name', s.name, 'version', s.version,
                   'cpe', s.cpe, 'purl', s.purl,
                   'properties', CASE WHEN c.distro IS NOT NULL OR s.source <> 'sbom' THEN
                       jsonb_path_query_array(jsonb_build_array(
                           CASE WHEN c.distro IS NOT NULL THEN jsonb_build_object('name', 'infracast:distro', 'value', c.distro) END,
                           jsonb_build_object('name', 'infracast:source', 'value', s.source)), '$[*] ? (@ != null)') END))
          FROM infracast.software s
          LEFT JOIN infracast.sbom_components c ON c.tenant_id = s.tenant_id AND c.software_id = s.id
         WHERE s.tenant_id = v_tenant AND s.node_id = n.id) x;

    -- Findings that still hold (open or accepted) with their VEX analysis: the exact distro's
    -- statement first, else the one for every distro; an accepted risk without one is exploitable,
    -- will_not_fix, with the note that accepted it.
    SELECT coalesce(jsonb_agg(v ORDER BY cve_id, software_id), '[]') INTO v_vulns FROM (
        SELECT f.cve_id, f.software_id, jsonb_strip_nulls(jsonb_build_object(
                   'bom-ref', 'finding:' || f.id,
                   'id', f.cve_id,
                   'source', jsonb_build_object('name', 'NVD', 'url', 'https://nvd.nist.gov/vuln/detail/' || f.cve_id),
                   'ratings', (SELECT jsonb_agg(r) FROM (
                        SELECT jsonb_strip_nulls(jsonb_build_object('source', jsonb_build_object('name', 'NVD'),
                                   'score', m.score, 'severity', m.severity, 'method', m.method, 'vector', m.vector)) AS r
                          FROM (VALUES (1, cv.cvss_v40_score, lower(cv.cvss_v40_severity), 'CVSSv4', cv.cvss_v40_vector),
                                       (2, cv.cvss_v31_score, lower(cv.cvss_v31_severity), 'CVSSv31', cv.cvss_v31_vector),
                                       (3, cv.cvss_v30_score, lower(cv.cvss_v30_severity), 'CVSSv3', cv.cvss_v30_vector),
                                       (4, cv.cvss_v2_score, lower(cv.cvss_v2_severity), 'CVSSv2', cv.cvss_v2_vector))
                               AS m(k, score, severity, method, vector)
                         WHERE m.score IS NOT NULL ORDER BY m.k) rr),
                   'description', cv.description,
                   'affects', jsonb_build_array(jsonb_build_object('ref', 'software:' || f.software_id)),
                   'analysis', CASE
                       WHEN vx.state IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object(
                           'state', vx.state, 'justification', vx.justification,
                           'response', CASE WHEN cardinality(vx.response) > 0 THEN to_jsonb(vx.response) END,
                           'detail', vx.detail, 'lastUpdated', to_char(vx.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
                       WHEN f.status = 'accepted_risk' THEN jsonb_strip_nulls(jsonb_build_object(
                           'state', 'exploitable', 'response', jsonb_build_array('will_not_fix'), 'detail', f.status_note))
                       END)) AS v
          FROM infracast.findings f
          JOIN infracast.software s ON s.tenant_id = f.tenant_id AND s.id = f.software_id
          LEFT JOIN infracast.sbom_components c ON c.tenant_id = s.tenant_id AND c.software_id = s.id
          LEFT JOIN infracast.cve cv ON cv.id = f.cve_id
          LEFT JOIN LATERAL (
                SELECT x.* FROM infracast.vex x
                 WHERE x.tenant_id = f.tenant_id AND x.vulnerability = f.cve_id
                   AND x.package = coalesce(c.package, infracast.sbom_package_key(s.purl, s.cpe, s.name))
                   AND x.distro IN (coalesce(c.distro, ''), '')
                 ORDER BY x.distro DESC LIMIT 1) vx ON true
         WHERE f.tenant_id = v_tenant AND f.node_id = n.id AND f.status IN ('open', 'accepted_risk')) y;

    RETURN jsonb_build_object(
        'bomFormat', 'CycloneDX',
        'specVersion', '1.6',
        'serialNumber', 'urn:uuid:' || gen_random_uuid(),
        'version', 1,
        'metadata', jsonb_build_object(
            'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'lifecycles', jsonb_build_array(jsonb_build_object('phase', 'operations')),
            'tools', jsonb_build_object('components', jsonb_build_array(jsonb_build_object(
                'type', 'application', 'name', 'infracast',
                'version', (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'infracast')))),
            'component', jsonb_strip_nulls(jsonb_build_object(
                'type', CASE WHEN n.kind IN ('vm', 'hypervisor', 'cloud_resource') THEN 'platform'
                             WHEN n.kind IN ('host', 'router', 'switch', 'firewall') THEN 'device'
                             ELSE 'application' END,
                'bom-ref', v_ref, 'name', coalesce(n.name, n.external_id),
                'properties', jsonb_build_array(jsonb_build_object('name', 'infracast:external_id', 'value', n.external_id),
                                                jsonb_build_object('name', 'infracast:kind', 'value', n.kind))))),
        'components', v_comps,
        'dependencies', jsonb_build_array(jsonb_build_object('ref', v_ref,
            'dependsOn', (SELECT coalesce(jsonb_agg(c ->> 'bom-ref'), '[]') FROM jsonb_array_elements(v_comps) c))),
        'vulnerabilities', v_vulns);
END
$$;
COMMENT ON FUNCTION infracast.export_obom(text) IS
    'A CycloneDX 1.6 operations BOM of one node (by external_id): its operating system and software, and its open or accepted findings as vulnerabilities with their VEX analysis.';

-- ---------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION infracast.import_sbom(text, jsonb, boolean),
    infracast.set_vex(text, text, text, text, text[], text, text), infracast.clear_vex(text, text, text),
    infracast.export_obom(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.import_sbom(text, jsonb, boolean),
    infracast.set_vex(text, text, text, text, text[], text, text), infracast.clear_vex(text, text, text)
    TO infracast_analyst;
GRANT EXECUTE ON FUNCTION infracast.export_obom(text) TO infracast_reader;
