-- Demo step 30: the attack-path engine on tenant acme (created by 10_inventory.sql): how exposed it
-- is, its most likely attack paths from the entry points to the crown jewels, the choke points those
-- paths share, and the cheapest set of fixes that cuts them all (applied and checked in a
-- savepoint, then rolled back: the demo data stays as it was).
\set ON_ERROR_STOP 1
\pset footer off
BEGIN;
SELECT infracast.set_tenant('acme') \gset
CREATE TEMP TABLE demo_label ON COMMIT DROP AS
SELECT id, external_id AS label, kind FROM infracast.nodes WHERE tenant_id = infracast.current_tenant();

\echo
\echo '== acme: exposure of principals (accounts, hosts, VMs) to the crown jewels =='
SELECT principals, exposed_principals, round(exposure_pct::numeric, 1) AS "exposed %", severity,
       entry_points, entry_points_reaching AS "entry points with a path", crown_jewels,
       round(best_entry_likelihood::numeric, 4) AS "best path likelihood"
  FROM infracast.exposure_summary();

\echo
\echo '== acme: the most likely attack paths, entry point to crown jewel =='
WITH steps AS (
    SELECT p.path_id, p.path_seq, l.label, e.kind AS step, p.likelihood, p.edge
      FROM infracast.attack_paths() p
      JOIN demo_label l ON l.id = p.node
      LEFT JOIN infracast.edges e ON e.tenant_id = infracast.current_tenant() AND e.id = p.edge),
paths AS (
    SELECT path_id,
           min(likelihood) AS likelihood,
           count(*) - 1 AS hops,
           string_agg(label || coalesce(' -' || step || '-> ', ''), '' ORDER BY path_seq) AS path
      FROM steps GROUP BY path_id)
SELECT rank() OVER (ORDER BY likelihood DESC, path) AS "#", round(likelihood::numeric, 4) AS likelihood,
       hops, path
  FROM paths ORDER BY likelihood DESC, path LIMIT 8;

\echo
\echo '== acme: up to three most likely loopless ways from the internet to dc-1 (Yen, k = 3) =='
WITH steps AS (
    SELECT p.path_id, p.path_seq, l.label, e.kind AS step, p.likelihood
      FROM infracast.attack_paths(ARRAY(SELECT id FROM demo_label WHERE label = 'internet'),
                                  ARRAY(SELECT id FROM demo_label WHERE label = 'dc-1'), 3) p
      JOIN demo_label l ON l.id = p.node
      LEFT JOIN infracast.edges e ON e.tenant_id = infracast.current_tenant() AND e.id = p.edge)
SELECT path_id AS "#", round(min(likelihood)::numeric, 5) AS likelihood,
       string_agg(label || coalesce(' -' || step || '-> ', ''), '' ORDER BY path_seq) AS path
  FROM steps GROUP BY path_id ORDER BY path_id;

\echo
\echo '== acme: top choke points (what most entry-to-jewel paths cross; dominators guard jewels alone) =='
SELECT c.rank AS "#", l.label AS node, l.kind, c.paths AS "paths through it",
       round(100 * c.path_share)::int AS "% of paths",
       c.dominated_targets AS "jewels every path to which crosses it"
  FROM infracast.choke_points(top => 8) c JOIN demo_label l ON l.id = c.node
 WHERE c.object = 'node' ORDER BY c.rank;
SELECT c.rank AS "#", s.label || ' -' || e.kind || '-> ' || d.label AS edge,
       c.paths AS "paths through it", round(100 * c.path_share)::int AS "% of paths"
  FROM infracast.choke_points(top => 6) c
  JOIN demo_label s ON s.id = c.src JOIN demo_label d ON d.id = c.dst
  LEFT JOIN infracast.edges e ON e.tenant_id = infracast.current_tenant() AND e.id = c.edge
 WHERE c.object = 'edge' ORDER BY c.rank;

\echo
\echo '== acme: the cheapest fix set (minimum total fix_cost that cuts every entry point from every jewel) =='
CREATE TEMP TABLE demo_plan ON COMMIT DROP AS SELECT * FROM infracast.remediation_plan();
SELECT s.label || ' -' || p.kind || '-> ' || d.label AS "edge to remove", p.fix_cost,
       p.paths_broken AS "current best paths it breaks"
  FROM demo_plan p JOIN demo_label s ON s.id = p.src JOIN demo_label d ON d.id = p.dst
 ORDER BY p.paths_broken DESC, p.fix_cost, 1;
SELECT count(*) AS fixes, sum(fix_cost) AS "total fix cost" FROM demo_plan;

SAVEPOINT try_the_plan;
DELETE FROM infracast.edges e USING demo_plan p
 WHERE e.tenant_id = infracast.current_tenant() AND e.id = p.edge;
\echo 'With the plan applied (inside a savepoint), the paths left and the exposure:'
SELECT (SELECT count(DISTINCT path_id) FROM infracast.attack_paths()) AS "entry-to-jewel paths left",
       round(exposure_pct::numeric, 1) AS "exposed %", severity
  FROM infracast.exposure_summary();
ROLLBACK TO SAVEPOINT try_the_plan;
COMMIT;
