-- Infracast foundation, part 3: bulk import of an OpenGraph-style document.

CREATE FUNCTION infracast.import_graph(
    doc     jsonb,
    strict  boolean DEFAULT false,
    OUT nodes_inserted bigint,
    OUT nodes_updated  bigint,
    OUT nodes_rejected bigint,
    OUT edges_inserted bigint,
    OUT edges_updated  bigint,
    OUT edges_rejected bigint,
    OUT messages       text[])
    RETURNS record
    AS 'MODULE_PATHNAME', 'infracast_import_graph'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.import_graph(jsonb, boolean) IS
    'Upserts {"graph":{"nodes":[...],"edges":[...]}} into the current tenant; returns counts and the reasons for rejected items (strict => true raises instead).';

REVOKE EXECUTE ON FUNCTION infracast.import_graph(jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.import_graph(jsonb, boolean) TO infracast_analyst;
