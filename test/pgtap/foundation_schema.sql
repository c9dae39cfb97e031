-- Foundation schema invariants and SQLSTATEs (pgTAP). Runs in a transaction that rolls back.
BEGIN;
SELECT plan(32);

SELECT has_schema('infracast');
SELECT has_table('infracast', t, 'table infracast.' || t || ' exists')
  FROM unnest(ARRAY['tenants', 'tenant_roles', 'node_kinds', 'edge_kinds', 'nodes', 'edges', 'software',
                    'graph_versions']) t;
SELECT has_role(r) FROM unnest(ARRAY['infracast_admin', 'infracast_analyst', 'infracast_reader',
                                      'infracast_authenticator']) r;
SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'infracast_authenticator'), false,
          'the authenticator is NOINHERIT');
SELECT is((SELECT count(*)::int FROM pg_roles WHERE rolname LIKE 'infracast\_%' AND rolcanlogin), 0,
          'no infracast role can log in until the operator says so');

-- tenant_id leads every primary and unique key of every tenant-owned table, and every foreign key
-- between tenant-owned tables (Citus-ready; keys to global lookup tables such as kinds are exempt)
SELECT is_empty($$
    SELECT c.conrelid::regclass::text || ' ' || c.conname
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'infracast' AND c.contype IN ('p', 'u', 'f')
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attname = 'tenant_id')
       AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]) <> 'tenant_id'
       AND (c.contype <> 'f' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attname = 'tenant_id'))
$$, 'tenant_id leads every key of tenant-owned tables');

-- every tenant-owned table has RLS enabled and forced, with a policy
SELECT is_empty($$
    SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'infracast' AND c.relkind = 'r'
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
       AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
$$, 'row-level security is enabled, forced and has a policy on every tenant table');

-- user-loaded tables are dumped
SELECT is((SELECT count(*)::int FROM pg_extension e, unnest(e.extconfig) cfg
            WHERE e.extname = 'infracast'
              AND cfg::regclass::text IN ('infracast.nodes', 'infracast.edges', 'infracast.software',
                                          'infracast.tenants', 'infracast.nodes_id_seq', 'infracast.edges_id_seq')),
          6, 'nodes, edges, software, tenants and their sequences are marked for pg_dump');

-- SQLSTATEs of the errors users meet
SELECT throws_ok($$SELECT infracast.current_tenant()$$, 'IC001', NULL, 'no tenant set: IC001');
SELECT throws_ok($$SELECT infracast.set_tenant('tap_no_such_tenant')$$, 'IC002', NULL, 'unknown tenant: IC002');
SELECT throws_ok($$SELECT infracast.set_tenant(NULL)$$, '22004', NULL, 'null tenant: 22004');

SELECT lives_ok($$SELECT infracast.create_tenant('tap_t1')$$, 'create a tenant');
SELECT lives_ok($$SELECT infracast.set_tenant('tap_t1')$$, 'set it for this transaction');
SELECT throws_ok($$INSERT INTO infracast.nodes (external_id, kind) VALUES ('x', 'toaster')$$, 'IC003', NULL,
                 'unknown node kind: IC003');
SELECT lives_ok($$INSERT INTO infracast.nodes (external_id, kind) VALUES ('h1', 'host'), ('h2', 'host')$$, 'insert nodes');
SELECT throws_ok($$INSERT INTO infracast.edges (src, dst, kind) SELECT a.id, b.id, 'warp' FROM infracast.nodes a, infracast.nodes b
                   WHERE a.external_id = 'h1' AND b.external_id = 'h2'$$, 'IC003', NULL, 'unknown edge kind: IC003');
SELECT throws_ok($$INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT a.id, b.id, 'reach', 0 FROM infracast.nodes a, infracast.nodes b
                   WHERE a.external_id = 'h1' AND b.external_id = 'h2'$$, '22003', NULL, 'likelihood 0: 22003');
SELECT throws_ok($$INSERT INTO infracast.edges (src, dst, kind, likelihood) SELECT a.id, b.id, 'reach', 1.01 FROM infracast.nodes a, infracast.nodes b
                   WHERE a.external_id = 'h1' AND b.external_id = 'h2'$$, '22003', NULL, 'likelihood above 1: 22003');
SELECT throws_ok($$SELECT infracast.import_graph('"just a string"')$$, '22023', NULL, 'malformed import: 22023');
SELECT throws_ok($$SELECT infracast.import_graph('{"graph":{"edges":[{"start":"h1","end":"zz","kind":"reach"}]}}', true)$$,
                 'IC004', NULL, 'strict import naming an unknown node: IC004');
SELECT throws_ok($$SELECT infracast.import_graph('{"graph":{"nodes":[{"id":"q","kinds":["warpcore"]}]}}', true)$$,
                 'IC003', NULL, 'strict import with an unknown kind: IC003');
SELECT results_eq($$SELECT nodes_rejected, edges_rejected FROM infracast.import_graph(
                      '{"graph":{"nodes":[{"id":"q","kinds":["warpcore"]}],"edges":[{"start":"h1","end":"zz","kind":"reach"}]}}')$$,
                  $$VALUES (1::bigint, 1::bigint)$$, 'the same items are rejected, not raised, when not strict');

SELECT * FROM finish();
ROLLBACK;
