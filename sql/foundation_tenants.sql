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
RESET SESSION AUTHORIZATION;
INSERT INTO infracast.tenant_roles VALUES ((SELECT id FROM infracast.tenants WHERE name = 'ft_alpha'), 'regress_ft_user');
SET SESSION AUTHORIZATION regress_ft_user;
SELECT infracast.set_tenant('ft_alpha', false) > 0 AS granted;
SELECT name FROM infracast.tenants ORDER BY name;  -- only its own tenant row
SELECT infracast.set_tenant('ft_beta');
RESET SESSION AUTHORIZATION;

DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_ft_user';
DROP ROLE regress_ft_user;
DELETE FROM infracast.tenants WHERE name LIKE 'ft\_%';
