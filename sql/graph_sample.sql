-- The pgRouting sample graph (test/data/graphs/pgrouting_sample): attack_paths must give the
-- published pgr_dijkstra answers row for row, and agree with pgr_dijkstra run here (the oracle).
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
\getenv data INFRACAST_TEST_DATA
\set edges_csv :data '/graphs/pgrouting_sample/edges.csv'
CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE;
SET client_min_messages = warning;

CREATE TEMP TABLE edge_table (id int, source int, target int, cost float8, reverse_cost float8);
COPY edge_table FROM :'edges_csv' WITH (FORMAT csv, HEADER true);
SELECT count(*) AS sample_edges FROM edge_table;

-- One tenant per way pgRouting reads the table. Edge ids: pgRouting's id, + 1000 for the
-- reverse direction, + 2000 / + 3000 for the second direction of an undirected edge.
CREATE FUNCTION pg_temp.load_sample(tenant text, use_reverse boolean, undirected boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint;
BEGIN
    t := infracast.create_tenant(tenant);
    PERFORM infracast.set_tenant(tenant);
    INSERT INTO infracast.nodes (id, external_id, kind)
    SELECT v, 'v' || v, 'host' FROM (SELECT source v FROM edge_table UNION SELECT target FROM edge_table) s;
    INSERT INTO infracast.edges (id, src, dst, kind, likelihood, port)
    SELECT id, source, target, 'reach', exp(-cost), 1 FROM edge_table WHERE cost > 0
    UNION ALL
    SELECT id + 1000, target, source, 'reach', exp(-reverse_cost), 2 FROM edge_table
     WHERE use_reverse AND reverse_cost > 0
    UNION ALL
    SELECT id + 2000, target, source, 'reach', exp(-cost), 3 FROM edge_table WHERE undirected AND cost > 0
    UNION ALL
    SELECT id + 3000, source, target, 'reach', exp(-reverse_cost), 4 FROM edge_table
     WHERE undirected AND use_reverse AND reverse_cost > 0;
    RETURN t;
END $$;
SELECT pg_temp.load_sample('g_sample_dir', true, false) AS t_dir \gset
SELECT pg_temp.load_sample('g_sample_undir', true, true) AS t_undir \gset
SELECT pg_temp.load_sample('g_sample_undir_cost', false, true) AS t_undir_cost \gset
SELECT pg_temp.load_sample('g_sample_dir_cost', false, false) AS t_dir_cost \gset

-- Our rows in pgRouting's shape (edge -1 on the last row, pgRouting's edge id).
CREATE FUNCTION pg_temp.ours(tenant text, s bigint[], t bigint[])
RETURNS TABLE (start_vid bigint, end_vid bigint, path_seq int, node bigint, edge bigint, cost numeric, agg_cost numeric)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM infracast.set_tenant(tenant);
    RETURN QUERY
    SELECT first_value(p.node) OVER w, last_value(p.node) OVER w, p.path_seq, p.node,
           coalesce(p.edge % 1000, -1), round(p.cost::numeric, 9), round(p.agg_cost::numeric, 9)
      FROM infracast.attack_paths(s, t) p
    WINDOW w AS (PARTITION BY p.path_id ORDER BY p.path_seq ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);
END $$;

-- 1. directed, cost and reverse_cost: 2 -> 3 (published: 2,5,6,9,4,3 over edges 4,8,9,16,3, agg 5)
SELECT path_seq, node, edge, cost, agg_cost FROM pg_temp.ours('g_sample_dir', '{2}', '{3}') ORDER BY path_seq;
-- 2. undirected: 2 -> 3 is edge 2, cost 1
SELECT path_seq, node, edge, cost, agg_cost FROM pg_temp.ours('g_sample_undir', '{2}', '{3}') ORDER BY path_seq;
-- 3. undirected, cost only: 2 -> {3, 5}
SELECT end_vid, path_seq, node, edge, cost, agg_cost FROM pg_temp.ours('g_sample_undir_cost', '{2}', '{3,5}') ORDER BY end_vid, path_seq;
-- 4. directed: {2, 11} -> 5
SELECT start_vid, path_seq, node, edge, cost, agg_cost FROM pg_temp.ours('g_sample_dir', '{2,11}', '{5}') ORDER BY start_vid, path_seq;
-- 5. directed, cost only: 11 -> 3 has no path
SELECT count(*) AS rows_11_to_3 FROM pg_temp.ours('g_sample_dir_cost', '{11}', '{3}');

-- The same queries against pgr_dijkstra on this cluster: no row may differ, either way.
CREATE TEMP TABLE oracle AS
SELECT 'g_sample_dir' AS tenant, 2::bigint AS start_vid, 3::bigint AS end_vid, path_seq, node, edge,
       round(cost::numeric, 9) AS cost, round(agg_cost::numeric, 9) AS agg_cost
  FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM edge_table', 2, 3)
UNION ALL
SELECT 'g_sample_undir', 2, 3, path_seq, node, edge, round(cost::numeric, 9), round(agg_cost::numeric, 9)
  FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM edge_table', 2, 3, false)
UNION ALL
SELECT 'g_sample_undir_cost', 2, end_vid, path_seq, node, edge, round(cost::numeric, 9), round(agg_cost::numeric, 9)
  FROM pgr_dijkstra('SELECT id, source, target, cost FROM edge_table', 2, ARRAY[3,5], false)
UNION ALL
SELECT 'g_sample_dir', start_vid, 5, path_seq, node, edge, round(cost::numeric, 9), round(agg_cost::numeric, 9)
  FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM edge_table', ARRAY[2,11], 5)
UNION ALL
SELECT 'g_sample_dir_cost', 11, 3, path_seq, node, edge, round(cost::numeric, 9), round(agg_cost::numeric, 9)
  FROM pgr_dijkstra('SELECT id, source, target, cost FROM edge_table', 11, 3);
CREATE TEMP TABLE mine AS
SELECT 'g_sample_dir' AS tenant, * FROM pg_temp.ours('g_sample_dir', '{2}', '{3}')
UNION ALL SELECT 'g_sample_undir', * FROM pg_temp.ours('g_sample_undir', '{2}', '{3}')
UNION ALL SELECT 'g_sample_undir_cost', * FROM pg_temp.ours('g_sample_undir_cost', '{2}', '{3,5}')
UNION ALL SELECT 'g_sample_dir', * FROM pg_temp.ours('g_sample_dir', '{2,11}', '{5}')
UNION ALL SELECT 'g_sample_dir_cost', * FROM pg_temp.ours('g_sample_dir_cost', '{11}', '{3}');
SELECT (SELECT count(*) FROM oracle) AS oracle_rows, (SELECT count(*) FROM mine) AS our_rows,
       (SELECT count(*) FROM (SELECT * FROM oracle EXCEPT ALL SELECT * FROM mine) x) AS missing,
       (SELECT count(*) FROM (SELECT * FROM mine EXCEPT ALL SELECT * FROM oracle) x) AS extra;

-- Every ordered pair of the directed graph: our final agg_cost equals pgr_dijkstra's.
SELECT infracast.set_tenant('g_sample_dir', false) AS tid \gset
WITH o AS (SELECT start_vid, end_vid, round(agg_cost::numeric, 9) AS agg FROM pgr_dijkstra(
             'SELECT id, source, target, cost, reverse_cost FROM edge_table',
             ARRAY(SELECT generate_series(1, 17)), ARRAY(SELECT generate_series(1, 17))) WHERE edge = -1),
     m AS (SELECT first_value(node) OVER w AS start_vid, node AS end_vid, round(agg_cost::numeric, 9) AS agg, edge
             FROM infracast.attack_paths(ARRAY(SELECT generate_series(1, 17)::bigint), ARRAY(SELECT generate_series(1, 17)::bigint))
           WINDOW w AS (PARTITION BY path_id ORDER BY path_seq))
SELECT count(*) AS pairs, count(*) FILTER (WHERE o.agg IS DISTINCT FROM m.agg) AS differ
  FROM o FULL JOIN (SELECT start_vid, end_vid, agg FROM m WHERE edge IS NULL) m USING (start_vid, end_vid);

-- k paths on the sample against pgr_KSP
WITH o AS (SELECT path_id, round(max(agg_cost)::numeric, 9) AS agg
             FROM pgr_KSP('SELECT id, source, target, cost, reverse_cost FROM edge_table', 2, 3, 6, true)
            GROUP BY path_id),
     m AS (SELECT path_id, round(max(agg_cost)::numeric, 9) AS agg FROM infracast.attack_paths('{2}', '{3}', 6) GROUP BY path_id)
SELECT (SELECT array_agg(agg ORDER BY agg) FROM o) AS ksp, (SELECT array_agg(agg ORDER BY agg) FROM m) AS ours;

-- blast radius and exposure on the sample
SELECT * FROM infracast.blast_radius(2) ORDER BY node;
SELECT node, hops FROM infracast.blast_radius(2, 2) ORDER BY node;
SELECT node, hops, round(likelihood::numeric, 6) AS likelihood FROM infracast.blast_radius(2, NULL, 0.05) ORDER BY node;
SELECT node, hops, next_hop, target FROM infracast.exposure('{12}') ORDER BY node;
SELECT node, hops FROM infracast.exposure('{12}', 1) ORDER BY node;
-- pgr_drivingDistance with unit costs gives the same hop counts
SELECT count(*) AS differ FROM (
    SELECT node, agg_cost::int AS hops FROM pgr_drivingDistance(
        'SELECT id, source, target, CASE WHEN cost > 0 THEN 1.0 ELSE -1 END AS cost, CASE WHEN reverse_cost > 0 THEN 1.0 ELSE -1 END AS reverse_cost FROM edge_table', 2, 1e9)
    EXCEPT SELECT node, hops FROM infracast.blast_radius(2)) x;
SELECT * FROM infracast.strong_components() ORDER BY node;
RESET client_min_messages;
