-- Generates a benchmark graph into tenant :'tenant' with :nodes nodes and about :edges edges.
-- :shape is 'uniform' (endpoints drawn uniformly) or 'powerlaw' (sources ~ r^2, destinations ~ r^3:
-- a few hubs hold most edges, as domain admins and jump hosts do). Likelihoods are uniform in
-- [0.05, 1), fix costs in 1..10; 20 entry points and 20 crown jewels.
-- Loading runs with session_replication_role = replica: the per-row checking triggers and the
-- foreign keys are skipped (the values are valid by construction) and the graph version is bumped
-- by hand at the end, as the statement triggers would have done.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SELECT setseed(0.424242);
SELECT id AS tid FROM infracast.tenants WHERE name = :'tenant' \gset
INSERT INTO infracast.nodes (tenant_id, id, external_id, kind, entry_point, crown_jewel)
SELECT :tid, i, 'n' || i,
       CASE WHEN i % 7 = 0 THEN 'account' WHEN i % 7 = 1 THEN 'service' ELSE 'host' END,
       i % (:nodes / 20) = 1, i % (:nodes / 20) = (:nodes / 40)
  FROM generate_series(1, :nodes) i;
INSERT INTO infracast.edges (tenant_id, id, src, dst, kind, likelihood, fix_cost)
SELECT :tid, j, s, d, 'reach', 0.05 + 0.95 * random(), 1 + floor(random() * 10)
  FROM (SELECT j,
               CASE WHEN :'shape' = 'uniform' THEN 1 + floor(random() * :nodes)::bigint
                    ELSE 1 + floor(:nodes * random() ^ 2)::bigint END AS s,
               CASE WHEN :'shape' = 'uniform' THEN 1 + floor(random() * :nodes)::bigint
                    ELSE 1 + floor(:nodes * random() ^ 3)::bigint END AS d
          FROM generate_series(1, :edges) j) x
 WHERE s <> d
ON CONFLICT DO NOTHING;
RESET session_replication_role;
INSERT INTO infracast.graph_versions AS g (tenant_id, version) VALUES (:tid, 1)
ON CONFLICT (tenant_id) DO UPDATE SET version = g.version + 1;
VACUUM (ANALYZE) infracast.nodes;
VACUUM (ANALYZE) infracast.edges;
