-- Tenants, the current tenant, and the errors around them.
\set VERBOSITY terse
CREATE EXTENSION IF NOT EXISTS infracast;

SELECT infracast.create_tenant('ft_alpha') > 0 AS created;
SELECT infracast.create_tenant('ft_beta', '{"mfa_required": true}') > 0 AS created;
SELECT name, settings FROM infracast.tenants WHERE name LIKE 'ft\_%' ORDER BY name;

-- bad tenant names and settings
SELECT infracast.create_tenant('ft_alpha');
SELECT infracast.create_tenant('9starts-with-digit');
SELECT infracast.create_tenant('ft_gamma', '[1,2]');

-- no tenant set: current_tenant() raises, rls_tenant() is null
SELECT infracast.current_tenant();
SELECT infracast.rls_tenant() IS NULL AS no_tenant;

-- set by name, for the transaction only
BEGIN;
SELECT infracast.set_tenant('ft_alpha') = (SELECT id FROM infracast.tenants WHERE name = 'ft_alpha') AS by_name;
SELECT infracast.current_tenant() = (SELECT id FROM infracast.tenants WHERE name = 'ft_alpha') AS current_is_alpha;
COMMIT;
SELECT infracast.rls_tenant() IS NULL AS reset_after_commit;

-- set by id, for the session
SELECT infracast.set_tenant((SELECT id::text FROM infracast.tenants WHERE name = 'ft_beta'), false) > 0 AS by_id;
SELECT t.name FROM infracast.tenants t WHERE t.id = infracast.current_tenant();
RESET infracast.tenant_id;

-- NULL, empty and unknown tenants
SELECT infracast.set_tenant(NULL);
SELECT infracast.set_tenant('  ');
SELECT infracast.set_tenant('ft_nosuch');
SELECT infracast.set_tenant('987654321');

-- the GUC itself is superuser-only: a plain role cannot widen its view with set_config()
CREATE ROLE regress_ft_user;
GRANT infracast_reader TO regress_ft_user;
SET ROLE regress_ft_user;
SELECT set_config('infracast.tenant_id', '1', true);
RESET ROLE;

-- a role may act only for tenants it was granted
SET SESSION AUTHORIZATION regress_ft_user;
SELECT infracast.set_tenant('ft_alpha');
-- nor can it tell a tenant it may not use from one that does not exist
SELECT infracast.set_tenant('ft_nosuch');
RESET SESSION AUTHORIZATION;
INSERT INTO infracast.tenant_roles VALUES ((SELECT id FROM infracast.tenants WHERE name = 'ft_alpha'), 'regress_ft_user');
SET SESSION AUTHORIZATION regress_ft_user;
SELECT infracast.set_tenant('ft_alpha', false) > 0 AS granted;
SELECT name FROM infracast.tenants ORDER BY name;  -- only its own tenant row
SELECT infracast.set_tenant('ft_beta');
RESET SESSION AUTHORIZATION;

-- The lookup runs as a superuser: an operator the caller put ahead of pg_catalog in its own
-- search_path must never run there (it would print a NOTICE and make its owner superuser).
CREATE ROLE regress_ft_evil;
GRANT infracast_reader TO regress_ft_evil;
CREATE SCHEMA regress_ft_evil AUTHORIZATION regress_ft_evil;
SET SESSION AUTHORIZATION regress_ft_evil;
CREATE FUNCTION regress_ft_evil.texteq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'caller operator ran as %', current_user;
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE regress_ft_evil SUPERUSER';
    END IF;
    RETURN $1 OPERATOR(pg_catalog.=) $2;
END $$;
CREATE OPERATOR regress_ft_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_ft_evil.texteq);
SET search_path = regress_ft_evil, pg_catalog;
SELECT infracast.set_tenant('ft_alpha');
RESET search_path;
RESET SESSION AUTHORIZATION;
SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'regress_ft_evil';
DROP SCHEMA regress_ft_evil CASCADE;
DROP ROLE regress_ft_evil;

-- set_tenant is for Infracast's roles, not PUBLIC
CREATE ROLE regress_ft_nobody;
SELECT has_function_privilege('regress_ft_nobody', 'infracast.set_tenant(text, boolean)', 'EXECUTE') AS nobody,
       has_function_privilege('infracast_reader', 'infracast.set_tenant(text, boolean)', 'EXECUTE') AS reader;
DROP ROLE regress_ft_nobody;

-- infracast_admin administers the tenants it is bound to, not every tenant; the operator any
CREATE ROLE regress_ft_admin IN ROLE infracast_admin;
CREATE ROLE regress_ft_operator IN ROLE infracast_operator;
INSERT INTO infracast.tenant_roles VALUES ((SELECT id FROM infracast.tenants WHERE name = 'ft_alpha'), 'regress_ft_admin');
SELECT id AS beta_id FROM infracast.tenants WHERE name = 'ft_beta' \gset
SET SESSION AUTHORIZATION regress_ft_admin;
SELECT infracast.set_tenant('ft_beta');
\set VERBOSITY sqlstate
SELECT infracast.set_tenant(:'beta_id');
\set VERBOSITY terse
SELECT infracast.set_tenant('ft_alpha', false) > 0 AS own_tenant;
SELECT name FROM infracast.tenants ORDER BY name;
SELECT role_name FROM infracast.tenant_roles ORDER BY role_name;
-- its own tenant's settings, not its name, nor another tenant's row
UPDATE infracast.tenants SET settings = settings || '{"mfa_required": true}' RETURNING name, settings;
UPDATE infracast.tenants SET name = 'ft_renamed';
UPDATE infracast.tenants SET settings = '{}' WHERE id = :beta_id;
-- nor the cluster-wide work
INSERT INTO infracast.tenant_roles VALUES (:beta_id, 'regress_ft_admin');
SELECT infracast.create_tenant('ft_gamma');
INSERT INTO infracast.node_kinds (name) VALUES ('ft_kind');
SELECT infracast.require_operator('do cluster-wide work');
RESET SESSION AUTHORIZATION;
RESET infracast.tenant_id;
SELECT settings FROM infracast.tenants WHERE name = 'ft_beta';
SET SESSION AUTHORIZATION regress_ft_operator;
SELECT infracast.set_tenant('ft_beta') > 0 AS any_tenant;
SELECT name FROM infracast.tenants WHERE name LIKE 'ft\_%' ORDER BY name;
SELECT infracast.create_tenant('ft_gamma') > 0 AS created;
INSERT INTO infracast.tenant_roles VALUES (:beta_id, 'regress_ft_admin');
DELETE FROM infracast.tenant_roles WHERE tenant_id = :beta_id AND role_name = 'regress_ft_admin';
RESET SESSION AUTHORIZATION;
-- the shared roles cannot be bound: every tenant's admins are members of them
INSERT INTO infracast.tenant_roles VALUES (:beta_id, 'infracast_admin');
INSERT INTO infracast.tenant_roles VALUES (:beta_id, 'infracast_reader');
DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_ft_admin';
DROP ROLE regress_ft_admin;
DROP ROLE regress_ft_operator;

DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_ft_user';
DROP ROLE regress_ft_user;
DELETE FROM infracast.tenants WHERE name LIKE 'ft\_%';
