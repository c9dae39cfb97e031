-- SNAP p2p-Gnutella04 (test/data/graphs/p2p-Gnutella04.txt, ids shifted to 1..10876): the
-- published figures in SOURCES.md are the oracle.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
\getenv data INFRACAST_TEST_DATA
\set gnutella :data '/graphs/p2p-Gnutella04.txt'
CREATE TEMP TABLE gnutella (u bigint, v bigint);
COPY gnutella FROM :'gnutella' WITH (FORMAT text, DELIMITER E'\t');
SELECT count(*) AS edges, count(DISTINCT u) AS sources FROM gnutella;
SELECT infracast.create_tenant('g_gnutella') AS tid \gset
SELECT infracast.set_tenant('g_gnutella', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind)
SELECT x, 'peer' || x, 'host' FROM (SELECT u AS x FROM gnutella UNION SELECT v FROM gnutella) s;
-- likelihood e^-1: every edge costs 1, so a path's agg_cost is its hop count
INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT u, v, 'reach', exp(-1) FROM gnutella;
SELECT nodes, arcs, edge_rows FROM infracast.graph_stats();

-- Reachability from node 1: BFS level histogram (SOURCES.md: levels 0..21, 10813 nodes).
SELECT sum(n) AS reached, max(hops) AS eccentricity,
       string_agg(n::text, ' ' ORDER BY hops) AS per_level,
       string_agg(n::text, ' ' ORDER BY hops) =
         '1 10 39 148 563 1702 2849 2339 1382 739 409 255 155 90 39 29 18 13 10 12 7 4' AS matches_snap
  FROM (SELECT hops, count(*) AS n FROM infracast.blast_radius(1) GROUP BY hops) h;
-- the hop counts of the likelihood search agree with BFS: with equal costs, -ln(likelihood) / 1 = hops
SELECT count(*) AS disagree FROM infracast.blast_radius(1)
 WHERE abs(-ln(likelihood) - hops) > 1e-4;
-- pgr_dijkstra(1 -> 10876) has agg_cost 10 over 11 rows
SELECT count(*) AS path_rows, max(agg_cost) AS agg_cost FROM infracast.attack_paths('{1}', '{10876}');

-- Largest strongly connected set: 4317 nodes and 18742 edges.
CREATE TEMP TABLE scc AS SELECT * FROM infracast.strong_components();
SELECT count(DISTINCT component) AS components, max(size) AS largest FROM scc;
SELECT count(*) AS largest_scc_edges FROM gnutella g
  JOIN scc a ON a.node = g.u AND a.component = 1 JOIN scc b ON b.node = g.v AND b.component = 1;
-- and its nodes reach each other: everything in it reaches node-set size 4317 at least
SELECT count(*) >= 4317 AS reaches_whole_scc
  FROM infracast.blast_radius((SELECT min(node) FROM scc WHERE component = 1));
-- reverse reachability: exposure() of node 1 is everything that reaches it
SELECT count(*) AS reach_node_1 FROM infracast.exposure('{1}');
