-- Infracast users and logins: passwords (argon2id) and TOTP, the users of the API, login with
-- throttling, first-boot seeding and the per-request token check (C side: src/auth/auth.c).
--
-- The login, seeding and token-check functions are executed by infracast_authenticator only (the
-- proxy, api-proxy/); the routes through which users manage themselves and each other are in
-- 90_api.sql.

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

-- Failed logins in a fixed window: per user from one client address ('user_client', key
-- '<address> <tenant>/<user>'), per user from every address ('user', key '<tenant>/<user>') and per
-- client address ('client'). Transient: not dumped. Only the SECURITY DEFINER login functions
-- read or write it.
CREATE TABLE infracast.login_failures (
    scope        text        NOT NULL CHECK (scope IN ('user', 'user_client', 'client')),
    key          text        NOT NULL,
    failures     integer     NOT NULL,
    window_start timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
COMMENT ON TABLE infracast.login_failures IS
    'Failed API logins per user and client address, per user and per client address (rate limiting; see infracast.api_login).';
ALTER TABLE infracast.login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.login_failures FORCE ROW LEVEL SECURITY;

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
-- The throttle's key of a user: tenant and user name, case-insensitive (the user need not exist).
CREATE FUNCTION infracast.api_login_user_key(p_tenant text, p_username text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.lower(COALESCE(p_tenant, '')) || '/' || pg_catalog.lower(COALESCE(p_username, ''))
$$;

-- The throttle's policy: failures allowed in one window of 15 minutes, after which that key is
-- refused until the window ends: 5 for a user from one client address, 25 for a user from all
-- addresses together (so a third party guessing from elsewhere locks a user out of its own
-- address only, unless it guesses from five addresses or more), 20 for a client address.
CREATE FUNCTION infracast.api_login_max(p_scope text) RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE p_scope WHEN 'user_client' THEN 5 WHEN 'user' THEN 25 ELSE 20 END $$;

-- The throttle's key of a user from one client address (addresses have no spaces).
CREATE FUNCTION infracast.api_login_pair_key(p_user_key text, p_client text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT p_client || ' ' || p_user_key $$;

CREATE FUNCTION infracast.api_login_window() RETURNS interval
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT interval '15 minutes' $$;

-- Seconds until a rate-limited key may try again (0: it may now); p_max replaces the scope's limit.
CREATE FUNCTION infracast.api_login_wait(p_scope text, p_key text, p_max integer DEFAULT NULL) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(MAX(pg_catalog.ceil(EXTRACT(epoch FROM f.window_start + infracast.api_login_window()
                                                       - pg_catalog.now())))::integer, 0)
      FROM infracast.login_failures f
     WHERE f.scope = p_scope AND f.key = p_key
       AND f.failures >= COALESCE(p_max, infracast.api_login_max(p_scope))
       AND f.window_start + infracast.api_login_window() > pg_catalog.now()
$$;

-- Serialises the logins of one user (api_login's first step): locks the user's row of
-- login_failures, created with no failures when missing, until the login's transaction ends. A
-- guess sent at the same time for the same user waits here, then reads the count with this one's
-- failure in it, so parallel guesses are checked one by one like sequential ones. Nobody else can
-- hold this lock: the table has row-level security forced and no grant (advisory locks, open to
-- every role, were withdrawn for that reason; docs/hardening.md).
CREATE FUNCTION infracast.api_login_lock(p_user_key text) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO infracast.login_failures AS f (scope, key, failures, window_start)
    VALUES ('user', p_user_key, 0, pg_catalog.now())
    ON CONFLICT (scope, key) DO UPDATE SET failures = f.failures
$$;

-- One more failure for the user, the user from this address, and the address. A row without
-- failures (left by api_login_lock) or with an expired window starts a new window. The rows are
-- taken in that order, the user's first, as api_login_lock does: no deadlock between two logins.
--
-- Each failure then deletes up to 100 rows whose window has expired, so that the table holds about
-- one window's worth of names and addresses tried, not every one ever tried. It comes after the
-- INSERT, this login's last wait: rows another login holds are skipped (SKIP LOCKED), so pruning
-- never waits and cannot deadlock with another login; this login's own rows are kept.
CREATE FUNCTION infracast.api_login_failed(p_user_key text, p_client text) RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO infracast.login_failures AS f (scope, key, failures, window_start)
    VALUES ('user', p_user_key, 1, pg_catalog.now()),
           ('user_client', infracast.api_login_pair_key(p_user_key, p_client), 1, pg_catalog.now()),
           ('client', p_client, 1, pg_catalog.now())
    ON CONFLICT (scope, key) DO UPDATE
       SET failures = CASE WHEN f.failures = 0 OR f.window_start + infracast.api_login_window() <= pg_catalog.now()
                           THEN 1 ELSE f.failures + 1 END,
           window_start = CASE WHEN f.failures = 0 OR f.window_start + infracast.api_login_window() <= pg_catalog.now()
                               THEN pg_catalog.now() ELSE f.window_start END;
    DELETE FROM infracast.login_failures
     WHERE ctid = ANY (ARRAY(
               SELECT f.ctid FROM infracast.login_failures f
                WHERE f.window_start + infracast.api_login_window() <= pg_catalog.now()
                  AND (f.scope, f.key) NOT IN (('user', p_user_key),
                                               ('user_client', infracast.api_login_pair_key(p_user_key, p_client)),
                                               ('client', p_client))
                LIMIT 100
                FOR UPDATE SKIP LOCKED));
$$;

CREATE FUNCTION infracast.api_login(p_tenant text, p_username text, p_password text, p_totp text,
                                    p_client text)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user_key   text := infracast.api_login_user_key(p_tenant, p_username);
    v_client     text := COALESCE(NULLIF(p_client, ''), 'unknown');
    v_wait       integer;
    v_step       bigint;
    t            infracast.tenants%ROWTYPE;
    u            infracast.users%ROWTYPE;
BEGIN
    -- Under REPEATABLE READ or SERIALIZABLE a guess that waited for another's lock would fail with
    -- a serialization error instead of reading the new count: refuse those levels outright.
    IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'infracast.api_login must run under READ COMMITTED, not %',
                        pg_catalog.upper(pg_catalog.current_setting('transaction_isolation'))
            USING ERRCODE = '25000',
                  HINT = 'Call it in a READ COMMITTED transaction (infracast-proxy sets its sessions so).';
    END IF;
    PERFORM infracast.api_login_lock(v_user_key);
    -- Read after the lock: the count includes every guess for this user that came before.
    v_wait := GREATEST(infracast.api_login_wait('user_client', infracast.api_login_pair_key(v_user_key, v_client)),
                       infracast.api_login_wait('user', v_user_key),
                       infracast.api_login_wait('client', v_client));
    IF v_wait > 0 THEN
        RETURN pg_catalog.jsonb_build_object('status', 'rate_limited', 'retry_after', v_wait);
    END IF;

    SELECT * INTO t FROM infracast.tenants WHERE name = p_tenant;
    IF FOUND THEN
        SELECT * INTO u FROM infracast.users WHERE tenant_id = t.id AND username = p_username;
    END IF;
    -- u.password_hash is NULL for an unknown tenant or user: the check then costs the same.
    IF NOT infracast.password_verify(u.password_hash, COALESCE(p_password, '')) THEN
        PERFORM infracast.api_login_failed(v_user_key, v_client);
        RETURN '{"status": "invalid"}'::jsonb;
    END IF;

    IF u.totp_enabled THEN
        IF COALESCE(p_totp, '') = '' THEN
            RETURN '{"status": "mfa_required"}'::jsonb;
        END IF;
        v_step := infracast.totp_match(u.totp_secret, p_totp, pg_catalog.now());
        IF v_step IS NULL THEN
            PERFORM infracast.api_login_failed(v_user_key, v_client);
            RETURN '{"status": "totp_invalid"}'::jsonb;
        END IF;
        IF v_step <= u.totp_last_step THEN
            PERFORM infracast.api_login_failed(v_user_key, v_client);
            RETURN '{"status": "totp_replayed"}'::jsonb;
        END IF;
        UPDATE infracast.users SET totp_last_step = v_step WHERE tenant_id = u.tenant_id AND id = u.id;
    END IF;

    -- Only this address's count for the user is cleared: a guesser elsewhere stays refused.
    DELETE FROM infracast.login_failures
     WHERE (scope = 'user' AND key = v_user_key)
        OR (scope = 'user_client' AND key = infracast.api_login_pair_key(v_user_key, v_client));
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
    'Checks an API login: status ok (with user, tenant, role and any restriction), invalid, mfa_required, totp_invalid, totp_replayed, or rate_limited (retry_after seconds). 5 failures of a user from one client address, 25 of a user from all addresses and 20 of a client address in 15 minutes lock further tries until the window ends. Logins of one user run one at a time (READ COMMITTED only), so parallel guesses are all counted.';

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
-- What a restricted token may call. The login restricts a user who must change their password
-- ("password_change") or enrol in MFA ("mfa_enrollment"); the proxy calls this on every request, in
-- the statement that checks the token, with the API function it is about to call (NULL for a
-- view), so that this list is the only one. IC504 (HTTP 403) when the call is not allowed.
CREATE FUNCTION infracast.api_check_restriction(p_claims jsonb, p_function text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_restricted text := p_claims ->> 'restricted';
    v_password   boolean := v_restricted = 'password_change';
BEGIN
    IF COALESCE(v_restricted, '') = '' OR p_function = ANY (
           CASE WHEN v_password THEN ARRAY['change_password', 'me', 'whoami', 'logout']
                ELSE ARRAY['change_password', 'mfa_enroll', 'mfa_confirm', 'me', 'whoami', 'logout'] END) THEN
        RETURN true;
    END IF;
    IF v_password THEN
        RAISE EXCEPTION 'the password must be changed before anything else'
            USING ERRCODE = 'IC504',
                  HINT = 'POST /api/rpc/change_password with {"current_password", "new_password"}, then log in again.';
    END IF;
    RAISE EXCEPTION 'this tenant requires MFA: enrol before anything else'
        USING ERRCODE = 'IC504',
              HINT = 'POST /api/rpc/mfa_enroll, then /api/rpc/mfa_confirm with {"code"}, then log in again.';
END
$$;
COMMENT ON FUNCTION infracast.api_check_restriction(jsonb, text) IS
    'Refuses (IC504) a call that a restricted API token may not make: password_change allows change_password, me, whoami and logout; mfa_enrollment also mfa_enroll and mfa_confirm; no view. The proxy calls it on every request.';

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
    SELECT infracast.api_login_user_key(t.name, u.username) INTO v_key
      FROM infracast.users u JOIN infracast.tenants t ON t.id = u.tenant_id
     WHERE u.tenant_id = (p_claims ->> 'tenant')::bigint AND u.id = (p_claims ->> 'sub')::bigint;
    IF v_key IS NOT NULL THEN
        PERFORM infracast.api_login_failed(v_key, COALESCE(NULLIF(p_client, ''), 'unknown'));
    END IF;
END
$$;

COMMENT ON FUNCTION infracast.api_check_token(jsonb) IS
    'Refuses (28000) an API token whose user no longer exists, has another role, or has revoked it (logout, new password, role change, MFA turned off); the proxy calls it on every request.';

REVOKE EXECUTE ON FUNCTION infracast.api_login(text, text, text, text, text),
    infracast.api_bootstrap(text), infracast.api_login_user_key(text, text),
    infracast.api_login_max(text), infracast.api_login_pair_key(text, text), infracast.api_login_window(),
    infracast.api_login_wait(text, text, integer),
    infracast.api_login_lock(text), infracast.api_login_failed(text, text), infracast.api_check_token(jsonb),
    infracast.api_check_restriction(jsonb, text), infracast.api_password_check_failed(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_login(text, text, text, text, text), infracast.api_bootstrap(text),
    infracast.api_check_token(jsonb), infracast.api_check_restriction(jsonb, text),
    infracast.api_password_check_failed(jsonb, text) TO infracast_authenticator;
GRANT EXECUTE ON FUNCTION infracast.api_check_new_password(text, text), infracast.api_check_role(text)
    TO infracast_reader;
