-- Infracast feeds: the threat-intelligence reference tables (KEV, EPSS, NVD, Feodo) and their loaders.
--
-- These tables are global reference data: no tenant_id, no row-level security; every reader may see them.
-- They are written only by the loaders (infracast.load_*), which run as the extension owner
-- (SECURITY DEFINER) after the caller's EXECUTE privilege has been checked by PostgreSQL.
--
-- Table and column names are STABLE: the vulnerability matcher (src/match) builds on them.
--
-- The feed tables are deliberately NOT marked with pg_extension_config_dump: they hold nothing a user
-- typed, only copies of feed files that the feed worker (or an operator) reloads, and a restored
-- CREATE EXTENSION re-installs the embedded seed KEV catalogue, whose rows would collide with dumped
-- ones. See docs/feeds.md, "Backups".

-- ---------------------------------------------------------------------------------------------
-- NVD CVE records (one row per CVE; NVD 2.0 feed files)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.cve (
    id                  text        NOT NULL PRIMARY KEY,       -- CVE-YYYY-NNNN
    source_identifier   text,
    published           timestamptz,                            -- NVD times are UTC
    last_modified       timestamptz NOT NULL,
    vuln_status         text        NOT NULL,                   -- Analyzed, Modified, Deferred, Rejected, ...
    description         text,                                   -- the English description
    cvss_v40_score      numeric(3,1),
    cvss_v40_vector     text,
    cvss_v40_severity   text,
    cvss_v31_score      numeric(3,1),
    cvss_v31_vector     text,
    cvss_v31_severity   text,
    cvss_v30_score      numeric(3,1),
    cvss_v30_vector     text,
    cvss_v30_severity   text,
    cvss_v2_score       numeric(3,1),
    cvss_v2_vector      text,
    cvss_v2_severity    text,
    cwe_ids             text[]      NOT NULL DEFAULT '{}',      -- e.g. {CWE-787,NVD-CWE-noinfo}
    nvd_feed            text        NOT NULL                    -- the feed file that gave this version: '2002', 'modified', ...
);
CREATE INDEX cve_nvd_feed_idx ON infracast.cve (nvd_feed);
COMMENT ON TABLE infracast.cve IS
    'NVD CVE records (NVD 2.0 feeds). Scores: the NVD (Primary) metric when present, else the first one listed.';

-- The CVE's configurations, one row per cpeMatch, flattened: configuration -> node -> match.
-- No foreign key to infracast.cve: the loaders replace both together, and an RI trigger per row would
-- halve load speed.
CREATE TABLE infracast.cve_cpe_match (
    cve_id                  text    NOT NULL,
    config_index            integer NOT NULL,           -- position in configurations[]
    config_operator         text,                       -- AND / OR between the configuration's nodes (NULL: single node)
    config_negate           boolean NOT NULL DEFAULT false,
    node_index              integer NOT NULL,           -- position in nodes[]
    node_operator           text    NOT NULL,           -- AND / OR between the node's cpeMatch entries
    node_negate             boolean NOT NULL DEFAULT false,
    match_index             integer NOT NULL,           -- position in cpeMatch[]
    vulnerable              boolean NOT NULL,
    criteria                text    NOT NULL,           -- the CPE 2.3 formatted string as given
    match_criteria_id       text,
    -- The criteria string split into its 11 attributes, backslash escapes removed ('*' = ANY, '-' = NA).
    part                    text    NOT NULL,           -- a, o or h
    vendor                  text    NOT NULL,
    product                 text    NOT NULL,
    version                 text    NOT NULL,
    cpe_update              text    NOT NULL,
    edition                 text    NOT NULL,
    language                text    NOT NULL,
    sw_edition              text    NOT NULL,
    target_sw               text    NOT NULL,
    target_hw               text    NOT NULL,
    other                   text    NOT NULL,
    version_start_including text,
    version_start_excluding text,
    version_end_including   text,
    version_end_excluding   text,
    PRIMARY KEY (cve_id, config_index, node_index, match_index)
);
-- Matching looks CPEs up by vendor and product.
CREATE INDEX cve_cpe_match_vendor_product_idx ON infracast.cve_cpe_match (vendor, product);
COMMENT ON TABLE infracast.cve_cpe_match IS
    'NVD configurations, normalised: one row per cpeMatch with its configuration and node grouping, the parsed CPE attributes and the version bounds.';

-- ---------------------------------------------------------------------------------------------
-- CISA Known Exploited Vulnerabilities
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.kev (
    cve_id                          text NOT NULL PRIMARY KEY,
    vendor_project                  text,
    product                         text,
    vulnerability_name              text,
    date_added                      date,
    short_description               text,
    required_action                 text,
    due_date                        date,
    known_ransomware_campaign_use   text,       -- as given: 'Known' / 'Unknown'
    notes                           text,
    cwes                            text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE infracast.kev IS
    'CISA Known Exploited Vulnerabilities catalogue (the loaded file, or the seed built into the extension: see infracast.feed_status).';

-- ---------------------------------------------------------------------------------------------
-- FIRST EPSS scores
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.epss (
    cve             text             NOT NULL PRIMARY KEY,
    epss            double precision NOT NULL,
    percentile      double precision NOT NULL,
    model_version   text,                       -- from the '#model_version:...' line; NULL in older files
    score_date      timestamptz                 -- likewise
);
COMMENT ON TABLE infracast.epss IS 'FIRST EPSS scores (probability of exploitation in the next 30 days).';

-- ---------------------------------------------------------------------------------------------
-- abuse.ch Feodo Tracker botnet C2 blocklist
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.feodo (
    ip              inet        NOT NULL,
    port            integer     NOT NULL,
    status          text,                       -- online / offline
    hostname        text,
    as_number       bigint,
    as_name         text,
    country         text,
    first_seen      timestamptz,
    last_online     date,
    malware         text        NOT NULL,
    PRIMARY KEY (ip, port, malware)             -- the aggressive list repeats ip:port for two families
);
COMMENT ON TABLE infracast.feodo IS 'abuse.ch Feodo Tracker botnet C2 servers (ip blocklist CSV).';

-- ---------------------------------------------------------------------------------------------
-- Feed status: what is loaded, from where, and how the last attempt went
-- ---------------------------------------------------------------------------------------------
-- feed is 'kev', 'epss', 'feodo', or 'nvd:<file feed>' ('nvd:2002', 'nvd:modified', 'nvd:recent').
-- source_path .. loaded_at describe the data now in the tables (the last successful load);
-- state, message, attempted_at and attempted_path describe the last attempt. A failed load therefore
-- shows state 'error' with its reason while the previous data (and its description) stay.
CREATE TABLE infracast.feed_status (
    feed            text        NOT NULL PRIMARY KEY,
    source_path     text,
    sha256          text,                       -- of the file as stored (lower-case hex)
    rows            bigint,
    version         text,                       -- KEV catalogVersion, EPSS model_version, NVD feed version
    feed_date       timestamptz,                -- the date the feed says it is from (KEV dateReleased, EPSS score_date, NVD timestamp, Feodo 'Last updated')
    loaded_at       timestamptz,
    state           text        NOT NULL CHECK (state IN ('ok', 'warning', 'error')),
    message         text,
    attempted_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    attempted_path  text
);
COMMENT ON TABLE infracast.feed_status IS
    'One row per feed: the data in place (source_path .. loaded_at) and the outcome of the last load attempt (state, message, attempted_*).';

GRANT SELECT ON infracast.cve, infracast.cve_cpe_match, infracast.kev, infracast.epss, infracast.feodo,
                infracast.feed_status TO infracast_reader;

-- ---------------------------------------------------------------------------------------------
-- Loaders
-- ---------------------------------------------------------------------------------------------
-- The C loader runs as the extension owner (SECURITY DEFINER): the feed tables are written by no
-- one else. Who may call it is decided by EXECUTE, granted only to infracast_operator and to
-- pg_read_server_files (the loaders read server files, which that role already may). Feeds are
-- shared by every tenant, so a tenant's admin may not load them.
CREATE FUNCTION infracast._feeds_load(kind text, path text) RETURNS text[]
    AS 'MODULE_PATHNAME', 'infracast_feeds_load'
    LANGUAGE C VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION infracast._feeds_load(text, text) IS
    'Internal: runs one load (kev, epss, nvd, feodo, bundle) and returns the feed_status rows written. Use the infracast.load_* functions.';

-- One load, then the feed_status rows it wrote (read after the load, so they are the new ones):
-- the body of every load_* function below.
CREATE FUNCTION infracast._feeds_load_status(kind text, path text) RETURNS SETOF infracast.feed_status
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_feeds text[];
BEGIN
    -- Checked here, before the loader, so that a tenant's admin learns who loads feeds.
    IF NOT pg_catalog.pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') THEN
        PERFORM infracast.require_operator('load feeds');
    END IF;
    v_feeds := infracast._feeds_load(kind, path);
    RETURN QUERY SELECT s.* FROM infracast.feed_status s WHERE s.feed = ANY (v_feeds) ORDER BY s.feed;
END
$$;
COMMENT ON FUNCTION infracast._feeds_load_status(text, text) IS
    'Internal: runs one load (kev, epss, nvd, feodo, bundle) and returns its feed_status rows. Use the infracast.load_* functions.';

CREATE FUNCTION infracast.load_kev(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('kev', path) $$;
COMMENT ON FUNCTION infracast.load_kev(text) IS
    'Replaces infracast.kev with a CISA KEV catalogue (JSON, optionally gzip) on the server; returns its feed_status row.';

CREATE FUNCTION infracast.load_epss(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('epss', path) $$;
COMMENT ON FUNCTION infracast.load_epss(text) IS
    'Replaces infracast.epss with a FIRST EPSS file (.csv or .csv.gz) on the server; returns its feed_status row.';

CREATE FUNCTION infracast.load_nvd(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('nvd', path) $$;
COMMENT ON FUNCTION infracast.load_nvd(text) IS
    'Loads an NVD 2.0 feed file (.json/.json.gz) or a folder of them: year files replace their CVEs, modified/recent files upsert by lastModified; returns one feed_status row per file.';

CREATE FUNCTION infracast.load_feodo(path text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('feodo', path) $$;
COMMENT ON FUNCTION infracast.load_feodo(text) IS
    'Replaces infracast.feodo with a Feodo Tracker ipblocklist.csv on the server; returns its feed_status row.';

CREATE FUNCTION infracast.load_feed_bundle(dir text) RETURNS SETOF infracast.feed_status
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._feeds_load_status('bundle', dir) $$;
COMMENT ON FUNCTION infracast.load_feed_bundle(text) IS
    'Verifies a feed bundle folder (manifest.json sha256 of every file, ATTRIBUTION.txt), then loads all its feeds in one transaction; returns the feed_status rows.';

CREATE FUNCTION infracast.refresh_feeds() RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_refresh_feeds'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION infracast.refresh_feeds() IS
    'Wakes the feed worker to load every configured feed now; false (with a NOTICE) when no worker is running.';

CREATE FUNCTION infracast._feeds_apply_kev_seed() RETURNS boolean
    AS 'MODULE_PATHNAME', 'infracast_feeds_apply_kev_seed'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION infracast._feeds_apply_kev_seed() IS
    'Internal: loads the KEV catalogue built into the extension when no KEV load was ever recorded (run by CREATE EXTENSION).';

-- The load_* entry points are also granted to infracast_admin, only so that a tenant's admin gets
-- require_operator()'s message (naming infracast_operator) instead of a bare permission error;
-- the loader itself is not.
DO $grants$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['infracast._feeds_load_status(text, text)',
                             'infracast.load_kev(text)',
                             'infracast.load_epss(text)', 'infracast.load_nvd(text)',
                             'infracast.load_feodo(text)', 'infracast.load_feed_bundle(text)']
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO infracast_admin, infracast_operator, pg_read_server_files', f);
    END LOOP;
END
$grants$;
REVOKE EXECUTE ON FUNCTION infracast._feeds_load(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast._feeds_load(text, text) TO infracast_operator, pg_read_server_files;
-- pg_read_server_files members may load without being infracast readers: they need the schema and
-- the feed_status rows the load functions return.
GRANT USAGE ON SCHEMA infracast TO pg_read_server_files;
GRANT SELECT ON infracast.feed_status TO pg_read_server_files;
REVOKE EXECUTE ON FUNCTION infracast.refresh_feeds() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.refresh_feeds() TO infracast_operator;
REVOKE EXECUTE ON FUNCTION infracast._feeds_apply_kev_seed() FROM PUBLIC;

-- The seed KEV catalogue, so that infracast.kev is never empty (feed_status says it is the seed).
SELECT infracast._feeds_apply_kev_seed();
