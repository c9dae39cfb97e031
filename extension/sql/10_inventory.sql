-- Infracast foundation, part 2: the inventory (kinds, nodes, edges, software), its row-level
-- security and the per-tenant graph version that tells the graph engine a snapshot is stale.

-- ---------------------------------------------------------------------------------------------
-- Kinds (global lookup tables; users may add their own, builtin rows are not dumped)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.node_kinds (
    name        text    PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    description text,
    aliases     text[]  NOT NULL DEFAULT '{}',   -- other names accepted on import (lower case)
    principal   boolean NOT NULL DEFAULT false,  -- an identity or host an attacker can hold
    licensable  boolean NOT NULL DEFAULT true,   -- counts against the licence's node limit
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE infracast.node_kinds IS 'Kinds of inventory node, shared by all tenants. An infracast_operator adds more with INSERT.';

CREATE TABLE infracast.edge_kinds (
    name        text    PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    description text,
    aliases     text[]  NOT NULL DEFAULT '{}',
    likelihood  float8  NOT NULL CHECK (likelihood > 0 AND likelihood <= 1),
    fix_cost    float8  NOT NULL DEFAULT 1 CHECK (fix_cost >= 0),
    has_port    boolean NOT NULL DEFAULT false,  -- edges of this kind may carry port/protocol
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE infracast.edge_kinds IS
    'Kinds of relation between nodes, each with the default likelihood (0,1] that an attacker holding the source gains the target, and the default cost of fixing it.';

INSERT INTO infracast.node_kinds (name, description, aliases, principal, licensable, builtin) VALUES
    ('host',           'Physical or virtual server or workstation',    '{computer,server,workstation}', true,  true,  true),
    ('router',         'Network router',                              '{}',                            false, true,  true),
    ('switch',         'Network switch',                              '{}',                            false, true,  true),
    ('firewall',       'Firewall or filtering gateway',               '{}',                            false, true,  true),
    ('vm',             'Virtual machine',                             '{virtualmachine}',              true,  true,  true),
    ('hypervisor',     'Virtualisation host',                         '{}',                            true,  true,  true),
    ('account',        'User or service account',                     '{user,serviceaccount}',         true,  false, true),
    ('group',          'Group of accounts',                           '{}',                            false, false, true),
    ('service',        'Network service listening on a host',         '{}',                            false, false, true),
    ('application',    'Application or product',                      '{app}',                         false, false, true),
    ('database',       'Database holding data',                       '{}',                            false, true,  true),
    ('cloud_resource', 'Cloud resource (bucket, function, tenant...)', '{cloudresource}',               false, true,  true),
    ('internet',       'The outside world, where an external attacker starts', '{}',                   false, false, true),
    ('domain',         'Directory domain (for example Active Directory)', '{}',                        false, false, true);

INSERT INTO infracast.edge_kinds (name, description, aliases, likelihood, fix_cost, has_port, builtin) VALUES
    ('reach',            'Network reachability from source to target', '{canreach,connects_to}', 0.9,  2,  true,  true),
    ('admin_to',         'Source has administrative rights on target', '{adminto}',              0.95, 3,  false, true),
    ('has_session',      'Target account has a session on source host (credentials exposed)', '{hassession}', 0.7, 2, false, true),
    ('member_of',        'Source is a member of target group',          '{memberof}',             1.0,  4,  false, true),
    ('trusts',           'Source trusts target',                        '{}',                     0.6,  5,  false, true),
    ('runs_on',          'Source runs on target',                       '{runson}',               1.0,  8,  false, true),
    ('can_exploit',      'A vulnerability on target is exploitable from source', '{canexploit}', 0.5, 1, true, true),
    ('credential_reuse', 'Credentials of source also work on target',   '{credentialreuse}',      0.8,  2,  false, true),
    ('contains',         'Source contains target',                      '{}',                     1.0,  10, false, true);

-- ---------------------------------------------------------------------------------------------
-- Nodes and edges
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.nodes_id_seq;
CREATE TABLE infracast.nodes (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant()
                 REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.nodes_id_seq'),
    external_id  text    NOT NULL CHECK (external_id <> ''),
    kind         text    NOT NULL REFERENCES infracast.node_kinds (name) ON UPDATE CASCADE,
    name         text,
    addresses    inet[]  NOT NULL DEFAULT '{}',
    criticality  text    NOT NULL DEFAULT 'medium'
                 CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    crown_jewel  boolean NOT NULL DEFAULT false,
    entry_point  boolean NOT NULL DEFAULT false,
    attrs        jsonb   NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(attrs) = 'object'),
    first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source       text    NOT NULL DEFAULT 'manual',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, external_id)
);
ALTER SEQUENCE infracast.nodes_id_seq OWNED BY infracast.nodes.id;
COMMENT ON TABLE infracast.nodes IS
    'Inventory nodes of each tenant: hosts, network devices, VMs, accounts, services... crown_jewel marks what attackers want; entry_point marks where they start (internet-exposed or assumed breached).';

CREATE SEQUENCE infracast.edges_id_seq;
CREATE TABLE infracast.edges (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant(),
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.edges_id_seq'),
    src          bigint  NOT NULL,
    dst          bigint  NOT NULL,
    kind         text    NOT NULL REFERENCES infracast.edge_kinds (name) ON UPDATE CASCADE,
    likelihood   float8  NOT NULL CHECK (likelihood > 0 AND likelihood <= 1),
    fix_cost     float8  NOT NULL CHECK (fix_cost >= 0),
    port         integer CHECK (port BETWEEN 0 AND 65535),
    protocol     text    CHECK (protocol ~ '^[a-z0-9_-]{1,16}$'),
    attrs        jsonb   NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(attrs) = 'object'),
    first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source       text    NOT NULL DEFAULT 'manual',
    PRIMARY KEY (tenant_id, id),
    -- one edge per (endpoints, kind, port, protocol): what makes import_graph idempotent
    UNIQUE NULLS NOT DISTINCT (tenant_id, src, dst, kind, port, protocol),
    FOREIGN KEY (tenant_id, src) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, dst) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE
);
ALTER SEQUENCE infracast.edges_id_seq OWNED BY infracast.edges.id;
CREATE INDEX edges_dst_idx ON infracast.edges (tenant_id, dst);
COMMENT ON TABLE infracast.edges IS
    'Directed relations between nodes of one tenant. likelihood in (0,1] defaults from the edge kind, as does fix_cost.';

CREATE SEQUENCE infracast.software_id_seq;
CREATE TABLE infracast.software (
    tenant_id    bigint  NOT NULL DEFAULT infracast.current_tenant(),
    id           bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.software_id_seq'),
    node_id      bigint  NOT NULL,
    name         text    NOT NULL CHECK (name <> ''),
    vendor       text,
    version      text,
    cpe          text,
    purl         text,
    source       text    NOT NULL DEFAULT 'manual',
    first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE
);
ALTER SEQUENCE infracast.software_id_seq OWNED BY infracast.software.id;
CREATE INDEX software_node_idx ON infracast.software (tenant_id, node_id);
COMMENT ON TABLE infracast.software IS 'Products installed on each node, matched against vulnerability feeds.';

-- ---------------------------------------------------------------------------------------------
-- Row checks with clear messages (the foreign keys stay as the safety net)
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.nodes_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.kind := lower(NEW.kind);
    IF NOT EXISTS (SELECT 1 FROM infracast.node_kinds k WHERE k.name = NEW.kind) THEN
        RAISE EXCEPTION 'unknown node kind "%"', NEW.kind
            USING ERRCODE = 'IC003',
                  HINT = 'See SELECT name FROM infracast.node_kinds, or add the kind with INSERT INTO infracast.node_kinds (name) VALUES (...).';
    END IF;
    IF NEW.criticality IS NULL OR NEW.criticality NOT IN ('low', 'medium', 'high', 'critical') THEN
        RAISE EXCEPTION 'criticality "%" is not one of low, medium, high, critical', NEW.criticality
            USING ERRCODE = '22023',
                  HINT = 'Use critical for the most important assets; mark crown jewels with crown_jewel = true.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER nodes_before_write BEFORE INSERT OR UPDATE OF kind, criticality ON infracast.nodes
    FOR EACH ROW EXECUTE FUNCTION infracast.nodes_before_write();

CREATE FUNCTION infracast.edges_before_write() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k infracast.edge_kinds%ROWTYPE;
BEGIN
    NEW.kind := lower(NEW.kind);
    SELECT * INTO k FROM infracast.edge_kinds WHERE name = NEW.kind;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown edge kind "%"', NEW.kind
            USING ERRCODE = 'IC003',
                  HINT = 'See SELECT name FROM infracast.edge_kinds, or add the kind with INSERT INTO infracast.edge_kinds (name, likelihood) VALUES (...).';
    END IF;
    IF NEW.likelihood IS NULL THEN
        NEW.likelihood := k.likelihood;
    ELSIF NOT (NEW.likelihood > 0 AND NEW.likelihood <= 1) THEN
        RAISE EXCEPTION 'edge likelihood % is outside (0, 1]', NEW.likelihood
            USING ERRCODE = '22003',
                  HINT = 'A likelihood is the chance that an attacker holding the source gains the target: above 0, at most 1.';
    END IF;
    IF NEW.fix_cost IS NULL THEN
        NEW.fix_cost := k.fix_cost;
    END IF;
    IF (NEW.port IS NOT NULL OR NEW.protocol IS NOT NULL) AND NOT k.has_port THEN
        RAISE EXCEPTION 'edges of kind "%" carry no port or protocol', NEW.kind
            USING ERRCODE = '22023',
                  HINT = 'Only kinds with has_port (such as reach, can_exploit) take a port and protocol.';
    END IF;
    IF NEW.src = NEW.dst THEN
        RAISE EXCEPTION 'an edge cannot join a node to itself'
            USING ERRCODE = '23514', DETAIL = pg_catalog.format('Node id %s.', NEW.src),
                  HINT = 'Drop self-loops: they add no attack path.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER edges_before_write BEFORE INSERT OR UPDATE ON infracast.edges
    FOR EACH ROW EXECUTE FUNCTION infracast.edges_before_write();

-- ---------------------------------------------------------------------------------------------
-- Graph version: bumped once per statement that changes a tenant's nodes or edges
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.graph_versions (
    tenant_id  bigint NOT NULL PRIMARY KEY REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    version    bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE infracast.graph_versions IS
    'Per-tenant counter bumped by every statement that changes nodes or edges; the graph engine rebuilds a cached snapshot when it moves.';

CREATE FUNCTION infracast.bump_graph_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE infracast.graph_versions SET version = version + 1;
        RETURN NULL;
    END IF;
    INSERT INTO infracast.graph_versions AS g (tenant_id, version)
    SELECT DISTINCT t.tenant_id, 1 FROM changed_rows t
     WHERE EXISTS (SELECT 1 FROM infracast.tenants x WHERE x.id = t.tenant_id)  -- not when the tenant is being dropped
    ON CONFLICT (tenant_id) DO UPDATE SET version = g.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER nodes_version_ins AFTER INSERT ON infracast.nodes
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER nodes_version_upd AFTER UPDATE ON infracast.nodes
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER nodes_version_del AFTER DELETE ON infracast.nodes
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER nodes_version_trunc AFTER TRUNCATE ON infracast.nodes
    FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER edges_version_ins AFTER INSERT ON infracast.edges
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER edges_version_upd AFTER UPDATE ON infracast.edges
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER edges_version_del AFTER DELETE ON infracast.edges
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();
CREATE TRIGGER edges_version_trunc AFTER TRUNCATE ON infracast.edges
    FOR EACH STATEMENT EXECUTE FUNCTION infracast.bump_graph_version();

-- ---------------------------------------------------------------------------------------------
-- Row-level security: every tenant table, enabled and forced
-- ---------------------------------------------------------------------------------------------
ALTER TABLE infracast.nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.nodes
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

ALTER TABLE infracast.edges ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.edges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.edges
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

ALTER TABLE infracast.software ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.software FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.software
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

ALTER TABLE infracast.graph_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.graph_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.graph_versions
    USING (tenant_id = infracast.rls_tenant());

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------
GRANT SELECT ON infracast.node_kinds, infracast.edge_kinds, infracast.nodes, infracast.edges,
                infracast.software, infracast.graph_versions TO infracast_reader;
GRANT INSERT, UPDATE, DELETE ON infracast.nodes, infracast.edges, infracast.software TO infracast_analyst;
GRANT USAGE ON SEQUENCE infracast.nodes_id_seq, infracast.edges_id_seq, infracast.software_id_seq
    TO infracast_analyst;
-- Kinds are shared by every tenant: changing one changes every tenant's graph, so it is the
-- operator's work, not a tenant admin's.
GRANT INSERT, UPDATE, DELETE ON infracast.node_kinds, infracast.edge_kinds TO infracast_operator;

-- ---------------------------------------------------------------------------------------------
-- pg_dump keeps what users load (one call per statement: see DESIGN.md)
-- ---------------------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('infracast.node_kinds', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.edge_kinds', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('infracast.nodes', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.nodes_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.edges', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.edges_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.software', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.software_id_seq', '');
