-- Infracast licence: status, features, the licensable node counter and its limit (docs/license.md).
--
-- The licence file is judged in C (src/license/). Here: the tables the judgement reads, the triggers that
-- keep the licensable node count across all tenants, and the SQL functions.

-- ---------------------------------------------------------------------------------------------
-- The counter of licensable nodes, across all tenants (one row). Triggers on infracast.nodes keep it;
-- an insert updates (and so locks) the row until its transaction ends, which is what keeps two
-- sessions from passing the limit together. Not dumped: a restore recounts as it loads the nodes.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.license_usage (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    nodes_used  bigint  NOT NULL DEFAULT 0
);
COMMENT ON TABLE infracast.license_usage IS
    'Licensable nodes across all tenants (node kinds with licensable), kept by triggers on infracast.nodes.';
INSERT INTO infracast.license_usage (id, nodes_used)
SELECT true, pg_catalog.count(*) FROM infracast.nodes n JOIN infracast.node_kinds k ON k.name = n.kind
 WHERE k.licensable;

-- What the licence has seen (one row): the highest time seen, for clock rollback, and the last
-- authentic licence, whose features stay in force for analyses when the file goes missing.
CREATE TABLE infracast.license_memory (
    id                   boolean PRIMARY KEY DEFAULT true CHECK (id),
    highest_seen         timestamptz,
    updated_at           timestamptz,
    last_key_fingerprint text,
    last_license_id      text,
    last_features        text[]
);
COMMENT ON TABLE infracast.license_memory IS
    'The highest time the licence check has seen (a clock more than a day behind it is clock_rollback) and the last authentic licence.';
INSERT INTO infracast.license_memory (id) VALUES (true);

REVOKE ALL ON infracast.license_usage, infracast.license_memory FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- SQL functions (C)
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.license_status(
    OUT state             text,
    OUT reason            text,
    OUT fix               text,
    OUT license_file      text,
    OUT license_id        text,
    OUT customer          text,
    OUT tier              text,
    OUT node_limit        bigint,
    OUT nodes_used        bigint,
    OUT features          text[],
    OUT issued_at         timestamptz,
    OUT not_before        timestamptz,
    OUT expires_at        timestamptz,
    OUT offline_mode      boolean,
    OUT claims            jsonb,
    OUT unknown_claims    jsonb,
    OUT key_fingerprint   text,
    OUT development_key   boolean,
    OUT features_in_force text[],
    OUT highest_time_seen timestamptz,
    OUT checked_at        timestamptz)
    RETURNS record
    AS 'MODULE_PATHNAME', 'infracast_license_status'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION infracast.license_status() IS
    'The licence in force: state (valid, missing, malformed, invalid_signature, not_yet_valid, expired, over_limit, clock_rollback), the reason and fix, every claim, the licensable nodes used and the embedded key''s fingerprint.';

CREATE FUNCTION infracast.require_feature(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'infracast_require_feature'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.require_feature(text) IS
    'Raises SQLSTATE IC303 when the licence does not include the feature (22023 for an unknown feature name).';

CREATE FUNCTION infracast.has_feature(name text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_has_feature'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.has_feature(text) IS 'Whether the licence includes the feature.';

CREATE FUNCTION infracast.require_valid_license(action text) RETURNS void
    AS 'MODULE_PATHNAME', 'infracast_require_valid_license'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.require_valid_license(text) IS
    'Raises SQLSTATE IC301, naming the state and the fix, unless the licence is valid (for actions that add data or produce documents).';

-- Called by the node-count trigger only.
CREATE FUNCTION infracast.license_check_node_count(added bigint, total bigint) RETURNS void
    AS 'MODULE_PATHNAME', 'infracast_license_check_node_count'
    LANGUAGE C VOLATILE STRICT;

CREATE FUNCTION infracast.license_recount() RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE infracast.license_usage
       SET nodes_used = (SELECT pg_catalog.count(*) FROM infracast.nodes n
                           JOIN infracast.node_kinds k ON k.name = n.kind WHERE k.licensable)
    RETURNING nodes_used
$$;
COMMENT ON FUNCTION infracast.license_recount() IS
    'Recounts the licensable nodes of all tenants (superuser; the triggers keep the count, this is a safety net).';

CREATE FUNCTION infracast.license_clock_reset() RETURNS timestamptz
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE infracast.license_memory
       SET highest_seen = pg_catalog.now(), updated_at = pg_catalog.now()
    RETURNING highest_seen
$$;
COMMENT ON FUNCTION infracast.license_clock_reset() IS
    'Forgets the highest time seen and records now instead (superuser): the fix for clock_rollback when the recorded time, not the clock, was wrong.';

-- ---------------------------------------------------------------------------------------------
-- Triggers that keep the count (SECURITY DEFINER: they count every tenant's rows, whatever the
-- caller's row-level security view)
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.license_nodes_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_all         bigint;
    v_licensable  bigint;
    v_total       bigint;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE k.licensable)
      INTO v_all, v_licensable
      FROM new_nodes n LEFT JOIN infracast.node_kinds k ON k.name = n.kind;
    IF v_all = 0 THEN
        RETURN NULL;    -- an upsert that only updated: nothing was added
    END IF;
    IF v_licensable > 0 THEN
        -- locks the counter row until this transaction ends: concurrent inserters queue here
        UPDATE infracast.license_usage SET nodes_used = nodes_used + v_licensable
        RETURNING nodes_used INTO v_total;
    ELSE
        SELECT nodes_used INTO v_total FROM infracast.license_usage;
    END IF;
    PERFORM infracast.license_check_node_count(v_licensable, v_total);
    RETURN NULL;
END
$$;

CREATE FUNCTION infracast.license_nodes_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_licensable bigint;
BEGIN
    SELECT count(*) INTO v_licensable
      FROM old_nodes n JOIN infracast.node_kinds k ON k.name = n.kind
     WHERE k.licensable;
    IF v_licensable > 0 THEN
        UPDATE infracast.license_usage SET nodes_used = GREATEST(nodes_used - v_licensable, 0);
    END IF;
    RETURN NULL;
END
$$;

-- A node whose kind changes between a licensable and a non-licensable kind.
CREATE FUNCTION infracast.license_node_rekinded() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_old    boolean;
    v_new    boolean;
    v_total  bigint;
BEGIN
    SELECT k.licensable INTO v_old FROM infracast.node_kinds k WHERE k.name = OLD.kind;
    SELECT k.licensable INTO v_new FROM infracast.node_kinds k WHERE k.name = NEW.kind;
    -- v_old is NULL when the kind itself was renamed (ON UPDATE CASCADE): the node still counts the same
    IF v_old IS NULL OR v_new IS NULL OR v_old = v_new THEN
        RETURN NULL;
    END IF;
    IF v_new THEN
        UPDATE infracast.license_usage SET nodes_used = nodes_used + 1 RETURNING nodes_used INTO v_total;
        PERFORM infracast.license_check_node_count(1, v_total);
    ELSE
        UPDATE infracast.license_usage SET nodes_used = GREATEST(nodes_used - 1, 0);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION infracast.license_nodes_recount() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM infracast.license_recount();
    RETURN NULL;
END
$$;

CREATE TRIGGER license_nodes_ins AFTER INSERT ON infracast.nodes
    REFERENCING NEW TABLE AS new_nodes FOR EACH STATEMENT EXECUTE FUNCTION infracast.license_nodes_inserted();
CREATE TRIGGER license_nodes_del AFTER DELETE ON infracast.nodes
    REFERENCING OLD TABLE AS old_nodes FOR EACH STATEMENT EXECUTE FUNCTION infracast.license_nodes_deleted();
CREATE TRIGGER license_nodes_kind AFTER UPDATE OF kind ON infracast.nodes
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION infracast.license_node_rekinded();
CREATE TRIGGER license_nodes_trunc AFTER TRUNCATE ON infracast.nodes
    FOR EACH STATEMENT EXECUTE FUNCTION infracast.license_nodes_recount();

-- Which kinds count is the licence's business: only a superuser may change node_kinds.licensable (or add
-- a kind that does not count). A change recounts every node.
CREATE FUNCTION infracast.license_guard_kinds() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF ((TG_OP = 'INSERT' AND NOT NEW.licensable)
        OR (TG_OP = 'UPDATE' AND NEW.licensable IS DISTINCT FROM OLD.licensable))
       AND NOT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false)
    THEN
        RAISE EXCEPTION 'only a superuser may change which node kinds count against the licence (kind "%")', NEW.name
            USING ERRCODE = '42501',
                  HINT = 'New kinds count (licensable = true); see docs/license.md for which kinds count.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER license_guard_kinds BEFORE INSERT OR UPDATE OF licensable ON infracast.node_kinds
    FOR EACH ROW EXECUTE FUNCTION infracast.license_guard_kinds();
CREATE TRIGGER license_kinds_recount AFTER UPDATE OF licensable ON infracast.node_kinds
    FOR EACH STATEMENT EXECUTE FUNCTION infracast.license_nodes_recount();

-- ---------------------------------------------------------------------------------------------
-- Grants: everyone with an Infracast role may look at the licence; the counter and the memory are
-- reached only through the functions above.
-- ---------------------------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION infracast.license_status() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.require_feature(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.has_feature(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.require_valid_license(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.license_check_node_count(bigint, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.license_recount() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.license_clock_reset() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.license_status() TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast.require_feature(text) TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast.has_feature(text) TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast.require_valid_license(text) TO infracast_reader;
