-- Infracast graph engine (src/graph/): most likely attack paths, blast radius, exposure, choke
-- points and the cheapest fix set over a cached CSR snapshot of the current tenant's graph.
-- Reference: docs/graph.md. Every function reads the current tenant (infracast.set_tenant).

CREATE FUNCTION infracast.attack_paths(
    sources  bigint[] DEFAULT NULL,
    targets  bigint[] DEFAULT NULL,
    k        integer  DEFAULT 1,
    max_hops integer  DEFAULT NULL)
    RETURNS TABLE (path_id integer, path_seq integer, node bigint, edge bigint,
                   cost float8, agg_cost float8, likelihood float8)
    AS 'MODULE_PATHNAME', 'infracast_attack_paths'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.attack_paths(bigint[], bigint[], integer, integer) IS
    'For every (source, target) pair, its k most likely loopless paths (Yen), one row per step as pgr_dijkstra gives them with cost = -ln(likelihood). NULL sources: the entry points; NULL targets: the crown jewels.';

CREATE FUNCTION infracast.blast_radius(
    source         bigint,
    max_hops       integer DEFAULT NULL,
    min_likelihood float8  DEFAULT 0)
    RETURNS TABLE (node bigint, hops integer, likelihood float8, via bigint)
    AS 'MODULE_PATHNAME', 'infracast_blast_radius'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.blast_radius(bigint, integer, float8) IS
    'Everything an attacker holding source can reach: fewest hops, best path likelihood and the node before it on that path.';

CREATE FUNCTION infracast.exposure(
    targets  bigint[] DEFAULT NULL,
    max_hops integer  DEFAULT NULL)
    RETURNS TABLE (node bigint, hops integer, likelihood float8, next_hop bigint, target bigint)
    AS 'MODULE_PATHNAME', 'infracast_exposure'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.exposure(bigint[], integer) IS
    'Every node that can reach the targets (default: the crown jewels): fewest hops, best likelihood, next hop and the target of its most likely path.';

CREATE FUNCTION infracast.exposure_summary(
    OUT principals             bigint,
    OUT exposed_principals     bigint,
    OUT exposure_pct           float8,
    OUT severity               text,
    OUT crown_jewels           bigint,
    OUT entry_points           bigint,
    OUT entry_points_reaching  bigint,
    OUT best_entry_likelihood  float8)
    RETURNS record
    AS 'MODULE_PATHNAME', 'infracast_exposure_summary'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.exposure_summary() IS
    'Share of principals (accounts, hosts, VMs...) with a path to a crown jewel, and its severity band: critical >= 95 %, high >= 80 %, moderate >= 40 %, else low.';

CREATE FUNCTION infracast.choke_points(
    sources bigint[] DEFAULT NULL,
    targets bigint[] DEFAULT NULL,
    top     integer  DEFAULT 20)
    RETURNS TABLE (object text, rank integer, node bigint, edge bigint, src bigint, dst bigint,
                   paths bigint, path_share float8, dominated_targets integer)
    AS 'MODULE_PATHNAME', 'infracast_choke_points'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.choke_points(bigint[], bigint[], integer) IS
    'Nodes and edges ranked by how many most-likely source-to-target paths cross them, with the dominators (nodes every path to a target must cross).';

CREATE FUNCTION infracast.remediation_plan(
    sources bigint[] DEFAULT NULL,
    targets bigint[] DEFAULT NULL)
    RETURNS TABLE (edge bigint, kind text, src bigint, dst bigint, fix_cost float8,
                   paths_broken bigint)
    AS 'MODULE_PATHNAME', 'infracast_remediation_plan'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.remediation_plan(bigint[], bigint[]) IS
    'The cheapest set of edges (by total fix_cost, a minimum cut) whose removal cuts every source off from every target, with how many current most-likely paths each one breaks.';

CREATE FUNCTION infracast.node_exposure(node_ids bigint[] DEFAULT NULL)
    RETURNS TABLE (node bigint, reachable boolean, best_likelihood float8, hops integer)
    AS 'MODULE_PATHNAME', 'infracast_node_exposure'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.node_exposure(bigint[]) IS
    'For each node (NULL: all), whether an entry point can reach it, the best path likelihood and the fewest hops. Cached with the snapshot.';

CREATE FUNCTION infracast.strong_components()
    RETURNS TABLE (node bigint, component bigint, size bigint)
    AS 'MODULE_PATHNAME', 'infracast_strong_components'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.strong_components() IS
    'Strongly connected components of the tenant graph (nodes that can all reach each other); component 1 is the largest.';

CREATE FUNCTION infracast.graph_stats(
    OUT tenant_id       bigint,
    OUT version         bigint,
    OUT nodes           bigint,
    OUT arcs            bigint,
    OUT edge_rows       bigint,
    OUT bytes           bigint,
    OUT bytes_per_arc   float8,
    OUT build_ms        float8,
    OUT built_at        timestamptz,
    OUT entry_points    bigint,
    OUT crown_jewels    bigint,
    OUT cache_bytes     bigint,
    OUT build_reason    text,
    OUT backend_builds  bigint,
    OUT backend_cache_hits bigint)
    RETURNS record
    AS 'MODULE_PATHNAME', 'infracast_graph_stats'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.graph_stats() IS
    'The current tenant''s cached snapshot (built first if stale): sizes, bytes, build time, graph version and why it was built; and this backend''s snapshot builds and cache hits (this call included).';

CREATE FUNCTION infracast.graph_cache_clear() RETURNS void
    AS 'MODULE_PATHNAME', 'infracast_graph_cache_clear'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.graph_cache_clear() IS
    'Drops the graph snapshots cached in this backend; the next call rebuilds.';

-- Readers may analyse; the functions read only what the caller may SELECT, in its tenant.
REVOKE EXECUTE ON FUNCTION
    infracast.attack_paths(bigint[], bigint[], integer, integer),
    infracast.blast_radius(bigint, integer, float8),
    infracast.exposure(bigint[], integer),
    infracast.exposure_summary(),
    infracast.choke_points(bigint[], bigint[], integer),
    infracast.remediation_plan(bigint[], bigint[]),
    infracast.node_exposure(bigint[]),
    infracast.strong_components(),
    infracast.graph_stats(),
    infracast.graph_cache_clear()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    infracast.attack_paths(bigint[], bigint[], integer, integer),
    infracast.blast_radius(bigint, integer, float8),
    infracast.exposure(bigint[], integer),
    infracast.exposure_summary(),
    infracast.choke_points(bigint[], bigint[], integer),
    infracast.remediation_plan(bigint[], bigint[]),
    infracast.node_exposure(bigint[]),
    infracast.strong_components(),
    infracast.graph_stats(),
    infracast.graph_cache_clear()
    TO infracast_reader;
