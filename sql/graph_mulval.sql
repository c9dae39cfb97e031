-- MulVAL's 3-host example (risksense/mulval testcases/3host/input.P) as a hand-built graph:
--   hacl(internet, webServer, tcp, 80) + vulExists(webServer, 'CAN-2002-0392', httpd), remote
--     -> internet can exploit webServer;
--   hacl(webServer, _, _, _) + vulExists(fileServer, vulID, mountd), remote -> webServer can
--     exploit fileServer; nfsExportInfo(fileServer, '/export', _anyAccess, webServer) -> webServer
--     can also write the export over NFS (a second, parallel edge);
--   nfsMounted(workStation, '/usr/local/share', fileServer, '/export', read) -> whoever holds
--     fileServer's export plants code the workStation runs.
-- Goal execCode(workStation, _): the path must cross webServer and fileServer, both are
-- dominators, and the cheapest fix cuts it.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SELECT infracast.create_tenant('g_mulval') AS tid \gset
SELECT infracast.set_tenant('g_mulval', false) AS tid \gset
INSERT INTO infracast.nodes (external_id, kind, name, entry_point, crown_jewel) VALUES
    ('internet', 'internet', 'internet', true, false),
    ('webServer', 'host', 'webServer', false, false),
    ('fileServer', 'host', 'fileServer', false, false),
    ('workStation', 'host', 'workStation', false, true);
CREATE TEMP VIEW n AS SELECT id, external_id FROM infracast.nodes WHERE tenant_id = :tid;
INSERT INTO infracast.edges (src, dst, kind, likelihood, fix_cost, port, protocol, attrs)
SELECT s.id, d.id, e.kind, e.likelihood, e.fix_cost, e.port, e.protocol, e.attrs
  FROM (VALUES
    ('internet',   'webServer',   'can_exploit', 0.8, 1.0, 80,     'tcp', '{"cve": "CAN-2002-0392", "service": "httpd"}'::jsonb),
    ('webServer',  'fileServer',  'can_exploit', 0.6, 1.0, 20048,  'rpc', '{"vuln": "vulID", "service": "mountd", "rpc_program": 100005}'),
    ('webServer',  'fileServer',  'reach',       0.9, 4.0, 2049,   'nfs', '{"nfs_export": "/export", "access": "any"}'),
    ('fileServer', 'workStation', 'trusts',      0.7, 5.0, NULL,   NULL,  '{"nfs_mount": "/usr/local/share"}')
  ) AS e(src, dst, kind, likelihood, fix_cost, port, protocol, attrs)
  JOIN n s ON s.external_id = e.src JOIN n d ON d.external_id = e.dst;

-- The most likely attack path: internet -> webServer -> fileServer (over NFS, 0.9) -> workStation.
SELECT p.path_seq, n.external_id, e.kind, round(p.likelihood::numeric, 4) AS likelihood
  FROM infracast.attack_paths() p JOIN n ON n.id = p.node LEFT JOIN infracast.edges e ON e.id = p.edge
 ORDER BY p.path_id, p.path_seq;
-- Parallel edges count once, as in pgr_KSP: k = 2 still finds the one path.
SELECT p.path_id, string_agg(n.external_id, ' > ' ORDER BY p.path_seq) AS path,
       round(min(p.likelihood)::numeric, 4) AS likelihood
  FROM infracast.attack_paths(NULL, NULL, 2) p JOIN n ON n.id = p.node GROUP BY p.path_id ORDER BY p.path_id;
-- Dominators and choke points: webServer and fileServer, each on the one path.
SELECT c.object, c.rank, coalesce(n.external_id, s.external_id || ' > ' || d.external_id) AS what,
       c.paths, c.path_share, c.dominated_targets
  FROM infracast.choke_points() c LEFT JOIN n ON n.id = c.node
  LEFT JOIN n s ON s.id = c.src LEFT JOIN n d ON d.id = c.dst
 ORDER BY c.object DESC, c.rank;
-- Everything that reaches the workStation, and what the internet reaches.
SELECT n.external_id, e.hops, round(e.likelihood::numeric, 4) AS likelihood
  FROM infracast.exposure() e JOIN n ON n.id = e.node ORDER BY e.hops, n.external_id;
SELECT n.external_id, b.hops, round(b.likelihood::numeric, 4) AS likelihood
  FROM infracast.blast_radius((SELECT id FROM n WHERE external_id = 'internet')) b JOIN n ON n.id = b.node
 ORDER BY b.hops;
SELECT principals, exposed_principals, exposure_pct, severity, crown_jewels, entry_points,
       entry_points_reaching, round(best_entry_likelihood::numeric, 6) AS best_entry_likelihood
  FROM infracast.exposure_summary();
-- The cheapest fix: patch CAN-2002-0392 on the web server (1), not both ways into the file server
-- (1 + 4) nor the NFS mount (5).
SELECT s.external_id AS src, d.external_id AS dst, r.kind, r.fix_cost, r.paths_broken
  FROM infracast.remediation_plan() r JOIN n s ON s.id = r.src JOIN n d ON d.id = r.dst ORDER BY r.edge;
-- Make the web server patch expensive (6): both ways into the file server (1 + 4) and the NFS
-- mount (5) now tie; of equal cuts the one nearest the entry points is kept, every time.
UPDATE infracast.edges SET fix_cost = 6 WHERE tenant_id = :tid AND kind = 'can_exploit' AND port = 80;
SELECT s.external_id AS src, d.external_id AS dst, r.kind, r.fix_cost, r.paths_broken
  FROM infracast.remediation_plan() r JOIN n s ON s.id = r.src JOIN n d ON d.id = r.dst ORDER BY r.edge;
-- Apply the plan in a transaction: no path is left, exposure drops, and a rollback brings it back.
BEGIN;
DELETE FROM infracast.edges e USING infracast.remediation_plan() r WHERE e.tenant_id = :tid AND e.id = r.edge;
SELECT count(*) AS paths_left FROM infracast.attack_paths();
SELECT exposed_principals, severity FROM infracast.exposure_summary();
ROLLBACK;
SELECT count(DISTINCT path_id) AS paths_after_rollback FROM infracast.attack_paths();
SELECT exposed_principals, severity FROM infracast.exposure_summary();
-- node_exposure: what the risk scoring reads
SELECT n.external_id, x.reachable, round(x.best_likelihood::numeric, 4) AS best_likelihood, x.hops
  FROM infracast.node_exposure(NULL) x JOIN n ON n.id = x.node ORDER BY n.external_id;
