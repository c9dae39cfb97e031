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
-- Readiness and the OpenAPI document (here), and login, first-boot seeding and the token check
-- (85_auth.sql, with the users table), are functions of the schema infracast named api_*: only
-- the authenticator may execute them, and they are not routes.

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

-- ---------------------------------------------------------------------------------------------
-- Readiness (executed by the authenticator only)
-- ---------------------------------------------------------------------------------------------
-- /readyz: the database answers, and the licence state.
CREATE FUNCTION infracast.api_ready() RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_licence jsonb;
BEGIN
    BEGIN
        -- /readyz is public: the state and expiry only, no customer, paths or key details.
        SELECT pg_catalog.jsonb_build_object('state', s.state, 'expires_at', s.expires_at)
          INTO v_licence FROM infracast.license_status() s;
    EXCEPTION WHEN OTHERS THEN
        -- the caller has no token: the SQLSTATE only; the text goes to the server log
        RAISE LOG 'infracast.api_ready: license_status() failed: % (%)', SQLERRM, SQLSTATE;
        v_licence := pg_catalog.jsonb_build_object('state', 'error', 'sqlstate', SQLSTATE);
    END;
    RETURN pg_catalog.jsonb_build_object(
        'database', 'ok',
        'extension', (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'infracast'),
        'licence', v_licence);
END
$$;

REVOKE EXECUTE ON FUNCTION infracast.api_ready() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_ready() TO infracast_authenticator;

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

-- The logged-in user's own row, locked as by api_lock_caller(), once their password was asked
-- again before a sensitive change (a stolen token alone must not be enough). Wrong guesses count
-- with the login's; the caller's address is not known here, so 5 failures of the user from any
-- addresses in 15 minutes (the limit of one address) give IC503 (HTTP 429) until the window ends.
-- The failure itself is recorded by the proxy in a transaction of its own
-- (infracast.api_password_check_failed), because this one is rolled back by the error.
CREATE FUNCTION infracast.api_lock_caller_verified(p_password text) RETURNS infracast.users
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    u      infracast.users%ROWTYPE := infracast.api_lock_caller();
    v_wait integer;
BEGIN
    SELECT infracast.api_login_wait('user', infracast.api_login_user_key(t.name, u.username),
                                    infracast.api_login_max('user_client'))
      INTO v_wait FROM infracast.tenants t WHERE t.id = u.tenant_id;
    IF v_wait > 0 THEN
        RAISE EXCEPTION 'too many wrong passwords: try again in % seconds', v_wait
            USING ERRCODE = 'IC503', HINT = 'Wrong passwords count with failed logins: 5 per user in 15 minutes.';
    END IF;
    IF NOT infracast.password_verify(u.password_hash, COALESCE(p_password, '')) THEN
        RAISE EXCEPTION 'the current password is wrong'
            USING ERRCODE = '28P01', HINT = 'Give the password you logged in with.';
    END IF;
    RETURN u;
END
$$;
REVOKE EXECUTE ON FUNCTION infracast.api_lock_caller_verified(text) FROM PUBLIC;

CREATE FUNCTION infracast_api.change_password(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_current text := infracast.api_arg(args, 'current_password');
    v_new     text := infracast.api_arg(args, 'new_password');
    u         infracast.users%ROWTYPE := infracast.api_lock_caller_verified(v_current);
BEGIN
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
    u        infracast.users%ROWTYPE := infracast.api_lock_caller_verified(infracast.api_arg(args, 'password'));
    v_tenant text;
    v_secret bytea := infracast.totp_new_secret();
    v_b32    text := infracast.base32_encode(v_secret);
BEGIN
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

-- The user of the caller's tenant that an admin call names, locked for the change the caller is
-- about to make; P0002 (HTTP 404) when there is none. SECURITY INVOKER, as the admin functions:
-- the caller's grants and row-level security decide which users it finds.
CREATE FUNCTION infracast.api_lock_user(p_username text) RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT id INTO v_id FROM infracast.users WHERE username = p_username FOR UPDATE;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'user "%" does not exist', p_username USING ERRCODE = 'P0002', HINT = 'See GET /api/users.';
    END IF;
    RETURN v_id;
END
$$;
REVOKE EXECUTE ON FUNCTION infracast.api_lock_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_lock_user(text) TO infracast_admin;

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
    v_id := infracast.api_lock_user(v_username);
    DELETE FROM infracast.users WHERE id = v_id;
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
    v_id       bigint := infracast.api_lock_user(v_username);
BEGIN
    UPDATE infracast.users SET role = v_role WHERE id = v_id;
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
    v_id       bigint;
BEGIN
    PERFORM infracast.api_check_new_password(v_password, v_username);
    v_id := infracast.api_lock_user(v_username);
    UPDATE infracast.users
       SET password_hash = infracast.password_hash(v_password), must_change_password = true,
           password_changed_at = pg_catalog.now()
     WHERE id = v_id;
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
    v_id       bigint := infracast.api_lock_user(v_username);
BEGIN
    UPDATE infracast.users SET totp_enabled = false, totp_secret = NULL, totp_last_step = 0 WHERE id = v_id;
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
-- Wrappers of the other subsystems (graph, feeds, licence, matching), whose parts come earlier
-- in this install script. All are SECURITY INVOKER: the caller's role and tenant apply underneath.
-- EXECUTE on every function of infracast_api is revoked from PUBLIC at the end of this file.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast_api.attack_paths(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_jsonb(p) || pg_catalog.jsonb_build_object('node_external_id', n.external_id,
                                                                   'node_name', n.name)
      FROM infracast.attack_paths(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets'),
                                  COALESCE(infracast.api_number(args, 'k')::integer, 1),
                                  infracast.api_number(args, 'max_hops')::integer) p
      LEFT JOIN infracast.nodes n ON n.id = p.node
     ORDER BY p.path_id, p.path_seq
$$;
COMMENT ON FUNCTION infracast_api.attack_paths(jsonb) IS
    'Most likely attack paths: {"sources": [...], "targets": [...], "k": 1, "max_hops": null} (nodes by id or external_id; default sources: entry points, targets: crown jewels). One object per step, as infracast.attack_paths().';

CREATE FUNCTION infracast_api.blast_radius(args jsonb) RETURNS SETOF jsonb
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION infracast_api.blast_radius(jsonb) IS
    'What an attacker holding a node can reach: {"source": "<id or external_id>", "max_hops": null, "min_likelihood": 0}.';

CREATE FUNCTION infracast_api.exposure(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_jsonb(x) || pg_catalog.jsonb_build_object('external_id', n.external_id, 'name', n.name)
      FROM infracast.exposure(infracast.api_node_ids(args, 'targets'), infracast.api_number(args, 'max_hops')::integer) x
      LEFT JOIN infracast.nodes n ON n.id = x.node
     ORDER BY x.likelihood DESC, x.hops, x.node
$$;
COMMENT ON FUNCTION infracast_api.exposure(jsonb) IS
    'Every node that can reach the targets: {"targets": [...] (default: crown jewels), "max_hops": null}.';

CREATE FUNCTION infracast_api.exposure_summary(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.to_jsonb(s) FROM infracast.exposure_summary() s $$;
COMMENT ON FUNCTION infracast_api.exposure_summary(jsonb) IS
    'Share of principals with a path to a crown jewel, and its severity band.';

CREATE FUNCTION infracast_api.choke_points(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_jsonb(c) || pg_catalog.jsonb_build_object('node_external_id', n.external_id,
                                                                   'node_name', n.name)
      FROM infracast.choke_points(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets'),
                                  COALESCE(infracast.api_number(args, 'top')::integer, 20)) c
      LEFT JOIN infracast.nodes n ON n.id = c.node
     ORDER BY c.rank
$$;
COMMENT ON FUNCTION infracast_api.choke_points(jsonb) IS
    'Nodes and edges most attack paths cross: {"sources": [...], "targets": [...], "top": 20}.';

CREATE FUNCTION infracast_api.remediation_plan(args jsonb DEFAULT '{}'::jsonb) RETURNS SETOF jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.to_jsonb(r) || pg_catalog.jsonb_build_object('src_external_id', s.external_id,
                                                                   'dst_external_id', d.external_id)
      FROM infracast.remediation_plan(infracast.api_node_ids(args, 'sources'), infracast.api_node_ids(args, 'targets')) r
      LEFT JOIN infracast.nodes s ON s.id = r.src
      LEFT JOIN infracast.nodes d ON d.id = r.dst
     ORDER BY r.paths_broken DESC, r.fix_cost, r.edge
$$;
COMMENT ON FUNCTION infracast_api.remediation_plan(jsonb) IS
    'The cheapest set of edges to fix so that no source reaches a target: {"sources": [...], "targets": [...]}.';

CREATE FUNCTION infracast_api.graph_stats(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.to_jsonb(s) FROM infracast.graph_stats() s $$;
COMMENT ON FUNCTION infracast_api.graph_stats(jsonb) IS 'Size and version of the tenant''s graph snapshot.';

GRANT EXECUTE ON FUNCTION infracast_api.attack_paths(jsonb), infracast_api.blast_radius(jsonb),
    infracast_api.exposure(jsonb), infracast_api.exposure_summary(jsonb), infracast_api.choke_points(jsonb),
    infracast_api.remediation_plan(jsonb), infracast_api.graph_stats(jsonb) TO infracast_reader;

-- Server paths stay out of the API: the source columns are left out, and a quoted absolute
-- path in a message keeps only its file name ("/srv/feeds/epss.csv.gz" -> "epss.csv.gz").
CREATE VIEW infracast_api.feed_status WITH (security_invoker = true) AS
    SELECT f.feed, f.rows, f.version, f.feed_date, f.loaded_at, f.state,
           pg_catalog.regexp_replace(f.message, '"/[^"]*/([^"/]*)"', '"\1"', 'g') AS message,
           f.attempted_at
      FROM infracast.feed_status f;
COMMENT ON VIEW infracast_api.feed_status IS
    'One row per threat-intelligence feed: what is loaded, from when, and how the last load went.';
GRANT SELECT ON infracast_api.feed_status TO infracast_reader;

-- Key fingerprints, raw claims and file paths stay out of the API.
CREATE FUNCTION infracast_api.license_status(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.jsonb_build_object('state', s.state, 'reason', s.reason, 'fix', s.fix,
               'customer', s.customer, 'tier', s.tier, 'node_limit', s.node_limit, 'nodes_used', s.nodes_used,
               'features', s.features, 'features_in_force', s.features_in_force, 'expires_at', s.expires_at,
               'offline_mode', s.offline_mode, 'checked_at', s.checked_at)
      FROM infracast.license_status() s
$$;
COMMENT ON FUNCTION infracast_api.license_status(jsonb) IS
    'Licence state (valid, grace, expired, ...), tier, node limit and use, features in force, expiry.';
GRANT EXECUTE ON FUNCTION infracast_api.license_status(jsonb) TO infracast_reader;

CREATE VIEW infracast_api.findings WITH (security_invoker = true) AS
    SELECT f.id, f.node_id, n.external_id AS node_external_id, n.name AS node_name, f.software_id, f.cve_id,
           f.status, f.status_note, f.priority, f.risk, f.exposure, f.exposure_hops, f.crown_jewel_path,
           f.first_seen, f.last_seen, f.fixed_at
      FROM infracast.findings f
      JOIN infracast.nodes n ON n.tenant_id = f.tenant_id AND n.id = f.node_id;
COMMENT ON VIEW infracast_api.findings IS 'Vulnerabilities found on the caller''s nodes: open, fixed or accepted_risk.';
CREATE VIEW infracast_api.prioritized_findings WITH (security_invoker = true) AS
    SELECT * FROM infracast.prioritized_findings;
COMMENT ON VIEW infracast_api.prioritized_findings IS
    'Open findings ranked by priority band then risk, with the reasons spelled out (KEV, EPSS, exposure, crown-jewel path, CVSS).';
GRANT SELECT ON infracast_api.findings, infracast_api.prioritized_findings TO infracast_reader;

CREATE FUNCTION infracast_api.match_vulnerabilities(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.to_jsonb(m) FROM infracast.match_vulnerabilities() m $$;
COMMENT ON FUNCTION infracast_api.match_vulnerabilities(jsonb) IS
    'Matches the tenant''s software against the loaded feeds and refreshes its findings; returns the counts.';

CREATE FUNCTION infracast_api.set_finding_status(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
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
$$;
COMMENT ON FUNCTION infracast_api.set_finding_status(jsonb) IS
    'Accepts a finding''s risk, or reopens it: {"id": 42, "status": "accepted_risk", "note": "why, by whom"}.';

GRANT EXECUTE ON FUNCTION infracast_api.match_vulnerabilities(jsonb), infracast_api.set_finding_status(jsonb)
    TO infracast_analyst;

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
GRANT EXECUTE ON FUNCTION infracast.api_arg(jsonb, text), infracast.api_claims(), infracast.api_user_id()
    TO infracast_reader;
