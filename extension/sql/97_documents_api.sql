-- Infracast documents, part 2: the REST surface the UI downloads documents through
-- (docs/documents.md#rest). After 90_api.sql, which creates the schema infracast_api; the wrappers
-- only reshape 96_documents.sql (the licence check, the tenant and RLS stay there).

CREATE VIEW infracast_api.documents WITH (security_invoker = true) AS
    SELECT r.id, r.kind, r.title, r.media_type, r.filename, r.sha256, r.bytes, r.as_of, r.created_at, r.created_by
      FROM infracast.reports r;
COMMENT ON VIEW infracast_api.documents IS
    'The caller''s stored documents (HTML reports, OSCAL SSP, assessment results, POA&M, inventory and POA&M CSV) without their content; fetch one with POST /api/rpc/document_get.';

-- {"kind", "profile", "as_of"} → the arguments of render_document / store_document (in schema
-- infracast: the proxy serves every function of infracast_api as a route, and this is none).
CREATE FUNCTION infracast.document_api_args(args jsonb, OUT kind text, OUT profile text, OUT as_of timestamptz)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(args -> 'kind') IS DISTINCT FROM 'string' THEN
        RAISE EXCEPTION 'argument "kind" (a string) is required'
            USING ERRCODE = '22023', HINT = 'One of report, ssp, assessment-results, poam, inventory, poam-csv.';
    END IF;
    kind := args ->> 'kind';
    profile := COALESCE(args ->> 'profile', 'moderate');
    as_of := COALESCE((args ->> 'as_of')::timestamptz, now());
END
$$;

CREATE FUNCTION infracast_api.document_generate(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
    d record;
BEGIN
    SELECT * INTO a FROM infracast.document_api_args(args);
    SELECT * INTO d FROM infracast.render_document(a.kind, a.profile, a.as_of);
    RETURN jsonb_build_object('kind', a.kind, 'title', d.title, 'filename', d.filename, 'media_type', d.media_type,
                              'as_of', a.as_of, 'sha256', encode(sha256(convert_to(d.content, 'UTF8')), 'hex'),
                              'bytes', octet_length(d.content), 'content', d.content);
END
$$;
COMMENT ON FUNCTION infracast_api.document_generate(jsonb) IS
    'Generates a document without storing it: {"kind": "ssp", "profile": "moderate", "as_of": "2026-12-01T00:00:00Z"} → {filename, media_type, sha256, bytes, content}. Kinds: report, ssp, assessment-results, poam, inventory, poam-csv.';

CREATE FUNCTION infracast_api.document_store(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a   record;
    row infracast.reports;
BEGIN
    SELECT * INTO a FROM infracast.document_api_args(args);
    row := infracast.store_document(a.kind, a.profile, a.as_of);
    RETURN to_jsonb(row) - 'tenant_id' - 'content';
END
$$;
COMMENT ON FUNCTION infracast_api.document_store(jsonb) IS
    'Generates a document and keeps it (GET /api/documents lists it): {"kind": "report"} → the stored row without its content.';

CREATE FUNCTION infracast_api.document_get(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row jsonb;
BEGIN
    IF jsonb_typeof(args -> 'id') IS DISTINCT FROM 'number' THEN
        RAISE EXCEPTION 'argument "id" (a number) is required'
            USING ERRCODE = '22023', HINT = 'See GET /api/documents.';
    END IF;
    SELECT to_jsonb(r) - 'tenant_id' INTO v_row FROM infracast.reports r WHERE r.id = (args ->> 'id')::bigint;
    IF v_row IS NULL THEN
        RAISE EXCEPTION 'document % does not exist', args ->> 'id'
            USING ERRCODE = 'P0002', HINT = 'See GET /api/documents.';
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION infracast_api.document_get(jsonb) IS
    'A stored document with its content: {"id": 3} → {filename, media_type, sha256, bytes, content, ...}.';

REVOKE EXECUTE ON FUNCTION infracast.document_api_args(jsonb), infracast_api.document_generate(jsonb),
    infracast_api.document_store(jsonb), infracast_api.document_get(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.document_api_args(jsonb), infracast_api.document_generate(jsonb),
    infracast_api.document_get(jsonb) TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast_api.document_store(jsonb) TO infracast_analyst;
GRANT SELECT ON infracast_api.documents TO infracast_reader;
