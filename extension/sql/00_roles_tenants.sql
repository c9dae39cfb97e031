-- Infracast foundation, part 1: roles, tenants and the current-tenant machinery.
-- The install script is assembled from extension/sql/NN_*.sql in order. Every object is
-- schema-qualified and every function pins its search_path.

\echo Use "CREATE EXTENSION infracast" to load this file. \quit

-- Roles are cluster-wide: create them only when absent, so that CREATE EXTENSION also works in a
-- second database of the same cluster and pg_restore into a new database works.
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_reader') THEN
        CREATE ROLE infracast_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_analyst') THEN
        CREATE ROLE infracast_analyst NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_admin') THEN
        CREATE ROLE infracast_admin NOLOGIN;
    END IF;
    -- Cluster-wide administration (tenants, kinds, feeds, the compliance catalogue) is kept apart
    -- from infracast_admin, which administers one tenant at a time: see docs/operations.md,
    -- "Roles and tenants".
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_operator') THEN
        CREATE ROLE infracast_operator NOLOGIN;
    END IF;
    -- Owner of the SECURITY DEFINER functions that write what analysts may not write by hand
    -- (assessment results, stored documents, discovery jobs). Never a login, not a superuser: row-
    -- level security applies to it, so it writes only the current tenant's rows.
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
    -- The proxy's login role: NOINHERIT, so it holds no privilege until it SET ROLEs to a caller.
    -- The operator grants it LOGIN and a password.
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'infracast_authenticator') THEN
        CREATE ROLE infracast_authenticator NOLOGIN NOINHERIT;
    END IF;
END
$roles$;

-- analyst can do all a reader can, admin all an analyst can. The operator administers whichever
-- tenant it sets (it may set any), so that one role runs a whole installation; infracast_admin is
-- not a member of infracast_operator, so a tenant's admin never reaches cluster-wide work.
GRANT infracast_reader TO infracast_analyst;
GRANT infracast_analyst TO infracast_admin;
GRANT infracast_admin TO infracast_operator;
-- It reads what the functions it runs read (the rules of an assessment, a document's sections).
GRANT infracast_reader TO infracast_internal;

GRANT USAGE ON SCHEMA infracast TO infracast_reader;

-- ---------------------------------------------------------------------------------------------
-- Tenants
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.tenants_id_seq;

CREATE TABLE infracast.tenants (
    id          bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.tenants_id_seq') PRIMARY KEY,
    name        text    NOT NULL UNIQUE
                CHECK (name ~ '^[A-Za-z][A-Za-z0-9_.-]{0,62}$'),
    settings    jsonb   NOT NULL DEFAULT '{"mfa_required": false}'::jsonb
                CHECK (pg_catalog.jsonb_typeof(settings) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE infracast.tenants_id_seq OWNED BY infracast.tenants.id;
COMMENT ON TABLE infracast.tenants IS
    'Organisations whose inventories Infracast keeps apart. Names start with a letter; settings is a JSON object (mfa_required, ...).';

-- Which roles may act for which tenant (besides infracast_operator and the proxy's authenticator).
-- The extension's own roles cannot be bound: every tenant's admins are members of infracast_admin
-- (and so of analyst and reader), so binding one of them would open the tenant to all of them.
CREATE TABLE infracast.tenant_roles (
    tenant_id   bigint NOT NULL REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    role_name   name   NOT NULL
                CONSTRAINT tenant_roles_not_shared_role
                CHECK (role_name NOT IN ('infracast_reader', 'infracast_analyst', 'infracast_admin',
                                         'infracast_operator', 'infracast_authenticator', 'infracast_internal')),
    PRIMARY KEY (tenant_id, role_name)
);
COMMENT ON TABLE infracast.tenant_roles IS
    'Roles (or members of roles) allowed to call infracast.set_tenant() for a tenant. Only infracast_operator binds roles; the extension''s shared roles cannot be bound.';

-- The C functions that read the transaction's tenant. rls_tenant() is what policies use: it
-- returns NULL when no tenant is set, so a query sees nothing rather than failing.
CREATE FUNCTION infracast.current_tenant() RETURNS bigint
    AS 'MODULE_PATHNAME', 'infracast_current_tenant'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.current_tenant() IS
    'The id of the tenant set by infracast.set_tenant(); raises SQLSTATE IC001 when none is set.';

CREATE FUNCTION infracast.rls_tenant() RETURNS bigint
    AS 'MODULE_PATHNAME', 'infracast_rls_tenant'
    LANGUAGE C STABLE PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION infracast.rls_tenant() IS
    'The current tenant id, or NULL when none is set (used by row-level security policies).';

-- Sets the current tenant. In C, not SECURITY DEFINER: it must check the caller's own role (in a
-- SECURITY DEFINER function current_user is the owner) and then set the superuser-only GUC.
-- Allowed: superusers, members of infracast_operator, the proxy's authenticator session (it sets
-- the tenant from a verified token) and roles listed (directly or by membership) in tenant_roles.
-- A member of infracast_admin is not allowed by that alone: it must be bound to the tenant.
CREATE FUNCTION infracast.set_tenant(tenant text, is_local boolean DEFAULT true)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'infracast_set_tenant'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.set_tenant(text, boolean) IS
    'Sets the current tenant (by name or id) for the transaction, or for the session when is_local is false.';
-- Only Infracast's roles call it (a role listed in tenant_roles also needs infracast_reader to
-- use the schema at all), and the proxy's login role, which calls it in the same statement that
-- switches to the caller's role (privileges are checked before that switch happens).
REVOKE EXECUTE ON FUNCTION infracast.set_tenant(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.set_tenant(text, boolean) TO infracast_reader, infracast_authenticator;

-- Cluster-wide entry points call this first, so that a tenant's admin (who holds EXECUTE on them
-- only to get here) is told which role does that work; the table grants refuse it in any case.
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

-- A SECURITY DEFINER writer runs as infracast_internal and records who asked for the write: the
-- role its invoker-rights wrapper passes (current_user there). Checked against the session, so that
-- calling the writer directly cannot name a role the session could not act as anyway.
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

CREATE FUNCTION infracast.create_tenant(name text, settings jsonb DEFAULT '{}'::jsonb)
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

-- Every role sees its current tenant's row; only an operator sees (and creates, renames, drops)
-- every tenant. A tenant's admin may change its own tenant's settings (the column grant below).
ALTER TABLE infracast.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_visible ON infracast.tenants
    USING (id = infracast.rls_tenant() OR pg_catalog.pg_has_role(current_user, 'infracast_operator', 'MEMBER'));

-- A tenant's admin reads who is bound to its tenant; binding is the operator's (grants below).
ALTER TABLE infracast.tenant_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.tenant_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_roles_visible ON infracast.tenant_roles
    USING (tenant_id = infracast.rls_tenant() OR pg_catalog.pg_has_role(current_user, 'infracast_operator', 'MEMBER'));

GRANT SELECT ON infracast.tenants TO infracast_reader;
GRANT UPDATE (settings) ON infracast.tenants TO infracast_admin;
GRANT SELECT ON infracast.tenant_roles TO infracast_admin;
GRANT INSERT, UPDATE, DELETE ON infracast.tenants, infracast.tenant_roles TO infracast_operator;
GRANT USAGE ON SEQUENCE infracast.tenants_id_seq TO infracast_operator;
-- Granted to infracast_admin only so that a tenant's admin reaches require_operator()'s message.
REVOKE EXECUTE ON FUNCTION infracast.create_tenant(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.create_tenant(text, jsonb) TO infracast_admin;

SELECT pg_catalog.pg_extension_config_dump('infracast.tenants', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.tenants_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.tenant_roles', '');
