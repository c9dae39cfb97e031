-- Infracast SBOM, part 2: the REST surface (docs/sbom.md#rest). After 90_api.sql, which creates the
-- schema infracast_api; the wrappers only reshape 77_sbom.sql (the licence check, the tenant and RLS
-- stay there). Every argument arrives in one JSON object, as the proxy sends it.

CREATE VIEW infracast_api.sbom_documents WITH (security_invoker = true) AS
    SELECT n.external_id AS node, d.format, d.spec_version, d.serial_number, d.os_name, d.os_version,
           d.components, pg_catalog.jsonb_array_length(d.rejections) AS rejected, d.rejections, d.imported_at
      FROM infracast.sbom_documents d
      JOIN infracast.nodes n ON n.tenant_id = d.tenant_id AND n.id = d.node_id;
COMMENT ON VIEW infracast_api.sbom_documents IS
    'The last SBOM imported for each of the caller''s nodes: format, spec version, operating system, components imported and those rejected (with why).';

CREATE VIEW infracast_api.sbom_components WITH (security_invoker = true) AS
    SELECT n.external_id AS node, s.name, s.version, s.purl, s.cpe, c.component_type, c.package, c.distro, c.bom_ref
      FROM infracast.sbom_components c
      JOIN infracast.software s ON s.tenant_id = c.tenant_id AND s.id = c.software_id
      JOIN infracast.nodes n ON n.tenant_id = c.tenant_id AND n.id = c.node_id;
COMMENT ON VIEW infracast_api.sbom_components IS
    'The software an SBOM put on each node: name, version, purl or CPE, component type, the package VEX statements name, distro.';

CREATE VIEW infracast_api.vex WITH (security_invoker = true) AS
    SELECT v.vulnerability, v.package, v.distro, v.state, v.justification, v.response, v.detail,
           v.updated_at, v.updated_by
      FROM infracast.vex v;
COMMENT ON VIEW infracast_api.vex IS
    'The caller''s VEX analyses per vulnerability, package and distro (CycloneDX impact analysis states).';

-- {"node": "web01", "document": {...CycloneDX or SPDX JSON...}, "strict": false}
CREATE FUNCTION infracast_api.sbom_import(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    IF jsonb_typeof(args -> 'document') IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'argument "document" (the SBOM, a JSON object) is required'
            USING ERRCODE = '22023', HINT = 'Send {"node": "web01", "document": {"bomFormat": "CycloneDX", ...}}.';
    END IF;
    IF args ? 'strict' AND jsonb_typeof(args -> 'strict') <> 'boolean' THEN
        RAISE EXCEPTION 'argument "strict" must be true or false'
            USING ERRCODE = '22023', HINT = 'true refuses the whole document when a component is rejected.';
    END IF;
    SELECT * INTO r FROM infracast.import_sbom(infracast.api_arg(args, 'node'), args -> 'document',
                                               COALESCE((args ->> 'strict')::boolean, false));
    RETURN jsonb_build_object('node', args ->> 'node', 'format', r.format, 'spec_version', r.spec_version,
                              'inserted', r.inserted, 'kept', r.kept, 'removed', r.removed,
                              'duplicates', r.duplicates, 'rejected', r.rejected, 'rejections', r.rejections);
END
$$;
COMMENT ON FUNCTION infracast_api.sbom_import(jsonb) IS
    'Imports a CycloneDX (1.4-1.7) or SPDX (2.2, 2.3) JSON SBOM as one node''s software: {"node": "web01", "document": {...}, "strict": false} → counts and rejections.';

-- {"vulnerability", "package", "state", "justification", "response": [...], "detail", "distro"}
CREATE FUNCTION infracast_api.vex_set(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_response text[];
    v_row      infracast.vex;
BEGIN
    IF args ? 'response' THEN
        IF jsonb_typeof(args -> 'response') <> 'array'
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(args -> 'response') e WHERE jsonb_typeof(e) <> 'string') THEN
            RAISE EXCEPTION 'argument "response" must be an array of strings'
                USING ERRCODE = '22023', HINT = 'For example ["update", "workaround_available"].';
        END IF;
        v_response := ARRAY(SELECT jsonb_array_elements_text(args -> 'response'));
    END IF;
    v_row := infracast.set_vex(infracast.api_arg(args, 'vulnerability'), infracast.api_arg(args, 'package'),
                               infracast.api_arg(args, 'state'), args ->> 'justification', v_response,
                               args ->> 'detail', args ->> 'distro');
    RETURN to_jsonb(v_row) - 'tenant_id';
END
$$;
COMMENT ON FUNCTION infracast_api.vex_set(jsonb) IS
    'Records a VEX analysis: {"vulnerability": "CVE-2021-44228", "package": "pkg:maven/org.apache.logging.log4j/log4j-core", "state": "not_affected", "justification": "code_not_reachable"} → the stored row.';

CREATE FUNCTION infracast_api.vex_clear(args jsonb) RETURNS jsonb
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('cleared', infracast.clear_vex(infracast.api_arg(args, 'vulnerability'),
                                                             infracast.api_arg(args, 'package'), args ->> 'distro'))
$$;
COMMENT ON FUNCTION infracast_api.vex_clear(jsonb) IS
    'Removes a VEX analysis: {"vulnerability", "package", "distro"} → {"cleared": true|false}.';

CREATE FUNCTION infracast_api.obom_export(args jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT infracast.export_obom(infracast.api_arg(args, 'node')) $$;
COMMENT ON FUNCTION infracast_api.obom_export(jsonb) IS
    'A CycloneDX 1.6 operations BOM of one node: {"node": "web01"} → the BOM (operating system, software, open and accepted findings with their VEX analysis).';

REVOKE EXECUTE ON FUNCTION infracast_api.sbom_import(jsonb), infracast_api.vex_set(jsonb),
    infracast_api.vex_clear(jsonb), infracast_api.obom_export(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast_api.obom_export(jsonb) TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast_api.sbom_import(jsonb), infracast_api.vex_set(jsonb),
    infracast_api.vex_clear(jsonb) TO infracast_analyst;
GRANT SELECT ON infracast_api.sbom_documents, infracast_api.sbom_components, infracast_api.vex TO infracast_reader;
