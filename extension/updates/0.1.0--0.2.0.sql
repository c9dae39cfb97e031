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
-- 0. Roles: infracast_admin administers its bound tenants only; infracast_operator the cluster.
-- ---------------------------------------------------------------------------------------------
-- In 0.1.0 every member of infracast_admin was a cluster-wide administrator. Nobody loses access
-- on upgrade: each such role is granted infracast_operator, and a WARNING (an extension script
-- hides NOTICEs) says how to make it a tenant administrator instead (docs/operations.md, Roles and
-- tenants). The proxy's logins are left out (NOINHERIT: they only SET ROLE): the new proxy refuses
-- to run as an operator.
DO $roles$
DECLARE
    r record;
BEGIN
    -- Roles are the cluster's: once infracast_operator exists (made by an earlier update, or by a
    -- fresh 0.2.0 install in another database), its membership is the DBA's decision, and an update
    -- of another database must not hand it again to tenant admins the DBA took it from. Only the
    -- update that creates it grants it; later ones say whom they left as they were.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_operator') THEN
        FOR r IN
            SELECT m.rolname
              FROM pg_catalog.pg_auth_members am
              JOIN pg_catalog.pg_roles m ON m.oid = am.member
             WHERE am.roleid = 'infracast_admin'::regrole
               AND m.rolname NOT IN ('infracast_authenticator', 'infracast_operator')
               AND m.rolinherit
               AND NOT pg_catalog.pg_has_role(m.oid, 'infracast_operator', 'MEMBER')
             ORDER BY 1
        LOOP
            RAISE WARNING 'role "%" administered every tenant in 0.1.0 and now administers only the tenants it is bound to', r.rolname
                USING HINT = pg_catalog.format('infracast_operator exists already, so this update grants it to nobody. For cluster-wide work: GRANT infracast_operator TO %I; for one tenant: INSERT INTO infracast.tenant_roles VALUES (<tenant id>, %L);',
                                               r.rolname, r.rolname);
        END LOOP;
        RETURN;
    END IF;
    CREATE ROLE infracast_operator NOLOGIN;
    FOR r IN
        SELECT m.rolname
          FROM pg_catalog.pg_auth_members am
          JOIN pg_catalog.pg_roles m ON m.oid = am.member
         WHERE am.roleid = 'infracast_admin'::regrole
           AND m.rolname NOT IN ('infracast_authenticator', 'infracast_operator')
           AND m.rolinherit
           AND NOT pg_catalog.pg_has_role(m.oid, 'infracast_operator', 'MEMBER')
         ORDER BY 1
    LOOP
        EXECUTE pg_catalog.format('GRANT infracast_operator TO %I', r.rolname);
        RAISE WARNING 'role "%" was granted infracast_operator to keep the cluster-wide access infracast_admin gave it in 0.1.0', r.rolname
            USING HINT = pg_catalog.format('For a tenant administrator: REVOKE infracast_operator FROM %I; INSERT INTO infracast.tenant_roles VALUES (<tenant id>, %L);',
                                           r.rolname, r.rolname);
    END LOOP;
END
$roles$;
GRANT infracast_admin TO infracast_operator;

-- New in 0.2.0: the owner of the SECURITY DEFINER writers (assessments, stored documents,
-- discovery jobs), and the check of the caller they record.
DO $internal$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_internal') THEN
        CREATE ROLE infracast_internal NOLOGIN;
    ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname = 'infracast_internal'
                     AND (r.rolcanlogin OR r.rolsuper OR r.rolbypassrls
                          OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.roleid = r.oid))) THEN
        -- it will own the writers: a role someone can log in as, or become, would write as them
        RAISE EXCEPTION 'role infracast_internal exists and can log in, bypasses row-level security or has members'
            USING ERRCODE = '42501',
                  HINT = 'It owns the SECURITY DEFINER writers and must be NOLOGIN, NOSUPERUSER, NOBYPASSRLS, with no member: fix or drop that role, then try again.';
    END IF;
END
$internal$;
GRANT infracast_reader TO infracast_internal;
CREATE FUNCTION infracast.check_caller(caller name) RETURNS name
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- The role that called: SET ROLE's (the proxy's per-request role included; the setting keeps
    -- the caller's value inside SECURITY DEFINER functions), else the login.
    IF caller IS DISTINCT FROM (CASE pg_catalog.current_setting('role') WHEN 'none' THEN session_user
                                ELSE pg_catalog.current_setting('role')::name END) THEN
        RAISE EXCEPTION 'role "%" is not the role calling', caller
            USING ERRCODE = '42501',
                  HINT = 'Call the public function (for example infracast.compliance_assess() or infracast.store_document()), not its internal writer.';
    END IF;
    RETURN caller;
END
$$;
COMMENT ON FUNCTION infracast.check_caller(name) IS
    'Internal: the role a SECURITY DEFINER writer records as the author: it must be the calling role (SET ROLE''s, else the login), 42501 otherwise.';
REVOKE EXECUTE ON FUNCTION infracast.check_caller(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.check_caller(name) TO infracast_internal;

-- The shared roles can no longer be bound to a tenant (every tenant's admins are members of them).
DO $bound$
DECLARE
    v_rows text;
BEGIN
    SELECT pg_catalog.string_agg(pg_catalog.format('(%s, %s)', tenant_id, role_name), ', ' ORDER BY tenant_id, role_name)
      INTO v_rows
      FROM infracast.tenant_roles
     WHERE role_name IN ('infracast_reader', 'infracast_analyst', 'infracast_admin', 'infracast_operator',
                         'infracast_authenticator', 'infracast_internal');
    IF v_rows IS NOT NULL THEN
        RAISE EXCEPTION 'infracast.tenant_roles binds shared roles to tenants: %', v_rows
            USING ERRCODE = '23514',
                  HINT = 'Bind a role of your own to each tenant instead (CREATE ROLE acme_admins IN ROLE infracast_admin; INSERT INTO infracast.tenant_roles ...), delete these rows, then update again.';
    END IF;
END
$bound$;
ALTER TABLE infracast.tenant_roles ADD CONSTRAINT tenant_roles_not_shared_role
    CHECK (role_name NOT IN ('infracast_reader', 'infracast_analyst', 'infracast_admin',
                             'infracast_operator', 'infracast_authenticator', 'infracast_internal'));
COMMENT ON TABLE infracast.tenant_roles IS
    'Roles (or members of roles) allowed to call infracast.set_tenant() for a tenant. Only infracast_operator binds roles; the extension''s shared roles cannot be bound.';

DROP POLICY tenants_visible ON infracast.tenants;
CREATE POLICY tenants_visible ON infracast.tenants
    USING (id = infracast.rls_tenant() OR pg_catalog.pg_has_role(current_user, 'infracast_operator', 'MEMBER'));
DROP POLICY tenant_roles_admin ON infracast.tenant_roles;
CREATE POLICY tenant_roles_visible ON infracast.tenant_roles
    USING (tenant_id = infracast.rls_tenant() OR pg_catalog.pg_has_role(current_user, 'infracast_operator', 'MEMBER'));

REVOKE INSERT, UPDATE, DELETE ON infracast.tenants, infracast.tenant_roles FROM infracast_admin;
GRANT UPDATE (settings) ON infracast.tenants TO infracast_admin;
GRANT INSERT, UPDATE, DELETE ON infracast.tenants, infracast.tenant_roles TO infracast_operator;
REVOKE USAGE ON SEQUENCE infracast.tenants_id_seq FROM infracast_admin;
GRANT USAGE ON SEQUENCE infracast.tenants_id_seq TO infracast_operator;
REVOKE INSERT, UPDATE, DELETE ON infracast.node_kinds, infracast.edge_kinds FROM infracast_admin;
GRANT INSERT, UPDATE, DELETE ON infracast.node_kinds, infracast.edge_kinds TO infracast_operator;
COMMENT ON TABLE infracast.node_kinds IS 'Kinds of inventory node, shared by all tenants. An infracast_operator adds more with INSERT.';

CREATE FUNCTION infracast.require_operator(action text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(current_user, 'infracast_operator', 'MEMBER') THEN
        RAISE EXCEPTION 'permission denied to %', action
            USING ERRCODE = '42501',
                  DETAIL = pg_catalog.format('Role "%s" is not a member of infracast_operator; %s is cluster-wide work, not one tenant''s.',
                                             current_user, action),
                  HINT = 'Ask an operator (a member of infracast_operator) to do it; infracast_admin administers one tenant only.';
    END IF;
END
$$;
COMMENT ON FUNCTION infracast.require_operator(text) IS
    'Raises 42501 naming infracast_operator unless the current role is a member of it (or a superuser).';
REVOKE EXECUTE ON FUNCTION infracast.require_operator(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.require_operator(text) TO infracast_reader, pg_read_server_files;

CREATE OR REPLACE FUNCTION infracast.create_tenant(name text, settings jsonb DEFAULT '{}'::jsonb)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM infracast.require_operator('create a tenant');
    IF settings IS NULL OR pg_catalog.jsonb_typeof(settings) <> 'object' THEN
        RAISE EXCEPTION 'tenant settings must be a JSON object'
            USING ERRCODE = '22023', HINT = 'For example ''{"mfa_required": true}''.';
    END IF;
    INSERT INTO infracast.tenants (name, settings)
    VALUES (create_tenant.name, '{"mfa_required": false}'::jsonb || create_tenant.settings)
    RETURNING id INTO v_id;
    RETURN v_id;
EXCEPTION
    WHEN unique_violation THEN
        RAISE EXCEPTION 'tenant "%" already exists', create_tenant.name
            USING ERRCODE = '23505', HINT = 'Tenant names are unique; pick another name.';
    WHEN check_violation THEN
        RAISE EXCEPTION 'invalid tenant name "%"', create_tenant.name
            USING ERRCODE = '22023',
                  HINT = 'A tenant name starts with a letter and has at most 63 letters, digits, "_", "." or "-".';
END
$$;
COMMENT ON FUNCTION infracast.create_tenant(text, jsonb) IS 'Creates a tenant and returns its id (infracast_operator only).';

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
-- The REST layer's members one by one, then the schema without CASCADE: an object of the
-- customer's that depends on one of them (a view, say) stops the update with its name instead of
-- disappearing with it.
DO $api$
DECLARE
    o record;
BEGIN
    FOR o IN
        SELECT d.classid, d.objid,
               CASE WHEN d.classid = 'pg_catalog.pg_class'::regclass THEN pg_catalog.format('DROP VIEW %s', d.objid::regclass)
                    ELSE pg_catalog.format('DROP FUNCTION %s', d.objid::regprocedure) END AS stmt
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'infracast'
         WHERE d.deptype = 'e'
           AND ((d.classid = 'pg_catalog.pg_class'::regclass
                 AND (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = d.objid) = 'infracast_api'::regnamespace)
             OR (d.classid = 'pg_catalog.pg_proc'::regclass
                 AND (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid = d.objid) = 'infracast_api'::regnamespace))
         ORDER BY d.classid = 'pg_catalog.pg_proc'::regclass   -- views first
    LOOP
        EXECUTE o.stmt;
    END LOOP;
END
$api$;
DROP SCHEMA infracast_api;
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

-- 40_feeds: the five load_* functions share one body, _feeds_load_status(), which tells a tenant's
-- admin that loading feeds is an operator's work; the loader itself is the operator's.
CREATE FUNCTION infracast._feeds_load_status(kind text, path text) RETURNS SETOF infracast.feed_status
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_feeds text[];
BEGIN
    -- Checked here, before the loader, so that a tenant's admin learns who loads feeds.
    IF NOT pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') THEN
        PERFORM infracast.require_operator('load feeds');
    END IF;
    v_feeds := infracast._feeds_load(kind, path);
    RETURN QUERY SELECT s.* FROM infracast.feed_status s WHERE s.feed = ANY (v_feeds) ORDER BY s.feed;
END
$$;
COMMENT ON FUNCTION infracast._feeds_load_status(text, text) IS
    'Internal: runs one load (kev, epss, nvd, feodo, bundle) and returns its feed_status rows. Use the infracast.load_* functions.';
REVOKE EXECUTE ON FUNCTION infracast._feeds_load_status(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast._feeds_load_status(text, text), infracast.load_kev(text), infracast.load_epss(text),
    infracast.load_nvd(text), infracast.load_feodo(text), infracast.load_feed_bundle(text)
    TO infracast_admin, infracast_operator, pg_read_server_files;
REVOKE EXECUTE ON FUNCTION infracast._feeds_load(text, text) FROM infracast_admin;
GRANT EXECUTE ON FUNCTION infracast._feeds_load(text, text) TO infracast_operator, pg_read_server_files;
REVOKE EXECUTE ON FUNCTION infracast.refresh_feeds() FROM infracast_admin;
GRANT EXECUTE ON FUNCTION infracast.refresh_feeds() TO infracast_operator;
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
-- @include extension/sql/72_discovery_ssh.sql
-- @include extension/sql/75_compliance.sql
-- @include extension/sql/77_sbom.sql
-- @include extension/sql/85_auth.sql
-- @include extension/sql/90_api.sql
-- @include extension/sql/91_api_license.sql
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
-- without CASCADE: a customer's view or foreign key on the old tables stops the update, named
DROP TABLE infracast_update_0_1_0.users, infracast_update_0_1_0.login_failures;
DROP SCHEMA infracast_update_0_1_0;
