-- infracast_api as the proxy calls it: one transaction per request, SET ROLE to the caller's
-- role, tenant and claims transaction-local. Grants per role, tenant isolation through every
-- wrapper, user administration, password change, MFA enrolment, OpenAPI.
\set VERBOSITY terse
-- Leave the database as found: the extension is dropped again at the end when this file made it.
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS api_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

SELECT infracast.create_tenant('regress_wrap_a') > 0 AS created, infracast.create_tenant('regress_wrap_b') > 0 AS created;

-- What the proxy does before each call (as the authenticator, which may SET ROLE to the three roles).
CREATE FUNCTION pg_temp.user_id(p_tenant text, p_username text) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER AS $$
    SELECT u.id FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id
     WHERE t.name = p_tenant AND u.username = p_username
$$;
CREATE FUNCTION pg_temp.as_user(p_role text, p_tenant text, p_username text) RETURNS void
    LANGUAGE sql AS $$
    SELECT pg_catalog.set_config('request.jwt.claims',
               pg_catalog.jsonb_build_object('sub', pg_temp.user_id(p_tenant, p_username)::text,
                                             'username', p_username, 'tenant_name', p_tenant,
                                             'role', p_role)::text, true),
           pg_catalog.set_config('role', p_role, true), infracast.set_tenant(p_tenant, true)
$$;

-- Seed one admin per tenant, as a superuser would.
SELECT infracast.set_tenant('regress_wrap_a', false) > 0 AS set;
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('alice', 'infracast_admin', infracast.password_hash('alice passphrase 1'), false);
SELECT infracast.set_tenant('regress_wrap_b', false) > 0 AS set;
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('bert', 'infracast_admin', infracast.password_hash('bert passphrase 1'), false);
RESET infracast.tenant_id;

SET ROLE infracast_authenticator;

-- The authenticator by itself holds nothing (NOINHERIT).
SELECT * FROM infracast_api.nodes;
SELECT infracast_api.whoami('{}');

-- Admin of A creates users of A.
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "ana", "password": "ana passphrase 1", "role": "infracast_analyst", "must_change_password": false}') - 'id';
SELECT infracast_api.create_user('{"username": "rea", "password": "rea passphrase 1", "must_change_password": false}') - 'id';
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "ana", "password": "another passphrase"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "x", "password": "short"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "x", "password": "long enough pass", "role": "postgres"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "x"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.create_user('[1, 2]');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT username, role, must_change_password, mfa_enabled FROM infracast_api.users ORDER BY username;
COMMIT;

-- The analyst of A imports and reads A's graph.
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_a', 'ana') IS NULL AS ok;
SELECT infracast_api.import_graph('{"graph": {"nodes": [
    {"id": "a-web", "kinds": ["Computer"], "properties": {"name": "web", "entry_point": true}},
    {"id": "a-db", "kinds": ["database"], "properties": {"name": "db", "crown_jewel": true}}],
  "edges": [{"start": "a-web", "end": "a-db", "kind": "reach", "properties": {"port": 5432, "protocol": "tcp"}}]}}');
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_a', 'ana') IS NULL AS ok;
SELECT infracast_api.import_graph('{"graph": {"nodes": [], "edges": [{"start": "a-web", "end": "nowhere", "kind": "reach"}]}, "strict": true}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_b', 'ana') IS NULL AS ok;
SELECT infracast_api.import_graph('{"graph": {"nodes": [
    {"id": "b-host", "kinds": ["host"], "properties": {"name": "b-host"}}], "edges": []}}') ->> 'nodes_inserted' AS b_nodes;
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT external_id, kind, name, crown_jewel, entry_point FROM infracast_api.nodes ORDER BY external_id;
SELECT src_external_id, dst_external_id, kind, likelihood, port, protocol FROM infracast_api.edges ORDER BY id;
SELECT pg_catalog.count(*) > 0 AS kinds_visible FROM infracast_api.node_kinds;
SELECT infracast_api.whoami('{}') - 'user_id' - 'tenant_id';
COMMIT;

-- A reader cannot write, nor administer users.
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.import_graph('{"graph": {"nodes": [{"id": "r", "kinds": ["host"]}]}}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.delete_node('{"external_id": "a-web"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT * FROM infracast_api.users;
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_a', 'ana') IS NULL AS ok;
SELECT infracast_api.create_user('{"username": "sneaky", "password": "sneaky passphrase"}');
ROLLBACK;

-- Tenant B sees none of A's rows and cannot change them through any wrapper.
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT external_id FROM infracast_api.nodes ORDER BY external_id;
SELECT pg_catalog.count(*) AS a_edges_seen FROM infracast_api.edges;
SELECT username FROM infracast_api.users ORDER BY username;
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT infracast_api.delete_node('{"external_id": "a-web"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT infracast_api.delete_user('{"username": "ana"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT infracast_api.reset_password('{"username": "alice", "password": "taken over pass"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT infracast_api.set_user_role('{"username": "rea", "role": "infracast_admin"}');
ROLLBACK;
-- B importing A's external ids creates B's own nodes, never touches A's.
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_b', 'bert') IS NULL AS ok;
SELECT infracast_api.import_graph('{"graph": {"nodes": [{"id": "a-web", "kinds": ["host"], "properties": {"name": "owned"}}]}}') ->> 'nodes_inserted' AS b_inserted;
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT external_id, name FROM infracast_api.nodes ORDER BY external_id;
COMMIT;

-- The analyst of A deletes A's node (and its edges); a second delete finds nothing.
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_a', 'ana') IS NULL AS ok;
SELECT infracast_api.delete_node('{"external_id": "a-web"}') - 'deleted';
SELECT pg_catalog.count(*) AS edges_left FROM infracast_api.edges;
COMMIT;
BEGIN;
SELECT pg_temp.as_user('infracast_analyst', 'regress_wrap_a', 'ana') IS NULL AS ok;
SELECT infracast_api.delete_node('{"external_id": "a-web"}');
ROLLBACK;

-- Self-service: change password (wrong current, too short, then right), then the hash changed.
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.change_password('{"current_password": "nope", "new_password": "rea new passphrase"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.change_password('{"current_password": "rea passphrase 1", "new_password": "short"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.change_password('{"current_password": "rea passphrase 1", "new_password": "rea new passphrase"}') ->> 'status' AS status;
SELECT infracast_api.me('{}') - 'user_id' - 'tenant_id';
COMMIT;
-- Claims naming a user of another tenant find no one (the tenant comes from set_tenant).
BEGIN;
SELECT pg_catalog.set_config('role', 'infracast_reader', true) IS NOT NULL AS set, infracast.set_tenant('regress_wrap_b', true) > 0 AS set,
       pg_catalog.set_config('request.jwt.claims',
                             pg_catalog.jsonb_build_object('sub', pg_temp.user_id('regress_wrap_a', 'alice')::text)::text, true) IS NOT NULL AS set;
SELECT infracast_api.me('{}');
ROLLBACK;

-- Claims set by any other session than the proxy's are not trusted.
RESET ROLE;
CREATE ROLE regress_wrap_direct IN ROLE infracast_reader;
INSERT INTO infracast.tenant_roles SELECT id, 'regress_wrap_direct' FROM infracast.tenants WHERE name = 'regress_wrap_a';
SET SESSION AUTHORIZATION regress_wrap_direct;
BEGIN;
SELECT infracast.set_tenant('regress_wrap_a', true) > 0 AS set,
       pg_catalog.set_config('request.jwt.claims', '{"sub": "1"}', true) IS NOT NULL AS set;
SELECT infracast_api.me('{}');
ROLLBACK;
BEGIN;
SELECT infracast.set_tenant('regress_wrap_a', true) > 0 AS set,
       pg_catalog.set_config('request.jwt.claims', '{"sub": "1"}', true) IS NOT NULL AS set;
SELECT infracast_api.mfa_enroll('{"password": "rea new passphrase"}');
ROLLBACK;
RESET SESSION AUTHORIZATION;
DELETE FROM infracast.tenant_roles WHERE role_name = 'regress_wrap_direct';
DROP ROLE regress_wrap_direct;
SET ROLE infracast_authenticator;

-- MFA enrolment asks for the password again: none, or a wrong one, is refused and sets no secret.
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.mfa_enroll('{}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.mfa_enroll('{"password": "rea passphrase 1"}');
ROLLBACK;
-- MFA enrolment: a secret and an otpauth URI; confirm with a wrong code, then nothing pending twice.
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT r ->> 'secret' ~ '^[A-Z2-7]{32}$' AS base32_secret,
       r ->> 'otpauth_uri' LIKE 'otpauth://totp/Infracast:regress_wrap_a%2Frea?secret=%&issuer=Infracast%' AS uri
  FROM (SELECT infracast_api.mfa_enroll('{"password": "rea new passphrase"}') AS r) s;
SELECT infracast_api.mfa_confirm('{"code": "000000"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.mfa_confirm('{"code": "123456"}');
ROLLBACK;

-- The token check the proxy runs on every request: "gen" must be the user's token_generation.
-- rea changed the password above (generation 1 now); logout raises it again.
RESET ROLE;
CREATE FUNCTION pg_temp.rea_claims(p_gen integer, p_role text DEFAULT 'infracast_reader') RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER AS $$
    SELECT pg_catalog.jsonb_build_object('sub', u.id::text, 'tenant', u.tenant_id, 'role', p_role, 'gen', p_gen)
      FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id
     WHERE t.name = 'regress_wrap_a' AND u.username = 'rea'
$$;
SET ROLE infracast_authenticator;
SELECT infracast.api_check_token(pg_temp.rea_claims(1)) AS current_generation_ok;
SELECT infracast.api_check_token(pg_temp.rea_claims(0));
SELECT infracast.api_check_token(pg_temp.rea_claims(1, 'infracast_admin'));
SELECT infracast.api_check_token(pg_temp.rea_claims(1) - 'gen');
SELECT infracast.api_check_token(pg_temp.rea_claims(1) || '{"sub": "999999"}');
BEGIN;
SELECT pg_temp.as_user('infracast_reader', 'regress_wrap_a', 'rea') IS NULL AS ok;
SELECT infracast_api.logout('{}') ->> 'status' AS status;
COMMIT;
SELECT infracast.api_check_token(pg_temp.rea_claims(1));
SELECT infracast.api_check_token(pg_temp.rea_claims(2)) AS after_logout_ok;
-- Only the proxy's database login may call it.
RESET ROLE;
SET ROLE infracast_reader;
SELECT infracast.api_check_token('{}');
RESET ROLE;
SET ROLE infracast_authenticator;

-- Admin deletes a user, but not itself.
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.delete_user('{"username": "alice"}');
ROLLBACK;
BEGIN;
SELECT pg_temp.as_user('infracast_admin', 'regress_wrap_a', 'alice') IS NULL AS ok;
SELECT infracast_api.set_user_role('{"username": "rea", "role": "infracast_analyst"}');
SELECT infracast_api.delete_user('{"username": "rea"}');
SELECT username FROM infracast_api.users ORDER BY username;
COMMIT;

RESET ROLE;

-- The OpenAPI document lists every function and view, with who may call it.
-- (The wrappers of other subsystems exist only when those are installed: tested in
-- test/integration/proxy_analysis.sh.)
SELECT p AS path, d #> '{post,x-roles}' AS rpc_roles, d #> '{get,x-roles}' AS view_roles
  FROM pg_catalog.jsonb_each(infracast.api_openapi() -> 'paths') AS e(p, d)
 WHERE p !~ '^/(rpc/)?(attack_paths|blast_radius|exposure|exposure_summary|choke_points|remediation_plan|graph_stats|feed_status|license_status|findings|prioritized_findings|match_vulnerabilities|set_finding_status|compliance_[a-z_]+|documents|document_[a-z]+)$'
 ORDER BY p;
SELECT infracast.api_openapi() #>> '{components,schemas,nodes,properties,crown_jewel,description}' AS commented_column;

-- Every function of infracast_api takes one jsonb, and none is executable by PUBLIC.
SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'infracast_api'::regnamespace
   AND (p.pronargs <> 1 OR p.proargtypes[0] <> 'jsonb'::regtype OR pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE'))
 ORDER BY 1;

\if :api_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
