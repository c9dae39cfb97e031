-- Infracast API: what the HTTP proxy (api-proxy/, infracast-proxy) may call.
--
-- The proxy logs in as infracast_authenticator (NOINHERIT: it holds nothing by itself), and runs
-- each request in one transaction: set_config('role', <role from the JWT>, true), then
-- infracast.set_tenant(<tenant from the JWT>, true), set_config('request.jwt.claims', ..., true),
-- then one function or view of the schema infracast_api. Row-level security does the isolation.
--
--   infracast_api.<fn>(args jsonb)   POST /api/rpc/<fn>     (functions taking one jsonb)
--   infracast_api.<view>             GET  /api/<view>       (filters, order, limit, offset)
--
-- Login, first-boot seeding, readiness and the OpenAPI document are functions of the schema
-- infracast named api_*: only the authenticator may execute them, and they are not routes.

CREATE SCHEMA infracast_api;
COMMENT ON SCHEMA infracast_api IS
    'Infracast REST API: every function taking one jsonb argument is POST /api/rpc/<name>, every view is GET /api/<name>.';

-- The proxy SET ROLEs to the caller's role: it must be a member of each (NOINHERIT keeps it from
-- using their privileges otherwise). Memberships are cluster-wide: grant only when missing, so a
-- second CREATE EXTENSION in the same cluster stays quiet.
DO $grants$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['infracast_reader', 'infracast_analyst', 'infracast_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                        WHERE m.roleid = r::regrole
                          AND m.member = 'infracast_authenticator'::regrole) THEN
            EXECUTE pg_catalog.format('GRANT %I TO infracast_authenticator', r);
        END IF;
    END LOOP;
END
$grants$;

GRANT USAGE ON SCHEMA infracast_api TO infracast_reader, infracast_authenticator;
-- The api_* functions below live in schema infracast; usage of a schema grants no table access.
GRANT USAGE ON SCHEMA infracast TO infracast_authenticator;

-- ---------------------------------------------------------------------------------------------
-- Passwords and TOTP (C, src/auth/auth.c)
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.password_hash(password text) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_password_hash'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION infracast.password_hash(text) IS
    'argon2id hash (libsodium crypto_pwhash_str, interactive cost) of a password, salt and parameters included.';

CREATE FUNCTION infracast.password_verify(hash text, password text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_password_verify'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION infracast.password_verify(text, text) IS
    'Does the password match the argon2id hash? A NULL hash still costs one hash and gives false, so unknown users take as long as wrong passwords.';

CREATE FUNCTION infracast.totp_new_secret() RETURNS bytea
    AS 'MODULE_PATHNAME', 'infracast_totp_new_secret'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION infracast.totp_new_secret() IS 'A new random 160-bit TOTP secret.';

CREATE FUNCTION infracast.totp_code(secret bytea, at timestamptz DEFAULT pg_catalog.now()) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_totp_code'
    LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION infracast.totp_code(bytea, timestamptz) IS
    'The RFC 6238 code (HMAC-SHA-1, 30 s, 6 digits) of a secret at a time. Superuser only: for tests and tooling.';

CREATE FUNCTION infracast.totp_match(secret bytea, code text, at timestamptz DEFAULT pg_catalog.now()) RETURNS bigint
    AS 'MODULE_PATHNAME', 'infracast_totp_match'
    LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION infracast.totp_match(bytea, text, timestamptz) IS
    'The 30-second time step (one either side of "at" accepted) whose code equals "code", or NULL. The caller refuses steps already used.';

CREATE FUNCTION infracast.base32_encode(data bytea) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_base32_encode'
    LANGUAGE C IMMUTABLE STRICT;
COMMENT ON FUNCTION infracast.base32_encode(bytea) IS 'RFC 4648 base32 without padding (the form authenticator apps read).';

REVOKE EXECUTE ON FUNCTION infracast.password_verify(text, text), infracast.totp_code(bytea, timestamptz),
    infracast.totp_match(bytea, text, timestamptz), infracast.totp_new_secret() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Users of the API (tenant-owned)
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.users_id_seq;
CREATE TABLE infracast.users (
    tenant_id            bigint  NOT NULL DEFAULT infracast.current_tenant()
                         REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id                   bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.users_id_seq'),
    username             text    NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$'),
    role                 name    NOT NULL DEFAULT 'infracast_reader'
                         CHECK (role IN ('infracast_reader', 'infracast_analyst', 'infracast_admin')),
    password_hash        text    NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    must_change_password boolean NOT NULL DEFAULT true,
    totp_secret          bytea,
    totp_enabled         boolean NOT NULL DEFAULT false,
    totp_last_step       bigint  NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    password_changed_at  timestamptz,
    -- Tokens carry the value at login ("gen"); raising it revokes every token issued before.
    token_generation     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username),
    CHECK (NOT totp_enabled OR totp_secret IS NOT NULL)
);
ALTER SEQUENCE infracast.users_id_seq OWNED BY infracast.users.id;
COMMENT ON TABLE infracast.users IS
    'People who log in through the API: argon2id password hash, database role they act as, optional TOTP (RFC 6238) with the last accepted time step (replay protection).';

ALTER TABLE infracast.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.users
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

-- Tenant admins manage their tenant's users; secrets (hash, TOTP secret) are never readable.
GRANT SELECT (tenant_id, id, username, role, must_change_password, totp_enabled, created_at,
              password_changed_at) ON infracast.users TO infracast_admin;
GRANT INSERT (tenant_id, id, username, role, password_hash, must_change_password) ON infracast.users
    TO infracast_admin;
GRANT UPDATE (role, password_hash, must_change_password, totp_enabled, totp_secret, totp_last_step,
              password_changed_at) ON infracast.users TO infracast_admin;
GRANT DELETE ON infracast.users TO infracast_admin;
GRANT USAGE ON SEQUENCE infracast.users_id_seq TO infracast_admin;

-- A new password, another role or MFA switched off revoke the user's tokens, whoever makes the
-- change (the API's functions or a DBA's UPDATE): see infracast.api_check_token().
CREATE FUNCTION infracast.users_revoke_tokens() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.role IS DISTINCT FROM OLD.role
       OR (OLD.totp_enabled AND NOT NEW.totp_enabled) THEN
        NEW.token_generation := OLD.token_generation + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER revoke_tokens BEFORE UPDATE ON infracast.users
    FOR EACH ROW EXECUTE FUNCTION infracast.users_revoke_tokens();

SELECT pg_catalog.pg_extension_config_dump('infracast.users', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.users_id_seq', '');

-- Failed logins per user (tenant/username) and per client address, in a fixed window. Transient:
-- not dumped. Only the SECURITY DEFINER login function reads or writes it.
CREATE TABLE infracast.login_failures (
    scope        text        NOT NULL CHECK (scope IN ('user', 'client')),
    key          text        NOT NULL,
    failures     integer     NOT NULL,
    window_start timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
COMMENT ON TABLE infracast.login_failures IS
    'Failed API logins per user and per client address (rate limiting; see infracast.api_login).';
ALTER TABLE infracast.login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.login_failures FORCE ROW LEVEL SECURITY;

-- ---------------------------------------------------------------------------------------------
-- Helpers for the API functions
-- ---------------------------------------------------------------------------------------------
-- The verified JWT claims the proxy set for this transaction ('{}' outside the proxy).
CREATE FUNCTION infracast.api_claims() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(NULLIF(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;
COMMENT ON FUNCTION infracast.api_claims() IS
    'The JWT claims of the current API request (request.jwt.claims), or {} when not called through the proxy.';

-- The calling user's id, from the claims; 42501 when there is none. Claims are only trusted when
-- the session is the proxy's (the authenticator, or a superuser): any other role could set
-- request.jwt.claims itself and speak for another user of its tenant.
CREATE FUNCTION infracast.api_user_id() RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sub text := infracast.api_claims() ->> 'sub';
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'infracast_authenticator', 'MEMBER') THEN
        RAISE EXCEPTION 'only the API may act for an API user'
            USING ERRCODE = '42501',
                  HINT = 'Call this function through infracast-proxy (POST /api/rpc/...).';
    END IF;
    IF v_sub IS NULL OR v_sub !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'this function acts for the logged-in API user, and there is none'
            USING ERRCODE = '42501',
                  HINT = 'Call it through the API with a token from POST /api/auth/login.';
    END IF;
    RETURN v_sub::bigint;
END
$$;

-- The logged-in API user's own row, locked for the change the caller is about to make (the
-- self-service functions below); 28000 when the token's user has been deleted since it was issued.
CREATE FUNCTION infracast.api_lock_caller() RETURNS infracast.users
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    u infracast.users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM infracast.users
     WHERE tenant_id = infracast.current_tenant() AND id = infracast.api_user_id() FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the user of this token no longer exists' USING ERRCODE = '28000', HINT = 'Log in again.';
    END IF;
    RETURN u;
END
$$;
REVOKE EXECUTE ON FUNCTION infracast.api_lock_caller() FROM PUBLIC;

-- A required text argument of an API call, with a clear error when it is missing.
CREATE FUNCTION infracast.api_arg(args jsonb, key text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF args IS NULL OR pg_catalog.jsonb_typeof(args) <> 'object' THEN
        RAISE EXCEPTION 'the request body must be a JSON object'
            USING ERRCODE = '22023', HINT = 'Send {"' || key || '": ...}.';
    END IF;
    IF pg_catalog.jsonb_typeof(args -> key) IS DISTINCT FROM 'string' OR args ->> key = '' THEN
        RAISE EXCEPTION 'argument "%" is required and must be a non-empty string', key
            USING ERRCODE = '22023', HINT = 'Send {"' || key || '": "..."} in the request body.';
    END IF;
    RETURN args ->> key;
END
$$;

-- A password policy kept deliberately simple: length, and not the obvious.
CREATE FUNCTION infracast.api_check_new_password(p_password text, p_username text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.length(p_password) < 12 THEN
        RAISE EXCEPTION 'password is too short: at least 12 characters are required'
            USING ERRCODE = '22023', HINT = 'Use a passphrase of several words.';
    END IF;
    IF pg_catalog.lower(p_password) = pg_catalog.lower(p_username)
       OR pg_catalog.lower(p_password) IN ('change-me-in-production', 'password1234', '123456789012') THEN
        RAISE EXCEPTION 'password is too easy to guess'
            USING ERRCODE = '22023', HINT = 'Use a passphrase of several words.';
    END IF;
END
$$;

CREATE FUNCTION infracast.api_check_role(p_role text) RETURNS name
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_role IS NULL OR p_role NOT IN ('infracast_reader', 'infracast_analyst', 'infracast_admin') THEN
        RAISE EXCEPTION 'unknown role "%"', p_role
            USING ERRCODE = '22023',
                  HINT = 'A user is one of infracast_reader, infracast_analyst or infracast_admin.';
    END IF;
    RETURN p_role::name;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Login (executed by the authenticator only)
-- ---------------------------------------------------------------------------------------------
-- Seconds until a rate-limited key may try again (0: it may now).
CREATE FUNCTION infracast.api_login_wait(p_scope text, p_key text, p_max integer, p_window interval)
    RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(MAX(pg_catalog.ceil(EXTRACT(epoch FROM f.window_start + p_window - pg_catalog.now())))::integer, 0)
      FROM infracast.login_failures f
     WHERE f.scope = p_scope AND f.key = p_key
       AND f.failures >= p_max AND f.window_start + p_window > pg_catalog.now()
$$;

CREATE FUNCTION infracast.api_login_failed(p_user_key text, p_client text, p_window interval) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO infracast.login_failures AS f (scope, key, failures, window_start)
    VALUES ('user', p_user_key, 1, pg_catalog.now()), ('client', p_client, 1, pg_catalog.now())
    ON CONFLICT (scope, key) DO UPDATE
       SET failures = CASE WHEN f.window_start + p_window <= pg_catalog.now() THEN 1 ELSE f.failures + 1 END,
           window_start = CASE WHEN f.window_start + p_window <= pg_catalog.now() THEN pg_catalog.now()
                               ELSE f.window_start END
$$;

CREATE FUNCTION infracast.api_login(p_tenant text, p_username text, p_password text, p_totp text,
                                    p_client text)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c_window     CONSTANT interval := '15 minutes';
    c_user_max   CONSTANT integer := 5;     -- failures per user per window
    c_client_max CONSTANT integer := 20;    -- failures per client address per window
    v_user_key   text := pg_catalog.lower(COALESCE(p_tenant, '')) || '/' || pg_catalog.lower(COALESCE(p_username, ''));
    v_client     text := COALESCE(NULLIF(p_client, ''), 'unknown');
    v_wait       integer;
    v_step       bigint;
    t            infracast.tenants%ROWTYPE;
    u            infracast.users%ROWTYPE;
BEGIN
    v_wait := GREATEST(infracast.api_login_wait('user', v_user_key, c_user_max, c_window),
                       infracast.api_login_wait('client', v_client, c_client_max, c_window));
    IF v_wait > 0 THEN
        RETURN pg_catalog.jsonb_build_object('status', 'rate_limited', 'retry_after', v_wait);
    END IF;

    SELECT * INTO t FROM infracast.tenants WHERE name = p_tenant;
    IF FOUND THEN
        SELECT * INTO u FROM infracast.users WHERE tenant_id = t.id AND username = p_username;
    END IF;
    -- u.password_hash is NULL for an unknown tenant or user: the check then costs the same.
    IF NOT infracast.password_verify(u.password_hash, COALESCE(p_password, '')) THEN
        PERFORM infracast.api_login_failed(v_user_key, v_client, c_window);
        RETURN '{"status": "invalid"}'::jsonb;
    END IF;

    IF u.totp_enabled THEN
        IF COALESCE(p_totp, '') = '' THEN
            RETURN '{"status": "mfa_required"}'::jsonb;
        END IF;
        v_step := infracast.totp_match(u.totp_secret, p_totp, pg_catalog.now());
        IF v_step IS NULL THEN
            PERFORM infracast.api_login_failed(v_user_key, v_client, c_window);
            RETURN '{"status": "totp_invalid"}'::jsonb;
        END IF;
        IF v_step <= u.totp_last_step THEN
            PERFORM infracast.api_login_failed(v_user_key, v_client, c_window);
            RETURN '{"status": "totp_replayed"}'::jsonb;
        END IF;
        UPDATE infracast.users SET totp_last_step = v_step WHERE tenant_id = u.tenant_id AND id = u.id;
    END IF;

    DELETE FROM infracast.login_failures WHERE scope = 'user' AND key = v_user_key;
    RETURN pg_catalog.jsonb_build_object(
        'status', 'ok', 'user_id', u.id, 'username', u.username, 'tenant_id', t.id,
        'tenant', t.name, 'role', u.role, 'token_generation', u.token_generation,
        'restricted', CASE
            WHEN u.must_change_password THEN 'password_change'
            WHEN COALESCE((t.settings ->> 'mfa_required')::boolean, false) AND NOT u.totp_enabled
                THEN 'mfa_enrollment'
        END);
END
$$;
COMMENT ON FUNCTION infracast.api_login(text, text, text, text, text) IS
    'Checks an API login: status ok (with user, tenant, role and any restriction), invalid, mfa_required, totp_invalid, totp_replayed, or rate_limited (retry_after seconds). 5 failures per user and 20 per client address in 15 minutes lock further tries until the window ends.';

-- First boot: the tenant "default" and its "admin", who must change the password at first login.
CREATE FUNCTION infracast.api_bootstrap(p_admin_password text) RETURNS text
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('infracast.api_bootstrap'));
    IF EXISTS (SELECT 1 FROM infracast.users) THEN
        RETURN 'exists';
    END IF;
    PERFORM infracast.api_check_new_password(p_admin_password, 'admin');
    SELECT id INTO v_tenant FROM infracast.tenants WHERE name = 'default';
    IF v_tenant IS NULL THEN
        v_tenant := infracast.create_tenant('default');
    END IF;
    INSERT INTO infracast.users (tenant_id, username, role, password_hash, must_change_password)
    VALUES (v_tenant, 'admin', 'infracast_admin', infracast.password_hash(p_admin_password), true);
    RETURN 'created';
END
$$;
COMMENT ON FUNCTION infracast.api_bootstrap(text) IS
    'When no API user exists: creates tenant "default" (if missing) and its user "admin" with this password, to be changed at first login. Returns created or exists.';

-- /readyz: the database answers, and the licence state when the licence subsystem is installed.
CREATE FUNCTION infracast.api_ready() RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_licence jsonb := '{"state": "not installed"}';
BEGIN
    IF pg_catalog.to_regprocedure('infracast.license_status()') IS NOT NULL THEN
        BEGIN
            -- /readyz is public: the state and expiry only, no customer, paths or key details.
            EXECUTE 'SELECT pg_catalog.jsonb_build_object(''state'', s.state, ''expires_at'', s.expires_at) '
                    'FROM infracast.license_status() s' INTO v_licence;
        EXCEPTION WHEN OTHERS THEN
            -- the caller has no token: the SQLSTATE only; the text goes to the server log
            RAISE LOG 'infracast.api_ready: license_status() failed: % (%)', SQLERRM, SQLSTATE;
            v_licence := pg_catalog.jsonb_build_object('state', 'error', 'sqlstate', SQLSTATE);
        END;
    END IF;
    RETURN pg_catalog.jsonb_build_object(
        'database', 'ok',
        'extension', (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'infracast'),
        'licence', v_licence);
END
$$;

-- Every request's token, checked against the user as they are now (the proxy calls this in the
-- statement that sets the role, tenant and claims): the user must still exist with the token's
-- role, and the token's "gen" must be the user's token_generation. 28000 (HTTP 401) otherwise.
CREATE FUNCTION infracast.api_check_token(p_claims jsonb) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role name;
    v_gen  bigint;
BEGIN
    IF p_claims ->> 'sub' ~ '^[0-9]{1,18}$' AND p_claims ->> 'tenant' ~ '^[0-9]{1,18}$'
       AND pg_catalog.jsonb_typeof(p_claims -> 'gen') = 'number' THEN
        SELECT u.role, u.token_generation INTO v_role, v_gen
          FROM infracast.users u
         WHERE u.tenant_id = (p_claims ->> 'tenant')::bigint AND u.id = (p_claims ->> 'sub')::bigint;
    END IF;
    IF v_gen IS NULL OR v_role::text IS DISTINCT FROM p_claims ->> 'role'
       OR (p_claims ->> 'gen')::numeric <> v_gen THEN
        RAISE EXCEPTION 'this token is no longer valid'
            USING ERRCODE = '28000',
                  DETAIL = 'Since it was issued, its user logged out, or was deleted, or their password, role changed, or MFA was turned off.',
                  HINT = 'Log in again with POST /api/auth/login.';
    END IF;
    RETURN true;
END
$$;
-- A wrong password given to change_password or mfa_enroll (SQLSTATE 28P01): the proxy records it
-- here, in a transaction of its own, as a failed login of the token's user from that client.
CREATE FUNCTION infracast.api_password_check_failed(p_claims jsonb, p_client text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key text;
BEGIN
    IF p_claims ->> 'sub' !~ '^[0-9]{1,18}$' OR p_claims ->> 'tenant' !~ '^[0-9]{1,18}$' THEN
        RETURN;
    END IF;
    SELECT pg_catalog.lower(t.name) || '/' || pg_catalog.lower(u.username) INTO v_key
      FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id
     WHERE u.tenant_id = (p_claims ->> 'tenant')::bigint AND u.id = (p_claims ->> 'sub')::bigint;
    IF v_key IS NOT NULL THEN
        PERFORM infracast.api_login_failed(v_key, COALESCE(NULLIF(p_client, ''), 'unknown'), '15 minutes');
    END IF;
END
$$;

COMMENT ON FUNCTION infracast.api_check_token(jsonb) IS
    'Refuses (28000) an API token whose user no longer exists, has another role, or has revoked it (logout, new password, role change, MFA turned off); the proxy calls it on every request.';

REVOKE EXECUTE ON FUNCTION infracast.api_login(text, text, text, text, text),
    infracast.api_bootstrap(text), infracast.api_ready(), infracast.api_login_wait(text, text, integer, interval),
    infracast.api_login_failed(text, text, interval), infracast.api_check_token(jsonb),
    infracast.api_password_check_failed(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_login(text, text, text, text, text), infracast.api_bootstrap(text),
    infracast.api_ready(), infracast.api_check_token(jsonb), infracast.api_password_check_failed(jsonb, text)
    TO infracast_authenticator;

-- ---------------------------------------------------------------------------------------------
-- Self-service: who am I, change my password, enrol in MFA
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast_api.whoami(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object(
        'user_id', c ->> 'sub', 'username', c ->> 'username', 'tenant_id', infracast.current_tenant(),
        'tenant', c ->> 'tenant_name', 'role', current_user::text)
      FROM (SELECT infracast.api_claims() AS c) s
$$;
COMMENT ON FUNCTION infracast_api.whoami(jsonb) IS
    'The caller as the API sees it: user, tenant and database role. Cheap: also the benchmark''s probe.';

CREATE FUNCTION infracast_api.me(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb;
BEGIN
    SELECT pg_catalog.jsonb_build_object(
               'user_id', u.id, 'username', u.username, 'role', u.role, 'tenant_id', t.id,
               'tenant', t.name, 'must_change_password', u.must_change_password,
               'mfa_enabled', u.totp_enabled,
               'mfa_required', COALESCE((t.settings ->> 'mfa_required')::boolean, false))
      INTO v
      FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id
     WHERE u.tenant_id = infracast.current_tenant() AND u.id = infracast.api_user_id();
    IF v IS NULL THEN
        RAISE EXCEPTION 'the user of this token no longer exists'
            USING ERRCODE = '28000', HINT = 'Log in again.';
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION infracast_api.me(jsonb) IS
    'The logged-in user: name, role, tenant, whether the password must be changed and whether MFA is on (GET /api/auth/me).';

-- The logged-in user's password, asked again before a sensitive change (a stolen token alone must
-- not be enough). Wrong guesses count with the login's: 5 per user in 15 minutes, then IC503
-- (HTTP 429) until the window ends. The failure itself is recorded by the proxy in a transaction
-- of its own (infracast.api_password_check_failed), because this one is rolled back by the error.
CREATE FUNCTION infracast.api_verify_own_password(u infracast.users, p_password text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wait integer;
BEGIN
    SELECT infracast.api_login_wait('user', pg_catalog.lower(t.name) || '/' || pg_catalog.lower(u.username),
                                     5, '15 minutes')
      INTO v_wait FROM infracast.tenants t WHERE t.id = u.tenant_id;
    IF v_wait > 0 THEN
        RAISE EXCEPTION 'too many wrong passwords: try again in % seconds', v_wait
            USING ERRCODE = 'IC503', HINT = 'Wrong passwords count with failed logins: 5 per user in 15 minutes.';
    END IF;
    IF NOT infracast.password_verify(u.password_hash, COALESCE(p_password, '')) THEN
        RAISE EXCEPTION 'the current password is wrong'
            USING ERRCODE = '28P01', HINT = 'Give the password you logged in with.';
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION infracast.api_verify_own_password(infracast.users, text) FROM PUBLIC;

CREATE FUNCTION infracast_api.change_password(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_current text := infracast.api_arg(args, 'current_password');
    v_new     text := infracast.api_arg(args, 'new_password');
    u         infracast.users%ROWTYPE;
BEGIN
    u := infracast.api_lock_caller();
    PERFORM infracast.api_verify_own_password(u, v_current);
    IF v_new = v_current THEN
        RAISE EXCEPTION 'the new password must differ from the current one'
            USING ERRCODE = '22023', HINT = 'Choose a new passphrase.';
    END IF;
    PERFORM infracast.api_check_new_password(v_new, u.username);
    UPDATE infracast.users
       SET password_hash = infracast.password_hash(v_new), must_change_password = false,
           password_changed_at = pg_catalog.now()
     WHERE tenant_id = u.tenant_id AND id = u.id;
    RETURN '{"status": "changed", "hint": "Log in again with the new password: tokens issued before are refused."}'::jsonb;
END
$$;
COMMENT ON FUNCTION infracast_api.change_password(jsonb) IS
    'Changes the caller''s password: {"current_password", "new_password"} (at least 12 characters).';

CREATE FUNCTION infracast_api.logout(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    u infracast.users%ROWTYPE;
BEGIN
    u := infracast.api_lock_caller();
    UPDATE infracast.users SET token_generation = token_generation + 1
     WHERE tenant_id = u.tenant_id AND id = u.id;
    RETURN '{"status": "logged_out", "hint": "Every token issued to you until now is refused."}'::jsonb;
END
$$;
COMMENT ON FUNCTION infracast_api.logout(jsonb) IS
    'Logs the caller out everywhere: every token issued to them so far is refused from now on.';

CREATE FUNCTION infracast_api.mfa_enroll(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_password text := infracast.api_arg(args, 'password');
    u        infracast.users%ROWTYPE;
    v_tenant text;
    v_secret bytea := infracast.totp_new_secret();
    v_b32    text := infracast.base32_encode(v_secret);
BEGIN
    u := infracast.api_lock_caller();
    PERFORM infracast.api_verify_own_password(u, v_password);
    IF u.totp_enabled THEN
        RAISE EXCEPTION 'MFA is already enabled for "%"', u.username
            USING ERRCODE = '22023', HINT = 'An admin can reset it with POST /api/rpc/reset_mfa.';
    END IF;
    SELECT name INTO v_tenant FROM infracast.tenants WHERE id = u.tenant_id;
    UPDATE infracast.users SET totp_secret = v_secret WHERE tenant_id = u.tenant_id AND id = u.id;
    RETURN pg_catalog.jsonb_build_object(
        'secret', v_b32,
        'otpauth_uri', 'otpauth://totp/Infracast:' || v_tenant || '%2F' || u.username || '?secret=' || v_b32
                       || '&issuer=Infracast&algorithm=SHA1&digits=6&period=30',
        'next', 'POST /api/rpc/mfa_confirm with {"code": "<6 digits>"} to turn it on');
END
$$;
COMMENT ON FUNCTION infracast_api.mfa_enroll(jsonb) IS
    'Starts TOTP enrolment for the caller: {"password"} (asked again); returns a new secret (base32) and an otpauth:// URI for an authenticator app; mfa_confirm turns it on.';

CREATE FUNCTION infracast_api.mfa_confirm(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_code text := infracast.api_arg(args, 'code');
    u      infracast.users%ROWTYPE;
    v_step bigint;
BEGIN
    u := infracast.api_lock_caller();
    IF u.totp_secret IS NULL OR u.totp_enabled THEN
        RAISE EXCEPTION 'no MFA enrolment is pending'
            USING ERRCODE = '22023', HINT = 'Start one with POST /api/rpc/mfa_enroll.';
    END IF;
    v_step := infracast.totp_match(u.totp_secret, v_code, pg_catalog.now());
    IF v_step IS NULL THEN
        RAISE EXCEPTION 'the code does not match the enrolled secret'
            USING ERRCODE = '22023', HINT = 'Check the authenticator app''s clock and enter the current code.';
    END IF;
    UPDATE infracast.users SET totp_enabled = true, totp_last_step = v_step
     WHERE tenant_id = u.tenant_id AND id = u.id;
    RETURN '{"status": "enabled"}'::jsonb;
END
$$;
COMMENT ON FUNCTION infracast_api.mfa_confirm(jsonb) IS
    'Turns the caller''s pending TOTP enrolment on: {"code": "123456"}. Later logins need "totp".';

-- ---------------------------------------------------------------------------------------------
-- User administration (tenant admins; SECURITY INVOKER, so grants and RLS apply)
-- ---------------------------------------------------------------------------------------------
CREATE VIEW infracast_api.users WITH (security_invoker = true) AS
    SELECT u.id, u.username, u.role, u.must_change_password, u.totp_enabled AS mfa_enabled,
           u.created_at, u.password_changed_at
      FROM infracast.users u;
COMMENT ON VIEW infracast_api.users IS 'Users of the caller''s tenant (admins only). Secrets are never shown.';

CREATE FUNCTION infracast_api.create_user(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_username text := infracast.api_arg(args, 'username');
    v_password text := infracast.api_arg(args, 'password');
    v_role     name := infracast.api_check_role(COALESCE(args ->> 'role', 'infracast_reader'));
    v_id       bigint;
BEGIN
    PERFORM infracast.api_check_new_password(v_password, v_username);
    INSERT INTO infracast.users (username, role, password_hash, must_change_password)
    VALUES (v_username, v_role, infracast.password_hash(v_password),
            COALESCE((args ->> 'must_change_password')::boolean, true))
    RETURNING id INTO v_id;
    RETURN pg_catalog.jsonb_build_object('id', v_id, 'username', v_username, 'role', v_role);
EXCEPTION
    WHEN unique_violation THEN
        RAISE EXCEPTION 'user "%" already exists', v_username
            USING ERRCODE = '23505', HINT = 'User names are unique per tenant.';
    WHEN check_violation THEN
        RAISE EXCEPTION 'invalid user name "%"', v_username
            USING ERRCODE = '22023',
                  HINT = 'A user name has at most 63 letters, digits, "_", ".", "@" or "-", and starts with a letter or digit.';
END
$$;
COMMENT ON FUNCTION infracast_api.create_user(jsonb) IS
    'Creates a user of the caller''s tenant: {"username", "password", "role" (infracast_reader, infracast_analyst or infracast_admin), "must_change_password" (default true)}.';

CREATE FUNCTION infracast_api.delete_user(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_username text := infracast.api_arg(args, 'username');
    v_id       bigint;
BEGIN
    IF v_username = infracast.api_claims() ->> 'username' THEN
        RAISE EXCEPTION 'you cannot delete yourself' USING ERRCODE = '22023',
              HINT = 'Another admin of the tenant can.';
    END IF;
    DELETE FROM infracast.users WHERE username = v_username RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'user "%" does not exist', v_username
            USING ERRCODE = 'P0002', HINT = 'See GET /api/users.';
    END IF;
    RETURN pg_catalog.jsonb_build_object('deleted', v_username);
END
$$;
COMMENT ON FUNCTION infracast_api.delete_user(jsonb) IS 'Deletes a user of the caller''s tenant: {"username"}.';

CREATE FUNCTION infracast_api.set_user_role(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_username text := infracast.api_arg(args, 'username');
    v_role     name := infracast.api_check_role(infracast.api_arg(args, 'role'));
BEGIN
    UPDATE infracast.users SET role = v_role WHERE username = v_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user "%" does not exist', v_username USING ERRCODE = 'P0002', HINT = 'See GET /api/users.';
    END IF;
    RETURN pg_catalog.jsonb_build_object('username', v_username, 'role', v_role);
END
$$;
COMMENT ON FUNCTION infracast_api.set_user_role(jsonb) IS 'Changes a user''s role: {"username", "role"}. Their tokens are refused from now on: they log in again.';

CREATE FUNCTION infracast_api.reset_password(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_username text := infracast.api_arg(args, 'username');
    v_password text := infracast.api_arg(args, 'password');
BEGIN
    PERFORM infracast.api_check_new_password(v_password, v_username);
    UPDATE infracast.users
       SET password_hash = infracast.password_hash(v_password), must_change_password = true,
           password_changed_at = pg_catalog.now()
     WHERE username = v_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user "%" does not exist', v_username USING ERRCODE = 'P0002', HINT = 'See GET /api/users.';
    END IF;
    RETURN pg_catalog.jsonb_build_object('username', v_username, 'must_change_password', true);
END
$$;
COMMENT ON FUNCTION infracast_api.reset_password(jsonb) IS
    'Sets a temporary password for a user, who must change it at next login: {"username", "password"}.';

CREATE FUNCTION infracast_api.reset_mfa(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_username text := infracast.api_arg(args, 'username');
BEGIN
    UPDATE infracast.users SET totp_enabled = false, totp_secret = NULL, totp_last_step = 0
     WHERE username = v_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'user "%" does not exist', v_username USING ERRCODE = 'P0002', HINT = 'See GET /api/users.';
    END IF;
    RETURN pg_catalog.jsonb_build_object('username', v_username, 'mfa_enabled', false);
END
$$;
COMMENT ON FUNCTION infracast_api.reset_mfa(jsonb) IS 'Turns a user''s TOTP off (lost phone): {"username"}. They enrol again.';

-- ---------------------------------------------------------------------------------------------
-- Inventory: nodes, edges, software, kinds (read); import and delete (analysts)
-- ---------------------------------------------------------------------------------------------
CREATE VIEW infracast_api.nodes WITH (security_invoker = true) AS
    SELECT n.id, n.external_id, n.kind, n.name, n.addresses, n.criticality, n.crown_jewel,
           n.entry_point, n.attrs, n.first_seen, n.last_seen, n.source
      FROM infracast.nodes n;
COMMENT ON VIEW infracast_api.nodes IS 'Inventory nodes of the caller''s tenant.';
COMMENT ON COLUMN infracast_api.nodes.crown_jewel IS 'What attackers want: targets of attack paths.';
COMMENT ON COLUMN infracast_api.nodes.entry_point IS 'Where attackers start (internet-exposed or assumed breached).';

CREATE VIEW infracast_api.edges WITH (security_invoker = true) AS
    SELECT e.id, e.src, s.external_id AS src_external_id, e.dst, d.external_id AS dst_external_id,
           e.kind, e.likelihood, e.fix_cost, e.port, e.protocol, e.attrs, e.first_seen, e.last_seen, e.source
      FROM infracast.edges e
      JOIN infracast.nodes s ON s.tenant_id = e.tenant_id AND s.id = e.src
      JOIN infracast.nodes d ON d.tenant_id = e.tenant_id AND d.id = e.dst;
COMMENT ON VIEW infracast_api.edges IS 'Directed relations between the caller''s nodes, with their likelihood in (0,1] and fix cost.';

CREATE VIEW infracast_api.software WITH (security_invoker = true) AS
    SELECT s.id, s.node_id, s.name, s.vendor, s.version, s.cpe, s.purl, s.source, s.first_seen, s.last_seen
      FROM infracast.software s;
COMMENT ON VIEW infracast_api.software IS 'Products installed on the caller''s nodes.';

CREATE VIEW infracast_api.node_kinds WITH (security_invoker = true) AS
    SELECT k.name, k.description, k.aliases, k.principal FROM infracast.node_kinds k;
COMMENT ON VIEW infracast_api.node_kinds IS 'Kinds of node (shared by all tenants).';

CREATE VIEW infracast_api.edge_kinds WITH (security_invoker = true) AS
    SELECT k.name, k.description, k.aliases, k.likelihood, k.fix_cost, k.has_port FROM infracast.edge_kinds k;
COMMENT ON VIEW infracast_api.edge_kinds IS 'Kinds of edge with their default likelihood and fix cost (shared by all tenants).';

CREATE FUNCTION infracast_api.import_graph(args jsonb) RETURNS jsonb
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_jsonb(r)
      FROM infracast.import_graph(args - 'strict', COALESCE((args ->> 'strict')::boolean, false)) r
$$;
COMMENT ON FUNCTION infracast_api.import_graph(jsonb) IS
    'Upserts an OpenGraph document {"graph": {"nodes": [...], "edges": [...]}, "strict": false} into the caller''s tenant; returns counts and reasons for rejected items.';

CREATE FUNCTION infracast_api.delete_node(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_external text;
BEGIN
    IF args ? 'id' THEN
        DELETE FROM infracast.nodes WHERE id = (args ->> 'id')::bigint RETURNING id, external_id INTO v_id, v_external;
    ELSE
        DELETE FROM infracast.nodes WHERE external_id = infracast.api_arg(args, 'external_id')
        RETURNING id, external_id INTO v_id, v_external;
    END IF;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'node % does not exist', COALESCE(args ->> 'id', args ->> 'external_id')
            USING ERRCODE = 'P0002', HINT = 'See GET /api/nodes.';
    END IF;
    RETURN pg_catalog.jsonb_build_object('deleted', v_id, 'external_id', v_external);
END
$$;
COMMENT ON FUNCTION infracast_api.delete_node(jsonb) IS
    'Deletes one node of the caller''s tenant and its edges: {"id": 42} or {"external_id": "..."}.';

-- ---------------------------------------------------------------------------------------------
-- Argument helpers of the analysis wrappers
-- ---------------------------------------------------------------------------------------------
-- Nodes named in args->key: a node id (number), an external id (string), or an array of them;
-- NULL when the key is absent. An external id unknown in the caller's tenant is P0002 (404).
CREATE FUNCTION infracast.api_node_ids(args jsonb, key text) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_items jsonb := args -> key;
    v_item  jsonb;
    v_id    bigint;
    v_ids   bigint[] := '{}';
BEGIN
    IF v_items IS NULL OR pg_catalog.jsonb_typeof(v_items) = 'null' THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(v_items) <> 'array' THEN
        v_items := pg_catalog.jsonb_build_array(v_items);
    END IF;
    FOR v_item IN SELECT e FROM pg_catalog.jsonb_array_elements(v_items) e LOOP
        IF pg_catalog.jsonb_typeof(v_item) = 'number' AND (v_item #>> '{}') ~ '^[0-9]{1,18}$' THEN
            v_id := (v_item #>> '{}')::bigint;
        ELSIF pg_catalog.jsonb_typeof(v_item) = 'string' THEN
            SELECT n.id INTO v_id FROM infracast.nodes n WHERE n.external_id = v_item #>> '{}';
            IF v_id IS NULL THEN
                RAISE EXCEPTION 'node "%" does not exist', v_item #>> '{}'
                    USING ERRCODE = 'P0002', HINT = 'Name nodes by id or external_id; see GET /api/nodes.';
            END IF;
        ELSE
            RAISE EXCEPTION 'argument "%" must name nodes by id (number) or external_id (string)', key
                USING ERRCODE = '22023', HINT = 'For example {"' || key || '": ["web-1", 42]}.';
        END IF;
        v_ids := v_ids || v_id;
    END LOOP;
    RETURN v_ids;
END
$$;

-- A number argument (NULL when absent), with a clear error for anything else.
CREATE FUNCTION infracast.api_number(args jsonb, key text) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF args -> key IS NULL OR pg_catalog.jsonb_typeof(args -> key) = 'null' THEN
        RETURN NULL;
    END IF;
    IF pg_catalog.jsonb_typeof(args -> key) <> 'number' THEN
        RAISE EXCEPTION 'argument "%" must be a number', key
            USING ERRCODE = '22023', HINT = 'For example {"' || key || '": 3}.';
    END IF;
    RETURN (args ->> key)::numeric;
END
$$;
GRANT EXECUTE ON FUNCTION infracast.api_node_ids(jsonb, text), infracast.api_number(jsonb, text) TO infracast_reader;

-- ---------------------------------------------------------------------------------------------
-- Wrappers of the other subsystems (graph, feeds, licence, matching). Each block creates its
-- wrappers only when the subsystem's functions, with these exact signatures, are part of this
-- install script: the API then exposes exactly what works. All are SECURITY INVOKER: the
-- caller's role and tenant apply underneath.
-- ---------------------------------------------------------------------------------------------
DO $graph$
BEGIN
    IF pg_catalog.to_regprocedure('infracast.attack_paths(bigint[],bigint[],integer,integer)') IS NULL
       OR pg_catalog.to_regprocedure('infracast.blast_radius(bigint,integer,double precision)') IS NULL
       OR pg_catalog.to_regprocedure('infracast.exposure(bigint[],integer)') IS NULL
       OR pg_catalog.to_regprocedure('infracast.exposure_summary()') IS NULL
       OR pg_catalog.to_regprocedure('infracast.choke_points(bigint[],bigint[],integer)') IS NULL
       OR pg_catalog.to_regprocedure('infracast.remediation_plan(bigint[],bigint[])') IS NULL
       OR pg_catalog.to_regprocedure('infracast.graph_stats()') IS NULL THEN
        RETURN;
    END IF;

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.attack_paths(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
        SELECT pg_catalog.to_jsonb(p) || pg_catalog.jsonb_build_object('node_external_id', n.external_id,
                                                                       'node_name', n.name)
          FROM infracast.attack_paths(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets'),
                                      COALESCE(infracast.api_number(args, 'k')::integer, 1),
                                      infracast.api_number(args, 'max_hops')::integer) p
          LEFT JOIN infracast.nodes n ON n.id = p.node
         ORDER BY p.path_id, p.path_seq
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.attack_paths(jsonb) IS
        'Most likely attack paths: {"sources": [...], "targets": [...], "k": 1, "max_hops": null} (nodes by id or external_id; default sources: entry points, targets: crown jewels). One object per step, as infracast.attack_paths().';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.blast_radius(args jsonb) RETURNS SETOF jsonb
        LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
    DECLARE
        v_source bigint[] := infracast.api_node_ids(args, 'source');
    BEGIN
        IF v_source IS NULL OR pg_catalog.cardinality(v_source) <> 1 THEN
            RAISE EXCEPTION 'argument "source" must name one node'
                USING ERRCODE = '22023', HINT = 'For example {"source": "ws-41", "max_hops": 4}.';
        END IF;
        RETURN QUERY
            SELECT pg_catalog.to_jsonb(b) || pg_catalog.jsonb_build_object('external_id', n.external_id, 'name', n.name)
              FROM infracast.blast_radius(v_source[1], infracast.api_number(args, 'max_hops')::integer,
                                          COALESCE(infracast.api_number(args, 'min_likelihood')::float8, 0)) b
              LEFT JOIN infracast.nodes n ON n.id = b.node
             ORDER BY b.hops, b.likelihood DESC, b.node;
    END
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.blast_radius(jsonb) IS
        'What an attacker holding a node can reach: {"source": "<id or external_id>", "max_hops": null, "min_likelihood": 0}.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.exposure(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
        SELECT pg_catalog.to_jsonb(x) || pg_catalog.jsonb_build_object('external_id', n.external_id, 'name', n.name)
          FROM infracast.exposure(infracast.api_node_ids(args, 'targets'), infracast.api_number(args, 'max_hops')::integer) x
          LEFT JOIN infracast.nodes n ON n.id = x.node
         ORDER BY x.likelihood DESC, x.hops, x.node
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.exposure(jsonb) IS
        'Every node that can reach the targets: {"targets": [...] (default: crown jewels), "max_hops": null}.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.exposure_summary(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$ SELECT pg_catalog.to_jsonb(s) FROM infracast.exposure_summary() s $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.exposure_summary(jsonb) IS
        'Share of principals with a path to a crown jewel, and its severity band.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.choke_points(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
        SELECT pg_catalog.to_jsonb(c) || pg_catalog.jsonb_build_object('node_external_id', n.external_id,
                                                                       'node_name', n.name)
          FROM infracast.choke_points(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets'),
                                      COALESCE(infracast.api_number(args, 'top')::integer, 20)) c
          LEFT JOIN infracast.nodes n ON n.id = c.node
         ORDER BY c.rank
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.choke_points(jsonb) IS
        'Nodes and edges most attack paths cross: {"sources": [...], "targets": [...], "top": 20}.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.remediation_plan(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
        SELECT pg_catalog.to_jsonb(r) || pg_catalog.jsonb_build_object('src_external_id', s.external_id,
                                                                       'dst_external_id', d.external_id)
          FROM infracast.remediation_plan(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets')) r
          LEFT JOIN infracast.nodes s ON s.id = r.src
          LEFT JOIN infracast.nodes d ON d.id = r.dst
         ORDER BY r.paths_broken DESC, r.fix_cost, r.edge
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.remediation_plan(jsonb) IS
        'The cheapest set of edges to fix so that no source reaches a target: {"sources": [...], "targets": [...]}.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.graph_stats(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$ SELECT pg_catalog.to_jsonb(s) FROM infracast.graph_stats() s $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.graph_stats(jsonb) IS 'Size and version of the tenant''s graph snapshot.';

    REVOKE EXECUTE ON FUNCTION infracast_api.attack_paths(jsonb), infracast_api.blast_radius(jsonb),
        infracast_api.exposure(jsonb), infracast_api.exposure_summary(jsonb), infracast_api.choke_points(jsonb),
        infracast_api.remediation_plan(jsonb), infracast_api.graph_stats(jsonb) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION infracast_api.attack_paths(jsonb), infracast_api.blast_radius(jsonb),
        infracast_api.exposure(jsonb), infracast_api.exposure_summary(jsonb), infracast_api.choke_points(jsonb),
        infracast_api.remediation_plan(jsonb), infracast_api.graph_stats(jsonb) TO infracast_reader;
END
$graph$;

DO $feeds$
BEGIN
    IF pg_catalog.to_regclass('infracast.feed_status') IS NULL THEN
        RETURN;
    END IF;
    -- Server paths stay out of the API: the source columns are left out, and a quoted absolute
    -- path in a message keeps only its file name ("/srv/feeds/epss.csv.gz" -> "epss.csv.gz").
    EXECUTE $v$
    CREATE VIEW infracast_api.feed_status WITH (security_invoker = true) AS
        SELECT f.feed, f.rows, f.version, f.feed_date, f.loaded_at, f.state,
               pg_catalog.regexp_replace(f.message, '"/[^"]*/([^"/]*)"', '"\1"', 'g') AS message,
               f.attempted_at
          FROM infracast.feed_status f $v$;
    COMMENT ON VIEW infracast_api.feed_status IS
        'One row per threat-intelligence feed: what is loaded, from when, and how the last load went.';
    GRANT SELECT ON infracast_api.feed_status TO infracast_reader;
END
$feeds$;

DO $licence$
BEGIN
    IF pg_catalog.to_regprocedure('infracast.license_status()') IS NULL THEN
        RETURN;
    END IF;
    -- Key fingerprints, raw claims and file paths stay out of the API.
    EXECUTE $fn$
    CREATE FUNCTION infracast_api.license_status(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $body$
        SELECT pg_catalog.jsonb_build_object('state', s.state, 'reason', s.reason, 'fix', s.fix,
                   'customer', s.customer, 'tier', s.tier, 'node_limit', s.node_limit, 'nodes_used', s.nodes_used,
                   'features', s.features, 'features_in_force', s.features_in_force, 'expires_at', s.expires_at,
                   'offline_mode', s.offline_mode, 'checked_at', s.checked_at)
          FROM infracast.license_status() s
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.license_status(jsonb) IS
        'Licence state (valid, grace, expired, ...), tier, node limit and use, features in force, expiry.';
    REVOKE EXECUTE ON FUNCTION infracast_api.license_status(jsonb) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION infracast_api.license_status(jsonb) TO infracast_reader;
END
$licence$;

DO $match$
BEGIN
    IF pg_catalog.to_regclass('infracast.findings') IS NULL OR pg_catalog.to_regclass('infracast.prioritized_findings') IS NULL
       OR pg_catalog.to_regprocedure('infracast.match_vulnerabilities()') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE $v$
    CREATE VIEW infracast_api.findings WITH (security_invoker = true) AS
        SELECT f.id, f.node_id, n.external_id AS node_external_id, n.name AS node_name, f.software_id, f.cve_id,
               f.status, f.status_note, f.priority, f.risk, f.exposure, f.exposure_hops, f.crown_jewel_path,
               f.first_seen, f.last_seen, f.fixed_at
          FROM infracast.findings f
          JOIN infracast.nodes n ON n.tenant_id = f.tenant_id AND n.id = f.node_id $v$;
    COMMENT ON VIEW infracast_api.findings IS 'Vulnerabilities found on the caller''s nodes: open, fixed or accepted_risk.';
    EXECUTE $v$
    CREATE VIEW infracast_api.prioritized_findings WITH (security_invoker = true) AS
        SELECT * FROM infracast.prioritized_findings $v$;
    COMMENT ON VIEW infracast_api.prioritized_findings IS
        'Open findings ranked by priority band then risk, with the reasons spelled out (KEV, EPSS, exposure, crown-jewel path, CVSS).';
    GRANT SELECT ON infracast_api.findings, infracast_api.prioritized_findings TO infracast_reader;

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.match_vulnerabilities(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
        LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $body$ SELECT pg_catalog.to_jsonb(m) FROM infracast.match_vulnerabilities() m $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.match_vulnerabilities(jsonb) IS
        'Matches the tenant''s software against the loaded feeds and refreshes its findings; returns the counts.';

    EXECUTE $fn$
    CREATE FUNCTION infracast_api.set_finding_status(args jsonb) RETURNS jsonb
        LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    AS $body$
    DECLARE
        v_id     numeric := infracast.api_number(args, 'id');
        v_status text := infracast.api_arg(args, 'status');
        v_row    jsonb;
    BEGIN
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'argument "id" is required' USING ERRCODE = '22023', HINT = 'See GET /api/findings.';
        END IF;
        IF v_status NOT IN ('open', 'accepted_risk') THEN
            RAISE EXCEPTION 'status must be open or accepted_risk, not "%"', v_status
                USING ERRCODE = '22023', HINT = 'fixed is set by match_vulnerabilities when the software no longer matches.';
        END IF;
        UPDATE infracast.findings SET status = v_status, status_note = args ->> 'note'
         WHERE id = v_id::bigint
        RETURNING pg_catalog.jsonb_build_object('id', id, 'status', status, 'status_note', status_note) INTO v_row;
        IF v_row IS NULL THEN
            RAISE EXCEPTION 'finding % does not exist', v_id USING ERRCODE = 'P0002', HINT = 'See GET /api/findings.';
        END IF;
        RETURN v_row;
    END
    $body$ $fn$;
    COMMENT ON FUNCTION infracast_api.set_finding_status(jsonb) IS
        'Accepts a finding''s risk, or reopens it: {"id": 42, "status": "accepted_risk", "note": "why, by whom"}.';

    REVOKE EXECUTE ON FUNCTION infracast_api.match_vulnerabilities(jsonb), infracast_api.set_finding_status(jsonb) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION infracast_api.match_vulnerabilities(jsonb), infracast_api.set_finding_status(jsonb)
        TO infracast_analyst;
END
$match$;

-- ---------------------------------------------------------------------------------------------
-- OpenAPI document, generated from the catalog and COMMENT ON
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.api_json_type(p_type regtype) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
            THEN '{"type": "integer"}'::jsonb
        WHEN p_type IN ('real'::regtype, 'double precision'::regtype, 'numeric'::regtype)
            THEN '{"type": "number"}'::jsonb
        WHEN p_type = 'boolean'::regtype THEN '{"type": "boolean"}'::jsonb
        WHEN p_type IN ('json'::regtype, 'jsonb'::regtype) THEN '{}'::jsonb
        WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.oid = p_type AND t.typcategory = 'A')
            THEN '{"type": "array"}'::jsonb
        ELSE '{"type": "string"}'::jsonb
    END || pg_catalog.jsonb_build_object('format', pg_catalog.format_type(p_type, NULL))
$$;

CREATE FUNCTION infracast.api_openapi() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
WITH roles(r) AS (VALUES ('infracast_reader'), ('infracast_analyst'), ('infracast_admin')),
fns AS (
    SELECT p.proname AS name, pg_catalog.obj_description(p.oid, 'pg_proc') AS descr,
           (SELECT pg_catalog.jsonb_agg(r ORDER BY r) FROM roles
             WHERE pg_catalog.has_function_privilege(r, p.oid, 'EXECUTE')) AS allowed
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'infracast_api'::regnamespace AND p.prokind = 'f'
       AND p.pronargs = 1 AND p.proargtypes[0] = 'jsonb'::regtype
),
rels AS (
    SELECT c.oid, c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS descr,
           (SELECT pg_catalog.jsonb_agg(r ORDER BY r) FROM roles
             WHERE pg_catalog.has_table_privilege(r, c.oid, 'SELECT')) AS allowed,
           (SELECT pg_catalog.jsonb_object_agg(a.attname,
                       infracast.api_json_type(a.atttypid)
                       || COALESCE(pg_catalog.jsonb_build_object('description',
                                       pg_catalog.col_description(c.oid, a.attnum)), '{}'))
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'infracast_api'::regnamespace AND c.relkind IN ('v', 'm', 'r', 'p', 'f')
),
error_response AS (
    SELECT '{"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}'::jsonb AS e
),
static_paths AS (
    SELECT '{
      "/auth/login": {"post": {"summary": "Log in; returns a JWT valid for at most one hour", "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
          "required": ["tenant", "username", "password"],
          "properties": {"tenant": {"type": "string"}, "username": {"type": "string"},
                         "password": {"type": "string"}, "totp": {"type": "string", "description": "6-digit code when MFA is on"}}}}}},
        "responses": {"200": {"description": "Token", "content": {"application/json": {"schema": {"type": "object",
          "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
                         "restricted": {"type": "string"}}}}}},
          "401": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}},
      "/auth/me": {"get": {"summary": "The logged-in user", "responses": {"200": {"description": "User"},
          "401": {"$ref": "#/components/responses/Error"}}}}
    }'::jsonb AS p
),
rpc_paths AS (
    SELECT COALESCE(pg_catalog.jsonb_object_agg('/rpc/' || f.name, pg_catalog.jsonb_build_object('post',
        pg_catalog.jsonb_build_object(
            'summary', COALESCE(f.descr, f.name), 'x-roles', COALESCE(f.allowed, '[]'),
            'requestBody', '{"content": {"application/json": {"schema": {"type": "object"}}}}'::jsonb,
            'responses', pg_catalog.jsonb_build_object('200', '{"description": "Result (JSON)"}'::jsonb,
                         'default', '{"$ref": "#/components/responses/Error"}'::jsonb)))), '{}') AS p
      FROM fns f
),
view_paths AS (
    SELECT COALESCE(pg_catalog.jsonb_object_agg('/' || v.name, pg_catalog.jsonb_build_object('get',
        pg_catalog.jsonb_build_object(
            'summary', COALESCE(v.descr, v.name), 'x-roles', COALESCE(v.allowed, '[]'),
            'parameters', '[{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"},
                            {"$ref": "#/components/parameters/order"}, {"$ref": "#/components/parameters/select"}]'::jsonb,
            'responses', pg_catalog.jsonb_build_object('200', pg_catalog.jsonb_build_object(
                'description', 'Rows (filter with <column>=<op>.<value>: eq, neq, lt, lte, gt, gte, like, ilike, is, in)',
                'content', pg_catalog.jsonb_build_object('application/json', pg_catalog.jsonb_build_object('schema',
                    pg_catalog.jsonb_build_object('type', 'array', 'items',
                        pg_catalog.jsonb_build_object('$ref', '#/components/schemas/' || v.name))))),
                'default', '{"$ref": "#/components/responses/Error"}'::jsonb)))), '{}') AS p,
           COALESCE(pg_catalog.jsonb_object_agg(v.name, pg_catalog.jsonb_build_object('type', 'object',
               'description', v.descr, 'properties', COALESCE(v.columns, '{}'))), '{}') AS schemas
      FROM rels v
)
SELECT pg_catalog.jsonb_build_object(
    'openapi', '3.0.3',
    'info', pg_catalog.jsonb_build_object(
        'title', 'Infracast API',
        'version', (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'infracast'),
        'description', pg_catalog.obj_description('infracast_api'::regnamespace, 'pg_namespace')),
    'servers', '[{"url": "/api"}]'::jsonb,
    'security', '[{"bearer": []}]'::jsonb,
    'paths', sp.p || rp.p || vp.p,
    'components', pg_catalog.jsonb_build_object(
        'securitySchemes', '{"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}'::jsonb,
        'responses', pg_catalog.jsonb_build_object('Error', er.e),
        'parameters', '{
            "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            "order": {"name": "order", "in": "query", "schema": {"type": "string"}, "description": "col.asc,col2.desc.nullslast"},
            "select": {"name": "select", "in": "query", "schema": {"type": "string"}, "description": "col1,col2"}}'::jsonb,
        'schemas', vp.schemas || '{"Error": {"type": "object", "properties": {"code": {"type": "string"},
            "message": {"type": "string"}, "details": {"type": "string", "nullable": true},
            "hint": {"type": "string", "nullable": true}}}}'::jsonb))
  FROM static_paths sp, rpc_paths rp, view_paths vp, error_response er
$$;
COMMENT ON FUNCTION infracast.api_openapi() IS
    'OpenAPI 3 description of infracast_api, from the catalog and COMMENT ON (GET /api/openapi.json); x-roles lists who may call what.';
REVOKE EXECUTE ON FUNCTION infracast.api_openapi() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_openapi() TO infracast_authenticator;

-- ---------------------------------------------------------------------------------------------
-- Grants of the API surface
-- ---------------------------------------------------------------------------------------------
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA infracast_api FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast_api.whoami(jsonb), infracast_api.me(jsonb),
    infracast_api.change_password(jsonb), infracast_api.mfa_enroll(jsonb), infracast_api.mfa_confirm(jsonb),
    infracast_api.logout(jsonb)
    TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast_api.import_graph(jsonb), infracast_api.delete_node(jsonb)
    TO infracast_analyst;
GRANT EXECUTE ON FUNCTION infracast_api.create_user(jsonb), infracast_api.delete_user(jsonb),
    infracast_api.set_user_role(jsonb), infracast_api.reset_password(jsonb), infracast_api.reset_mfa(jsonb)
    TO infracast_admin;
GRANT SELECT ON infracast_api.nodes, infracast_api.edges, infracast_api.software, infracast_api.node_kinds,
    infracast_api.edge_kinds TO infracast_reader;
GRANT SELECT ON infracast_api.users TO infracast_admin;
GRANT EXECUTE ON FUNCTION infracast.api_arg(jsonb, text), infracast.api_claims(), infracast.api_user_id(),
    infracast.api_check_new_password(text, text), infracast.api_check_role(text) TO infracast_reader;
