-- Measures one generated graph (tenant :'tenant', id :tid) in one session, so the snapshot cache is
-- as warm as an application's connection keeps it. Prints "key=value" lines (ms unless named).
-- :pgr_pairs pairs go to pgr_dijkstra (it rebuilds its graph on every call, so it is slow),
-- :heavy_reps repetitions for the whole-graph analyses.
\set ON_ERROR_STOP 1
SELECT infracast.set_tenant(:'tenant', false) IS NOT NULL AS ok \gset
CREATE TEMP TABLE r (k text, v float8, ord serial);
CREATE TEMP TABLE builds (ms float8);
SELECT format('SELECT id, src AS source, dst AS target, -ln(likelihood) AS cost FROM infracast.edges WHERE tenant_id = %s', :tid) AS pgr_sql \gset

-- Cold snapshot build, three times (graph_cache_clear drops it; graph_stats rebuilds it).
SELECT infracast.graph_cache_clear();
INSERT INTO builds SELECT build_ms FROM infracast.graph_stats();
SELECT infracast.graph_cache_clear();
INSERT INTO builds SELECT build_ms FROM infracast.graph_stats();
SELECT infracast.graph_cache_clear();
INSERT INTO builds SELECT build_ms FROM infracast.graph_stats();
INSERT INTO r (k, v) SELECT 'build_ms', percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM builds;
INSERT INTO r (k, v) SELECT 'nodes', nodes FROM infracast.graph_stats();
INSERT INTO r (k, v) SELECT 'arcs', arcs FROM infracast.graph_stats();
INSERT INTO r (k, v) SELECT 'edge_rows', edge_rows FROM infracast.graph_stats();
INSERT INTO r (k, v) SELECT 'bytes', bytes FROM infracast.graph_stats();
INSERT INTO r (k, v) SELECT 'bytes_per_arc', bytes::float8 / edge_rows FROM infracast.graph_stats();

-- Five (entry point, far node) pairs with a path.
CREATE TEMP TABLE pairs AS
SELECT s, t FROM (
    SELECT e.id AS s, 1 + (e.id * 7919 + 104729) % (SELECT count(*) FROM infracast.nodes WHERE tenant_id = :tid) AS t
      FROM infracast.nodes e WHERE e.tenant_id = :tid AND e.entry_point ORDER BY e.id LIMIT 12) p
 WHERE EXISTS (SELECT 1 FROM infracast.attack_paths(ARRAY[p.s], ARRAY[p.t]))
 LIMIT 5;
ALTER TABLE pairs ADD COLUMN n serial;
INSERT INTO r (k, v) SELECT 'pairs', count(*) FROM pairs;
-- warm single pair: ours (5 runs each), pgr_dijkstra (1 run each, first :pgr_pairs pairs)
INSERT INTO r (k, v) SELECT 'pair_ms', avg(bench.ms(format('SELECT * FROM infracast.attack_paths(ARRAY[%s]::bigint[], ARRAY[%s]::bigint[])', s, t), 5)) FROM pairs;
INSERT INTO r (k, v) SELECT 'pgr_pair_ms', avg(bench.ms(format('SELECT * FROM pgr_dijkstra(%L, %s, %s)', :'pgr_sql', s, t), 1)) FROM pairs WHERE n <= :pgr_pairs;
-- the answers agree (agg_cost of the last row)
INSERT INTO r (k, v)
SELECT 'pair_cost_mismatches', count(*) FROM pairs p
 WHERE n <= :pgr_pairs AND abs((SELECT max(agg_cost) FROM infracast.attack_paths(ARRAY[p.s], ARRAY[p.t]))
                                - (SELECT max(agg_cost) FROM pgr_dijkstra(:'pgr_sql', p.s, p.t))) > 1e-9;
-- k = 5 most likely paths, one pair
INSERT INTO r (k, v) SELECT 'ksp5_ms', bench.ms(format('SELECT * FROM infracast.attack_paths(ARRAY[%s]::bigint[], ARRAY[%s]::bigint[], 5)', s, t), 3) FROM pairs WHERE n = 1;
INSERT INTO r (k, v) SELECT 'pgr_ksp5_ms', bench.ms(format('SELECT * FROM pgr_KSP(%L, %s, %s, 5)', :'pgr_sql', s, t), 1) FROM pairs WHERE n = 1 AND :pgr_pairs >= 1;

-- blast radius from the first entry point (every reachable node: hops, likelihood, via)
SELECT min(s) AS s0 FROM pairs \gset
INSERT INTO r (k, v) SELECT 'blast_rows', count(*) FROM infracast.blast_radius(:s0);
INSERT INTO r (k, v) SELECT 'blast_ms', bench.ms(format('SELECT * FROM infracast.blast_radius(%s)', :s0), 3);
-- PostgreSQL's own cost of returning that many rows from a set-returning function (materialised
-- into a tuplestore and counted, as blast_radius's are), whatever the function computes
INSERT INTO r (k, v) SELECT 'srf_floor_ms', bench.ms(format('SELECT * FROM generate_series(1, %s)', v::bigint), 3) FROM r WHERE k = 'blast_rows';
INSERT INTO r (k, v) SELECT 'blast_floor_ms', bench.ms(format('SELECT * FROM infracast.blast_radius(%s, NULL, 0.5)', :s0), 3);
INSERT INTO r (k, v) SELECT 'blast_h3_ms', bench.ms(format('SELECT * FROM infracast.blast_radius(%s, 3)', :s0), 3);
INSERT INTO r (k, v) SELECT 'blast_h3_rows', count(*) FROM infracast.blast_radius(:s0, 3);
-- whole-graph analyses (20 entry points, 20 crown jewels); 300 s each at most
\set ON_ERROR_STOP 0
SET statement_timeout = '300s';
INSERT INTO r (k, v) SELECT 'exposure_summary_ms', bench.ms('SELECT * FROM infracast.exposure_summary()', :heavy_reps);
INSERT INTO r (k, v) SELECT 'choke_points_ms', bench.ms('SELECT * FROM infracast.choke_points()', :heavy_reps);
INSERT INTO r (k, v) SELECT 'all_pairs_ms', bench.ms('SELECT * FROM infracast.attack_paths()', :heavy_reps);
INSERT INTO r (k, v) SELECT 'remediation_ms', bench.ms('SELECT * FROM infracast.remediation_plan()', 1);
INSERT INTO r (k, v) SELECT 'node_exposure_ms', bench.ms('SELECT * FROM infracast.node_exposure(NULL)', 1);
RESET statement_timeout;
\set ON_ERROR_STOP 1

-- Peers that may run for very long get a statement_timeout of their own (a timeout set inside a
-- function would not stop the statement already running); one that times out leaves no row.
\set ON_ERROR_STOP 0
SET statement_timeout = '120s';
INSERT INTO r (k, v) SELECT 'pgr_dd_ms', bench.ms(format('SELECT * FROM pgr_drivingDistance(%L, %s, 1e9)', :'pgr_sql', :s0), 1) WHERE :pgr_pairs >= 1;
SET statement_timeout = '60s';
-- the same questions as recursive CTEs, for the record
INSERT INTO r (k, v) SELECT 'cte_reach_ms', bench.ms(format($q$
    WITH RECURSIVE r(node) AS (SELECT %1$s::bigint UNION
        SELECT e.dst FROM r JOIN infracast.edges e ON e.tenant_id = %2$s AND e.src = r.node)
    SELECT node FROM r$q$, :s0, :tid), 1);
INSERT INTO r (k, v) SELECT 'cte_h3_ms', bench.ms(format($q$
    WITH RECURSIVE r(node, hops) AS (SELECT %1$s::bigint, 0 UNION
        SELECT e.dst, r.hops + 1 FROM r JOIN infracast.edges e ON e.tenant_id = %2$s AND e.src = r.node WHERE r.hops < 3)
    SELECT node, min(hops) FROM r GROUP BY node$q$, :s0, :tid), 1);
INSERT INTO r (k, v) SELECT 'cte_pair4_ms', bench.ms(format($q$
    WITH RECURSIVE w(node, hops, cost) AS (SELECT %1$s::bigint, 0, 0::float8 UNION ALL
        SELECT e.dst, w.hops + 1, w.cost - ln(e.likelihood) FROM w JOIN infracast.edges e ON e.tenant_id = %3$s AND e.src = w.node
         WHERE w.hops < 4)
    SELECT min(cost) FROM w WHERE node = %2$s$q$, s, t, :tid), 1) FROM pairs WHERE n = 1;
RESET statement_timeout;
\set ON_ERROR_STOP 1

SELECT k || '=' || coalesce(v::text, '') FROM r ORDER BY ord;
