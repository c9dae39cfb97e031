-- ---------------------------------------------------------------------------------------------
-- The REST API is the licence feature "api" (docs/license.md, docs/api.md "Licence")
-- ---------------------------------------------------------------------------------------------
-- The proxy holds no policy of its own: it asks the database on every request, in the statement
-- that sets the role, tenant and claims (api-proxy/db.c), and before the login and the OpenAPI
-- description. Without the feature every route under /api/ is refused with IC303 (HTTP 403), the
-- message, detail and hint of infracast.require_feature('api'); /healthz, /readyz (which says why)
-- and the files of the web UI stay reachable, so that the UI can show the licence problem.
-- SECURITY DEFINER because the authenticator holds no privilege of its own (it is NOINHERIT), and
-- require_feature is granted to the API roles, not to it.
CREATE FUNCTION infracast.api_check_license() RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM infracast.require_feature('api');
    RETURN true;
END
$$;
COMMENT ON FUNCTION infracast.api_check_license() IS
    'Refuses (IC303, HTTP 403) when the licence does not include the feature "api"; the proxy calls it on every request under /api/ (login and OpenAPI included).';

-- /readyz: api_ready()'s answer (the proxy calls that one as itself, so that a missing grant still
-- shows as 503) with whether the licence lets the API answer, and if not why and what to do.
-- Public like api_ready(): the feature's presence only, never the licence's other claims (the REST
-- calls' 403 tells as much to anybody anyway).
CREATE FUNCTION infracast.api_health(p_ready jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ready jsonb := COALESCE(p_ready, '{}');
    v_api   jsonb;
BEGIN
    BEGIN
        IF infracast.has_feature('api') THEN
            v_api := pg_catalog.jsonb_build_object('api', true);
        ELSE
            v_api := pg_catalog.jsonb_build_object(
                'api', false,
                'problem', 'the licence does not include the feature "api": every route under /api/ answers 403 with SQLSTATE IC303',
                'hint', 'Ask your vendor for a licence that includes "api" and swap the file (no restart needed).');
        END IF;
    EXCEPTION WHEN OTHERS THEN
        -- the caller has no token: the SQLSTATE only; the text goes to the server log
        RAISE LOG 'infracast.api_health: has_feature(''api'') failed: % (%)', SQLERRM, SQLSTATE;
        v_api := pg_catalog.jsonb_build_object('api', false, 'sqlstate', SQLSTATE);
    END;
    IF pg_catalog.jsonb_typeof(v_ready -> 'licence') = 'object' THEN
        RETURN pg_catalog.jsonb_set(v_ready, '{licence}', (v_ready -> 'licence') || v_api);
    END IF;
    RETURN v_ready || pg_catalog.jsonb_build_object('licence', v_api);
END
$$;
COMMENT ON FUNCTION infracast.api_health(jsonb) IS
    'What /readyz shows: the database answers, the extension version, the licence state and expiry, and whether the licence includes the REST API (with the problem and hint when not).';

REVOKE EXECUTE ON FUNCTION infracast.api_check_license(), infracast.api_health(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.api_check_license(), infracast.api_health(jsonb) TO infracast_authenticator;
