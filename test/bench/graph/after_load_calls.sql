-- Six attack_paths calls for the pair 1 -> 9 (8 hops) in a new session, right after
-- after_load.sql committed; then pgr_dijkstra on the same pair once. Each call is its own
-- statement, timed on the server. Prints "key=value" lines (ms unless named).
\set ON_ERROR_STOP 1
SELECT infracast.set_tenant(:'tenant', false) IS NOT NULL AS ok \gset
SELECT id AS tid FROM infracast.tenants WHERE name = :'tenant' \gset
CREATE TEMP TABLE calls (n int, ms float8);
SELECT 'first_call_after_s=' || (extract(epoch FROM clock_timestamp()) - :committed_at);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS steps FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (1, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (2, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (3, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (4, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (5, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint], 1) \gset
INSERT INTO calls VALUES (6, extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SELECT 'last_call_after_s=' || (extract(epoch FROM clock_timestamp()) - :committed_at);
-- whether autovacuum had analysed infracast.edges by then (it would have hidden the old problem)
SELECT 'analysed_before_calls=' || (coalesce(last_autoanalyze, last_analyze) > to_timestamp(:committed_at))::int
  FROM pg_stat_user_tables WHERE relid = 'infracast.edges'::regclass;
SELECT 'path_rows=' || :steps;
SELECT 'cold_ms=' || ms FROM calls WHERE n = 1;
SELECT 'warm_median_ms=' || percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM calls WHERE n > 1;
SELECT 'warm_max_ms=' || max(ms) FROM calls WHERE n > 1;
SELECT 'builds=' || backend_builds FROM infracast.graph_stats();
SELECT 'edge_rows=' || edge_rows FROM infracast.graph_stats();
SELECT format('SELECT id, src AS source, dst AS target, -ln(likelihood) AS cost FROM infracast.edges WHERE tenant_id = %s', :tid) AS pgr_sql \gset
SELECT 'pgr_ms=' || bench.ms(format('SELECT * FROM pgr_dijkstra(%L, 1, 9)', :'pgr_sql'), 1);
SELECT 'cost_mismatch=' || (abs((SELECT max(agg_cost) FROM infracast.attack_paths(ARRAY[1::bigint], ARRAY[9::bigint]))
                                 - (SELECT max(agg_cost) FROM pgr_dijkstra(:'pgr_sql', 1, 9))) > 1e-9)::int;
