-- Random graphs of several shapes and seeds (ties, zero-cost edges, parallel edges, unreachable
-- pairs): attack_paths costs must equal pgr_dijkstra's for every sampled pair, k-path costs must
-- equal pgr_KSP's, hop-bounded paths must equal a brute-force recursive CTE, and blast_radius
-- must give pgr_dijkstra's one-to-all costs.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE;
SET client_min_messages = warning;

-- n nodes 1..n, m edge draws; destinations drawn as n * random()^hub_exp (1: uniform, 3: a few
-- hubs take most edges); likelihood from `choices` when given (ties), else 3 decimals; then a
-- share of the edges gets a parallel edge of another kind with its own likelihood.
CREATE FUNCTION pg_temp.gen(tenant text, n int, m int, seed float8, hub_exp float8,
                            choices float8[], parallel_share float8)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint;
BEGIN
    t := infracast.create_tenant(tenant);
    PERFORM infracast.set_tenant(tenant);
    PERFORM setseed(seed);
    INSERT INTO infracast.nodes (id, external_id, kind)
    SELECT i, 'n' || i, 'host' FROM generate_series(1, n) i;
    INSERT INTO infracast.edges (src, dst, kind, likelihood)
    SELECT s, d, 'reach', l FROM (
        SELECT 1 + floor(random() * n)::int AS s, 1 + floor(n * random() ^ hub_exp)::int AS d,
               CASE WHEN choices IS NULL THEN round((0.02 + 0.98 * random())::numeric, 3)::float8
                    ELSE choices[1 + floor(random() * array_length(choices, 1))::int] END AS l
          FROM generate_series(1, m)) x
     WHERE s <> d
    ON CONFLICT DO NOTHING;
    INSERT INTO infracast.edges (src, dst, kind, likelihood)
    SELECT src, dst, 'credential_reuse', round((0.02 + 0.98 * random())::numeric, 3)::float8
      FROM (SELECT src, dst, random() AS r FROM infracast.edges WHERE tenant_id = t ORDER BY id) e
     WHERE r < parallel_share;
    RETURN t;
END $$;

-- A directed grid (right and down always, left and up sometimes), every likelihood 0.5: ties everywhere.
CREATE FUNCTION pg_temp.grid(tenant text, w int, seed float8) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE t bigint;
BEGIN
    t := infracast.create_tenant(tenant);
    PERFORM infracast.set_tenant(tenant);
    PERFORM setseed(seed);
    INSERT INTO infracast.nodes (id, external_id, kind)
    SELECT i, 'g' || i, 'host' FROM generate_series(1, w * w) i;
    INSERT INTO infracast.edges (src, dst, kind, likelihood)
    SELECT r * w + c + 1, r * w + c + 2, 'reach', 0.5 FROM generate_series(0, w - 1) r, generate_series(0, w - 2) c
    UNION ALL
    SELECT r * w + c + 1, (r + 1) * w + c + 1, 'reach', 0.5 FROM generate_series(0, w - 2) r, generate_series(0, w - 1) c
    UNION ALL
    SELECT r * w + c + 2, r * w + c + 1, 'reach', 0.5 FROM generate_series(0, w - 1) r, generate_series(0, w - 2) c
     WHERE random() < 0.2;
    RETURN t;
END $$;

SELECT pg_temp.gen('g_rand_uniform', 300, 900, 0.11, 1, NULL, 0.1) AS t1 \gset
SELECT pg_temp.gen('g_rand_ties', 80, 800, 0.22, 1, '{0.5,0.25,1.0}', 0.0) AS t2 \gset
SELECT pg_temp.gen('g_rand_powerlaw', 500, 2000, 0.33, 3, NULL, 0.05) AS t3 \gset
SELECT pg_temp.gen('g_rand_sparse', 400, 350, 0.44, 1, '{0.9,0.6,0.3}', 0.0) AS t4 \gset
SELECT pg_temp.grid('g_rand_grid', 12, 0.55) AS t5 \gset

-- Sampled sources and targets per tenant (deterministic).
CREATE TEMP TABLE sample AS
SELECT t.name AS tenant, t.id AS tid,
       ARRAY(SELECT DISTINCT 1 + floor(random() * cnt)::bigint FROM generate_series(1, 20) ORDER BY 1) AS srcs,
       ARRAY(SELECT DISTINCT 1 + floor(random() * cnt)::bigint FROM generate_series(1, 20) ORDER BY 1) AS tgts
  FROM (SELECT setseed(0.5)) s0,
       LATERAL (SELECT t.id, t.name, (SELECT count(*) FROM infracast.nodes n WHERE n.tenant_id = t.id) AS cnt
                  FROM infracast.tenants t WHERE t.name LIKE 'g_rand_%' ORDER BY t.name) t;

CREATE FUNCTION pg_temp.edges_sql(tid bigint) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT id, src AS source, dst AS target, -ln(likelihood) AS cost FROM infracast.edges WHERE tenant_id = %s', tid)
$$;

CREATE FUNCTION pg_temp.our_costs(tenant text, s bigint[], t bigint[], k int DEFAULT 1, max_hops int DEFAULT NULL)
RETURNS TABLE (start_vid bigint, end_vid bigint, path_id int, agg float8, hops int)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM infracast.set_tenant(tenant);
    RETURN QUERY
    SELECT min(node) FILTER (WHERE path_seq = 1), min(node) FILTER (WHERE edge IS NULL), p.path_id,
           max(p.agg_cost), count(*)::int - 1
      FROM infracast.attack_paths(s, t, k, max_hops) p GROUP BY p.path_id;
END $$;

-- 1. Dijkstra: every sampled pair, both ways (a pair only one side finds counts as differing).
SELECT s.tenant, count(*) AS pairs_with_path,
       count(*) FILTER (WHERE o.agg IS NULL OR m.agg IS NULL
                           OR abs(o.agg - m.agg) > 1e-9 * greatest(1, o.agg)) AS differ
  FROM sample s,
       LATERAL (SELECT o.start_vid, o.end_vid, o.agg_cost AS agg
                  FROM pgr_dijkstra(pg_temp.edges_sql(s.tid), s.srcs, s.tgts) o WHERE o.edge = -1) o
       FULL JOIN LATERAL pg_temp.our_costs(s.tenant, s.srcs, s.tgts) m USING (start_vid, end_vid)
 GROUP BY s.tenant ORDER BY s.tenant;

-- 2. Yen: 5 most likely paths for 12 pairs per tenant; the sorted cost lists must match pgr_KSP's.
CREATE TEMP TABLE ksp_pairs AS
SELECT s.tenant, s.tid, a AS src, b AS dst
  FROM sample s, LATERAL (SELECT a, b FROM unnest(s.srcs) a, unnest(s.tgts) b WHERE a <> b ORDER BY a, b LIMIT 12) p;
SELECT p.tenant, count(*) AS pairs,
       sum(coalesce(array_length(o.costs, 1), 0)) AS paths,
       count(*) FILTER (WHERE coalesce(array_length(o.costs, 1), 0) IS DISTINCT FROM coalesce(array_length(m.costs, 1), 0)
                           OR EXISTS (SELECT 1 FROM unnest(o.costs, m.costs) u(x, y)
                                       WHERE abs(x - y) > 1e-9 * greatest(1, x))) AS differ
  FROM ksp_pairs p,
       LATERAL (SELECT array_agg(c ORDER BY c) AS costs FROM (
                  SELECT max(agg_cost) AS c FROM pgr_KSP(pg_temp.edges_sql(p.tid), p.src, p.dst, 5, true)
                   GROUP BY path_id) x) o,
       LATERAL (SELECT array_agg(agg ORDER BY agg) AS costs FROM pg_temp.our_costs(p.tenant, ARRAY[p.src], ARRAY[p.dst], 5)) m
 GROUP BY p.tenant ORDER BY p.tenant;

-- 3. Hop-bounded: the best path of at most 3 hops, against every walk of at most 3 hops.
SELECT infracast.set_tenant('g_rand_ties', false) AS tid \gset
WITH RECURSIVE walk(node, hops, cost) AS (
    SELECT 7::bigint, 0, 0::float8
    UNION ALL
    SELECT e.dst, w.hops + 1, w.cost - ln(e.likelihood)
      FROM walk w JOIN infracast.edges e ON e.tenant_id = :tid AND e.src = w.node
     WHERE w.hops < 3),
brute AS (SELECT node, min(cost) AS cost FROM walk WHERE node <> 7 GROUP BY node),
ours AS (SELECT end_vid AS node, agg AS cost, hops FROM pg_temp.our_costs('g_rand_ties', '{7}', ARRAY(SELECT generate_series(1, 80)::bigint), 1, 3))
SELECT count(*) AS reachable_in_3, count(*) FILTER (WHERE b.cost IS NULL OR o.cost IS NULL
                                                      OR abs(b.cost - o.cost) > 1e-9 * greatest(1, b.cost) OR o.hops > 3) AS differ
  FROM brute b FULL JOIN ours o USING (node);
-- and k = 3 under the same bound: every path loopless, at most 3 hops, costs ascending
SELECT count(DISTINCT (start_vid, end_vid)) AS pairs, count(*) AS paths, max(hops) AS longest
  FROM pg_temp.our_costs('g_rand_ties', '{7,9}', '{20,30,40}', 3, 3);

-- 4. Blast radius (the whole graph's reach, its own search): from three sampled sources per
-- tenant, every reachable node with pgr_dijkstra's best cost (likelihood = exp(-cost); the
-- snapshot keeps costs as float, hence 1e-6), the fewest hops of pgr_dijkstra on unit costs, a
-- "via" that is the last step of a best path, and under a likelihood floor exactly the nodes above it.
CREATE FUNCTION pg_temp.blast_check(tenant text, tid bigint, src bigint)
RETURNS TABLE (reached bigint, differ bigint, bad_via bigint, floor_differ bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM infracast.set_tenant(tenant);
    RETURN QUERY
    WITH ours AS (SELECT * FROM infracast.blast_radius(src)),
    best AS (SELECT end_vid AS node, agg_cost FROM pgr_dijkstra(pg_temp.edges_sql(tid), src,
                 ARRAY(SELECT id FROM infracast.nodes WHERE tenant_id = tid)) WHERE edge = -1
             UNION ALL SELECT src, 0),
    unit AS (SELECT end_vid AS node, agg_cost::int AS hops FROM pgr_dijkstra(
                 format('SELECT id, src AS source, dst AS target, 1 AS cost FROM infracast.edges WHERE tenant_id = %s', tid),
                 src, ARRAY(SELECT id FROM infracast.nodes WHERE tenant_id = tid)) WHERE edge = -1
             UNION ALL SELECT src, 0)
    SELECT count(*),
           count(*) FILTER (WHERE o.node IS NULL OR b.node IS NULL
                               OR abs(o.likelihood - exp(-b.agg_cost)) > 1e-6 * exp(-b.agg_cost)
                               OR o.hops IS DISTINCT FROM u.hops),
           count(*) FILTER (WHERE o.via IS NULL AND o.node <> src
                               OR o.via IS NOT NULL AND NOT EXISTS (
                                   SELECT 1 FROM infracast.edges e JOIN ours v ON v.node = e.src
                                    WHERE e.tenant_id = tid AND e.src = o.via AND e.dst = o.node
                                      AND abs(v.likelihood * e.likelihood - o.likelihood) <= 1e-6 * o.likelihood)),
           (SELECT count(*) FROM (
                (SELECT node FROM ours WHERE likelihood >= 0.3 EXCEPT SELECT node FROM infracast.blast_radius(src, NULL, 0.3))
                UNION ALL
                (SELECT node FROM infracast.blast_radius(src, NULL, 0.3) EXCEPT SELECT node FROM ours WHERE likelihood >= 0.3)) x)
      FROM ours o FULL JOIN best b USING (node) LEFT JOIN unit u USING (node);
END $$;
SELECT s.tenant, sum(c.reached) AS reached, sum(c.differ) AS differ, sum(c.bad_via) AS bad_via,
       sum(c.floor_differ) AS floor_differ
  FROM sample s, LATERAL unnest(s.srcs[1:3]) src, LATERAL pg_temp.blast_check(s.tenant, s.tid, src) c
 GROUP BY s.tenant ORDER BY s.tenant;
RESET client_min_messages;
