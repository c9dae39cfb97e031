-- Infracast 0.1.0 -> 0.2.0. make turns this file into extension/infracast--0.1.0--0.2.0.sql, each
-- "-- @include extension/sql/NN_x.sql" line replaced by that part of the install script.
--
-- The rules every update script follows (docs/operations.md, Upgrades; TimescaleDB's, adapted):
--  - it runs in one transaction (ALTER EXTENSION ... UPDATE): all of it or nothing;
--  - every object is schema-qualified and every function keeps its pinned search_path;
--  - no row a customer stored is lost: a table whose definition changed is moved aside into a
--    scratch schema, created afresh by its part (so it matches a fresh install exactly: columns,
--    order, constraints, policies, grants), and its rows copied back by column name;
--  - parts whose objects are all new in this version are included whole, never copied by hand;
--  - test/integration/extension_update.sh proves the result describes itself exactly as a fresh
--    install does (test/harness/extension_catalog.sql), with every old row intact, and that a
--    pg_dump of the old version restores into the new one.
\echo Use "ALTER EXTENSION infracast UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- 1. Out of the way: what 0.2.0 re-creates whole.
-- ---------------------------------------------------------------------------------------------
-- Authentication and the REST layer moved from 90_api into 85_auth and 90_api and were reworked
-- (per-address lockout, the restricted-token allow-list in SQL, the folded wrappers). Their tables
-- go aside with their rows; every function and view of 0.1.0's API layer goes.
CREATE SCHEMA infracast_update_0_1_0;
ALTER TABLE infracast.users SET SCHEMA infracast_update_0_1_0;           -- with users_id_seq
ALTER TABLE infracast.login_failures SET SCHEMA infracast_update_0_1_0;
DROP TRIGGER revoke_tokens ON infracast_update_0_1_0.users;
-- No longer members: that also takes them off the list of tables pg_dump dumps (extconfig), which
-- would otherwise keep the dropped tables' oids.
ALTER EXTENSION infracast DROP TABLE infracast_update_0_1_0.users;
ALTER EXTENSION infracast DROP SEQUENCE infracast_update_0_1_0.users_id_seq;
ALTER EXTENSION infracast DROP TABLE infracast_update_0_1_0.login_failures;
DROP SCHEMA infracast_api CASCADE;
DO $drop$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                     AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'infracast'
         WHERE p.pronamespace = 'infracast'::regnamespace
           AND (p.proname LIKE 'api\_%' OR p.proname IN ('password_hash', 'password_verify', 'totp_new_secret',
                                                       'totp_code', 'totp_match', 'base32_encode',
                                                       'users_revoke_tokens'))
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s', f);
    END LOOP;
END
$drop$;

-- ---------------------------------------------------------------------------------------------
-- 2. Changed in the parts 0.1.0 had.
-- ---------------------------------------------------------------------------------------------
-- 30_graph: graph_stats() reports why the snapshot was built and this backend's builds and cache
-- hits (new OUT columns: CREATE OR REPLACE cannot change a result type).
DROP FUNCTION infracast.graph_stats();
CREATE FUNCTION infracast.graph_stats(
    OUT tenant_id       bigint,
    OUT version         bigint,
    OUT nodes           bigint,
    OUT arcs            bigint,
    OUT edge_rows       bigint,
    OUT bytes           bigint,
    OUT bytes_per_arc   float8,
    OUT build_ms        float8,
    OUT built_at        timestamptz,
    OUT entry_points    bigint,
    OUT crown_jewels    bigint,
    OUT cache_bytes     bigint,
    OUT build_reason    text,
    OUT backend_builds  bigint,
    OUT backend_cache_hits bigint)
    RETURNS record
    AS 'MODULE_PATHNAME', 'infracast_graph_stats'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast.graph_stats() IS
    'The current tenant''s cached snapshot (built first if stale): sizes, bytes, build time, graph version and why it was built; and this backend''s snapshot builds and cache hits (this call included).';
REVOKE EXECUTE ON FUNCTION infracast.graph_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.graph_stats() TO infracast_reader;

-- 40_feeds: the five load_* functions share one body, _feeds_load_status().
CREATE FUNCTION infracast._feeds_load_status(kind text, path text) RETURNS SETOF infracast.feed_status
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_feeds text[] := infracast._feeds_load(kind, path);
BEGIN
    RETURN QUERY SELECT s.* FROM infracast.feed_status s WHERE s.feed = ANY (v_feeds) ORDER BY s.feed;
END
$$;
COMMENT ON FUNCTION infracast._feeds_load_status(text, text) IS
    'Internal: runs one load (kev, epss, nvd, feodo, bundle) and returns its feed_status rows. Use the infracast.load_* functions.';
REVOKE EXECUTE ON FUNCTION infracast._feeds_load_status(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast._feeds_load_status(text, text) TO infracast_admin, pg_read_server_files;
CREATE OR REPLACE FUNCTION infracast.load_kev(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('kev', path) $$;
CREATE OR REPLACE FUNCTION infracast.load_epss(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('epss', path) $$;
CREATE OR REPLACE FUNCTION infracast.load_nvd(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('nvd', path) $$;
CREATE OR REPLACE FUNCTION infracast.load_feodo(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('feodo', path) $$;
CREATE OR REPLACE FUNCTION infracast.load_feed_bundle(dir text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('bundle', dir) $$;

-- ---------------------------------------------------------------------------------------------
-- 3. New in 0.2.0, and the re-created API layer: the parts themselves.
-- ---------------------------------------------------------------------------------------------
-- @include extension/sql/70_discovery.sql
-- @include extension/sql/75_compliance.sql
-- @include extension/sql/77_sbom.sql
-- @include extension/sql/85_auth.sql
-- @include extension/sql/90_api.sql
-- @include extension/sql/95_compliance_api.sql
-- @include extension/sql/96_documents.sql
-- @include extension/sql/97_documents_api.sql
-- @include extension/sql/98_sbom_api.sql

-- ---------------------------------------------------------------------------------------------
-- 4. The rows kept aside, back into the tables 85_auth created, by column name.
-- ---------------------------------------------------------------------------------------------
INSERT INTO infracast.users (tenant_id, id, username, role, password_hash, must_change_password, totp_secret,
                             totp_enabled, totp_last_step, created_at, password_changed_at, token_generation)
SELECT tenant_id, id, username, role, password_hash, must_change_password, totp_secret,
       totp_enabled, totp_last_step, created_at, password_changed_at, token_generation
  FROM infracast_update_0_1_0.users;
SELECT pg_catalog.setval('infracast.users_id_seq', s.last_value, s.is_called)
  FROM infracast_update_0_1_0.users_id_seq s;
INSERT INTO infracast.login_failures (scope, key, failures, window_start)
SELECT scope, key, failures, window_start FROM infracast_update_0_1_0.login_failures;
DROP SCHEMA infracast_update_0_1_0 CASCADE;
