-- infracast_api: schema, roles, grants, row-level security on users, first-boot seeding.
BEGIN;
SELECT plan(27);

SELECT has_schema('infracast_api');
SELECT has_table('infracast', 'users', 'users table exists');
SELECT is((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'infracast.users'::regclass),
          true, 'RLS is enabled and forced on infracast.users');
SELECT is((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'infracast.login_failures'::regclass),
          true, 'RLS is enabled and forced on infracast.login_failures');
SELECT col_is_pk('infracast', 'users', ARRAY['tenant_id', 'id'], 'tenant_id leads the users primary key');

-- The authenticator: NOINHERIT, member of the three roles, no superuser or BYPASSRLS.
SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'infracast_authenticator'), false,
          'infracast_authenticator is NOINHERIT');
SELECT is((SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'infracast_authenticator'), false,
          'infracast_authenticator is neither superuser nor BYPASSRLS');
SELECT ok(pg_has_role('infracast_authenticator', 'infracast_reader', 'MEMBER'), 'authenticator may become reader');
SELECT ok(pg_has_role('infracast_authenticator', 'infracast_analyst', 'MEMBER'), 'authenticator may become analyst');
SELECT ok(pg_has_role('infracast_authenticator', 'infracast_admin', 'MEMBER'), 'authenticator may become admin');
SELECT ok(NOT pg_has_role('infracast_authenticator', 'infracast_reader', 'USAGE'),
          'authenticator does not use reader privileges without SET ROLE');

-- Who may execute what.
SELECT function_privs_are('infracast', 'api_login', ARRAY['text', 'text', 'text', 'text', 'text'],
                          'infracast_authenticator', ARRAY['EXECUTE'], 'the authenticator may log users in');
SELECT ok(NOT has_function_privilege('infracast_admin', 'infracast.api_login(text,text,text,text,text)', 'EXECUTE'),
          'an admin may not call the login function directly');
SELECT function_privs_are('infracast', 'api_check_restriction', ARRAY['jsonb', 'text'],
                          'infracast_reader', ARRAY[]::text[], 'only the authenticator checks restricted tokens');
-- api_login serialises one user's logins on a row of login_failures: no role may reach that table
-- (or the function that takes the lock), so none can hold the lock to block a user's logins.
SELECT ok(NOT EXISTS (SELECT 1 FROM unnest(ARRAY['public', 'infracast_reader', 'infracast_analyst',
                                                 'infracast_admin', 'infracast_authenticator']) r
                       WHERE has_table_privilege(r, 'infracast.login_failures', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')),
          'no role may read, write or lock the login counters');
SELECT ok(NOT has_function_privilege('public', 'infracast.api_login_lock(text)', 'EXECUTE'),
          'the login lock is taken by the login function only');
SELECT ok(NOT has_function_privilege('public', 'infracast.password_verify(text,text)', 'EXECUTE'),
          'password_verify is not public');
SELECT ok(NOT has_function_privilege('public', 'infracast.totp_code(bytea,timestamptz)', 'EXECUTE'),
          'totp_code is not public');
SELECT ok(NOT has_function_privilege('infracast_reader', 'infracast_api.import_graph(jsonb)', 'EXECUTE'),
          'a reader may not import');
SELECT ok(has_function_privilege('infracast_analyst', 'infracast_api.import_graph(jsonb)', 'EXECUTE'),
          'an analyst may import');
SELECT ok(NOT has_table_privilege('infracast_analyst', 'infracast_api.users', 'SELECT'),
          'an analyst may not list users');
SELECT ok(NOT has_column_privilege('infracast_admin', 'infracast.users', 'password_hash', 'SELECT'),
          'nobody but the owner reads password hashes');

-- First boot seeds tenant default and its admin once (rolled back with the test).
DELETE FROM infracast.users;
SELECT is(infracast.api_bootstrap('first boot passphrase'), 'created', 'first boot creates the admin');
SELECT is(infracast.api_bootstrap('another passphrase'), 'exists', 'a second boot changes nothing');
SELECT results_eq(
    $$SELECT u.username, u.role::text COLLATE "default", u.must_change_password FROM infracast.users u
        JOIN infracast.tenants t ON t.id = u.tenant_id WHERE t.name = 'default'$$,
    $$VALUES ('admin', 'infracast_admin', true)$$,
    'the seeded admin must change the password at first login');


-- login_failures stays bounded: each failure deletes up to 100 rows of expired windows (not its
-- own, not one another login holds), and keeps the rows of the current window
INSERT INTO infracast.login_failures (scope, key, failures, window_start)
SELECT 'user', 'tap/expired-' || i, 3, now() - interval '2 days' FROM generate_series(1, 150) i
UNION ALL SELECT 'client', '198.51.100.' || i, 1, now() FROM generate_series(1, 5) i;
SELECT infracast.api_login_failed('tap/someone', '192.0.2.9');
SELECT is((SELECT count(*)::int FROM infracast.login_failures WHERE key LIKE 'tap/expired-%'), 50,
          'a failed login deletes 100 rows of expired windows');
SELECT is((SELECT count(*)::int FROM infracast.login_failures WHERE key LIKE '198.51.100.%' OR key = '192.0.2.9' OR key = 'tap/someone'),
          5 + 2, 'and keeps the current window''s rows and its own');
SELECT * FROM finish();
ROLLBACK;
