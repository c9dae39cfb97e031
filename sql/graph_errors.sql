-- Bad input to the graph functions: each gets a clear error with its own SQLSTATE
-- (docs/graph.md lists them), and the session keeps working afterwards.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
-- Runs a statement and shows its SQLSTATE and message (or that it raised nothing).
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- no tenant set
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.graph_stats()$$);

SELECT infracast.create_tenant('g_err') AS tid \gset
SELECT infracast.create_tenant('g_err_other') AS tid_other \gset
SELECT infracast.set_tenant('g_err_other', false) AS t \gset
INSERT INTO infracast.nodes (id, external_id, kind) VALUES (900001, 'other-a', 'host');
SELECT infracast.set_tenant('g_err', false) AS t \gset
-- a chain 1 > 2 > ... > 500, no entry points or crown jewels yet
INSERT INTO infracast.nodes (id, external_id, kind) SELECT i, 'e' || i, 'host' FROM generate_series(1, 500) i;
INSERT INTO infracast.edges (src, dst, kind) SELECT i, i + 1, 'reach' FROM generate_series(1, 499) i;

-- no entry points / crown jewels when sources / targets are NULL
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths()$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.exposure()$$);
SELECT pg_temp.err($$SELECT * FROM infracast.exposure_summary()$$);
SELECT pg_temp.err($$SELECT * FROM infracast.choke_points()$$);
SELECT pg_temp.err($$SELECT * FROM infracast.remediation_plan()$$);
-- unknown ids, and another tenant's node
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{501}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{900001}', '{2}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(900001)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.node_exposure('{1,12345678}')$$);
-- empty arrays and NULL elements
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{}', '{2}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1,NULL}', '{2}')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.exposure('{}')$$);
-- source = target
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{3}', '{3}')$$);
-- ... which is only skipped when other pairs remain
SELECT count(*) AS rows FROM infracast.attack_paths('{3,4}', '{3}');
-- k
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', 0)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', -1)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', NULL)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', 101)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', 2147483647)$$);
-- too many paths: 400 sources x 400 targets
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths(ARRAY(SELECT generate_series(1, 400)::bigint),
                                     ARRAY(SELECT generate_series(101, 500)::bigint))$$);
-- hops and likelihood bounds
SELECT pg_temp.err($$SELECT * FROM infracast.attack_paths('{1}', '{2}', 1, -1)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1, -5)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.exposure('{5}', -1)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1, NULL, 1.5)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1, NULL, -0.1)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1, NULL, 'NaN')$$);
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(NULL)$$);
SELECT pg_temp.err($$SELECT * FROM infracast.choke_points('{1}', '{5}', 0)$$);
-- bounds that are fine: max_hops 0 is the source alone, a path longer than max_hops is not found
SELECT node, hops FROM infracast.blast_radius(1, 0);
SELECT count(*) AS rows FROM infracast.attack_paths('{1}', '{10}', 1, 8);
SELECT count(*) AS rows FROM infracast.attack_paths('{1}', '{10}', 3, 9);
SELECT count(*) AS rows FROM infracast.blast_radius(1, NULL, 1);
-- unreachable pairs give no rows, not an error
SELECT count(*) AS rows FROM infracast.attack_paths('{10}', '{1}');
-- still working
SELECT max(agg_cost) > 0 AS ok FROM infracast.attack_paths('{1}', '{500}');

-- privileges: EXECUTE is for infracast_reader; the tables' SELECT is checked too
DROP ROLE IF EXISTS regress_graph_reader;
DROP ROLE IF EXISTS regress_graph_nosel;
CREATE ROLE regress_graph_reader IN ROLE infracast_reader;
CREATE ROLE regress_graph_nosel;
INSERT INTO infracast.tenant_roles VALUES (:tid, 'regress_graph_reader'), (:tid, 'regress_graph_nosel');
GRANT USAGE ON SCHEMA infracast TO regress_graph_nosel;
GRANT EXECUTE ON FUNCTION infracast.set_tenant(text, boolean) TO regress_graph_nosel;
SET ROLE regress_graph_nosel;
SELECT infracast.set_tenant('g_err') AS t \gset
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1)$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION infracast.blast_radius(bigint, integer, float8) TO regress_graph_nosel;
SET ROLE regress_graph_nosel;
SELECT infracast.set_tenant('g_err') AS t \gset
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(1)$$);
RESET ROLE;
SET ROLE regress_graph_reader;
SELECT infracast.set_tenant('g_err') AS t \gset
SELECT count(*) AS reach FROM infracast.blast_radius(1);
-- a reader sees only its tenant: the other tenant's node is unknown here too
SELECT pg_temp.err($$SELECT * FROM infracast.blast_radius(900001)$$);
RESET ROLE;
DELETE FROM infracast.tenant_roles WHERE tenant_id = :tid;
REVOKE ALL ON FUNCTION infracast.blast_radius(bigint, integer, float8) FROM regress_graph_nosel;
REVOKE ALL ON FUNCTION infracast.set_tenant(text, boolean) FROM regress_graph_nosel;
REVOKE ALL ON SCHEMA infracast FROM regress_graph_nosel;
DROP ROLE regress_graph_reader;
DROP ROLE regress_graph_nosel;
