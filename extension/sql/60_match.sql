-- Infracast matching and scoring: the cpe type, version orderings, NVD configuration evaluation,
-- findings with their lifecycle, the risk score, the prioritised view, and can_exploit edges.
-- Reference: docs/matching.md and docs/scoring.md.

-- ---------------------------------------------------------------------------------------------
-- The cpe type: CPE 2.3 names (formatted string out; formatted string or URI binding in)
-- ---------------------------------------------------------------------------------------------
CREATE TYPE infracast.cpe;

CREATE FUNCTION infracast.cpe_in(cstring) RETURNS infracast.cpe
    AS 'MODULE_PATHNAME', 'infracast_cpe_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION infracast.cpe_out(infracast.cpe) RETURNS cstring
    AS 'MODULE_PATHNAME', 'infracast_cpe_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION infracast.cpe_recv(internal) RETURNS infracast.cpe
    AS 'MODULE_PATHNAME', 'infracast_cpe_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION infracast.cpe_send(infracast.cpe) RETURNS bytea
    AS 'MODULE_PATHNAME', 'infracast_cpe_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE infracast.cpe (
    INPUT = infracast.cpe_in,
    OUTPUT = infracast.cpe_out,
    RECEIVE = infracast.cpe_recv,
    SEND = infracast.cpe_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);
COMMENT ON TYPE infracast.cpe IS
    'A CPE 2.3 name, stored in canonical formatted-string form (lower case, minimal escapes); input also accepts the cpe:/ URI binding.';

CREATE CAST (text AS infracast.cpe) WITH INOUT AS ASSIGNMENT;
CREATE CAST (infracast.cpe AS text) WITH INOUT AS ASSIGNMENT;

CREATE FUNCTION infracast.cpe_attribute(name infracast.cpe, attribute text) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_cpe_attribute' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_attribute(infracast.cpe, text) IS
    'One attribute of a CPE in formatted-string form: "*" (ANY), "-" (NA), or the value with its escapes.';
CREATE FUNCTION infracast.cpe_value(name infracast.cpe, attribute text) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_cpe_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_value(infracast.cpe, text) IS
    'One attribute of a CPE with its escapes removed (as infracast.cve_cpe_match stores them); "*" ANY, "-" NA.';

CREATE FUNCTION infracast.cpe_part(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'part');
CREATE FUNCTION infracast.cpe_vendor(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'vendor');
CREATE FUNCTION infracast.cpe_product(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'product');
CREATE FUNCTION infracast.cpe_version(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'version');
CREATE FUNCTION infracast.cpe_update(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'update');
CREATE FUNCTION infracast.cpe_edition(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'edition');
CREATE FUNCTION infracast.cpe_language(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'language');
CREATE FUNCTION infracast.cpe_sw_edition(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'sw_edition');
CREATE FUNCTION infracast.cpe_target_sw(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'target_sw');
CREATE FUNCTION infracast.cpe_target_hw(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'target_hw');
CREATE FUNCTION infracast.cpe_other(infracast.cpe) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_attribute($1, 'other');

CREATE FUNCTION infracast.cpe_uri(infracast.cpe) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_cpe_uri' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_uri(infracast.cpe) IS 'The CPE 2.2-style URI binding (cpe:/...) of a name.';

CREATE FUNCTION infracast.cpe_match(pattern infracast.cpe, candidate infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_match(infracast.cpe, infracast.cpe) IS
    'NISTIR 7696 name matching: true when every attribute of pattern is a superset of, or equal to, the candidate''s (ANY, NA, wildcards, escapes).';

CREATE FUNCTION infracast.cpe_matched_by(candidate infracast.cpe, pattern infracast.cpe) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN infracast.cpe_match(pattern, candidate);

CREATE OPERATOR infracast.@> (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe,
    FUNCTION = infracast.cpe_match, COMMUTATOR = OPERATOR(infracast.<@));
CREATE OPERATOR infracast.<@ (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe,
    FUNCTION = infracast.cpe_matched_by, COMMUTATOR = OPERATOR(infracast.@>));

CREATE FUNCTION infracast.cpe_build(part text, vendor text, product text, version text DEFAULT NULL,
                                    update text DEFAULT NULL) RETURNS infracast.cpe
    AS 'MODULE_PATHNAME', 'infracast_cpe_build' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_build(text, text, text, text, text) IS
    'A CPE from inventory words (lower-cased, blanks to "_", punctuation escaped); NULL or empty words are ANY, "-" is NA.';

CREATE FUNCTION infracast.cpe_try(text) RETURNS infracast.cpe
    AS 'MODULE_PATHNAME', 'infracast_cpe_try' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_try(text) IS 'The CPE, or NULL when the text is not a valid CPE name.';
CREATE FUNCTION infracast.cpe_try_build(part text, vendor text, product text, version text, update text)
    RETURNS infracast.cpe
    AS 'MODULE_PATHNAME', 'infracast_cpe_try_build' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Comparison (canonical bytes), so that cpe values can be grouped, joined, sorted and indexed.
CREATE FUNCTION infracast.cpe_cmp(infracast.cpe, infracast.cpe) RETURNS integer
    AS 'MODULE_PATHNAME', 'infracast_cpe_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION infracast.cpe_eq(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_ne(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_lt(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_le(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_gt(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_ge(infracast.cpe, infracast.cpe) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION infracast.cpe_hash(infracast.cpe) RETURNS integer
    AS 'MODULE_PATHNAME', 'infracast_cpe_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR infracast.= (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_eq,
    COMMUTATOR = OPERATOR(infracast.=), NEGATOR = OPERATOR(infracast.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR infracast.<> (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_ne,
    COMMUTATOR = OPERATOR(infracast.<>), NEGATOR = OPERATOR(infracast.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR infracast.< (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_lt,
    COMMUTATOR = OPERATOR(infracast.>), NEGATOR = OPERATOR(infracast.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR infracast.<= (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_le,
    COMMUTATOR = OPERATOR(infracast.>=), NEGATOR = OPERATOR(infracast.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR infracast.> (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_gt,
    COMMUTATOR = OPERATOR(infracast.<), NEGATOR = OPERATOR(infracast.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR infracast.>= (LEFTARG = infracast.cpe, RIGHTARG = infracast.cpe, FUNCTION = infracast.cpe_ge,
    COMMUTATOR = OPERATOR(infracast.<=), NEGATOR = OPERATOR(infracast.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS infracast.cpe_ops DEFAULT FOR TYPE infracast.cpe USING btree AS
    OPERATOR 1 infracast.<, OPERATOR 2 infracast.<=, OPERATOR 3 infracast.=,
    OPERATOR 4 infracast.>=, OPERATOR 5 infracast.>,
    FUNCTION 1 infracast.cpe_cmp(infracast.cpe, infracast.cpe);
CREATE OPERATOR CLASS infracast.cpe_hash_ops DEFAULT FOR TYPE infracast.cpe USING hash AS
    OPERATOR 1 infracast.=,
    FUNCTION 1 infracast.cpe_hash(infracast.cpe);

-- ---------------------------------------------------------------------------------------------
-- Versions
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.version_cmp(a text, b text, scheme text DEFAULT 'generic') RETURNS integer
    AS 'MODULE_PATHNAME', 'infracast_version_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.version_cmp(text, text, text) IS
    'Compares two versions: -1, 0 or 1. Schemes: debian (as dpkg --compare-versions), rpm (rpmvercmp with epoch and release), semver (2.0.0), generic (NVD bounds such as 14su5).';

CREATE FUNCTION infracast.version_in_range(version text, start_including text DEFAULT NULL,
                                           start_excluding text DEFAULT NULL, end_including text DEFAULT NULL,
                                           end_excluding text DEFAULT NULL) RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_version_in_range' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.version_in_range(text, text, text, text, text) IS
    'Is the version within NVD-style bounds (generic ordering)? NULL bounds are absent.';

-- ---------------------------------------------------------------------------------------------
-- NVD configurations
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.cpe_match_entry(criteria text, start_including text, start_excluding text,
                                          end_including text, end_excluding text, candidate infracast.cpe,
                                          any_part boolean DEFAULT false, any_vendor boolean DEFAULT false)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_cpe_match_entry' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.cpe_match_entry(text, text, text, text, text, infracast.cpe, boolean, boolean) IS
    'Does an inventory CPE satisfy one NVD cpeMatch entry (criteria plus version bounds)? any_part/any_vendor ignore what the inventory did not say.';

CREATE FUNCTION infracast.nvd_culprits(config_index integer[], config_operator text[], config_negate boolean[],
                                       node_index integer[], node_operator text[], node_negate boolean[],
                                       vulnerable boolean[], matched boolean[]) RETURNS boolean[]
    AS 'MODULE_PATHNAME', 'infracast_nvd_culprits' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.nvd_culprits(integer[], text[], boolean[], integer[], text[], boolean[], boolean[], boolean[]) IS
    'Evaluates one CVE''s configurations (one array element per cpeMatch, ordered by configuration, node, match): NULL when the CVE does not apply, else per entry whether it is vulnerable software to report.';

-- Wildcards in a criteria''s vendor or product are rare; this keeps their lookup off a full scan.
CREATE INDEX cve_cpe_match_wildcard_idx ON infracast.cve_cpe_match (cve_id)
    WHERE vendor ~ '[*?]' OR product ~ '[*?]';

-- ---------------------------------------------------------------------------------------------
-- Risk score
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.risk_score(cvss float8, epss float8, kev boolean DEFAULT false,
                                     ransomware boolean DEFAULT false, criticality text DEFAULT 'medium',
                                     crown_jewel boolean DEFAULT false, exposure float8 DEFAULT NULL)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'infracast_risk_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.risk_score(float8, float8, boolean, boolean, text, boolean, float8) IS
    'Risk 0-100: 100 * S^0.30 * T^0.35 * X^0.20 * C^0.15 (severity from CVSS, threat from EPSS/KEV, exposure from attack paths, node criticality). NULL = unknown. See docs/scoring.md.';

CREATE FUNCTION infracast.risk_priority(cvss float8, epss float8, kev boolean DEFAULT false,
                                        ransomware boolean DEFAULT false, criticality text DEFAULT 'medium',
                                        crown_jewel boolean DEFAULT false, exposure float8 DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_risk_priority' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.risk_priority(float8, float8, boolean, boolean, text, boolean, float8) IS
    'SSVC-style band: act, attend, track* or track (exploitation x exposure x impact). See docs/scoring.md.';

CREATE FUNCTION infracast.risk_priority_rank(priority text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE priority WHEN 'act' THEN 4 WHEN 'attend' THEN 3 WHEN 'track*' THEN 2 WHEN 'track' THEN 1 ELSE 0 END;

CREATE FUNCTION infracast.exploit_likelihood(epss float8, kev boolean DEFAULT false, ransomware boolean DEFAULT false)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'infracast_exploit_likelihood' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION infracast.exploit_likelihood(float8, boolean, boolean) IS
    'Likelihood of a can_exploit edge: 0.9 times the threat factor of the risk score (EPSS cube root, 0.95 for KEV, 1 for ransomware use).';

-- ---------------------------------------------------------------------------------------------
-- Findings (tenant table)
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.findings_id_seq;
CREATE TABLE infracast.findings (
    tenant_id         bigint  NOT NULL DEFAULT infracast.current_tenant(),
    id                bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.findings_id_seq'),
    node_id           bigint  NOT NULL,
    software_id       bigint,                 -- NULL once the software row is deleted (then: fixed)
    cve_id            text    NOT NULL CHECK (cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,}$'),
    status            text    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed', 'accepted_risk')),
    status_note       text,                   -- why a risk was accepted, by whom
    first_seen        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    fixed_at          timestamptz,
    risk              float8  CHECK (risk >= 0 AND risk <= 100),
    priority          text    CHECK (priority IN ('act', 'attend', 'track*', 'track')),
    exposure          float8  CHECK (exposure >= 0 AND exposure <= 1),   -- NULL: unknown
    exposure_hops     integer,
    crown_jewel_path  boolean,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, node_id, software_id, cve_id),
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, software_id) REFERENCES infracast.software (tenant_id, id)
        ON DELETE SET NULL (software_id)
) WITH (fillfactor = 70);   -- every run rewrites last_seen: room on the page keeps those updates HOT
ALTER SEQUENCE infracast.findings_id_seq OWNED BY infracast.findings.id;
CREATE INDEX findings_status_idx ON infracast.findings (tenant_id, status);
CREATE INDEX findings_software_idx ON infracast.findings (tenant_id, software_id);
CREATE INDEX findings_cve_idx ON infracast.findings (tenant_id, cve_id);
COMMENT ON TABLE infracast.findings IS
    'Vulnerabilities found on each node by infracast.match_vulnerabilities(): open, fixed (the software no longer matches), or accepted_risk (a user''s decision, kept across runs).';

ALTER TABLE infracast.findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.findings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.findings
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

GRANT SELECT ON infracast.findings TO infracast_reader;
GRANT INSERT, UPDATE, DELETE ON infracast.findings TO infracast_analyst;
GRANT USAGE ON SEQUENCE infracast.findings_id_seq TO infracast_analyst;

SELECT pg_catalog.pg_extension_config_dump('infracast.findings', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.findings_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- Exposure: from the attack-path engine when it is installed, else a one-hop approximation
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.match_node_exposure(node_ids bigint[])
    RETURNS TABLE (node bigint, reachable boolean, best_likelihood float8, hops integer)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := infracast.current_tenant();
BEGIN
    -- Without entry points nobody can say what is exposed: unknown (NULL), which the score treats
    -- as half-exposed and the band as exposed.
    IF NOT EXISTS (SELECT 1 FROM infracast.nodes n WHERE n.tenant_id = v_tenant AND n.entry_point) THEN
        RETURN QUERY SELECT u.id, NULL::boolean, NULL::float8, NULL::integer
                       FROM pg_catalog.unnest(node_ids) AS u(id);
        RETURN;
    END IF;
    -- The graph engine's infracast.node_exposure(bigint[]) -> (node, reachable, best_likelihood, hops)
    -- follows every path; called dynamically so that matching does not depend on it being built.
    IF pg_catalog.to_regprocedure('infracast.node_exposure(bigint[])') IS NOT NULL THEN
        RETURN QUERY EXECUTE
            'SELECT x.n::bigint, x.r::boolean, x.l::float8, x.h::integer
               FROM infracast.node_exposure($1) AS x(n, r, l, h)'
            USING node_ids;
        RETURN;
    END IF;
    -- Degraded: an entry point is exposed (1.0, 0 hops); a node one edge away from an entry point
    -- has that edge's best likelihood (1 hop); anything further counts as unreachable.
    RETURN QUERY
    SELECT u.id,
           n.entry_point OR h.l IS NOT NULL,
           CASE WHEN n.entry_point THEN 1.0::float8 ELSE coalesce(h.l, 0.0) END,
           CASE WHEN n.entry_point THEN 0 WHEN h.l IS NOT NULL THEN 1 END
      FROM pg_catalog.unnest(node_ids) AS u(id)
      JOIN infracast.nodes n ON n.tenant_id = v_tenant AND n.id = u.id
      LEFT JOIN LATERAL (
            SELECT max(e.likelihood) AS l
              FROM infracast.edges e
              JOIN infracast.nodes s ON s.tenant_id = e.tenant_id AND s.id = e.src
             WHERE e.tenant_id = v_tenant AND e.dst = u.id AND s.entry_point) h ON true;
END
$$;
COMMENT ON FUNCTION infracast.match_node_exposure(bigint[]) IS
    'Exposure of nodes to the tenant''s entry points, for the risk score: infracast.node_exposure() (the attack-path engine) when installed, else entry points and their direct neighbours only.';

-- Does the node hold, or lead in one edge to, a crown jewel? (Used for the "path to a crown jewel" reason.)
CREATE FUNCTION infracast.match_crown_jewel_path(node_ids bigint[])
    RETURNS TABLE (node bigint, crown_jewel_path boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT u.id,
           n.crown_jewel OR EXISTS (
               SELECT 1 FROM infracast.edges e
                 JOIN infracast.nodes j ON j.tenant_id = e.tenant_id AND j.id = e.dst
                WHERE e.tenant_id = n.tenant_id AND e.src = n.id AND j.crown_jewel)
      FROM pg_catalog.unnest(node_ids) AS u(id)
      JOIN infracast.nodes n ON n.tenant_id = infracast.current_tenant() AND n.id = u.id
$$;

-- ---------------------------------------------------------------------------------------------
-- Matching
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.match_vulnerabilities(
    OUT new_findings     bigint,
    OUT still_open       bigint,
    OUT fixed            bigint,
    OUT accepted_risk    bigint,
    OUT skipped_software bigint,
    OUT exploit_edges    bigint)
    RETURNS record
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    SET client_min_messages = warning     -- no "does not exist, skipping" from the temp-table cleanup
    SET jit = off                         -- many mid-sized statements: compiling costs more than it saves
AS $$
DECLARE
    v_tenant  bigint := infracast.current_tenant();
    v_reopened bigint;
BEGIN
    -- With no NVD data every finding would look fixed: refuse instead of losing them.
    IF NOT EXISTS (SELECT 1 FROM infracast.cve_cpe_match) THEN
        RAISE EXCEPTION 'no NVD configurations are loaded'
            USING ERRCODE = 'IC401',
                  DETAIL = 'infracast.cve_cpe_match is empty, so matching would mark every open finding fixed.',
                  HINT = 'Load NVD feeds first, for example SELECT * FROM infracast.load_nvd(''/path/to/nvd'').';
    END IF;
    -- One run per tenant at a time (the lifecycle updates would race).
    PERFORM pg_catalog.pg_advisory_xact_lock(1229147469, (v_tenant % 2147483647)::integer);

    DROP TABLE IF EXISTS pg_temp.ic_match_sw, pg_temp.ic_match_cpe, pg_temp.ic_match_hit,
        pg_temp.ic_match_vhit, pg_temp.ic_match_complex, pg_temp.ic_match_pairs, pg_temp.ic_match_pairhit,
        pg_temp.ic_match_eval, pg_temp.ic_match_found,
        pg_temp.ic_match_exploit, pg_temp.ic_match_edge, pg_temp.ic_match_scores;

    -- 1. Every software row as a CPE: the one given, else one built from vendor/name/version
    --    (update "-": a plain release). Built names leave part open, and vendor when none is given.
    CREATE TEMP TABLE ic_match_sw ON COMMIT DROP AS
    SELECT s.id AS software_id, s.node_id, s.cpe IS NULL OR pg_catalog.btrim(s.cpe) = '' AS built,
           CASE WHEN s.cpe IS NULL OR pg_catalog.btrim(s.cpe) = ''
                THEN infracast.cpe_try_build('a', nullif(pg_catalog.btrim(s.vendor), ''), s.name,
                                             nullif(pg_catalog.btrim(s.version), ''),
                                             CASE WHEN nullif(pg_catalog.btrim(s.version), '') IS NULL THEN NULL ELSE '-' END)
                ELSE infracast.cpe_try(pg_catalog.btrim(s.cpe)) END AS cpe
      FROM infracast.software s
     WHERE s.tenant_id = v_tenant;
    DELETE FROM pg_temp.ic_match_sw WHERE cpe IS NULL;
    GET DIAGNOSTICS skipped_software = ROW_COUNT;
    IF skipped_software > 0 THEN
        RAISE WARNING '% software rows have an invalid CPE and were not matched', skipped_software
            USING HINT = 'Find them with SELECT * FROM infracast.software WHERE cpe IS NOT NULL AND infracast.cpe_try(cpe) IS NULL.';
    END IF;
    ANALYZE pg_temp.ic_match_sw;

    -- 2. Distinct names: a fleet runs few distinct products, so match those once.
    CREATE TEMP TABLE ic_match_cpe ON COMMIT DROP AS
    SELECT d.cpe, d.built, infracast.cpe_value(d.cpe, 'vendor') AS vendor,
           infracast.cpe_value(d.cpe, 'product') AS product
      FROM (SELECT DISTINCT w.cpe, w.built FROM pg_temp.ic_match_sw w) d;
    ANALYZE pg_temp.ic_match_cpe;

    -- 3. Which cpeMatch entries each name satisfies (name match + version bounds, in C).
    CREATE TEMP TABLE ic_match_hit ON COMMIT DROP AS
    SELECT c.cpe, c.built, m.cve_id, m.config_index, m.node_index, m.match_index, m.vulnerable
      FROM pg_temp.ic_match_cpe c
      JOIN infracast.cve_cpe_match m ON m.vendor = c.vendor AND m.product = c.product
     WHERE c.vendor <> '*'
       AND infracast.cpe_match_entry(m.criteria, m.version_start_including, m.version_start_excluding,
                                     m.version_end_including, m.version_end_excluding, c.cpe, c.built, false)
    UNION ALL
    SELECT c.cpe, c.built, m.cve_id, m.config_index, m.node_index, m.match_index, m.vulnerable
      FROM pg_temp.ic_match_cpe c
      JOIN infracast.cve_cpe_match m ON m.product = c.product
     WHERE c.vendor = '*' AND c.built
       AND infracast.cpe_match_entry(m.criteria, m.version_start_including, m.version_start_excluding,
                                     m.version_end_including, m.version_end_excluding, c.cpe, true, true)
    UNION ALL
    SELECT c.cpe, c.built, m.cve_id, m.config_index, m.node_index, m.match_index, m.vulnerable
      FROM (SELECT * FROM infracast.cve_cpe_match w WHERE w.vendor ~ '[*?]' OR w.product ~ '[*?]') m
      CROSS JOIN pg_temp.ic_match_cpe c
     WHERE infracast.cpe_match_entry(m.criteria, m.version_start_including, m.version_start_excluding,
                                     m.version_end_including, m.version_end_excluding, c.cpe, c.built,
                                     c.built AND c.vendor = '*');
    ANALYZE pg_temp.ic_match_hit;

    -- 4. Back to nodes, for vulnerable entries only. Platform entries ("vulnerable": false, such as
    --    an operating system in running-on configurations) match whole fleets; they are looked up
    --    per node only where a vulnerable entry of the same CVE matched (step 5).
    CREATE TEMP TABLE ic_match_vhit ON COMMIT DROP AS
    SELECT DISTINCT w.node_id, w.software_id, h.cve_id, h.config_index, h.node_index, h.match_index
      FROM pg_temp.ic_match_sw w
      JOIN pg_temp.ic_match_hit h ON h.cpe OPERATOR(infracast.=) w.cpe AND h.built = w.built
     WHERE h.vulnerable;
    ANALYZE pg_temp.ic_match_vhit;

    -- 5. CVEs whose configurations need the full evaluation (AND or negate anywhere). In the others
    --    every configuration is an OR of ORs, so any matched vulnerable entry is a finding.
    CREATE TEMP TABLE ic_match_complex ON COMMIT DROP AS
    SELECT DISTINCT m.cve_id
      FROM infracast.cve_cpe_match m
     WHERE m.cve_id IN (SELECT DISTINCT h.cve_id FROM pg_temp.ic_match_vhit h)
       AND (m.config_operator = 'AND' OR m.node_operator = 'AND' OR m.node_negate OR m.config_negate);
    ANALYZE pg_temp.ic_match_complex;

    -- For a complex CVE and a node with one of its vulnerable entries: every entry of the CVE, and
    -- whether some software of the node satisfies it; nvd_culprits() (C) evaluates the whole.
    CREATE TEMP TABLE ic_match_pairs ON COMMIT DROP AS
    SELECT DISTINCT h.node_id, h.cve_id FROM pg_temp.ic_match_vhit h
     WHERE h.cve_id IN (SELECT x.cve_id FROM pg_temp.ic_match_complex x);
    ANALYZE pg_temp.ic_match_pairs;
    CREATE TEMP TABLE ic_match_pairhit ON COMMIT DROP AS
    SELECT DISTINCT p.node_id, h.cve_id, h.config_index, h.node_index, h.match_index
      FROM pg_temp.ic_match_pairs p
      JOIN pg_temp.ic_match_hit h ON h.cve_id = p.cve_id
      JOIN pg_temp.ic_match_sw w ON w.node_id = p.node_id AND w.cpe OPERATOR(infracast.=) h.cpe AND w.built = h.built;
    ANALYZE pg_temp.ic_match_pairhit;
    CREATE TEMP TABLE ic_match_eval ON COMMIT DROP AS
    SELECT p.node_id, p.cve_id,
           pg_catalog.array_agg(m.config_index ORDER BY m.config_index, m.node_index, m.match_index) AS ci,
           pg_catalog.array_agg(m.node_index ORDER BY m.config_index, m.node_index, m.match_index) AS ni,
           pg_catalog.array_agg(m.match_index ORDER BY m.config_index, m.node_index, m.match_index) AS mi,
           infracast.nvd_culprits(
               pg_catalog.array_agg(m.config_index ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.config_operator ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.config_negate ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.node_index ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.node_operator ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.node_negate ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(m.vulnerable ORDER BY m.config_index, m.node_index, m.match_index),
               pg_catalog.array_agg(ph.node_id IS NOT NULL ORDER BY m.config_index, m.node_index, m.match_index)
           ) AS culprit
      FROM pg_temp.ic_match_pairs p
      JOIN infracast.cve_cpe_match m ON m.cve_id = p.cve_id
      LEFT JOIN pg_temp.ic_match_pairhit ph
             ON ph.node_id = p.node_id AND ph.cve_id = m.cve_id AND ph.config_index = m.config_index
            AND ph.node_index = m.node_index AND ph.match_index = m.match_index
     GROUP BY p.node_id, p.cve_id;

    CREATE TEMP TABLE ic_match_found ON COMMIT DROP AS
    SELECT h.node_id, h.software_id, h.cve_id
      FROM pg_temp.ic_match_vhit h
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.ic_match_complex x WHERE x.cve_id = h.cve_id)
    UNION
    SELECT h.node_id, h.software_id, e.cve_id
      FROM pg_temp.ic_match_eval e
      CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(e.ci), pg_catalog.unnest(e.ni), pg_catalog.unnest(e.mi),
                                    pg_catalog.unnest(e.culprit)) AS u(config_index, node_index, match_index, culprit)
      JOIN pg_temp.ic_match_vhit h
        ON h.node_id = e.node_id AND h.cve_id = e.cve_id AND h.config_index = u.config_index
       AND h.node_index = u.node_index AND h.match_index = u.match_index
     WHERE u.culprit;
    CREATE INDEX ON pg_temp.ic_match_found (node_id, software_id, cve_id);
    ANALYZE pg_temp.ic_match_found;

    -- 6. Lifecycle. Count before changing: still open, accepted (kept as the user decided), reopened.
    SELECT count(*) FILTER (WHERE f.status = 'open'),
           count(*) FILTER (WHERE f.status = 'accepted_risk'),
           count(*) FILTER (WHERE f.status = 'fixed')
      INTO still_open, accepted_risk, v_reopened
      FROM infracast.findings f
      JOIN pg_temp.ic_match_found x ON x.node_id = f.node_id AND x.software_id = f.software_id AND x.cve_id = f.cve_id
     WHERE f.tenant_id = v_tenant;

    UPDATE infracast.findings f
       SET last_seen = pg_catalog.now(),
           status = CASE WHEN f.status = 'fixed' THEN 'open' ELSE f.status END,
           fixed_at = CASE WHEN f.status = 'fixed' THEN NULL ELSE f.fixed_at END
      FROM pg_temp.ic_match_found x
     WHERE f.tenant_id = v_tenant
       AND x.node_id = f.node_id AND x.software_id = f.software_id AND x.cve_id = f.cve_id;

    INSERT INTO infracast.findings (tenant_id, node_id, software_id, cve_id, status)
    SELECT v_tenant, x.node_id, x.software_id, x.cve_id, 'open'
      FROM pg_temp.ic_match_found x
     WHERE NOT EXISTS (SELECT 1 FROM infracast.findings f
                        WHERE f.tenant_id = v_tenant AND f.node_id = x.node_id
                          AND f.software_id = x.software_id AND f.cve_id = x.cve_id);
    GET DIAGNOSTICS new_findings = ROW_COUNT;
    new_findings := new_findings + v_reopened;

    -- Whatever no longer matches (software upgraded, removed, or gone from NVD) is fixed.
    UPDATE infracast.findings f
       SET status = 'fixed', fixed_at = pg_catalog.now()
     WHERE f.tenant_id = v_tenant AND f.status IN ('open', 'accepted_risk')
       AND NOT EXISTS (SELECT 1 FROM pg_temp.ic_match_found x
                        WHERE x.node_id = f.node_id AND x.software_id = f.software_id AND x.cve_id = f.cve_id);
    GET DIAGNOSTICS fixed = ROW_COUNT;

    -- 7. can_exploit edges: every node with a network-exploitable open finding, from every node that
    --    reaches it; likelihood from EPSS and KEV (the most exploitable of its findings).
    CREATE TEMP TABLE ic_match_exploit ON COMMIT DROP AS
    SELECT g.node_id, max(g.l) AS likelihood,
           (pg_catalog.array_agg(g.cve_id ORDER BY g.l DESC, g.cve_id))[1:5] AS cves,
           count(*) AS n
      FROM (SELECT DISTINCT x.node_id, x.cve_id,
                   infracast.exploit_likelihood(ep.epss, k.cve_id IS NOT NULL,
                                                k.known_ransomware_campaign_use = 'Known') AS l
              FROM pg_temp.ic_match_found x       -- after the lifecycle: exactly the open and accepted findings
              JOIN infracast.cve c ON c.id = x.cve_id
              LEFT JOIN infracast.epss ep ON ep.cve = x.cve_id
              LEFT JOIN infracast.kev k ON k.cve_id = x.cve_id
             WHERE coalesce(c.cvss_v40_vector, c.cvss_v31_vector, c.cvss_v30_vector, c.cvss_v2_vector)
                   ~ '(^|/)AV:N(/|$)') g
     GROUP BY g.node_id;

    CREATE TEMP TABLE ic_match_edge ON COMMIT DROP AS
    SELECT DISTINCT r.src, x.node_id AS dst, x.likelihood,
           pg_catalog.jsonb_build_object('cves', pg_catalog.to_jsonb(x.cves), 'findings', x.n) AS attrs
      FROM pg_temp.ic_match_exploit x
      JOIN infracast.edges r ON r.tenant_id = v_tenant AND r.dst = x.node_id AND r.kind = 'reach'
                            AND r.src <> x.node_id;

    INSERT INTO infracast.edges AS e (tenant_id, src, dst, kind, likelihood, attrs, source)
    SELECT v_tenant, d.src, d.dst, 'can_exploit', d.likelihood, d.attrs, 'infracast.match'
      FROM pg_temp.ic_match_edge d
    ON CONFLICT (tenant_id, src, dst, kind, port, protocol) DO UPDATE
       SET likelihood = EXCLUDED.likelihood, attrs = EXCLUDED.attrs, last_seen = pg_catalog.now()
     WHERE e.source = 'infracast.match'
       AND (e.likelihood, e.attrs) IS DISTINCT FROM (EXCLUDED.likelihood, EXCLUDED.attrs);

    DELETE FROM infracast.edges e
     WHERE e.tenant_id = v_tenant AND e.kind = 'can_exploit' AND e.source = 'infracast.match'
       AND NOT EXISTS (SELECT 1 FROM pg_temp.ic_match_edge d WHERE d.src = e.src AND d.dst = e.dst);

    SELECT count(*) INTO exploit_edges FROM infracast.edges e
     WHERE e.tenant_id = v_tenant AND e.kind = 'can_exploit' AND e.source = 'infracast.match';

    -- 8. Score every finding still present (exposure now sees the edges just written).
    CREATE TEMP TABLE ic_match_scores ON COMMIT DROP AS
    SELECT x.node_id, x.software_id, x.cve_id,
           infracast.risk_score(cv.cvss, ep.epss, k.cve_id IS NOT NULL, k.known_ransomware_campaign_use = 'Known',
                                n.criticality, n.crown_jewel, e.best_likelihood) AS risk,
           infracast.risk_priority(cv.cvss, ep.epss, k.cve_id IS NOT NULL, k.known_ransomware_campaign_use = 'Known',
                                   n.criticality, n.crown_jewel, e.best_likelihood) AS priority,
           e.best_likelihood AS exposure, e.hops AS exposure_hops, j.crown_jewel_path
      FROM pg_temp.ic_match_found x
      JOIN infracast.nodes n ON n.tenant_id = v_tenant AND n.id = x.node_id
      LEFT JOIN infracast.cve c ON c.id = x.cve_id
      LEFT JOIN LATERAL (SELECT coalesce(c.cvss_v40_score, c.cvss_v31_score, c.cvss_v30_score, c.cvss_v2_score)::float8 AS cvss) cv ON true
      LEFT JOIN infracast.epss ep ON ep.cve = x.cve_id
      LEFT JOIN infracast.kev k ON k.cve_id = x.cve_id
      LEFT JOIN infracast.match_node_exposure(ARRAY(SELECT DISTINCT f2.node_id FROM pg_temp.ic_match_found f2)) e
             ON e.node = x.node_id
      LEFT JOIN infracast.match_crown_jewel_path(ARRAY(SELECT DISTINCT f3.node_id FROM pg_temp.ic_match_found f3)) j
             ON j.node = x.node_id;

    UPDATE infracast.findings f
       SET risk = s.risk, priority = s.priority, exposure = s.exposure, exposure_hops = s.exposure_hops,
           crown_jewel_path = s.crown_jewel_path
      FROM pg_temp.ic_match_scores s
     WHERE f.tenant_id = v_tenant
       AND f.node_id = s.node_id AND f.software_id = s.software_id AND f.cve_id = s.cve_id
       AND (f.risk, f.priority, f.exposure, f.exposure_hops, f.crown_jewel_path)
           IS DISTINCT FROM (s.risk, s.priority, s.exposure, s.exposure_hops, s.crown_jewel_path);
END
$$;
COMMENT ON FUNCTION infracast.match_vulnerabilities() IS
    'Matches the current tenant''s software against the loaded NVD data, updates infracast.findings (new / still open / fixed; accepted_risk is kept), scores them and keeps can_exploit edges in step. Returns the counts.';
REVOKE EXECUTE ON FUNCTION infracast.match_vulnerabilities() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.match_vulnerabilities() TO infracast_analyst;

-- ---------------------------------------------------------------------------------------------
-- What to fix first
-- ---------------------------------------------------------------------------------------------
CREATE VIEW infracast.prioritized_findings WITH (security_invoker = true) AS
SELECT pg_catalog.row_number() OVER (ORDER BY infracast.risk_priority_rank(f.priority) DESC, f.risk DESC NULLS LAST,
                                               f.cve_id, f.node_id) AS rank,
       f.id AS finding_id, f.priority, f.risk, f.cve_id,
       f.node_id, n.external_id AS node_external_id, n.name AS node_name, n.criticality, n.crown_jewel,
       n.entry_point, f.software_id, s.name AS software, s.version AS software_version,
       coalesce(c.cvss_v40_score, c.cvss_v31_score, c.cvss_v30_score, c.cvss_v2_score) AS cvss,
       CASE WHEN c.cvss_v40_score IS NOT NULL THEN '4.0' WHEN c.cvss_v31_score IS NOT NULL THEN '3.1'
            WHEN c.cvss_v30_score IS NOT NULL THEN '3.0' WHEN c.cvss_v2_score IS NOT NULL THEN '2.0' END AS cvss_version,
       k.cve_id IS NOT NULL AS kev, coalesce(k.known_ransomware_campaign_use = 'Known', false) AS ransomware, k.due_date AS kev_due_date,
       ep.epss, ep.percentile AS epss_percentile,
       f.exposure, f.exposure_hops, coalesce(f.crown_jewel_path, false) AS path_to_crown_jewel,
       pg_catalog.concat_ws('; ',
           CASE WHEN k.cve_id IS NOT NULL THEN 'in CISA KEV since ' || k.date_added
                || CASE WHEN k.known_ransomware_campaign_use = 'Known' THEN ', used by ransomware' ELSE '' END END,
           CASE WHEN ep.epss IS NOT NULL THEN pg_catalog.format('EPSS %s (percentile %s)',
                pg_catalog.round(ep.epss::numeric, 3), pg_catalog.round(ep.percentile::numeric, 3)) END,
           CASE WHEN n.entry_point THEN 'node is an entry point'
                WHEN f.exposure > 0 THEN pg_catalog.format('reachable from an entry point in %s hop(s), likelihood %s',
                                                           f.exposure_hops, pg_catalog.round(f.exposure::numeric, 2))
                WHEN f.exposure = 0 THEN 'not reachable from an entry point'
                ELSE 'exposure unknown' END,
           CASE WHEN n.crown_jewel THEN 'node is a crown jewel'
                WHEN f.crown_jewel_path THEN 'path to a crown jewel' END,
           CASE WHEN c.id IS NOT NULL THEN pg_catalog.format('CVSS %s', coalesce(c.cvss_v40_score, c.cvss_v31_score,
                                                                                 c.cvss_v30_score, c.cvss_v2_score)) END,
           'criticality ' || n.criticality) AS reasons,
       f.first_seen, f.last_seen
  FROM infracast.findings f
  JOIN infracast.nodes n ON n.tenant_id = f.tenant_id AND n.id = f.node_id
  LEFT JOIN infracast.software s ON s.tenant_id = f.tenant_id AND s.id = f.software_id
  LEFT JOIN infracast.cve c ON c.id = f.cve_id
  LEFT JOIN infracast.epss ep ON ep.cve = f.cve_id
  LEFT JOIN infracast.kev k ON k.cve_id = f.cve_id
 WHERE f.status = 'open' AND f.tenant_id = infracast.rls_tenant();
COMMENT ON VIEW infracast.prioritized_findings IS
    'Open findings of the current tenant, ranked by priority band then risk, with the reasons spelled out (KEV, EPSS, exposure, path to a crown jewel, CVSS, criticality).';
GRANT SELECT ON infracast.prioritized_findings TO infracast_reader;
