-- The snapshot cache: reused while the graph is unchanged, rebuilt when it changes (a change made
-- earlier in the same transaction included), never confused by a rolled-back change, bounded by
-- infracast.graph_cache_mb with a clear error.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SELECT infracast.create_tenant('g_cache') AS tid \gset
SELECT infracast.create_tenant('g_cache_b') AS tidb \gset
SELECT infracast.set_tenant('g_cache', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'c' || i, 'host' FROM generate_series(1, 5) i;
INSERT INTO infracast.edges (id, src, dst, kind, likelihood)
VALUES (12, 1, 2, 'reach', 0.5), (23, 2, 3, 'reach', 0.5), (34, 3, 4, 'reach', 0.5);
CREATE FUNCTION pg_temp.path(s bigint, t bigint) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(node::text, '>' ORDER BY path_seq), 'none') || ' ' ||
           coalesce(round(min(likelihood)::numeric, 3)::text, '')
      FROM infracast.attack_paths(ARRAY[s], ARRAY[t])
$$;
SELECT pg_temp.path(1, 4);

-- unchanged graph: the same snapshot serves the next call (graph_stats counts as a call too)
SELECT built_at AS b1, version AS v1, backend_builds AS n1, backend_cache_hits AS h1, build_reason
  FROM infracast.graph_stats() \gset
SELECT :n1 AS builds, :'build_reason' AS build_reason;
SELECT pg_temp.path(1, 3);
SELECT built_at = :'b1' AS same_snapshot, version = :v1 AS same_version, nodes, arcs,
       backend_builds - :n1 AS new_builds, backend_cache_hits - :h1 AS new_hits, build_reason
  FROM infracast.graph_stats();
-- freezing the version row (as VACUUM FREEZE or an aggressive autovacuum does) changes nothing
VACUUM (FREEZE) infracast.graph_versions;
SELECT pg_temp.path(1, 3);
SELECT built_at = :'b1' AS same_snapshot, backend_builds - :n1 AS new_builds FROM infracast.graph_stats();

-- a change earlier in this transaction is seen at once
BEGIN;
INSERT INTO infracast.edges (id, src, dst, kind, likelihood) VALUES (14, 1, 4, 'reach', 0.9);
SELECT pg_temp.path(1, 4);
SELECT version > :v1 AS version_moved, arcs, build_reason FROM infracast.graph_stats();
ROLLBACK;
-- Another change now takes the very same version number; the snapshot of the rolled-back one
-- (cached just above) must not be served for it.
BEGIN;
INSERT INTO infracast.edges (id, src, dst, kind, likelihood) VALUES (13, 1, 3, 'reach', 0.9);
SELECT pg_temp.path(1, 4);
COMMIT;
SELECT pg_temp.path(1, 4);

-- savepoints
BEGIN;
SAVEPOINT s1;
DELETE FROM infracast.edges WHERE tenant_id = :tid AND id = 13;
SELECT pg_temp.path(1, 4);
ROLLBACK TO SAVEPOINT s1;
SELECT pg_temp.path(1, 4);
COMMIT;

-- an update of a likelihood, and a node deleted with its edges
UPDATE infracast.edges SET likelihood = 0.1 WHERE tenant_id = :tid AND id = 13;
SELECT pg_temp.path(1, 4);
DELETE FROM infracast.nodes WHERE tenant_id = :tid AND id = 2;
SELECT pg_temp.path(1, 4);
SELECT nodes, arcs FROM infracast.graph_stats();

-- two tenants cached side by side, each seeing only its own graph
SELECT infracast.set_tenant('g_cache_b', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'b' || i, 'host' FROM generate_series(1, 3) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood) VALUES (1, 2, 'reach', 0.8), (2, 3, 'reach', 0.8);
SELECT pg_temp.path(1, 3);
SELECT nodes, arcs FROM infracast.graph_stats();
SELECT infracast.set_tenant('g_cache', false) AS t \gset
SELECT pg_temp.path(1, 4);
SELECT cache_bytes >= 2 * 17 AS both_cached FROM infracast.graph_stats();
SELECT infracast.graph_cache_clear();
SELECT built_at > :'b1' AS rebuilt, nodes, build_reason FROM infracast.graph_stats();

-- the memory bound: 70,000 nodes take about 1.2 MB
SELECT infracast.create_tenant('g_cache_big') AS tbig \gset
SELECT infracast.set_tenant('g_cache_big', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'big' || i, 'host' FROM generate_series(1, 70000) i;
SET infracast.graph_cache_mb = 1;
SELECT count(*) FROM infracast.blast_radius(1);
SELECT nodes FROM infracast.graph_stats();
RESET infracast.graph_cache_mb;
SELECT count(*) FROM infracast.blast_radius(1);
SELECT nodes, bytes > 1024 * 1024 AS over_1mb FROM infracast.graph_stats();
-- a budget that holds one of two large tenants: each evicts the other (and the small one), and
-- the next build says so
SELECT infracast.set_tenant('g_cache_b', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'b' || i, 'host' FROM generate_series(4, 70000) i;
SET infracast.graph_cache_mb = 2;
SELECT count(*) FROM infracast.blast_radius(1);
SELECT build_reason FROM infracast.graph_stats();
SELECT infracast.set_tenant('g_cache_big', false) AS t \gset
SELECT count(*) FROM infracast.blast_radius(1);
SELECT build_reason FROM infracast.graph_stats();
SELECT infracast.set_tenant('g_cache', false) AS t \gset
SELECT pg_temp.path(1, 4);
SELECT build_reason FROM infracast.graph_stats();
RESET infracast.graph_cache_mb;
SHOW infracast.graph_cache_mb;
