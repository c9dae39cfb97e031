-- Infracast compliance, part 1: the OSCAL catalogue (catalogs, controls, parts, params, baseline
-- profiles and their resolution), rules as data, tenant assessments with evidence, waivers and
-- POA&M overlays, and scores. docs/compliance.md is the user's guide; it also says why this is SQL
-- over jsonb rather than C (short version: set-based SQL meets the speed targets with room to spare,
-- and the only C needed is the air-gap piece, src/compliance/compliance_shipped.c).
--
-- The catalogue is global reference data, like the feeds; assessments, evidence, waivers and POA&M
-- items belong to a tenant (tenant_id first in every key, RLS enabled and forced).

-- ---------------------------------------------------------------------------------------------
-- Catalogue (global)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.compliance_catalogs (
    name          text    PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    uuid          text,
    title         text    NOT NULL,
    version       text,
    oscal_version text,
    -- File names a profile's import may point at (the basename of an href or rlink): how a
    -- profile's relative catalog path is resolved locally, never by fetching it.
    source_names  text[]  NOT NULL DEFAULT '{}',
    doc_sha256    text    NOT NULL,                 -- of the document as given (its text)
    builtin       boolean NOT NULL DEFAULT false,   -- shipped with the extension, filled at CREATE EXTENSION
    imported_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE infracast.compliance_catalogs IS
    'OSCAL catalogs of controls. nist-800-53-rev5 (NIST SP 800-53 rev5, 5.0.1) ships with the extension.';

CREATE TABLE infracast.compliance_groups (
    catalog   text    NOT NULL REFERENCES infracast.compliance_catalogs (name) ON DELETE CASCADE,
    group_id  text    NOT NULL,
    parent_id text,                   -- groups may nest; NULL for a top-level group (a family)
    class     text,
    title     text    NOT NULL,
    ord       integer NOT NULL,
    PRIMARY KEY (catalog, group_id)
);
COMMENT ON TABLE infracast.compliance_groups IS 'Groups of a catalog (families in SP 800-53: ac, au, ...).';

CREATE TABLE infracast.compliance_controls (
    catalog    text    NOT NULL REFERENCES infracast.compliance_catalogs (name) ON DELETE CASCADE,
    control_id text    NOT NULL,      -- ac-2, ac-2.1 (an enhancement)
    parent_id  text,                  -- the control an enhancement belongs to
    family     text,                  -- the top-level group
    class      text,
    title      text    NOT NULL,
    label      text,                  -- AC-2(1)
    sort_id    text,                  -- ac-02.01
    withdrawn  boolean NOT NULL DEFAULT false,
    ord        integer NOT NULL,      -- document order
    doc        jsonb   NOT NULL,      -- the control as given, without its nested controls
    PRIMARY KEY (catalog, control_id)
);
CREATE INDEX compliance_controls_family_idx ON infracast.compliance_controls (catalog, family);
COMMENT ON TABLE infracast.compliance_controls IS
    'Controls and their enhancements (parent_id), with their withdrawn status and the OSCAL text as given.';

CREATE TABLE infracast.compliance_parts (
    catalog        text    NOT NULL,
    control_id     text    NOT NULL,
    path           text    NOT NULL,  -- position among the control's parts: '1', '1.4', '1.4.2'
    part_id        text,              -- ac-2_smt.d.1 (parts need not have an id)
    parent_part_id text,
    name           text    NOT NULL,  -- statement, item, guidance, assessment-objective, ...
    label          text,
    prose          text,
    PRIMARY KEY (catalog, control_id, path),
    FOREIGN KEY (catalog, control_id) REFERENCES infracast.compliance_controls (catalog, control_id) ON DELETE CASCADE
);
CREATE INDEX compliance_parts_id_idx ON infracast.compliance_parts (catalog, part_id);
COMMENT ON TABLE infracast.compliance_parts IS 'The parts of each control: statement and its items, guidance, objectives.';

CREATE TABLE infracast.compliance_params (
    catalog    text    NOT NULL,
    param_id   text    NOT NULL,      -- as the catalog spells it: ac-2_prm_1 (5.0.1) or ac-02_odp.01 (5.1.1)
    alt_id     text,                  -- the other form, from the alt-identifier prop when present
    control_id text    NOT NULL,
    label      text,
    doc        jsonb   NOT NULL,
    PRIMARY KEY (catalog, param_id),
    FOREIGN KEY (catalog, control_id) REFERENCES infracast.compliance_controls (catalog, control_id) ON DELETE CASCADE
);
CREATE INDEX compliance_params_alt_idx ON infracast.compliance_params (catalog, alt_id);
COMMENT ON TABLE infracast.compliance_params IS
    'Control parameters (organisation-defined values). Look one up by either id form with infracast.compliance_param(catalog, id).';

CREATE TABLE infracast.compliance_profiles (
    name          text    PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    -- deferred: re-importing a catalog deletes and inserts its row in one transaction
    catalog       text    NOT NULL REFERENCES infracast.compliance_catalogs (name) DEFERRABLE INITIALLY DEFERRED,
    uuid          text,
    title         text    NOT NULL,
    version       text,
    oscal_version text,
    merge         text    NOT NULL,   -- as-is, flat, custom or none
    document      jsonb   NOT NULL,   -- kept: a re-imported catalog re-resolves its profiles
    builtin       boolean NOT NULL DEFAULT false,
    imported_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE infracast.compliance_profiles IS
    'OSCAL profiles (baselines). nist-800-53-rev5-low, -moderate, -high and -privacy ship with the extension.';

CREATE TABLE infracast.compliance_profile_controls (
    profile    text NOT NULL REFERENCES infracast.compliance_profiles (name) ON DELETE CASCADE,
    catalog    text NOT NULL,
    control_id text NOT NULL,
    PRIMARY KEY (profile, control_id),
    FOREIGN KEY (catalog, control_id) REFERENCES infracast.compliance_controls (catalog, control_id) ON DELETE CASCADE
);
COMMENT ON TABLE infracast.compliance_profile_controls IS
    'The resolved profile: the ids of the controls each baseline selects.';

-- ---------------------------------------------------------------------------------------------
-- Import: OSCAL JSON to rows, set-based
-- ---------------------------------------------------------------------------------------------

-- A document given as text: parse errors become IC601 with the parser's words.
CREATE FUNCTION infracast.compliance_parse(p_document text, p_kind text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    detail  text;
    context text;
BEGIN
    IF p_document IS NULL OR btrim(p_document) = '' THEN
        RAISE EXCEPTION 'the OSCAL % document is empty', p_kind
            USING ERRCODE = 'IC601', HINT = 'Pass the text of an OSCAL JSON file.';
    END IF;
    RETURN p_document::jsonb;
EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value OR untranslatable_character
               OR character_not_in_repertoire THEN
    -- the parser's detail says which token and where ("Token "x" is invalid", "line 3: ...")
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, context = PG_EXCEPTION_CONTEXT;
    RAISE EXCEPTION 'the OSCAL % document is not valid JSON: %', p_kind, SQLERRM
        USING ERRCODE = 'IC601', DETAIL = concat_ws(' ', NULLIF(detail, ''), substring(context FROM '^JSON data, [^\n]*')),
              HINT = 'Check that the file is complete and is OSCAL JSON (not XML or YAML).';
END
$$;

-- The value of the first prop named p_name in a props array.
-- (No SET search_path, every name qualified: the planner inlines it into the import's queries.)
CREATE FUNCTION infracast.compliance_prop(p_props jsonb, p_name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.jsonb_path_query_first(p_props, 'strict $[*] ? (@.name == $n).value',
                                             pg_catalog.jsonb_build_object('n', p_name), true) OPERATOR(pg_catalog.#>>) '{}'
$$;

-- Loads a catalog under p_name, replacing one of that name; the profiles resolved against it are
-- resolved again. One statement's work: any error leaves the earlier catalogue as it was.
CREATE FUNCTION infracast.compliance_load_catalog(p_name text, p_doc jsonb, p_sha256 text,
                                                  p_source_names text[], p_builtin boolean)
    RETURNS infracast.compliance_catalogs
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb set functions are estimated at 100 rows each: the plans look costly enough to JIT, and compiling takes longer than running
AS $$
DECLARE
    cat     jsonb := p_doc -> 'catalog';
    missing text;
    prof    record;
    result  infracast.compliance_catalogs;
BEGIN
    IF jsonb_typeof(p_doc) IS DISTINCT FROM 'object' OR jsonb_typeof(cat) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'the document is not an OSCAL catalog'
            USING ERRCODE = 'IC601',
                  DETAIL = CASE WHEN jsonb_typeof(p_doc) = 'object'
                                THEN format('Its top-level keys are: %s.', (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(p_doc) k))
                                ELSE format('It is a JSON %s.', jsonb_typeof(p_doc)) END,
                  HINT = CASE WHEN p_doc ? 'profile' THEN 'This is a profile: import it with infracast.compliance_import_profile().'
                              ELSE 'An OSCAL catalog in JSON is an object with one key, "catalog".' END;
    END IF;
    IF jsonb_typeof(cat -> 'metadata') IS DISTINCT FROM 'object' OR jsonb_typeof(cat -> 'metadata' -> 'title') IS DISTINCT FROM 'string' THEN
        RAISE EXCEPTION 'the OSCAL catalog has no metadata title'
            USING ERRCODE = 'IC601', HINT = 'Every OSCAL catalog has metadata.title; the file is damaged or not OSCAL.';
    END IF;

    DELETE FROM infracast.compliance_catalogs c WHERE c.name = p_name;
    INSERT INTO infracast.compliance_catalogs AS c (name, uuid, title, version, oscal_version, source_names, doc_sha256, builtin)
    VALUES (p_name, cat ->> 'uuid', cat -> 'metadata' ->> 'title', cat -> 'metadata' ->> 'version',
            cat -> 'metadata' ->> 'oscal-version', COALESCE(p_source_names, '{}'), p_sha256, p_builtin)
    RETURNING c.* INTO result;

    BEGIN
        WITH RECURSIVE grp AS (
            SELECT e.value AS g, NULL::text AS parent_id, e.value ->> 'id' AS family, ARRAY[e.ord::int] AS path
              FROM jsonb_array_elements(COALESCE(cat -> 'groups', '[]')) WITH ORDINALITY e(value, ord)
            UNION ALL
            SELECT e.value, grp.g ->> 'id', grp.family, grp.path || e.ord::int
              FROM grp, jsonb_array_elements(COALESCE(grp.g -> 'groups', '[]')) WITH ORDINALITY e(value, ord)
        ), ins_groups AS (
            INSERT INTO infracast.compliance_groups (catalog, group_id, parent_id, class, title, ord)
            SELECT p_name, g ->> 'id', parent_id, g ->> 'class', COALESCE(g ->> 'title', g ->> 'id'),
                   row_number() OVER (ORDER BY path)
              FROM grp WHERE g ->> 'id' IS NOT NULL
        ), ctl AS (
            SELECT e.value AS c, grp.family, NULL::text AS parent_id, grp.path || e.ord::int AS path
              FROM grp, jsonb_array_elements(COALESCE(grp.g -> 'controls', '[]')) WITH ORDINALITY e(value, ord)
            UNION ALL
            SELECT e.value, NULL, NULL, ARRAY[0, e.ord::int]
              FROM jsonb_array_elements(COALESCE(cat -> 'controls', '[]')) WITH ORDINALITY e(value, ord)
            UNION ALL
            SELECT e.value, ctl.family, ctl.c ->> 'id', ctl.path || e.ord::int
              FROM ctl, jsonb_array_elements(COALESCE(ctl.c -> 'controls', '[]')) WITH ORDINALITY e(value, ord)
        )
        INSERT INTO infracast.compliance_controls (catalog, control_id, parent_id, family, class, title, label, sort_id, withdrawn, ord, doc)
        SELECT p_name, c ->> 'id', parent_id, family, c ->> 'class', COALESCE(c ->> 'title', c ->> 'id'),
               infracast.compliance_prop(c -> 'props', 'label'), infracast.compliance_prop(c -> 'props', 'sort-id'),
               COALESCE(infracast.compliance_prop(c -> 'props', 'status') = 'withdrawn', false),
               row_number() OVER (ORDER BY path), c - 'controls'
          FROM ctl;
    EXCEPTION WHEN not_null_violation THEN
        RAISE EXCEPTION 'malformed OSCAL catalog: a group or control has no id'
            USING ERRCODE = 'IC601', DETAIL = SQLERRM, HINT = 'Every OSCAL group and control has an "id".';
    WHEN unique_violation THEN
        RAISE EXCEPTION 'malformed OSCAL catalog: an id is used twice'
            USING ERRCODE = 'IC601', DETAIL = SQLERRM, HINT = 'Control and group ids must be unique in a catalog.';
    WHEN invalid_parameter_value OR datatype_mismatch OR invalid_text_representation THEN
        RAISE EXCEPTION 'malformed OSCAL catalog: %', SQLERRM
            USING ERRCODE = 'IC601', HINT = 'The document does not follow the OSCAL JSON schema; check its source.';
    END;
    IF NOT EXISTS (SELECT 1 FROM infracast.compliance_controls c WHERE c.catalog = p_name) THEN
        RAISE EXCEPTION 'the OSCAL catalog "%" has no controls', p_name
            USING ERRCODE = 'IC601', HINT = 'A catalog lists its controls under catalog.groups[].controls or catalog.controls.';
    END IF;

    BEGIN
        WITH RECURSIVE prt AS (
            SELECT c.control_id, e.value AS p, NULL::text AS parent_part_id, ARRAY[e.ord::int] AS path
              FROM infracast.compliance_controls c,
                   jsonb_array_elements(COALESCE(c.doc -> 'parts', '[]')) WITH ORDINALITY e(value, ord)
             WHERE c.catalog = p_name
            UNION ALL
            SELECT prt.control_id, e.value, prt.p ->> 'id', prt.path || e.ord::int
              FROM prt, jsonb_array_elements(COALESCE(prt.p -> 'parts', '[]')) WITH ORDINALITY e(value, ord)
        )
        INSERT INTO infracast.compliance_parts (catalog, control_id, path, part_id, parent_part_id, name, label, prose)
        SELECT p_name, control_id, array_to_string(path, '.'), p ->> 'id', parent_part_id, p ->> 'name',
               infracast.compliance_prop(p -> 'props', 'label'), p ->> 'prose'
          FROM prt;

        INSERT INTO infracast.compliance_params (catalog, param_id, alt_id, control_id, label, doc)
        SELECT p_name, e.value ->> 'id', infracast.compliance_prop(e.value -> 'props', 'alt-identifier'),
               c.control_id, e.value ->> 'label', e.value
          FROM infracast.compliance_controls c,
               jsonb_array_elements(COALESCE(c.doc -> 'params', '[]')) e
         WHERE c.catalog = p_name;
    EXCEPTION WHEN not_null_violation THEN
        RAISE EXCEPTION 'malformed OSCAL catalog: a part has no name or a param has no id'
            USING ERRCODE = 'IC601', DETAIL = SQLERRM, HINT = 'Every OSCAL part has a "name" and every param an "id".';
    WHEN unique_violation THEN
        RAISE EXCEPTION 'malformed OSCAL catalog: a param id is used twice'
            USING ERRCODE = 'IC601', DETAIL = SQLERRM, HINT = 'Param ids must be unique in a catalog.';
    END;

    -- The rules' mappings must still name controls and parts of the new catalog.
    SELECT string_agg(DISTINCT m.control_id || COALESCE(' part ' || m.part_id, ''), ', ') INTO missing
      FROM infracast.compliance_rule_controls m
     WHERE m.catalog = p_name
       AND (NOT EXISTS (SELECT 1 FROM infracast.compliance_controls c WHERE c.catalog = p_name AND c.control_id = m.control_id)
            OR (m.part_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM infracast.compliance_parts pt
                                 WHERE pt.catalog = p_name AND pt.control_id = m.control_id AND pt.part_id = m.part_id)));
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the new catalog "%" lacks controls or parts that rules map to', p_name
            USING ERRCODE = 'IC602', DETAIL = format('Missing: %s.', missing),
                  HINT = 'Import it under another name, or delete those rows of infracast.compliance_rule_controls first.';
    END IF;

    FOR prof IN SELECT p.name FROM infracast.compliance_profiles p WHERE p.catalog = p_name ORDER BY p.name LOOP
        PERFORM infracast.compliance_resolve_profile(prof.name);
    END LOOP;
    RETURN result;
END
$$;

-- The profile's imports, resolved to one catalog of this database (never fetched): an import's
-- href is '#uuid' of a back-matter resource whose rlinks name the catalog file, or a path; the
-- file name (basename) is looked up in compliance_catalogs.source_names. p_catalog overrides.
CREATE FUNCTION infracast.compliance_profile_catalog(p_doc jsonb, p_catalog text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    imp      jsonb;
    hrefs    text[];
    found    text;
    result   text;
BEGIN
    IF p_catalog IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM infracast.compliance_catalogs c WHERE c.name = p_catalog) THEN
            RAISE EXCEPTION 'the profile imports catalog "%", which is not loaded', p_catalog
                USING ERRCODE = 'IC603', HINT = 'Import the catalog first with infracast.compliance_import_catalog(); see SELECT name FROM infracast.compliance_catalogs.';
        END IF;
        RETURN p_catalog;
    END IF;
    FOR imp IN SELECT e FROM jsonb_array_elements(p_doc -> 'profile' -> 'imports') e LOOP
        IF imp ->> 'href' LIKE '#%' THEN
            SELECT array_agg(l ->> 'href') INTO hrefs
              FROM jsonb_array_elements(COALESCE(p_doc -> 'profile' -> 'back-matter' -> 'resources', '[]')) r,
                   jsonb_array_elements(COALESCE(r -> 'rlinks', '[]')) l
             WHERE r ->> 'uuid' = substr(imp ->> 'href', 2);
            IF hrefs IS NULL THEN
                RAISE EXCEPTION 'the profile imports "%", which its back-matter does not describe', imp ->> 'href'
                    USING ERRCODE = 'IC603', HINT = 'A "#uuid" import needs a back-matter resource with that uuid and rlinks to the catalog.';
            END IF;
        ELSE
            hrefs := ARRAY[imp ->> 'href'];
        END IF;
        SELECT c.name INTO found
          FROM infracast.compliance_catalogs c
         WHERE c.source_names && (SELECT array_agg(regexp_replace(h, '^.*/', '')) FROM unnest(hrefs) h)
            OR c.name = ANY (hrefs)
         ORDER BY c.builtin, c.imported_at DESC LIMIT 1;
        IF found IS NULL THEN
            RAISE EXCEPTION 'the profile imports a catalog that is not loaded'
                USING ERRCODE = 'IC603', DETAIL = format('It points at: %s.', array_to_string(hrefs, ', ')),
                      HINT = 'Import that catalog first (give its file name in source_names), or name it with the catalog argument.';
        END IF;
        IF result IS NOT NULL AND result <> found THEN
            RAISE EXCEPTION 'the profile imports two catalogs ("%" and "%")', result, found
                USING ERRCODE = 'IC604', HINT = 'Profiles over several catalogs are not supported; split the profile.';
        END IF;
        result := found;
    END LOOP;
    RETURN result;
END
$$;

-- The ids a list of OSCAL selectors names: their with-ids, and the descendants of those whose
-- with-child-controls is yes.
CREATE FUNCTION infracast.compliance_selected_ids(p_catalog text, p_selectors jsonb) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids     text[] := ARRAY(SELECT jsonb_array_elements_text(COALESCE(s -> 'with-ids', '[]')) FROM jsonb_array_elements(p_selectors) s);
    parents text[] := ARRAY(SELECT jsonb_array_elements_text(COALESCE(s -> 'with-ids', '[]')) FROM jsonb_array_elements(p_selectors) s
                             WHERE s ->> 'with-child-controls' = 'yes');
BEGIN
    IF cardinality(parents) > 0 THEN
        ids := ids || ARRAY(WITH RECURSIVE d AS (
                                SELECT c.control_id FROM infracast.compliance_controls c
                                 WHERE c.catalog = p_catalog AND c.parent_id = ANY (parents)
                                UNION
                                SELECT c.control_id FROM d JOIN infracast.compliance_controls c
                                    ON c.catalog = p_catalog AND c.parent_id = d.control_id)
                            SELECT control_id FROM d);
    END IF;
    RETURN ids;
END
$$;

-- Resolves a stored profile: its imports' selections, as control ids of its catalog. Supports
-- include-all, include-controls/exclude-controls with-ids (and with-child-controls); merge as-is,
-- flat or none keep the same id set. Fills compliance_profile_controls.
CREATE FUNCTION infracast.compliance_resolve_profile(p_profile text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb set functions are estimated at 100 rows each: the plans look costly enough to JIT, and compiling takes longer than running
AS $$
DECLARE
    prof     infracast.compliance_profiles;
    imports  jsonb;
    imp      jsonb;
    included text[];
    excluded text[];
    selected text[] := '{}';
    unknown  text;
    n        bigint;
BEGIN
    SELECT * INTO prof FROM infracast.compliance_profiles p WHERE p.name = p_profile;
    imports := prof.document -> 'profile' -> 'imports';
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(imports) i,
                             jsonb_array_elements(COALESCE(i -> 'include-controls', '[]')
                                                  || COALESCE(i -> 'exclude-controls', '[]')) s
                WHERE s ? 'matching') THEN
        RAISE EXCEPTION 'profile "%": "matching" selectors are not supported', p_profile
            USING ERRCODE = 'IC604', HINT = 'List the controls with "with-ids".';
    END IF;
    SELECT string_agg(DISTINCT i, ', ') INTO unknown
      FROM unnest(ARRAY(SELECT jsonb_array_elements_text(COALESCE(s -> 'with-ids', '[]'))
                          FROM jsonb_array_elements(imports) x,
                               jsonb_array_elements(COALESCE(x -> 'include-controls', '[]')
                                                    || COALESCE(x -> 'exclude-controls', '[]')) s)) i
     WHERE NOT EXISTS (SELECT 1 FROM infracast.compliance_controls c WHERE c.catalog = prof.catalog AND c.control_id = i);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'profile "%" selects controls that catalog "%" does not have', p_profile, prof.catalog
            USING ERRCODE = 'IC602', DETAIL = format('Unknown ids: %s.', left(unknown, 400)),
                  HINT = 'Check the ids (lower case, enhancements as ac-2.1), or import the profile against the catalog it was written for.';
    END IF;

    DELETE FROM infracast.compliance_profile_controls pc WHERE pc.profile = p_profile;
    -- Each import selects on its own (include-all or with-ids, with descendants when
    -- with-child-controls is yes, minus its exclusions); the profile is the union of its imports.
    -- Arrays rather than one query over jsonb sets: the planner guesses 100 rows per jsonb set
    -- function, nested guesses reach millions, and with a large work_mem the hash tables sized for
    -- them cost a second; an array variable is planned with its real length.
    FOR imp IN SELECT e FROM jsonb_array_elements(imports) e LOOP
        IF imp ? 'include-all' THEN
            included := ARRAY(SELECT c.control_id FROM infracast.compliance_controls c WHERE c.catalog = prof.catalog);
        ELSE
            included := infracast.compliance_selected_ids(prof.catalog, COALESCE(imp -> 'include-controls', '[]'));
        END IF;
        excluded := infracast.compliance_selected_ids(prof.catalog, COALESCE(imp -> 'exclude-controls', '[]'));
        selected := selected || ARRAY(SELECT unnest(included) EXCEPT SELECT unnest(excluded));
    END LOOP;
    INSERT INTO infracast.compliance_profile_controls (profile, catalog, control_id)
    SELECT DISTINCT p_profile, prof.catalog, id FROM unnest(selected) id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Loads a profile under p_name (replacing one of that name) and resolves it.
CREATE FUNCTION infracast.compliance_load_profile(p_name text, p_doc jsonb, p_catalog text, p_builtin boolean)
    RETURNS infracast.compliance_profiles
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb set functions are estimated at 100 rows each: the plans look costly enough to JIT, and compiling takes longer than running
AS $$
DECLARE
    prof    jsonb := p_doc -> 'profile';
    merge   text;
    result  infracast.compliance_profiles;
BEGIN
    IF jsonb_typeof(p_doc) IS DISTINCT FROM 'object' OR jsonb_typeof(prof) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'the document is not an OSCAL profile'
            USING ERRCODE = 'IC601',
                  DETAIL = CASE WHEN jsonb_typeof(p_doc) = 'object'
                                THEN format('Its top-level keys are: %s.', (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(p_doc) k))
                                ELSE format('It is a JSON %s.', jsonb_typeof(p_doc)) END,
                  HINT = CASE WHEN p_doc ? 'catalog' THEN 'This is a catalog: import it with infracast.compliance_import_catalog().'
                              ELSE 'An OSCAL profile in JSON is an object with one key, "profile".' END;
    END IF;
    IF jsonb_typeof(prof -> 'imports') IS DISTINCT FROM 'array' OR jsonb_array_length(prof -> 'imports') = 0 THEN
        RAISE EXCEPTION 'the OSCAL profile imports nothing'
            USING ERRCODE = 'IC601', HINT = 'A profile has at least one entry in profile.imports, each with an href.';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(prof -> 'imports') i WHERE jsonb_typeof(i -> 'href') IS DISTINCT FROM 'string') THEN
        RAISE EXCEPTION 'an import of the OSCAL profile has no href'
            USING ERRCODE = 'IC601', HINT = 'Each entry of profile.imports names what it imports with "href".';
    END IF;
    merge := CASE WHEN prof -> 'merge' IS NULL THEN 'none'
                  WHEN prof -> 'merge' ? 'as-is' THEN 'as-is'
                  WHEN prof -> 'merge' ? 'flat' THEN 'flat'
                  WHEN prof -> 'merge' ? 'custom' THEN 'custom'
                  ELSE 'none' END;

    DELETE FROM infracast.compliance_profiles p WHERE p.name = p_name;
    BEGIN
        INSERT INTO infracast.compliance_profiles AS p (name, catalog, uuid, title, version, oscal_version, merge, document, builtin)
        VALUES (p_name, infracast.compliance_profile_catalog(p_doc, p_catalog), prof ->> 'uuid',
                COALESCE(prof -> 'metadata' ->> 'title', p_name), prof -> 'metadata' ->> 'version',
                prof -> 'metadata' ->> 'oscal-version', merge, p_doc, p_builtin)
        RETURNING p.* INTO result;
        PERFORM infracast.compliance_resolve_profile(p_name);
    EXCEPTION WHEN invalid_parameter_value OR datatype_mismatch THEN
        -- jsonb_array_elements over an object or a scalar: the profile breaks the OSCAL schema
        RAISE EXCEPTION 'malformed OSCAL profile: %', SQLERRM
            USING ERRCODE = 'IC601', HINT = 'The document does not follow the OSCAL JSON schema (imports, include-controls, with-ids and back-matter are arrays).';
    END;
    RETURN result;
END
$$;

-- The names the shipped documents keep: a user's import may not replace them (pg_dump leaves
-- builtin rows out, and CREATE EXTENSION fills them again).
CREATE FUNCTION infracast.compliance_check_name(p_name text, p_kind text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_name IS NULL OR p_name !~ '^[a-z0-9][a-z0-9._-]{0,62}$' THEN
        RAISE EXCEPTION 'invalid % name "%"', p_kind, p_name
            USING ERRCODE = '22023', HINT = 'Use lower-case letters, digits, ".", "_" and "-" (at most 63).';
    END IF;
    IF p_name LIKE 'nist-800-53-rev5%' THEN
        RAISE EXCEPTION 'the % name "%" is reserved for the documents shipped with infracast', p_kind, p_name
            USING ERRCODE = '42710', HINT = 'Import under another name, such as "my-800-53".';
    END IF;
END
$$;

CREATE FUNCTION infracast.compliance_import_catalog(name text, document text, source_names text[] DEFAULT '{}')
    RETURNS infracast.compliance_catalogs
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM infracast.require_operator('import a compliance catalog');
    PERFORM infracast.require_feature('compliance');
    PERFORM infracast.compliance_check_name(name, 'catalog');
    RETURN infracast.compliance_load_catalog(name, infracast.compliance_parse(document, 'catalog'),
                                             encode(sha256(convert_to(document, 'UTF8')), 'hex'), source_names, false);
END
$$;
COMMENT ON FUNCTION infracast.compliance_import_catalog(text, text, text[]) IS
    'Imports an OSCAL JSON catalog under a name (replacing one of that name, and re-resolving its profiles); source_names are the file names profiles may import it by. infracast_operator only; needs the compliance licence feature.';

CREATE FUNCTION infracast.compliance_import_profile(name text, document text, catalog text DEFAULT NULL)
    RETURNS infracast.compliance_profiles
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM infracast.require_operator('import a compliance profile');
    PERFORM infracast.require_feature('compliance');
    PERFORM infracast.compliance_check_name(name, 'profile');
    RETURN infracast.compliance_load_profile(name, infracast.compliance_parse(document, 'profile'), catalog, false);
END
$$;
COMMENT ON FUNCTION infracast.compliance_import_profile(text, text, text) IS
    'Imports an OSCAL JSON profile (baseline) and resolves it against a loaded catalog: the one its import points at by file name, or the catalog argument. infracast_operator only; needs the compliance licence feature.';

-- A param by either id form (ac-2_prm_1 or ac-02_odp.01).
CREATE FUNCTION infracast.compliance_param(p_catalog text, p_id text) RETURNS infracast.compliance_params
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT * FROM infracast.compliance_params p
     WHERE p.catalog = p_catalog AND (p.param_id = p_id OR p.alt_id = p_id)
     ORDER BY p.param_id = p_id DESC LIMIT 1
$$;

-- The shipped documents (C: src/compliance/compliance_shipped.c).
CREATE FUNCTION infracast.compliance_shipped_document(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'infracast_compliance_shipped_document'
    LANGUAGE C STRICT IMMUTABLE;
COMMENT ON FUNCTION infracast.compliance_shipped_document(text) IS
    'The JSON of an OSCAL document built into the extension: nist-800-53-rev5 (catalog 5.0.1) and nist-800-53-rev5-low/-moderate/-high/-privacy (profiles 5.1.1).';

-- ---------------------------------------------------------------------------------------------
-- Rules (checks) as data, and their mapping to control statement parts (global)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.compliance_rules (
    id        text    PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,62}$'),
    title     text    NOT NULL,
    decides   text    NOT NULL,           -- in words: the fact that decides pass or fail
    -- A query returning (subject text, result text, detail jsonb): one row per thing judged, result
    -- one of the states below. It runs as the assessing user, under row-level security, with the
    -- tenant set; it should still filter tenant tables on infracast.current_tenant() (a superuser
    -- bypasses RLS).
    check_sql text    NOT NULL,
    -- Relations the query needs; when one is missing the rule is not_checked and says which.
    requires  text[]  NOT NULL DEFAULT '{}',
    method    text    NOT NULL DEFAULT 'TEST' CHECK (method IN ('TEST', 'EXAMINE', 'INTERVIEW')),
    enabled   boolean NOT NULL DEFAULT true,
    builtin   boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE infracast.compliance_rules IS
    'Checks that decide pass or fail from Infracast''s data: a query per rule. Only the extension owner may add or change rules (their SQL runs in every assessment).';

CREATE TABLE infracast.compliance_rule_controls (
    rule_id    text NOT NULL REFERENCES infracast.compliance_rules (id) ON DELETE CASCADE ON UPDATE CASCADE,
    catalog    text NOT NULL,
    control_id text NOT NULL,
    part_id    text,                      -- the statement part the rule checks (ac-6_smt, ra-5_smt.d); NULL: the whole control
    source     text NOT NULL CHECK (source <> ''),   -- where the mapping comes from
    builtin    boolean NOT NULL DEFAULT false,
    UNIQUE NULLS NOT DISTINCT (rule_id, catalog, control_id, part_id)
);
CREATE INDEX compliance_rule_controls_ctl_idx ON infracast.compliance_rule_controls (catalog, control_id);
COMMENT ON TABLE infracast.compliance_rule_controls IS
    'Many-to-many: which rules decide which control statement parts, and on whose authority (source).';

-- A mapping names a control and part of a loaded catalog, or is refused with the ids at fault.
CREATE FUNCTION infracast.compliance_rule_controls_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM infracast.compliance_rules r WHERE r.id = NEW.rule_id) THEN
        RAISE EXCEPTION 'there is no rule "%"', NEW.rule_id
            USING ERRCODE = 'IC606', HINT = 'Add the rule to infracast.compliance_rules first; see SELECT id FROM infracast.compliance_rules.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM infracast.compliance_controls c WHERE c.catalog = NEW.catalog AND c.control_id = NEW.control_id) THEN
        RAISE EXCEPTION 'rule "%" maps to control "%", which catalog "%" does not have', NEW.rule_id, NEW.control_id, NEW.catalog
            USING ERRCODE = 'IC602',
                  HINT = 'Control ids are lower case, enhancements written ac-2.1; see SELECT control_id FROM infracast.compliance_controls WHERE catalog = ''' || NEW.catalog || '''.';
    END IF;
    IF NEW.part_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM infracast.compliance_parts p
                                                WHERE p.catalog = NEW.catalog AND p.control_id = NEW.control_id AND p.part_id = NEW.part_id) THEN
        RAISE EXCEPTION 'rule "%" maps to part "%", which control "%" does not have', NEW.rule_id, NEW.part_id, NEW.control_id
            USING ERRCODE = 'IC602',
                  HINT = 'See SELECT part_id FROM infracast.compliance_parts WHERE control_id = ''' || NEW.control_id || ''' (statement items are like ra-5_smt.d).';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER compliance_rule_controls_check BEFORE INSERT OR UPDATE ON infracast.compliance_rule_controls
    FOR EACH ROW EXECUTE FUNCTION infracast.compliance_rule_controls_check();

-- ---------------------------------------------------------------------------------------------
-- Assessments, results and evidence (tenant-owned)
-- ---------------------------------------------------------------------------------------------
-- The result states are XCCDF's (pass, fail, error, unknown, notapplicable, notchecked,
-- notselected, informational, fixed), spelled with underscores.
CREATE FUNCTION infracast.compliance_state_rank(p_state text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    -- the worst state of several decides a control: a failure outweighs everything
    SELECT CASE p_state WHEN 'fail' THEN 1 WHEN 'error' THEN 2 WHEN 'unknown' THEN 3 WHEN 'not_checked' THEN 4
                        WHEN 'pass' THEN 5 WHEN 'fixed' THEN 5 WHEN 'informational' THEN 6 WHEN 'not_applicable' THEN 7
                        WHEN 'not_selected' THEN 8 END
$$;

CREATE SEQUENCE infracast.compliance_assessments_id_seq;
CREATE TABLE infracast.compliance_assessments (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant()
                 REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.compliance_assessments_id_seq'),
    profile      text    NOT NULL,        -- no FK: an assessment outlives a re-imported profile
    catalog      text    NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at  timestamptz,
    assessed_by  name    NOT NULL DEFAULT current_user,
    counts       jsonb   NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE infracast.compliance_assessments_id_seq OWNED BY infracast.compliance_assessments.id;
COMMENT ON TABLE infracast.compliance_assessments IS 'One run of the rules against a baseline for a tenant.';

CREATE SEQUENCE infracast.compliance_evidence_id_seq;
CREATE TABLE infracast.compliance_evidence (
    tenant_id     bigint  NOT NULL DEFAULT infracast.current_tenant(),
    id            bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.compliance_evidence_id_seq'),
    assessment_id bigint  NOT NULL,
    rule_id       text    NOT NULL,
    subject       text    NOT NULL,       -- what was judged: a node, a finding, a feed, a user, the tenant
    observed_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    method        text    NOT NULL,       -- OSCAL observation method: TEST, EXAMINE, INTERVIEW
    result        text    NOT NULL CHECK (result IN ('pass', 'fail', 'error', 'unknown', 'not_applicable',
                                                     'not_checked', 'informational')),
    detail        jsonb   NOT NULL DEFAULT '{}',
    raw_output    text    NOT NULL,       -- the rule's row as it came out, as JSON text
    raw_sha256    text    NOT NULL,       -- sha256 of raw_output (UTF-8), lower-case hex
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, assessment_id) REFERENCES infracast.compliance_assessments (tenant_id, id) ON DELETE CASCADE
);
ALTER SEQUENCE infracast.compliance_evidence_id_seq OWNED BY infracast.compliance_evidence.id;
CREATE INDEX compliance_evidence_rule_idx ON infracast.compliance_evidence (tenant_id, assessment_id, rule_id);
COMMENT ON TABLE infracast.compliance_evidence IS
    'What each rule observed, per subject: result, detail and the raw output with its sha256.';

CREATE TABLE infracast.compliance_results (
    tenant_id     bigint  NOT NULL DEFAULT infracast.current_tenant(),
    assessment_id bigint  NOT NULL,
    control_id    text    NOT NULL,
    state         text    NOT NULL CHECK (state IN ('pass', 'fail', 'error', 'unknown', 'not_applicable', 'not_checked',
                                                    'not_selected', 'informational', 'fixed')),
    waived        boolean NOT NULL DEFAULT false,   -- overlay: an approved, unexpired waiver covers it
    poam_open     boolean NOT NULL DEFAULT false,   -- overlay: an open POA&M item tracks it
    rules         text[]  NOT NULL DEFAULT '{}',    -- the rules that decided it
    reason        text,
    PRIMARY KEY (tenant_id, assessment_id, control_id),
    FOREIGN KEY (tenant_id, assessment_id) REFERENCES infracast.compliance_assessments (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE infracast.compliance_results IS
    'Per control of the baseline (and per mapped control outside it, as not_selected): the state, the waived/poam_open overlays and the deciding rules.';

CREATE SEQUENCE infracast.compliance_waivers_id_seq;
CREATE TABLE infracast.compliance_waivers (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant()
                 REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.compliance_waivers_id_seq'),
    catalog      text    NOT NULL DEFAULT 'nist-800-53-rev5',
    control_id   text    NOT NULL,
    reason       text    NOT NULL CHECK (reason <> ''),
    approved_by  text    NOT NULL CHECK (approved_by <> ''),
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE infracast.compliance_waivers_id_seq OWNED BY infracast.compliance_waivers.id;
COMMENT ON TABLE infracast.compliance_waivers IS 'Accepted deviations from a control, with who approved them and until when.';

CREATE SEQUENCE infracast.compliance_poam_items_id_seq;
CREATE TABLE infracast.compliance_poam_items (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant()
                 REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.compliance_poam_items_id_seq'),
    catalog      text    NOT NULL DEFAULT 'nist-800-53-rev5',
    control_id   text    NOT NULL,
    title        text    NOT NULL CHECK (title <> ''),
    status       text    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    due_date     date,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE infracast.compliance_poam_items_id_seq OWNED BY infracast.compliance_poam_items.id;
COMMENT ON TABLE infracast.compliance_poam_items IS 'Plan of action and milestones: the work planned to fix a control.';

-- Waivers and POA&M items name a control of a loaded catalog.
CREATE FUNCTION infracast.compliance_overlay_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.control_id := lower(NEW.control_id);
    IF NOT EXISTS (SELECT 1 FROM infracast.compliance_controls c WHERE c.catalog = NEW.catalog AND c.control_id = NEW.control_id) THEN
        RAISE EXCEPTION 'control "%" is not in catalog "%"', NEW.control_id, NEW.catalog
            USING ERRCODE = 'IC602', HINT = 'Control ids are lower case, enhancements written ac-2.1.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER compliance_waivers_check BEFORE INSERT OR UPDATE ON infracast.compliance_waivers
    FOR EACH ROW EXECUTE FUNCTION infracast.compliance_overlay_check();
CREATE TRIGGER compliance_poam_items_check BEFORE INSERT OR UPDATE ON infracast.compliance_poam_items
    FOR EACH ROW EXECUTE FUNCTION infracast.compliance_overlay_check();

DO $rls$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['compliance_assessments', 'compliance_evidence', 'compliance_results',
                             'compliance_waivers', 'compliance_poam_items'] LOOP
        EXECUTE format('ALTER TABLE infracast.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE infracast.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON infracast.%I USING (tenant_id = infracast.rls_tenant()) '
                       'WITH CHECK (tenant_id = infracast.rls_tenant())', t);
    END LOOP;
END
$rls$;

-- ---------------------------------------------------------------------------------------------
-- Assessment
-- ---------------------------------------------------------------------------------------------
-- 'moderate' is short for the shipped 'nist-800-53-rev5-moderate'.
CREATE FUNCTION infracast.compliance_profile_name(p_profile text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found text;
BEGIN
    SELECT p.name INTO found FROM infracast.compliance_profiles p
     WHERE p.name IN (p_profile, 'nist-800-53-rev5-' || lower(p_profile))
     ORDER BY p.name = p_profile DESC LIMIT 1;
    IF found IS NULL THEN
        RAISE EXCEPTION 'no compliance profile named "%"', p_profile
            USING ERRCODE = 'IC605', HINT = 'See SELECT name FROM infracast.compliance_profiles (low, moderate, high and privacy ship with infracast).';
    END IF;
    RETURN found;
END
$$;

-- Runs one rule for the current tenant and records its evidence; returns the rule's outcome.
CREATE FUNCTION infracast.compliance_run_rule(p_assessment bigint, p_rule infracast.compliance_rules) RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb set functions are estimated at 100 rows each: the plans look costly enough to JIT, and compiling takes longer than running
AS $$
DECLARE
    absent  text;
    n       bigint;
    outcome text;
    raw     text;
BEGIN
    SELECT string_agg(r, ', ') INTO absent FROM unnest(p_rule.requires) r WHERE to_regclass(r) IS NULL;
    IF absent IS NOT NULL THEN
        raw := jsonb_build_object('subject', 'tenant', 'result', 'not_checked',
                                  'detail', jsonb_build_object('reason', format('needs %s, which does not exist in this database', absent)))::text;
        INSERT INTO infracast.compliance_evidence (assessment_id, rule_id, subject, method, result, detail, raw_output, raw_sha256)
        VALUES (p_assessment, p_rule.id, 'tenant', p_rule.method, 'not_checked', (raw::jsonb) -> 'detail', raw,
                encode(sha256(convert_to(raw, 'UTF8')), 'hex'));
        RETURN 'not_checked';
    END IF;
    BEGIN
        EXECUTE format($q$
            INSERT INTO infracast.compliance_evidence (assessment_id, rule_id, subject, method, result, detail, raw_output, raw_sha256)
            SELECT $1, $2, r.subject, $3, r.result, COALESCE(r.detail, '{}'), x.raw, encode(sha256(convert_to(x.raw, 'UTF8')), 'hex')
              FROM (%s) AS r(subject, result, detail),
                   LATERAL (SELECT jsonb_build_object('subject', r.subject, 'result', r.result, 'detail', r.detail)::text AS raw) x $q$,
            p_rule.check_sql)
        USING p_assessment, p_rule.id, p_rule.method;
        GET DIAGNOSTICS n = ROW_COUNT;
    EXCEPTION WHEN query_canceled THEN
        RAISE;
    WHEN OTHERS THEN
        raw := jsonb_build_object('subject', 'tenant', 'result', 'error',
                                  'detail', jsonb_build_object('sqlstate', SQLSTATE, 'message', SQLERRM))::text;
        INSERT INTO infracast.compliance_evidence (assessment_id, rule_id, subject, method, result, detail, raw_output, raw_sha256)
        VALUES (p_assessment, p_rule.id, 'tenant', p_rule.method, 'error', (raw::jsonb) -> 'detail', raw,
                encode(sha256(convert_to(raw, 'UTF8')), 'hex'));
        RETURN 'error';
    END;
    IF n = 0 THEN
        raw := jsonb_build_object('subject', 'tenant', 'result', 'unknown',
                                  'detail', jsonb_build_object('reason', 'the rule''s query returned no rows'))::text;
        INSERT INTO infracast.compliance_evidence (assessment_id, rule_id, subject, method, result, detail, raw_output, raw_sha256)
        VALUES (p_assessment, p_rule.id, 'tenant', p_rule.method, 'unknown', (raw::jsonb) -> 'detail', raw,
                encode(sha256(convert_to(raw, 'UTF8')), 'hex'));
        RETURN 'unknown';
    END IF;
    SELECT e.result INTO outcome FROM infracast.compliance_evidence e
     WHERE e.tenant_id = infracast.current_tenant() AND e.assessment_id = p_assessment AND e.rule_id = p_rule.id
     ORDER BY infracast.compliance_state_rank(e.result) LIMIT 1;
    RETURN outcome;
END
$$;

-- Assesses the current tenant against a baseline: runs every enabled rule mapped to a control of
-- it, then judges every control of the baseline. Returns the assessment's id.
--
-- Analysts may not write assessments, results or evidence themselves (forged results would flow
-- into the OSCAL documents and the report): this writer runs as infracast_internal, which may,
-- within the current tenant (row-level security applies to it), and records the caller that
-- compliance_assess() passes as the assessor.
CREATE FUNCTION infracast._compliance_assess(profile text, caller name) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb set functions are estimated at 100 rows each: the plans look costly enough to JIT, and compiling takes longer than running
AS $$
DECLARE
    v_tenant   bigint;
    v_profile  infracast.compliance_profiles;
    v_id       bigint;
    v_previous bigint;
    r          infracast.compliance_rules;
BEGIN
    PERFORM infracast.require_feature('compliance');
    SELECT * INTO v_profile FROM infracast.compliance_profiles p WHERE p.name = infracast.compliance_profile_name(profile);
    v_tenant := infracast.current_tenant();
    SELECT a.id INTO v_previous FROM infracast.compliance_assessments a
     WHERE a.tenant_id = v_tenant AND a.profile = v_profile.name AND a.finished_at IS NOT NULL
     ORDER BY a.id DESC LIMIT 1;
    INSERT INTO infracast.compliance_assessments (tenant_id, profile, catalog, assessed_by)
    VALUES (v_tenant, v_profile.name, v_profile.catalog, infracast.check_caller(caller)) RETURNING id INTO v_id;

    FOR r IN SELECT ru.* FROM infracast.compliance_rules ru
              WHERE ru.enabled
                AND EXISTS (SELECT 1 FROM infracast.compliance_rule_controls m
                              JOIN infracast.compliance_profile_controls pc
                                ON pc.profile = v_profile.name AND pc.catalog = m.catalog AND pc.control_id = m.control_id
                             WHERE m.rule_id = ru.id)
              ORDER BY ru.id LOOP
        PERFORM infracast.compliance_run_rule(v_id, r);
    END LOOP;

    INSERT INTO infracast.compliance_results (tenant_id, assessment_id, control_id, state, waived, poam_open, rules, reason)
    WITH outcomes AS (
        -- a rule's outcome is the worst result among its evidence
        SELECT DISTINCT ON (e.rule_id) e.rule_id, e.result AS outcome
          FROM infracast.compliance_evidence e
         WHERE e.tenant_id = v_tenant AND e.assessment_id = v_id
         ORDER BY e.rule_id, infracast.compliance_state_rank(e.result)
    ), scope AS (
        SELECT pc.control_id, true AS selected FROM infracast.compliance_profile_controls pc WHERE pc.profile = v_profile.name
        UNION
        SELECT DISTINCT m.control_id, false FROM infracast.compliance_rule_controls m
          JOIN infracast.compliance_rules ru ON ru.id = m.rule_id AND ru.enabled
         WHERE m.catalog = v_profile.catalog
           AND NOT EXISTS (SELECT 1 FROM infracast.compliance_profile_controls pc
                            WHERE pc.profile = v_profile.name AND pc.control_id = m.control_id)
    ), decided AS (
        SELECT s.control_id, s.selected,
               (SELECT o.outcome FROM infracast.compliance_rule_controls m JOIN outcomes o ON o.rule_id = m.rule_id
                 WHERE m.catalog = v_profile.catalog AND m.control_id = s.control_id
                 ORDER BY infracast.compliance_state_rank(o.outcome) LIMIT 1) AS outcome,
               ARRAY(SELECT DISTINCT m.rule_id FROM infracast.compliance_rule_controls m JOIN outcomes o ON o.rule_id = m.rule_id
                      WHERE m.catalog = v_profile.catalog AND m.control_id = s.control_id ORDER BY 1) AS rules
          FROM scope s
    )
    SELECT v_tenant, v_id, d.control_id,
           CASE WHEN NOT d.selected THEN 'not_selected'
                WHEN d.outcome IS NULL THEN 'not_checked'
                WHEN d.outcome = 'pass' AND prev.state = 'fail' THEN 'fixed'
                ELSE d.outcome END,
           EXISTS (SELECT 1 FROM infracast.compliance_waivers w
                    WHERE w.tenant_id = v_tenant AND w.catalog = v_profile.catalog AND w.control_id = d.control_id
                      AND (w.expires_at IS NULL OR w.expires_at > now())),
           EXISTS (SELECT 1 FROM infracast.compliance_poam_items pi
                    WHERE pi.tenant_id = v_tenant AND pi.catalog = v_profile.catalog AND pi.control_id = d.control_id
                      AND pi.status = 'open'),
           d.rules,
           CASE WHEN NOT d.selected THEN 'not in baseline ' || v_profile.name
                WHEN d.outcome IS NULL THEN 'no rule decides this control'
                WHEN d.outcome = 'pass' AND prev.state = 'fail' THEN format('failed in assessment %s, passes now', v_previous)
                ELSE (SELECT string_agg(x.rule_id || ': ' || CASE WHEN x.note IS NOT NULL THEN x.result || ' (' || x.note || ')'
                                                                   ELSE x.n || ' ' || x.result END, '; ' ORDER BY x.rule_id, x.result)
                        FROM (SELECT e.rule_id, e.result, count(*) AS n,
                                     CASE WHEN e.result IN ('not_checked', 'unknown', 'error')
                                          THEN COALESCE(e.detail ->> 'reason', e.detail ->> 'message', '') END AS note
                                FROM infracast.compliance_evidence e
                               WHERE e.tenant_id = v_tenant AND e.assessment_id = v_id AND e.rule_id = ANY (d.rules)
                               GROUP BY 1, 2, 4) x) END
      FROM decided d
      LEFT JOIN infracast.compliance_results prev
        ON prev.tenant_id = v_tenant AND prev.assessment_id = v_previous AND prev.control_id = d.control_id;

    UPDATE infracast.compliance_assessments a
       SET finished_at = clock_timestamp(),
           counts = (SELECT jsonb_object_agg(state, n) FROM (SELECT cr.state, count(*) AS n FROM infracast.compliance_results cr
                                                             WHERE cr.tenant_id = v_tenant AND cr.assessment_id = v_id GROUP BY cr.state) s)
     WHERE a.tenant_id = v_tenant AND a.id = v_id;
    RETURN v_id;
END
$$;
ALTER FUNCTION infracast._compliance_assess(text, name) OWNER TO infracast_internal;
COMMENT ON FUNCTION infracast._compliance_assess(text, name) IS
    'Internal: the writer behind compliance_assess(), run as infracast_internal; caller is the role recorded as the assessor.';

CREATE FUNCTION infracast.compliance_assess(profile text DEFAULT 'moderate') RETURNS bigint
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT infracast._compliance_assess(profile, current_user) $$;
COMMENT ON FUNCTION infracast.compliance_assess(text) IS
    'Assesses the current tenant against a baseline (default moderate): runs the rules, records evidence, judges each control; returns the assessment id. Needs the compliance licence feature.';

-- ---------------------------------------------------------------------------------------------
-- Views and scores
-- ---------------------------------------------------------------------------------------------
-- The OSCAL assessment-results view of a result: satisfied / not-satisfied, or nothing (not assessed).
CREATE VIEW infracast.compliance_findings WITH (security_invoker = true) AS
    SELECT r.tenant_id, r.assessment_id, r.control_id, c.label, c.title, c.family, r.state, r.waived, r.poam_open,
           CASE WHEN r.state IN ('pass', 'fixed', 'not_applicable') THEN 'satisfied'
                WHEN r.state IN ('fail', 'error', 'unknown') THEN 'not-satisfied' END AS oscal_status,
           r.control_id || '_smt' AS oscal_target_id, r.rules, r.reason
      FROM infracast.compliance_results r
      JOIN infracast.compliance_assessments a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
      JOIN infracast.compliance_controls c ON c.catalog = a.catalog AND c.control_id = r.control_id;
COMMENT ON VIEW infracast.compliance_findings IS
    'Results with the control''s label and title, and the OSCAL objective status: satisfied (pass, fixed, not_applicable), not-satisfied (fail, error, unknown) or NULL (not assessed).';

-- Evidence of each control: the evidence rows of the rules mapped to it.
CREATE VIEW infracast.compliance_control_evidence WITH (security_invoker = true) AS
    SELECT r.tenant_id, r.assessment_id, r.control_id, m.part_id, m.source AS mapping_source, e.id AS evidence_id,
           e.rule_id, e.subject, e.observed_at, e.method, e.result, e.detail, e.raw_output, e.raw_sha256
      FROM infracast.compliance_results r
      JOIN infracast.compliance_assessments a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
      JOIN infracast.compliance_rule_controls m ON m.catalog = a.catalog AND m.control_id = r.control_id
      JOIN infracast.compliance_evidence e ON e.tenant_id = r.tenant_id AND e.assessment_id = r.assessment_id AND e.rule_id = m.rule_id;
COMMENT ON VIEW infracast.compliance_control_evidence IS 'Per control of an assessment: the evidence of the rules that decide it.';

-- An assessment as an OSCAL assessment-results document (OSCAL 1.1.2 JSON): one result, the
-- controls reviewed, one observation per evidence row (its sha256 as relevant evidence), and one
-- finding per assessed control with its objective status on the control's statement. UUIDs are
-- derived from the tenant, assessment and row ids, so the same assessment exports the same document.
CREATE FUNCTION infracast.compliance_oscal_results(assessment_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH a AS (
        SELECT x.* FROM infracast.compliance_assessments x
         WHERE x.id = compliance_oscal_results.assessment_id AND x.tenant_id = infracast.current_tenant()
    ), obs AS (
        SELECT e.rule_id, md5('obs/' || e.tenant_id || '/' || e.id)::uuid AS uuid,
               jsonb_build_object('uuid', md5('obs/' || e.tenant_id || '/' || e.id)::uuid,
                   'title', e.rule_id || ': ' || e.subject,
                   'description', r.title || ': ' || e.result || ' for ' || e.subject,
                   'methods', jsonb_build_array(e.method),
                   'types', jsonb_build_array(CASE WHEN e.result IN ('fail', 'error') THEN 'finding' ELSE 'control-objective' END),
                   'props', jsonb_build_array(jsonb_build_object('name', 'result', 'ns', 'https://infracast.example/ns/oscal', 'value', e.result)),
                   'relevant-evidence', jsonb_build_array(jsonb_build_object('description', e.raw_output,
                       'props', jsonb_build_array(jsonb_build_object('name', 'sha256', 'ns', 'https://infracast.example/ns/oscal', 'value', e.raw_sha256)))),
                   'collected', e.observed_at) AS doc, e.id
          FROM infracast.compliance_evidence e
          JOIN a ON a.tenant_id = e.tenant_id AND a.id = e.assessment_id
          JOIN infracast.compliance_rules r ON r.id = e.rule_id
    ), fnd AS (
        SELECT r.control_id, jsonb_build_object('uuid', md5('finding/' || r.tenant_id || '/' || r.assessment_id || '/' || r.control_id)::uuid,
                   'title', c.label || ' ' || c.title,
                   'description', COALESCE(r.reason, r.state),
                   'props', jsonb_build_array(jsonb_build_object('name', 'state', 'ns', 'https://infracast.example/ns/oscal', 'value', r.state))
                            || CASE WHEN r.waived THEN '[{"name": "waived", "ns": "https://infracast.example/ns/oscal", "value": "true"}]'::jsonb ELSE '[]' END
                            || CASE WHEN r.poam_open THEN '[{"name": "poam-open", "ns": "https://infracast.example/ns/oscal", "value": "true"}]'::jsonb ELSE '[]' END,
                   'target', jsonb_build_object('type', 'statement-id', 'target-id', r.control_id || '_smt',
                                                'status', jsonb_build_object('state', f.oscal_status)),
                   'related-observations', COALESCE((SELECT jsonb_agg(jsonb_build_object('observation-uuid', o.uuid) ORDER BY o.id)
                                                       FROM obs o WHERE o.rule_id = ANY (r.rules)), '[]')) AS doc
          FROM infracast.compliance_results r
          JOIN a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
          JOIN infracast.compliance_findings f ON f.tenant_id = r.tenant_id AND f.assessment_id = r.assessment_id AND f.control_id = r.control_id
          JOIN infracast.compliance_controls c ON c.catalog = a.catalog AND c.control_id = r.control_id
         WHERE f.oscal_status IS NOT NULL
    )
    SELECT jsonb_build_object('assessment-results', jsonb_build_object(
               'uuid', md5('ar/' || a.tenant_id || '/' || a.id)::uuid,
               'metadata', jsonb_build_object('title', 'Infracast assessment ' || a.id || ' against ' || a.profile,
                                              'last-modified', COALESCE(a.finished_at, a.started_at), 'version', a.id::text,
                                              'oscal-version', '1.1.2'),
               'import-ap', jsonb_build_object('href', '#' || md5('ap/' || a.tenant_id || '/' || a.id)::uuid),
               'results', jsonb_build_array(jsonb_build_object(
                   'uuid', md5('result/' || a.tenant_id || '/' || a.id)::uuid,
                   'title', 'Automated assessment against ' || a.profile,
                   'description', 'Rules run by infracast.compliance_assess(); controls without a rule are not reported.',
                   'start', a.started_at, 'end', a.finished_at,
                   'reviewed-controls', jsonb_build_object('control-selections', jsonb_build_array(jsonb_build_object(
                       'include-controls', COALESCE((SELECT jsonb_agg(jsonb_build_object('control-id', pc.control_id) ORDER BY pc.control_id)
                                                      FROM infracast.compliance_profile_controls pc WHERE pc.profile = a.profile), '[]')))),
                   'observations', COALESCE((SELECT jsonb_agg(o.doc ORDER BY o.id) FROM obs o), '[]'),
                   'findings', COALESCE((SELECT jsonb_agg(f.doc ORDER BY f.control_id) FROM fnd f), '[]')))))
      FROM a
$$;
COMMENT ON FUNCTION infracast.compliance_oscal_results(bigint) IS
    'An assessment of the current tenant as an OSCAL 1.1.2 assessment-results document: observations with the evidence hashes, findings with satisfied/not-satisfied per control statement.';

-- Scores per family and for the whole baseline (family NULL). XCCDF: results not_applicable,
-- not_checked, not_selected and informational are not counted; pass and fixed score; fail, error
-- and unknown count against. Every control weighs 1. default: a family is 100 * passed / counted,
-- the baseline the mean of its families' scores; flat: passed of counted (score/max); CIS: passed
-- of pass + fail (error and unknown are left out, as CIS-CAT does).
CREATE FUNCTION infracast.compliance_scores(assessment_id bigint)
    RETURNS TABLE (family text, family_title text, controls bigint, counted bigint, passed bigint, failed bigint,
                   other bigint, waived bigint, default_score numeric, flat_score numeric, flat_max numeric,
                   cis_score numeric, cis_max numeric)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH res AS (
        SELECT c.family, r.state, r.waived,
               r.state NOT IN ('not_applicable', 'not_checked', 'not_selected', 'informational') AS counted,
               r.state IN ('pass', 'fixed') AS passed
          FROM infracast.compliance_results r
          JOIN infracast.compliance_assessments a ON a.tenant_id = r.tenant_id AND a.id = r.assessment_id
          JOIN infracast.compliance_controls c ON c.catalog = a.catalog AND c.control_id = r.control_id
         WHERE r.assessment_id = compliance_scores.assessment_id AND r.state <> 'not_selected'
           AND r.tenant_id = infracast.current_tenant()
    ), fam AS (
        SELECT res.family, count(*) AS controls, count(*) FILTER (WHERE counted) AS counted,
               count(*) FILTER (WHERE passed) AS passed, count(*) FILTER (WHERE state = 'fail') AS failed,
               count(*) FILTER (WHERE counted AND NOT passed AND state <> 'fail') AS other,
               count(*) FILTER (WHERE waived) AS waived
          FROM res GROUP BY res.family
    )
    SELECT f.family, g.title, f.controls, f.counted, f.passed, f.failed, f.other, f.waived,
           CASE WHEN f.counted > 0 THEN round(100.0 * f.passed / f.counted, 2) END,
           f.passed::numeric, f.counted::numeric, f.passed::numeric, (f.passed + f.failed)::numeric
      FROM fam f
      LEFT JOIN infracast.compliance_assessments a ON a.id = compliance_scores.assessment_id AND a.tenant_id = infracast.current_tenant()
      LEFT JOIN infracast.compliance_groups g ON g.catalog = a.catalog AND g.group_id = f.family
    UNION ALL
    SELECT NULL, 'baseline', sum(f.controls), sum(f.counted), sum(f.passed), sum(f.failed), sum(f.other), sum(f.waived),
           round(avg(100.0 * f.passed / f.counted) FILTER (WHERE f.counted > 0), 2),
           sum(f.passed), sum(f.counted), sum(f.passed), sum(f.passed + f.failed)
      FROM fam f
    ORDER BY 1 NULLS LAST
$$;
COMMENT ON FUNCTION infracast.compliance_scores(bigint) IS
    'Scores of an assessment per family and for the baseline (family NULL): XCCDF default (0-100) and flat (score/max) models, CIS score/max.';

-- ---------------------------------------------------------------------------------------------
-- Facts the builtin rules need that the assessing role may not read directly
-- ---------------------------------------------------------------------------------------------
-- Users and whether MFA is on, for the current tenant only (the users table hides secrets and is
-- readable by tenant admins only; an analyst's assessment still needs these two facts).
CREATE FUNCTION infracast.compliance_user_mfa()
    RETURNS TABLE (username text, role name, totp_enabled boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('infracast.users') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE 'SELECT u.username, u.role, u.totp_enabled FROM infracast.users u WHERE u.tenant_id = $1'
        USING infracast.current_tenant();
END
$$;
REVOKE EXECUTE ON FUNCTION infracast.compliance_user_mfa() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- The starter rules (builtin) and their mappings to SP 800-53 rev5 statement parts
-- ---------------------------------------------------------------------------------------------
INSERT INTO infracast.compliance_rules (id, title, decides, check_sql, requires, builtin) VALUES
('kev_overdue',
 'Known exploited vulnerabilities fixed by the CISA due date',
 'Every open finding whose CVE is in the KEV catalogue with a due date in the past fails; no such finding passes.',
 $r$SELECT f.cve_id || ' on ' || n.external_id, 'fail',
           jsonb_build_object('finding_id', f.id, 'cve', f.cve_id, 'node', n.external_id, 'due_date', k.due_date,
                              'days_overdue', current_date - k.due_date)
      FROM infracast.findings f
      JOIN infracast.kev k ON k.cve_id = f.cve_id
      JOIN infracast.nodes n ON n.tenant_id = f.tenant_id AND n.id = f.node_id
     WHERE f.tenant_id = infracast.current_tenant() AND f.status = 'open' AND k.due_date < current_date
    UNION ALL
    SELECT 'tenant', 'pass', jsonb_build_object('open_kev_findings',
               (SELECT count(*) FROM infracast.findings f JOIN infracast.kev k ON k.cve_id = f.cve_id
                 WHERE f.tenant_id = infracast.current_tenant() AND f.status = 'open'), 'overdue', 0)
     WHERE NOT EXISTS (SELECT 1 FROM infracast.findings f JOIN infracast.kev k ON k.cve_id = f.cve_id
                        WHERE f.tenant_id = infracast.current_tenant() AND f.status = 'open' AND k.due_date < current_date)$r$,
 '{infracast.findings,infracast.kev}', true),
('mgmt_cleartext_protocols',
 'No management protocol seen in clear text',
 'Discovery observing telnet, FTP, HTTP, SNMP v1/v2c or rlogin management on a device fails it. Until discovery is installed the rule is not checked.',
 $r$SELECT 'node ' || n.external_id, 'fail', jsonb_build_object('port', d.port, 'protocol', d.protocol, 'service', d.service)
      FROM infracast.discovered_services d
      JOIN infracast.nodes n ON n.tenant_id = d.tenant_id AND n.id = d.node_id
     WHERE d.tenant_id = infracast.current_tenant()
       AND (d.service IN ('telnet', 'ftp', 'http', 'snmpv1', 'snmpv2c', 'rlogin', 'rsh') OR d.port IN (21, 23, 512, 513, 514))
    UNION ALL
    SELECT 'tenant', 'pass', '{}'::jsonb
     WHERE NOT EXISTS (SELECT 1 FROM infracast.discovered_services d
                        WHERE d.tenant_id = infracast.current_tenant()
                          AND (d.service IN ('telnet', 'ftp', 'http', 'snmpv1', 'snmpv2c', 'rlogin', 'rsh') OR d.port IN (21, 23, 512, 513, 514)))$r$,
 '{infracast.discovered_services}', true),
('admin_paths_to_crown_jewels',
 'Administrative access to crown jewels is held only by approved accounts',
 'An account with an admin_to edge to a crown jewel, directly or through up to 4 member_of hops, fails unless the account''s attrs say "admin_approved": true; approved ones pass; a tenant with no such account passes.',
 $r$WITH RECURSIVE reach AS (
        SELECT n.id AS account, n.id AS holder, 0 AS depth
          FROM infracast.nodes n
         WHERE n.tenant_id = infracast.current_tenant() AND n.kind = 'account'
        UNION
        SELECT r.account, e.dst, r.depth + 1
          FROM reach r
          JOIN infracast.edges e ON e.tenant_id = infracast.current_tenant() AND e.src = r.holder AND e.kind = 'member_of'
         WHERE r.depth < 4
    ), admins AS (
        SELECT DISTINCT r.account, j.external_id AS jewel
          FROM reach r
          JOIN infracast.edges e ON e.tenant_id = infracast.current_tenant() AND e.src = r.holder AND e.kind = 'admin_to'
          JOIN infracast.nodes j ON j.tenant_id = e.tenant_id AND j.id = e.dst AND j.crown_jewel
    )
    SELECT 'account ' || a.external_id,
           CASE WHEN COALESCE((a.attrs ->> 'admin_approved')::boolean, false) THEN 'pass' ELSE 'fail' END,
           jsonb_build_object('account', a.external_id, 'crown_jewels', array_agg(ad.jewel ORDER BY ad.jewel))
      FROM admins ad JOIN infracast.nodes a ON a.tenant_id = infracast.current_tenant() AND a.id = ad.account
     GROUP BY a.external_id, a.attrs
    UNION ALL
    SELECT 'tenant', 'pass', jsonb_build_object('accounts_with_admin_paths', 0)
     WHERE NOT EXISTS (SELECT 1 FROM admins)$r$,
 '{infracast.nodes,infracast.edges}', true),
('stale_feeds',
 'Vulnerability feeds are current',
 'The KEV and NVD feeds must be loaded and dated within 7 days (feed_date, else loaded_at); each feed older or never loaded fails.',
 $r$SELECT 'feed ' || w.feed,
           CASE WHEN s.feed IS NULL OR COALESCE(s.feed_date, s.loaded_at) IS NULL THEN 'fail'
                WHEN COALESCE(s.feed_date, s.loaded_at) < now() - interval '7 days' THEN 'fail' ELSE 'pass' END,
           jsonb_build_object('feed', w.feed, 'feed_date', s.feed_date, 'loaded_at', s.loaded_at, 'state', s.state,
                              'max_age_days', 7)
      FROM (VALUES ('kev'), ('nvd')) w(feed)
      LEFT JOIN LATERAL (SELECT * FROM infracast.feed_status fs WHERE fs.feed = w.feed OR fs.feed LIKE w.feed || '%'
                          ORDER BY COALESCE(fs.feed_date, fs.loaded_at) DESC NULLS LAST LIMIT 1) s ON true$r$,
 '{infracast.feed_status}', true),
('mfa_privileged_users',
 'Multi-factor authentication for privileged users',
 'Every API user of the tenant with the infracast_admin role must have TOTP enabled; each one without fails. A tenant without admins is not applicable.',
 $r$SELECT 'user ' || u.username, CASE WHEN u.totp_enabled THEN 'pass' ELSE 'fail' END,
           jsonb_build_object('username', u.username, 'role', u.role, 'totp_enabled', u.totp_enabled)
      FROM infracast.compliance_user_mfa() u WHERE u.role = 'infracast_admin'
    UNION ALL
    SELECT 'tenant', 'not_applicable', jsonb_build_object('admins', 0)
     WHERE NOT EXISTS (SELECT 1 FROM infracast.compliance_user_mfa() u WHERE u.role = 'infracast_admin')$r$,
 '{infracast.users}', true),
('mfa_all_users',
 'Multi-factor authentication for non-privileged users',
 'Every API user of the tenant without the admin role must have TOTP enabled; each one without fails. No such user: not applicable.',
 $r$SELECT 'user ' || u.username, CASE WHEN u.totp_enabled THEN 'pass' ELSE 'fail' END,
           jsonb_build_object('username', u.username, 'role', u.role, 'totp_enabled', u.totp_enabled)
      FROM infracast.compliance_user_mfa() u WHERE u.role <> 'infracast_admin'
    UNION ALL
    SELECT 'tenant', 'not_applicable', jsonb_build_object('users', 0)
     WHERE NOT EXISTS (SELECT 1 FROM infracast.compliance_user_mfa() u WHERE u.role <> 'infracast_admin')$r$,
 '{infracast.users}', true),
('inventory_current',
 'The component inventory is kept current',
 'The tenant has an inventory (at least one node) and every node was seen within 30 days; each node not seen for longer fails, an empty inventory fails.',
 $r$SELECT 'node ' || n.external_id, 'fail', jsonb_build_object('node', n.external_id, 'last_seen', n.last_seen, 'max_age_days', 30)
      FROM infracast.nodes n
     WHERE n.tenant_id = infracast.current_tenant() AND n.last_seen < now() - interval '30 days'
    UNION ALL
    SELECT 'tenant', CASE WHEN count(*) = 0 THEN 'fail' ELSE 'pass' END,
           jsonb_build_object('nodes', count(*), 'seen_within_30_days', count(*) FILTER (WHERE n.last_seen >= now() - interval '30 days'))
      FROM infracast.nodes n WHERE n.tenant_id = infracast.current_tenant()$r$,
 '{infracast.nodes}', true),
('open_critical_findings',
 'Flaws are remediated: open findings in the act band',
 'Every open finding in the "act" priority band (KEV, likely exploitation or on a crown-jewel path) is informational evidence for flaw remediation; none: pass.',
 $r$SELECT f.cve_id || ' on node ' || f.node_id, 'informational',
           jsonb_build_object('finding_id', f.id, 'cve', f.cve_id, 'priority', f.priority, 'risk', f.risk)
      FROM infracast.findings f
     WHERE f.tenant_id = infracast.current_tenant() AND f.status = 'open' AND f.priority = 'act'
    UNION ALL
    SELECT 'tenant', 'pass', jsonb_build_object('open_act_findings', 0)
     WHERE NOT EXISTS (SELECT 1 FROM infracast.findings f
                        WHERE f.tenant_id = infracast.current_tenant() AND f.status = 'open' AND f.priority = 'act')$r$,
 '{infracast.findings}', true);

-- The catalogue must be loaded before the mappings (their trigger checks the ids): see the end.

-- ---------------------------------------------------------------------------------------------
-- Privileges and pg_dump
-- ---------------------------------------------------------------------------------------------
GRANT SELECT ON infracast.compliance_catalogs, infracast.compliance_groups, infracast.compliance_controls,
    infracast.compliance_parts, infracast.compliance_params, infracast.compliance_profiles,
    infracast.compliance_profile_controls, infracast.compliance_rules, infracast.compliance_rule_controls,
    infracast.compliance_assessments, infracast.compliance_results, infracast.compliance_evidence,
    infracast.compliance_waivers, infracast.compliance_poam_items,
    infracast.compliance_findings, infracast.compliance_control_evidence TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast.compliance_oscal_results(bigint) TO infracast_reader;
-- Analysts run assessments and plan POA&M work; a tenant's admins approve its waivers and delete its
-- assessments. The catalogues and profiles are shared by every tenant: only an operator imports them.
-- Assessments, results and evidence are written by compliance_assess() alone (as infracast_internal).
GRANT INSERT, UPDATE ON infracast.compliance_assessments TO infracast_internal;
GRANT INSERT ON infracast.compliance_results, infracast.compliance_evidence TO infracast_internal;
GRANT USAGE ON SEQUENCE infracast.compliance_assessments_id_seq, infracast.compliance_evidence_id_seq TO infracast_internal;
GRANT DELETE ON infracast.compliance_assessments, infracast.compliance_results, infracast.compliance_evidence TO infracast_admin;
GRANT INSERT, UPDATE, DELETE ON infracast.compliance_poam_items TO infracast_analyst;
GRANT INSERT, UPDATE, DELETE ON infracast.compliance_waivers TO infracast_admin;
GRANT USAGE ON SEQUENCE infracast.compliance_poam_items_id_seq TO infracast_analyst;
GRANT USAGE ON SEQUENCE infracast.compliance_waivers_id_seq TO infracast_admin;
GRANT INSERT, UPDATE, DELETE ON infracast.compliance_catalogs, infracast.compliance_groups, infracast.compliance_controls,
    infracast.compliance_parts, infracast.compliance_params, infracast.compliance_profiles,
    infracast.compliance_profile_controls TO infracast_operator;

REVOKE EXECUTE ON FUNCTION infracast.compliance_import_catalog(text, text, text[]),
    infracast.compliance_import_profile(text, text, text), infracast.compliance_load_catalog(text, jsonb, text, text[], boolean),
    infracast.compliance_load_profile(text, jsonb, text, boolean), infracast.compliance_resolve_profile(text),
    infracast.compliance_assess(text), infracast._compliance_assess(text, name),
    infracast.compliance_run_rule(bigint, infracast.compliance_rules),
    infracast.compliance_shipped_document(text) FROM PUBLIC;
-- The import entry points are also granted to infracast_admin, only so that a tenant's admin gets
-- require_operator()'s message instead of a bare permission error.
GRANT EXECUTE ON FUNCTION infracast.compliance_import_catalog(text, text, text[]),
    infracast.compliance_import_profile(text, text, text) TO infracast_admin, infracast_operator;
GRANT EXECUTE ON FUNCTION infracast.compliance_load_catalog(text, jsonb, text, text[], boolean),
    infracast.compliance_load_profile(text, jsonb, text, boolean), infracast.compliance_resolve_profile(text)
    TO infracast_operator;
-- compliance_run_rule() takes a rule row: given to analysts it would record evidence of their choosing.
GRANT EXECUTE ON FUNCTION infracast.compliance_assess(text), infracast._compliance_assess(text, name) TO infracast_analyst;
GRANT EXECUTE ON FUNCTION infracast.compliance_run_rule(bigint, infracast.compliance_rules),
    infracast.compliance_user_mfa() TO infracast_internal;

SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_catalogs', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_groups', 'WHERE catalog <> ''nist-800-53-rev5''');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_controls', 'WHERE catalog <> ''nist-800-53-rev5''');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_parts', 'WHERE catalog <> ''nist-800-53-rev5''');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_params', 'WHERE catalog <> ''nist-800-53-rev5''');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_profiles', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_profile_controls', 'WHERE profile NOT LIKE ''nist-800-53-rev5%''');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_rules', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_rule_controls', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_assessments', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_assessments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_results', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_evidence', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_evidence_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_waivers', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_waivers_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_poam_items', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.compliance_poam_items_id_seq', '');

-- ---------------------------------------------------------------------------------------------
-- The shipped catalogue, loaded now: a CREATE EXTENSION leaves the catalog and the four baselines
-- ready, from the library alone (no file, no network, no licence needed to install).
-- ---------------------------------------------------------------------------------------------
SELECT infracast.compliance_load_catalog('nist-800-53-rev5', d::jsonb, encode(sha256(convert_to(d, 'UTF8')), 'hex'),
           '{NIST_SP-800-53_rev5_catalog.json,NIST_SP-800-53_rev5_catalog-min.json,NIST_SP-800-53_rev5_catalog.xml,NIST_SP-800-53_rev5_catalog.yaml,NIST_SP-800-53_rev5.0.1_catalog.json,NIST_SP-800-53_rev5.0.1_catalog-min.json}',
           true) IS NOT NULL
  FROM infracast.compliance_shipped_document('nist-800-53-rev5') d;
SELECT count(infracast.compliance_load_profile(n, infracast.compliance_shipped_document(n)::jsonb, NULL, true))
  FROM unnest(ARRAY['nist-800-53-rev5-low', 'nist-800-53-rev5-moderate', 'nist-800-53-rev5-high', 'nist-800-53-rev5-privacy']) n;

INSERT INTO infracast.compliance_rule_controls (rule_id, catalog, control_id, part_id, source, builtin) VALUES
    ('kev_overdue',               'nist-800-53-rev5', 'ra-5',   'ra-5_smt.d',   'infracast: KEV due dates are the remediation times of BOD 22-01', true),
    ('kev_overdue',               'nist-800-53-rev5', 'si-2',   'si-2_smt.c',   'infracast: KEV due dates are the remediation times of BOD 22-01', true),
    ('open_critical_findings',    'nist-800-53-rev5', 'si-2',   'si-2_smt.a',   'infracast', true),
    ('mgmt_cleartext_protocols',  'nist-800-53-rev5', 'sc-8',   'sc-8_smt',     'infracast', true),
    ('admin_paths_to_crown_jewels','nist-800-53-rev5','ac-6',   'ac-6_smt',     'infracast', true),
    ('stale_feeds',               'nist-800-53-rev5', 'ra-5.2', 'ra-5.2_smt',   'infracast', true),
    ('mfa_privileged_users',      'nist-800-53-rev5', 'ia-2.1', 'ia-2.1_smt',   'infracast', true),
    ('mfa_all_users',             'nist-800-53-rev5', 'ia-2.2', 'ia-2.2_smt',   'infracast', true),
    ('inventory_current',         'nist-800-53-rev5', 'cm-8',   'cm-8_smt.a',   'infracast', true),
    ('inventory_current',         'nist-800-53-rev5', 'cm-8',   'cm-8_smt.b',   'infracast', true);
