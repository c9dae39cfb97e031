-- API login building blocks: argon2id passwords, RFC 6238 TOTP, infracast.api_login (statuses,
-- MFA, replay protection, rate limiting per user and per client address).
\set VERBOSITY terse
-- Leave the database as found: the extension is dropped again at the end when this file made it.
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS api_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

-- RFC 6238 appendix B test vectors (SHA-1 secret), last 6 digits.
SELECT t AS unix_time, infracast.totp_code('12345678901234567890'::bytea, pg_catalog.to_timestamp(t)) AS code
  FROM unnest(ARRAY[59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000]::bigint[]) t
 ORDER BY t;

-- One step either side is accepted, two are not; the matched step is returned.
SELECT infracast.totp_match('12345678901234567890'::bytea, '287082', pg_catalog.to_timestamp(59)) AS same_step,
       infracast.totp_match('12345678901234567890'::bytea, '287082', pg_catalog.to_timestamp(89)) AS one_later,
       infracast.totp_match('12345678901234567890'::bytea, '287082', pg_catalog.to_timestamp(29)) AS one_earlier,
       infracast.totp_match('12345678901234567890'::bytea, '287082', pg_catalog.to_timestamp(119)) AS two_later,
       infracast.totp_match('12345678901234567890'::bytea, '28708', pg_catalog.to_timestamp(59)) AS five_digits,
       infracast.totp_match('12345678901234567890'::bytea, '28708x', pg_catalog.to_timestamp(59)) AS not_digits;
SELECT infracast.totp_code('short'::bytea);
SELECT infracast.base32_encode('12345678901234567890'::bytea) AS rfc_secret_base32,
       infracast.base32_encode('f'::bytea) AS f, infracast.base32_encode('fooba'::bytea) AS fooba;
SELECT pg_catalog.length(infracast.totp_new_secret()) AS secret_bytes;

-- argon2id: salted (two hashes differ), verifies, refuses wrong and NULL.
CREATE TEMP TABLE regress_api_hashes AS
    SELECT infracast.password_hash('correct horse battery') AS h1, infracast.password_hash('correct horse battery') AS h2;
SELECT h1 LIKE '$argon2id$v=19$m=65536,t=2,p=1$%' AS argon2id, h1 <> h2 AS salted,
       infracast.password_verify(h1, 'correct horse battery') AS right_pw,
       infracast.password_verify(h1, 'correct horse batterY') AS wrong_pw,
       infracast.password_verify(NULL, 'correct horse battery') AS no_hash,
       infracast.password_verify(h1, NULL) AS no_password
  FROM regress_api_hashes;
SELECT infracast.password_hash(pg_catalog.repeat('x', 2000));

-- Two tenants; the second requires MFA.
SELECT infracast.create_tenant('regress_auth_a') > 0 AS created;
SELECT infracast.create_tenant('regress_auth_b', '{"mfa_required": true}') > 0 AS created;
SELECT infracast.set_tenant('regress_auth_a', false) > 0 AS set;
INSERT INTO infracast.users (username, role, password_hash, must_change_password) VALUES
    ('ann', 'infracast_analyst', infracast.password_hash('ann passphrase 1'), false),
    ('bob', 'infracast_reader', infracast.password_hash('bob passphrase 1'), false),
    ('new', 'infracast_reader', infracast.password_hash('new passphrase 1'), true);
SELECT infracast.set_tenant('regress_auth_b', false) > 0 AS set;
INSERT INTO infracast.users (username, role, password_hash, must_change_password, totp_secret, totp_enabled) VALUES
    ('carl', 'infracast_admin', infracast.password_hash('carl passphrase 1'), false, '12345678901234567890'::bytea, true),
    ('dora', 'infracast_reader', infracast.password_hash('dora passphrase 1'), false, NULL, false);
INSERT INTO infracast.users (username, role, password_hash) VALUES ('eve', 'postgres', infracast.password_hash('x'));
INSERT INTO infracast.users (username, role, password_hash) VALUES ('bad name!', 'infracast_reader', infracast.password_hash('x'));
INSERT INTO infracast.users (username, role, password_hash) VALUES ('plain', 'infracast_reader', 'plaintext');

-- Statuses (ids left out: they depend on what ran before).
SELECT r ->> 'status' AS status, r ->> 'username' AS username, r ->> 'tenant' AS tenant, r ->> 'role' AS role,
       r ->> 'restricted' AS restricted
  FROM (VALUES
    (1, infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '198.51.100.1')),
    (2, infracast.api_login('regress_auth_a', 'ann', 'wrong', NULL, '198.51.100.1')),
    (3, infracast.api_login('regress_auth_a', 'nobody', 'ann passphrase 1', NULL, '198.51.100.1')),
    (4, infracast.api_login('regress_no_such_tenant', 'ann', 'ann passphrase 1', NULL, '198.51.100.1')),
    (5, infracast.api_login('regress_auth_b', 'ann', 'ann passphrase 1', NULL, '198.51.100.1')),
    (6, infracast.api_login('regress_auth_a', 'new', 'new passphrase 1', NULL, '198.51.100.1')),
    (7, infracast.api_login('regress_auth_b', 'dora', 'dora passphrase 1', NULL, '198.51.100.1')),
    (8, infracast.api_login('regress_auth_b', 'carl', 'carl passphrase 1', NULL, '198.51.100.1')),
    (9, infracast.api_login('regress_auth_b', 'carl', 'carl passphrase 1', '000000', '198.51.100.1')),
    (10, infracast.api_login(NULL, NULL, NULL, NULL, NULL))
  ) v(n, r)
 ORDER BY n;

-- TOTP: the current code works once; the same code again is a replay. One transaction, so that
-- now() (and with it the time step) is the same for every statement.
BEGIN;
SELECT infracast.api_login('regress_auth_b', 'carl', 'carl passphrase 1',
                           infracast.totp_code('12345678901234567890'::bytea), '198.51.100.2') ->> 'status' AS first_use;
SELECT infracast.api_login('regress_auth_b', 'carl', 'carl passphrase 1',
                           infracast.totp_code('12345678901234567890'::bytea), '198.51.100.2') ->> 'status' AS second_use;
-- A code older than the last accepted step is refused as well.
SELECT infracast.api_login('regress_auth_b', 'carl', 'carl passphrase 1',
                           infracast.totp_code('12345678901234567890'::bytea, pg_catalog.now() - interval '30 seconds'),
                           '198.51.100.2') ->> 'status' AS older_code;
COMMIT;

-- Per user and client address: 5 failures lock the user from that address, even with the right
-- password; the user name is matched case-insensitively.
SELECT n, infracast.api_login('regress_auth_a', 'bob', 'guess ' || n, NULL, '198.51.100.11') ->> 'status' AS status
  FROM generate_series(1, 5) n ORDER BY n;
SELECT r ->> 'status' AS status, (r ->> 'retry_after')::int BETWEEN 1 AND 900 AS retry_after_ok
  FROM (SELECT infracast.api_login('regress_auth_a', 'bob', 'bob passphrase 1', NULL, '198.51.100.11') AS r) s;
SELECT infracast.api_login('REGRESS_AUTH_A', 'BOB', 'bob passphrase 1', NULL, '198.51.100.11') ->> 'status' AS case_variant;
-- A guesser elsewhere does not lock the user out: from another address the right password works,
-- and clears that address's count only (the guesser's address stays refused).
SELECT infracast.api_login('regress_auth_a', 'bob', 'bob passphrase 1', NULL, '198.51.100.12') ->> 'status' AS other_address,
       infracast.api_login('regress_auth_a', 'bob', 'bob passphrase 1', NULL, '198.51.100.11') ->> 'status' AS guessers_address;
-- Another user of the same tenant is not affected.
SELECT infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '198.51.100.11') ->> 'status' AS other_user;
-- Per user from all addresses: 25 failures (five addresses, five each) lock the user everywhere.
SELECT pg_catalog.count(*) AS failures
  FROM generate_series(0, 24) n
 WHERE infracast.api_login('regress_auth_a', 'bob', 'guess ' || n, NULL, '198.51.100.' || (20 + n / 5)) ->> 'status' = 'invalid';
SELECT infracast.api_login('regress_auth_a', 'bob', 'bob passphrase 1', NULL, '198.51.100.30') ->> 'status' AS new_address;

-- Per client address: 20 failures (any users) lock the address, even for a right password.
SELECT pg_catalog.count(*) AS failures
  FROM generate_series(1, 20) n
 WHERE infracast.api_login('regress_auth_a', 'ghost' || n, 'x', NULL, '203.0.113.5') ->> 'status' = 'invalid';
SELECT infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '203.0.113.5') ->> 'status' AS locked_address,
       infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '203.0.113.6') ->> 'status' AS other_address;

-- A successful login clears the user's failures.
SELECT infracast.api_login('regress_auth_a', 'ann', 'wrong', NULL, '198.51.100.50') ->> 'status' AS s1,
       infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '198.51.100.50') ->> 'status' AS s2;
SELECT pg_catalog.count(*) AS ann_failures FROM infracast.login_failures WHERE scope = 'user' AND key = 'regress_auth_a/ann';

-- Only the authenticator (and superusers) may call the login function; nobody reads secrets.
CREATE ROLE regress_auth_admin IN ROLE infracast_admin;
-- a tenant's admin acts for the tenants it is bound to only
INSERT INTO infracast.tenant_roles SELECT id, 'regress_auth_admin' FROM infracast.tenants WHERE name = 'regress_auth_a';
SET ROLE regress_auth_admin;
SELECT infracast.api_login('regress_auth_a', 'ann', 'x', NULL, NULL);
SELECT infracast.set_tenant('regress_auth_a', false) > 0 AS set;
SELECT username, role, must_change_password FROM infracast.users ORDER BY username;
SELECT password_hash FROM infracast.users;
SELECT totp_secret FROM infracast.users;
SELECT * FROM infracast.login_failures;
RESET ROLE;
SET ROLE infracast_authenticator;
SELECT infracast.api_login('regress_auth_a', 'ann', 'ann passphrase 1', NULL, '198.51.100.60') ->> 'status' AS as_authenticator;
SELECT username FROM infracast.users;
RESET ROLE;

-- What a restricted token may call (the proxy asks with every request; NULL is a view read).
SELECT f AS fn,
       infracast.api_check_restriction('{"restricted": "password_change"}', f) AS password_change
  FROM pg_catalog.unnest(ARRAY['change_password', 'me', 'whoami', 'logout']) f ORDER BY f;
SELECT f AS fn,
       infracast.api_check_restriction('{"restricted": "mfa_enrollment"}', f) AS mfa_enrollment
  FROM pg_catalog.unnest(ARRAY['change_password', 'me', 'whoami', 'logout', 'mfa_enroll', 'mfa_confirm']) f ORDER BY f;
SELECT infracast.api_check_restriction('{"sub": "1"}', 'import_graph') AS unrestricted_rpc,
       infracast.api_check_restriction('{"restricted": ""}', NULL) AS unrestricted_view;
SELECT infracast.api_check_restriction('{"restricted": "password_change"}', 'mfa_enroll');
SELECT infracast.api_check_restriction('{"restricted": "password_change"}', NULL);
SELECT infracast.api_check_restriction('{"restricted": "mfa_enrollment"}', 'import_graph');
SELECT infracast.api_check_restriction('{"restricted": "mfa_enrollment"}', NULL);
SET ROLE regress_auth_admin;
SELECT infracast.api_check_restriction('{}', 'me');
RESET ROLE;

-- Clean up what this file made (roles are cluster-wide).
DELETE FROM infracast.login_failures WHERE key LIKE 'regress_auth_%' OR key LIKE '198.51.100.%' OR key LIKE '203.0.113.%';
DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_auth_admin';
DROP ROLE regress_auth_admin;

\if :api_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
