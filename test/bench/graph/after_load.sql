-- Warm single pair within seconds of a bulk load (issue 20), as a new user does it: one
-- transaction creates tenant :'tenant', :nodes nodes and :edges random `reach` edges (INSERT ...
-- SELECT from a staging table analysed before the join, statement triggers on, no VACUUM or
-- ANALYZE of infracast.edges afterwards) and an 8-hop path 1 -> 9; the caller then measures at
-- once in a new session (after_load_calls.sql). Beforehand the statistics of infracast.edges
-- know only another tenant, as on a server that has been running: that is what led the planner
-- astray before the edges of a path were read by index probes.
\set ON_ERROR_STOP 1
TRUNCATE infracast.edges, infracast.nodes, infracast.graph_versions CASCADE;
SELECT infracast.create_tenant('b_older') IS NOT NULL AS ok \gset
SELECT infracast.set_tenant('b_older', false) IS NOT NULL AS ok \gset
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'o' || i, 'host' FROM generate_series(1, 1000) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT i, i + 1, 'reach', 0.5 FROM generate_series(1, 999) i;
ANALYZE infracast.nodes, infracast.edges;

BEGIN;
SELECT infracast.create_tenant(:'tenant') IS NOT NULL AS ok \gset
SELECT infracast.set_tenant(:'tenant', true) IS NOT NULL AS ok \gset
SELECT setseed(0.2020);
CREATE TEMP TABLE staging AS
SELECT DISTINCT s, d FROM (SELECT 1 + floor(random() * :nodes)::bigint AS s,
                                  1 + floor(random() * :nodes)::bigint AS d
                             FROM generate_series(1, :edges)) x
 WHERE s <> d AND NOT (s < 9 AND d = s + 1);
ANALYZE staging;
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'n' || i, 'host' FROM generate_series(1, :nodes) i;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT s, d, 'reach', 0.05 + 0.9 * random() FROM staging;
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT i, i + 1, 'reach', 0.99 FROM generate_series(1, 8) i;
COMMIT;
SELECT 'committed_at=' || extract(epoch FROM clock_timestamp());
