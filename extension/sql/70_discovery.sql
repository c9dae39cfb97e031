-- Infracast discovery (docs/discovery.md): the credentials the discovery worker uses, the queue of
-- discovery jobs, and one row per device and attempt in discovery_runs. The worker
-- (bgworkers/discovery_worker.c) claims queued jobs, walks the devices and upserts what it finds
-- into nodes, edges and software; it never deletes anything it learnt before.

-- ---------------------------------------------------------------------------------------------
-- Credentials: secrets sealed with libsodium's crypto_secretbox under the key in the file named by
-- infracast.credential_key_file. Written only by credential_create/credential_rotate (C); no SQL
-- function opens a sealed secret, only the worker does, in memory.
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.credentials_id_seq;
CREATE TABLE infracast.credentials (
    tenant_id      bigint  NOT NULL DEFAULT infracast.current_tenant()
                   REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id             bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.credentials_id_seq'),
    name           text    NOT NULL CHECK (name ~ '^[A-Za-z][A-Za-z0-9_.-]{0,62}$'),
    kind           text    NOT NULL CHECK (kind IN ('snmp_v2c', 'snmp_v3', 'ssh_password', 'ssh_key')),
    username       text,   -- SNMPv3 security name or SSH user: not a secret
    auth_protocol  text    CHECK (auth_protocol IN ('SHA', 'SHA-256', 'SHA-512')),
    priv_protocol  text    CHECK (priv_protocol IN ('AES', 'AES-256')),
    sealed         bytea   NOT NULL,  -- format 1 || key id (8) || nonce (24) || secretbox
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    rotated_at     timestamptz,
    -- Where discover() may aim it (set by an admin with credential_restrict()); NULL: anywhere.
    -- An SNMP v2c community is sent in clear to whatever answers: this keeps it to the networks
    -- it belongs to.
    allowed_targets cidr[],
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name),
    CHECK (kind <> 'snmp_v3' OR (username IS NOT NULL AND auth_protocol IS NOT NULL AND priv_protocol IS NOT NULL)),
    CHECK (kind = 'snmp_v3' OR (auth_protocol IS NULL AND priv_protocol IS NULL))
);
ALTER SEQUENCE infracast.credentials_id_seq OWNED BY infracast.credentials.id;
COMMENT ON TABLE infracast.credentials IS
    'Discovery credentials of each tenant. Secrets are sealed (libsodium secretbox) under the key file named by infracast.credential_key_file; create and rotate them with infracast.credential_create/credential_rotate.';

CREATE FUNCTION infracast.credential_create(name text, kind text, secret text, username text DEFAULT NULL,
                                            auth_protocol text DEFAULT NULL, priv_protocol text DEFAULT NULL,
                                            priv_secret text DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'infracast_credential_create'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.credential_create(text, text, text, text, text, text, text) IS
    'Stores a discovery credential of the current tenant with its secret sealed; returns its id. kind: snmp_v2c (secret = community), snmp_v3 (username, auth_protocol SHA|SHA-256|SHA-512, priv_protocol AES|AES-256, secret = auth passphrase, priv_secret = privacy passphrase), ssh_password, ssh_key.';

CREATE FUNCTION infracast.credential_rotate(name text, secret text, priv_secret text DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'infracast_credential_rotate'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION infracast.credential_rotate(text, text, text) IS
    'Replaces the secret(s) of a credential of the current tenant (sealed under the current key file).';

-- ---------------------------------------------------------------------------------------------
-- Jobs
-- ---------------------------------------------------------------------------------------------
-- One target: an address, a CIDR block or a host name. Returns its normalised text and how many
-- addresses it stands for; raises 22023 naming the bad target.
CREATE FUNCTION infracast.discovery_target_normalise(target text, OUT normalised text, OUT addresses bigint)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t text := lower(btrim(coalesce(target, '')));
    a inet;
    c cidr;
    host_bits int;
BEGIN
    IF t = '' THEN
        RAISE EXCEPTION 'empty discovery target'
            USING ERRCODE = '22023', HINT = 'A target is an address (192.0.2.7), a CIDR block (192.0.2.0/24) or a host name.';
    END IF;
    IF t ~ '^[0-9a-f:.]+(/[0-9]+)?$' AND t ~ '[.:]' THEN
        BEGIN
            a := t::inet;
        EXCEPTION WHEN invalid_text_representation THEN
            RAISE EXCEPTION 'discovery target "%" is not a valid address or CIDR block', target
                USING ERRCODE = '22023', HINT = 'Write an IPv4 or IPv6 address, or a block such as 192.0.2.0/24.';
        END;
        host_bits := (CASE WHEN family(a) = 4 THEN 32 ELSE 128 END) - masklen(a);
        IF host_bits = 0 THEN
            normalised := host(a);
            addresses := 1;
            RETURN;
        END IF;
        c := network(a);
        IF c::inet <> a THEN
            RAISE EXCEPTION 'discovery target "%" has bits set to the right of the mask', target
                USING ERRCODE = '22023', HINT = format('Did you mean %s?', c);
        END IF;
        IF host_bits > 32 THEN
            RAISE EXCEPTION 'discovery target "%" is too large a block to sweep', target
                USING ERRCODE = '54000', HINT = 'Name the addresses, or a block of at most 2^32 addresses (IPv6 /96 or longer).';
        END IF;
        normalised := c::text;
        -- the network and broadcast addresses of IPv4 blocks up to /30 are not swept
        addresses := (1::bigint << host_bits) - CASE WHEN family(a) = 4 AND host_bits >= 2 THEN 2 ELSE 0 END;
        RETURN;
    END IF;
    IF t !~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$' OR length(t) > 253 THEN
        RAISE EXCEPTION 'discovery target "%" is neither an address, a CIDR block nor a host name', target
            USING ERRCODE = '22023', HINT = 'A target is an address (192.0.2.7), a CIDR block (192.0.2.0/24) or a host name (letters, digits, "-" and ".").';
    END IF;
    normalised := rtrim(t, '.');
    addresses := 1;
END
$$;


-- Every target of a job must normalise (the same check as discover(), so rows inserted directly
-- cannot hold a target the worker would choke on).
CREATE FUNCTION infracast.discovery_targets_valid(targets text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.count(n.normalised) = pg_catalog.cardinality(targets)
      FROM pg_catalog.unnest(targets) AS t(target), LATERAL infracast.discovery_target_normalise(t.target) AS n
$$;

CREATE SEQUENCE infracast.discovery_jobs_id_seq;
CREATE TABLE infracast.discovery_jobs (
    tenant_id      bigint  NOT NULL DEFAULT infracast.current_tenant()
                   REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id             bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.discovery_jobs_id_seq'),
    targets        text[]  NOT NULL CHECK (pg_catalog.cardinality(targets) > 0 AND infracast.discovery_targets_valid(targets)),
    method         text    NOT NULL CHECK (method IN ('snmp', 'ssh')),
    credential_id  bigint,
    port           integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    schedule       interval CHECK (schedule >= interval '1 minute'),  -- NULL: once
    state          text    NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    attempts       integer NOT NULL DEFAULT 0,
    not_before     timestamptz NOT NULL DEFAULT pg_catalog.now(),  -- back-off and schedule
    last_error     text,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    -- a credential deleted later leaves finished jobs without one (credential_delete refuses while
    -- queued or running jobs use it)
    FOREIGN KEY (tenant_id, credential_id) REFERENCES infracast.credentials (tenant_id, id)
        ON DELETE SET NULL (credential_id)
);
ALTER SEQUENCE infracast.discovery_jobs_id_seq OWNED BY infracast.discovery_jobs.id;
-- discover() returns the queued job that already asks for the same thing instead of a second one
CREATE UNIQUE INDEX discovery_jobs_queued_dedup ON infracast.discovery_jobs
    (tenant_id, method, targets, credential_id, port) NULLS NOT DISTINCT WHERE state = 'queued';
CREATE INDEX discovery_jobs_due ON infracast.discovery_jobs (not_before) WHERE state = 'queued';
COMMENT ON TABLE infracast.discovery_jobs IS
    'Discovery queue: infracast.discover() adds a job, the discovery worker claims it (state running), walks each target and ends it done, failed (after infracast.discovery_max_attempts attempts, with back-off) or queued again (schedule).';

-- ---------------------------------------------------------------------------------------------
-- Runs: one row per device and attempt, with what was found or why nothing was
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.discovery_runs_id_seq;
CREATE TABLE infracast.discovery_runs (
    tenant_id      bigint  NOT NULL REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id             bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.discovery_runs_id_seq'),
    job_id         bigint  NOT NULL,
    attempt        integer NOT NULL,
    target         text    NOT NULL,
    state          text    NOT NULL CHECK (state IN ('ok', 'partial', 'failed')),
    reason         text,   -- why a device failed or is partial; NULL when ok
    node_id        bigint, -- the node the facts went to
    sys_name       text,
    interfaces     integer NOT NULL DEFAULT 0,
    addresses      integer NOT NULL DEFAULT 0,
    software       integer NOT NULL DEFAULT 0,
    neighbours     integer NOT NULL DEFAULT 0,
    edges          integer NOT NULL DEFAULT 0,
    values_read    integer NOT NULL DEFAULT 0,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES infracast.discovery_jobs (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE SET NULL (node_id)
);
ALTER SEQUENCE infracast.discovery_runs_id_seq OWNED BY infracast.discovery_runs.id;
CREATE INDEX discovery_runs_job_idx ON infracast.discovery_runs (tenant_id, job_id);
COMMENT ON TABLE infracast.discovery_runs IS
    'One row per device and attempt of a discovery job: ok, partial (some tables missing, with the reason) or failed (the reason), with counts of what was found.';

-- ---------------------------------------------------------------------------------------------
-- discover(): validate, then enqueue (or return the queued job asking for the same thing)
-- ---------------------------------------------------------------------------------------------
-- The first of the (normalised) targets a credential restricted to ALLOWED may not be aimed at, or
-- NULL when every one is inside. A host name is never inside: where it points is known only once it
-- is resolved, when the secret is already on its way.
CREATE FUNCTION infracast.discovery_target_outside(targets text[], allowed cidr[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.target FROM pg_catalog.unnest(targets) WITH ORDINALITY AS t(target, i)
     WHERE allowed IS NOT NULL
       AND NOT (t.target ~ '^[0-9a-f:.]+(/[0-9]+)?$' AND t.target ~ '[.:]'
                -- IPv4 written as IPv6 (mapped, or NAT64's well-known prefix) reaches an IPv4 host
                -- that an IPv6 allowance never meant: always outside
                AND NOT t.target::inet && '::ffff:0:0/96'::cidr AND NOT t.target::inet && '64:ff9b::/96'::cidr
                AND EXISTS (SELECT 1 FROM pg_catalog.unnest(allowed) a WHERE t.target::inet <<= a))
     ORDER BY t.i LIMIT 1
$$;

-- A job queued again (its schedule's next run, or a retry) is checked against its credential's
-- restriction as it stands now: one restricted while the job ran is cancelled, not run outside.
CREATE FUNCTION infracast.discovery_jobs_requeue_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_allowed cidr[];
BEGIN
    SELECT c.allowed_targets INTO v_allowed FROM infracast.credentials c
     WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.credential_id;
    IF infracast.discovery_target_outside(NEW.targets, v_allowed) IS NOT NULL THEN
        NEW.state := 'cancelled';
        NEW.finished_at := pg_catalog.now();
        NEW.last_error := 'cancelled: its credential was restricted to ' || pg_catalog.array_to_string(v_allowed, ', ');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER requeue_check BEFORE UPDATE OF state ON infracast.discovery_jobs
    FOR EACH ROW WHEN (NEW.state = 'queued' AND OLD.state <> 'queued')
    EXECUTE FUNCTION infracast.discovery_jobs_requeue_check();

-- discover() and discovery_cancel() are the only ways analysts change the queue: they run as
-- infracast_internal (no superuser: row-level security keeps them to the current tenant), so that a
-- job always passes the licence, feature, size and credential checks below; analysts have no
-- INSERT or UPDATE on discovery_jobs of their own.
CREATE FUNCTION infracast.discover(targets text[], method text, credential text,
                                   port integer DEFAULT NULL, schedule interval DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_tenant bigint := infracast.current_tenant();   -- IC001 when none is set
    v_method text := lower(btrim(coalesce(discover.method, '')));
    v_targets text[];
    v_count bigint;
    v_max bigint := coalesce(current_setting('infracast.discovery_max_targets', true), '4096')::bigint;
    v_cred record;
    v_outside text;
    v_port integer;
    v_id bigint;
BEGIN
    PERFORM infracast.require_valid_license('run discovery');   -- IC301 in a restricted state
    PERFORM infracast.require_feature('discovery');             -- IC303
    IF v_method NOT IN ('snmp', 'ssh') THEN
        RAISE EXCEPTION 'unknown discovery method "%"', discover.method
            USING ERRCODE = '22023', HINT = 'The method is snmp or ssh.';
    END IF;
    IF discover.targets IS NULL OR cardinality(discover.targets) = 0 THEN
        RAISE EXCEPTION 'no discovery targets'
            USING ERRCODE = '22023', HINT = 'Pass an array of addresses, CIDR blocks or host names, such as ARRAY[''192.0.2.0/24''].';
    END IF;
    SELECT array_agg(DISTINCT n.normalised ORDER BY n.normalised), sum(n.addresses)
      INTO v_targets, v_count
      FROM unnest(discover.targets) AS t(target),
           LATERAL infracast.discovery_target_normalise(t.target) AS n;
    IF v_count > v_max THEN
        RAISE EXCEPTION 'the discovery targets stand for % addresses, more than infracast.discovery_max_targets (%)', v_count, v_max
            USING ERRCODE = '54000', HINT = 'Split the blocks into several jobs, or raise infracast.discovery_max_targets.';
    END IF;
    IF discover.credential IS NULL THEN
        RAISE EXCEPTION 'no credential given'
            USING ERRCODE = '22023', HINT = 'Create one with infracast.credential_create() and pass its name.';
    END IF;
    -- FOR SHARE: a credential_restrict() running now waits for this job to commit, then cancels it
    SELECT c.id, c.name, c.kind, c.allowed_targets INTO v_cred FROM infracast.credentials c
     WHERE c.tenant_id = v_tenant AND c.name = discover.credential
       FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credential "%" does not exist', discover.credential
            USING ERRCODE = '42704', HINT = 'See SELECT name, kind FROM infracast.credentials, or create it with infracast.credential_create().';
    END IF;
    v_outside := infracast.discovery_target_outside(v_targets, v_cred.allowed_targets);
    IF v_outside IS NOT NULL THEN
        RAISE EXCEPTION 'credential "%" may not be used on %', v_cred.name, v_outside
            USING ERRCODE = 'IC904',
                  DETAIL = pg_catalog.format('Its admin restricted it to %s.', pg_catalog.array_to_string(v_cred.allowed_targets, ', ')),
                  HINT = 'Aim it inside those networks (by address or block: a host name cannot be checked before it is resolved), use another credential, or ask an admin to widen it with infracast.credential_restrict().';
    END IF;
    IF v_method = 'snmp' AND v_cred.kind NOT IN ('snmp_v2c', 'snmp_v3') THEN
        RAISE EXCEPTION 'credential "%" is a % credential, not an SNMP one', v_cred.name, v_cred.kind
            USING ERRCODE = '22023', HINT = 'SNMP discovery takes a credential of kind snmp_v2c or snmp_v3.';
    ELSIF v_method = 'ssh' AND v_cred.kind NOT IN ('ssh_password', 'ssh_key') THEN
        RAISE EXCEPTION 'credential "%" is a % credential, not an SSH one', v_cred.name, v_cred.kind
            USING ERRCODE = '22023', HINT = 'SSH discovery takes a credential of kind ssh_password or ssh_key.';
    END IF;
    v_port := coalesce(discover.port, CASE v_method WHEN 'ssh' THEN 22 ELSE 161 END);
    IF v_port NOT BETWEEN 1 AND 65535 THEN
        RAISE EXCEPTION 'port % is outside 1-65535', v_port
            USING ERRCODE = '22023', HINT = 'Leave it NULL for the method''s own port (SNMP 161, SSH 22).';
    END IF;
    IF discover.schedule IS NOT NULL AND discover.schedule < interval '1 minute' THEN
        RAISE EXCEPTION 'schedule % is shorter than a minute', discover.schedule
            USING ERRCODE = '22023', HINT = 'Give NULL to run once, or an interval such as ''1 day''.';
    END IF;

    INSERT INTO infracast.discovery_jobs AS j (tenant_id, targets, method, credential_id, port, schedule)
    VALUES (v_tenant, v_targets, v_method, v_cred.id, v_port, discover.schedule)
    ON CONFLICT (tenant_id, method, targets, credential_id, port) WHERE state = 'queued' DO NOTHING
    RETURNING j.id INTO v_id;
    IF v_id IS NULL THEN
        SELECT j.id INTO v_id FROM infracast.discovery_jobs j
         WHERE j.tenant_id = v_tenant AND j.state = 'queued' AND j.method = v_method
           AND j.targets = v_targets AND j.credential_id = v_cred.id AND j.port = v_port;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION infracast.discover(text[], text, text, integer, interval) IS
    'Queues a discovery job for the current tenant and returns its id (the id of the queued job asking for the same targets, method, credential and port when there is one). targets: addresses, CIDR blocks or host names; method: snmp or ssh; credential: a name of infracast.credentials (snmp_v2c/snmp_v3 for snmp, ssh_password/ssh_key for ssh); port: NULL for 161 (snmp) or 22 (ssh); schedule: NULL to run once, or how often to run again.';

CREATE FUNCTION infracast.discovery_cancel(job bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_state text;
BEGIN
    UPDATE infracast.discovery_jobs j SET state = 'cancelled', finished_at = now()
     WHERE j.tenant_id = infracast.current_tenant() AND j.id = discovery_cancel.job AND j.state = 'queued'
    RETURNING j.state INTO v_state;
    IF FOUND THEN
        RETURN true;
    END IF;
    SELECT j.state INTO v_state FROM infracast.discovery_jobs j
     WHERE j.tenant_id = infracast.current_tenant() AND j.id = discovery_cancel.job;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'discovery job % does not exist', discovery_cancel.job
            USING ERRCODE = '42704', HINT = 'See SELECT id, state FROM infracast.discovery_jobs.';
    END IF;
    RETURN false;   -- already running, finished or cancelled: nothing to do
END
$$;
COMMENT ON FUNCTION infracast.discovery_cancel(bigint) IS
    'Cancels a queued discovery job of the current tenant; false when it is no longer queued.';

-- Restricts where a credential may be aimed (NULL: anywhere again). Queued jobs of it that aim
-- outside are cancelled (a running one finishes; the next run of a scheduled one is cancelled with
-- it); returns how many.
CREATE FUNCTION infracast.credential_restrict(name text, allowed text[]) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER   -- as infracast_internal: it also cancels jobs (below)
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := infracast.current_tenant();
    v_allowed cidr[];
    v_id      bigint;
    v_n       integer;
BEGIN
    IF allowed IS NOT NULL THEN
        IF cardinality(allowed) = 0 THEN
            RAISE EXCEPTION 'no network given'
                USING ERRCODE = '22023', HINT = 'Give the networks the credential belongs to, such as ARRAY[''192.0.2.0/24''], or NULL to allow any.';
        END IF;
        BEGIN
            v_allowed := allowed::cidr[];
        EXCEPTION WHEN invalid_text_representation THEN
            RAISE EXCEPTION 'allowed networks % are not all addresses or CIDR blocks', allowed
                USING ERRCODE = '22023', HINT = 'Write blocks with their host bits clear, such as 192.0.2.0/24 or 2001:db8::/64.';
        END;
    END IF;
    UPDATE infracast.credentials c SET allowed_targets = v_allowed
     WHERE c.tenant_id = v_tenant AND c.name = credential_restrict.name
    RETURNING c.id INTO v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credential "%" does not exist', credential_restrict.name
            USING ERRCODE = '42704', HINT = 'See SELECT name, kind FROM infracast.credentials.';
    END IF;
    UPDATE infracast.discovery_jobs j SET state = 'cancelled', finished_at = now(),
           last_error = 'cancelled: its credential was restricted to ' || array_to_string(v_allowed, ', ')
     WHERE j.tenant_id = v_tenant AND j.credential_id = v_id AND j.state = 'queued'
       AND infracast.discovery_target_outside(j.targets, v_allowed) IS NOT NULL;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION infracast.credential_restrict(text, text[]) IS
    'Restricts where discover() may aim a credential: ARRAY[''192.0.2.0/24'', ...] (addresses or blocks; host names are then refused), or NULL for anywhere. Cancels its queued jobs that aim outside and returns how many.';

CREATE FUNCTION infracast.credential_delete(name text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := infracast.current_tenant();
    v_id bigint;
    v_jobs bigint[];
BEGIN
    SELECT c.id INTO v_id FROM infracast.credentials c
     WHERE c.tenant_id = v_tenant AND c.name = credential_delete.name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credential "%" does not exist', credential_delete.name
            USING ERRCODE = '42704', HINT = 'See SELECT name, kind FROM infracast.credentials.';
    END IF;
    SELECT array_agg(j.id ORDER BY j.id) INTO v_jobs FROM infracast.discovery_jobs j
     WHERE j.tenant_id = v_tenant AND j.credential_id = v_id AND j.state IN ('queued', 'running');
    IF v_jobs IS NOT NULL THEN
        RAISE EXCEPTION 'credential "%" is used by queued or running discovery jobs', credential_delete.name
            USING ERRCODE = '2BP01', DETAIL = format('Jobs %s.', array_to_string(v_jobs, ', ')),
                  HINT = 'Cancel them with infracast.discovery_cancel(), or wait until they end.';
    END IF;
    DELETE FROM infracast.credentials c WHERE c.tenant_id = v_tenant AND c.id = v_id;
END
$$;
COMMENT ON FUNCTION infracast.credential_delete(text) IS
    'Deletes a credential of the current tenant; refused (2BP01) while queued or running jobs use it.';

-- ---------------------------------------------------------------------------------------------
-- Worker side (superuser only): expanding targets, storing what one device answered
-- ---------------------------------------------------------------------------------------------
-- The addresses a job's targets stand for, in order (host names pass through unchanged).
CREATE FUNCTION infracast.discovery_expand(targets text[]) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN b.block IS NULL THEN u.t ELSE host(network(b.block)::inet + g.n) END
      FROM unnest(targets) WITH ORDINALITY AS u(t, o)
     CROSS JOIN LATERAL (SELECT CASE WHEN strpos(u.t, '/') > 0 THEN u.t::cidr END AS block) b
     CROSS JOIN LATERAL (SELECT CASE WHEN b.block IS NULL THEN 0
                                     ELSE (CASE WHEN family(b.block) = 4 THEN 32 ELSE 128 END) - masklen(b.block) END AS bits) h
     CROSS JOIN LATERAL generate_series(
                    CASE WHEN family(coalesce(b.block, '0.0.0.0/32')) = 4 AND h.bits >= 2 THEN 1 ELSE 0 END::bigint,
                    (1::bigint << h.bits) - 1 - CASE WHEN family(coalesce(b.block, '0.0.0.0/32')) = 4 AND h.bits >= 2 THEN 1 ELSE 0 END) AS g(n)
     ORDER BY u.o, g.n
$$;

-- An address from an SNMP table index: "1.4.a.b.c.d" (IPv4) or "2.16.<16 bytes>" (IPv6), from
-- position pos of the dotted index; NULL for anything else (zoned addresses, DNS names).
CREATE FUNCTION infracast.discovery_index_inet(idx text, pos integer) RETURNS inet
    LANGUAGE sql IMMUTABLE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH p AS (SELECT string_to_array(idx, '.')::bigint[] AS a)
    SELECT CASE
        WHEN a[pos] = 1 AND a[pos + 1] = 4 AND cardinality(a) = pos + 5
            THEN array_to_string(a[pos + 2:pos + 5], '.')::inet
        WHEN a[pos] = 2 AND a[pos + 1] = 16 AND cardinality(a) = pos + 17
            THEN (SELECT string_agg(to_hex(a[pos + 2 + 2 * i] * 256 + a[pos + 3 + 2 * i]), ':' ORDER BY i)
                    FROM generate_series(0, 7) i)::inet
        END
      FROM p
$$;

-- Stores what one device answered (called by the worker, in its own transaction per device):
-- upserts the node, its software and reach edges to known neighbours, and records the run. Never
-- deletes: addresses are merged, attrs.snmp keeps the keys this walk did not read in full, software
-- and edges only gain rows or a newer last_seen. p_complete names the subtrees read in full;
-- p_root/p_index/p_text/p_hex are the values (text NULL when not printable; hex for octets).
CREATE FUNCTION infracast.discovery_store_snmp(
    p_tenant bigint, p_job bigint, p_attempt integer, p_target text, p_started timestamptz,
    p_error text, p_notes text, p_complete text[],
    p_root text[], p_index text[], p_text text[], p_hex text[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint;
    v_state text;
    v_reason text := nullif(concat_ws('; ', p_error, nullif(p_notes, '')), '');
    v_addr inet;
    v_sys jsonb;
    v_snmp jsonb;
    v_ifs jsonb;
    v_addrs inet[];
    v_arp jsonb;
    v_lldp jsonb;
    v_cdp jsonb;
    v_serials jsonb;
    v_node bigint;
    v_kind text;
    v_services integer;
    v_sw integer := 0;
    v_edges integer := 0;
    v_neigh integer := 0;
BEGIN
    BEGIN
        v_addr := p_target::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_addr := NULL;   -- a host name
    END;
    IF NOT ('system' = ANY (p_complete)) THEN
        INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, values_read, started_at)
        VALUES (p_tenant, p_job, p_attempt, p_target, 'failed',
                coalesce(v_reason, 'the agent did not answer the system group'), cardinality(p_root), p_started)
        RETURNING id INTO v_run;
        RETURN v_run;
    END IF;
    v_state := CASE WHEN v_reason IS NULL THEN 'ok' ELSE 'partial' END;

    CREATE TEMP TABLE IF NOT EXISTS discovery_values (root text, idx text, txt text, hex text) ON COMMIT DROP;
    TRUNCATE discovery_values;
    INSERT INTO discovery_values SELECT * FROM unnest(p_root, p_index, p_text, p_hex);

    SELECT jsonb_object_agg(k.key, CASE WHEN k.key IN ('sysServices', 'sysUpTime') THEN to_jsonb(v.txt::bigint) ELSE to_jsonb(v.txt) END)
      INTO v_sys
      FROM discovery_values v
      JOIN (VALUES ('1.0', 'sysDescr'), ('2.0', 'sysObjectID'), ('3.0', 'sysUpTime'), ('4.0', 'sysContact'),
                   ('5.0', 'sysName'), ('6.0', 'sysLocation'), ('7.0', 'sysServices')) AS k(idx, key) ON k.idx = v.idx
     WHERE v.root = 'system' AND v.txt IS NOT NULL;
    v_snmp := coalesce(v_sys, '{}');
    v_services := (v_snmp->>'sysServices')::integer;

    IF 'ifTable.ifDescr' = ANY (p_complete) THEN
        SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                   'index', d.idx::bigint, 'descr', d.txt, 'type', t.txt::bigint,
                   'mac', nullif(regexp_replace(m.hex, '(..)(?!$)', '\1:', 'g'), ''),
                   'oper_status', o.txt::bigint, 'name', n.txt, 'alias', nullif(a.txt, '')))
                   ORDER BY d.idx::bigint), '[]')
          INTO v_ifs
          FROM discovery_values d
          LEFT JOIN discovery_values t ON t.root = 'ifTable.ifType' AND t.idx = d.idx
          LEFT JOIN discovery_values m ON m.root = 'ifTable.ifPhysAddress' AND m.idx = d.idx
          LEFT JOIN discovery_values o ON o.root = 'ifTable.ifOperStatus' AND o.idx = d.idx
          LEFT JOIN discovery_values n ON n.root = 'ifXTable.ifName' AND n.idx = d.idx
          LEFT JOIN discovery_values a ON a.root = 'ifXTable.ifAlias' AND a.idx = d.idx
         WHERE d.root = 'ifTable.ifDescr';
        v_snmp := v_snmp || jsonb_build_object('interfaces', v_ifs);
    END IF;

    -- the device's own unicast addresses, without loopback and link-local ones (shared by every
    -- host, they would make nodes match each other), plus the address it was reached at
    SELECT array_agg(DISTINCT a ORDER BY a) INTO v_addrs
      FROM (SELECT v.txt::inet AS a FROM discovery_values v WHERE v.root = 'ipAddrTable.ipAdEntAddr'
            UNION
            SELECT infracast.discovery_index_inet(v.idx, 1) FROM discovery_values v
             WHERE v.root = 'ipAddressTable.ipAddressType' AND v.txt = '1'
            UNION
            SELECT v_addr) x
     WHERE a IS NOT NULL
       AND (a = v_addr OR NOT (a << inet '127.0.0.0/8' OR a = inet '::1' OR a << inet 'fe80::/10' OR a << inet '169.254.0.0/16'));
    v_addrs := coalesce(v_addrs, '{}');

    IF 'ipNetToMediaTable.ipNetToMediaPhysAddress' = ANY (p_complete) THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'address', array_to_string((string_to_array(v.idx, '.'))[2:5], '.'),
                   'mac', regexp_replace(v.hex, '(..)(?!$)', '\1:', 'g'),
                   'if_index', split_part(v.idx, '.', 1)::bigint) ORDER BY v.idx), '[]')
          INTO v_arp
          FROM discovery_values v
         WHERE v.root = 'ipNetToMediaTable.ipNetToMediaPhysAddress' AND cardinality(string_to_array(v.idx, '.')) = 5;
        v_snmp := v_snmp || jsonb_build_object('arp', v_arp);
    END IF;
    IF 'lldpRemTable' = ANY (p_complete) THEN
        -- chassis and port IDs are read by their subtype (LLDP-MIB): a MAC address (chassis 4, port
        -- 3) as aa:bb:.., a network address (chassis 5, port 4: IANA family byte, then the address)
        -- as an address, anything else as text, or hex when not printable
        SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                   'name', r.name, 'chassis_id', coalesce(cm.mac, ca.address, r.chassis_txt, r.chassis_hex),
                   'port_id', coalesce(pm.mac, pa.address, r.port_txt, r.port_hex),
                   'address', coalesce(ma.address, ca.address))) ORDER BY r.key), '[]')
          INTO v_lldp
          FROM (SELECT substr(v.idx, strpos(v.idx, '.') + 1) AS key,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '9') AS name,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '4') AS chassis_type,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '5') AS chassis_txt,
                       max(v.hex) FILTER (WHERE split_part(v.idx, '.', 1) = '5') AS chassis_hex,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '6') AS port_type,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '7') AS port_txt,
                       max(v.hex) FILTER (WHERE split_part(v.idx, '.', 1) = '7') AS port_hex
                  FROM discovery_values v WHERE v.root = 'lldpRemTable'
                 GROUP BY 1) r
          LEFT JOIN LATERAL (SELECT regexp_replace(r.chassis_hex, '(..)(?!$)', '\1:', 'g') AS mac
                              WHERE r.chassis_type = '4' AND length(r.chassis_hex) = 12) cm ON true
          LEFT JOIN LATERAL (SELECT regexp_replace(r.port_hex, '(..)(?!$)', '\1:', 'g') AS mac
                              WHERE r.port_type = '3' AND length(r.port_hex) = 12) pm ON true
          LEFT JOIN LATERAL (SELECT CASE WHEN x.h ~ '^01[0-9a-f]{8}$'
                                    THEN (SELECT string_agg(('x' || substr(x.h, i, 2))::bit(8)::int::text, '.' ORDER BY i)
                                            FROM generate_series(3, 9, 2) i)
                                  WHEN x.h ~ '^02[0-9a-f]{32}$'
                                    THEN host(regexp_replace(substr(x.h, 3), '(.{4})(?!$)', '\1:', 'g')::inet) END AS address
                               FROM (SELECT r.chassis_hex AS h) x WHERE r.chassis_type = '5') ca ON true
          LEFT JOIN LATERAL (SELECT CASE WHEN x.h ~ '^01[0-9a-f]{8}$'
                                    THEN (SELECT string_agg(('x' || substr(x.h, i, 2))::bit(8)::int::text, '.' ORDER BY i)
                                            FROM generate_series(3, 9, 2) i)
                                  WHEN x.h ~ '^02[0-9a-f]{32}$'
                                    THEN host(regexp_replace(substr(x.h, 3), '(.{4})(?!$)', '\1:', 'g')::inet) END AS address
                               FROM (SELECT r.port_hex AS h) x WHERE r.port_type = '4') pa ON true
          LEFT JOIN LATERAL (
                SELECT host(infracast.discovery_index_inet(m.idx, 4)) AS address FROM discovery_values m
                 WHERE m.root = 'lldpRemManAddrTable.lldpRemManAddrIfSubtype' AND m.idx LIKE r.key || '.%'
                 ORDER BY m.idx LIMIT 1) ma ON true;
        v_snmp := v_snmp || jsonb_build_object('lldp', v_lldp);
    END IF;
    IF 'cdpCacheTable' = ANY (p_complete) THEN
        SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                   'name', r.name, 'port', r.port, 'platform', r.platform, 'address', r.address)) ORDER BY r.key), '[]')
          INTO v_cdp
          FROM (SELECT substr(v.idx, strpos(v.idx, '.') + 1) AS key,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '6') AS name,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '7') AS port,
                       max(v.txt) FILTER (WHERE split_part(v.idx, '.', 1) = '8') AS platform,
                       max(CASE WHEN length(v.hex) = 8 THEN
                           array_to_string(ARRAY[('x' || substr(v.hex, 1, 2))::bit(8)::int, ('x' || substr(v.hex, 3, 2))::bit(8)::int,
                                                 ('x' || substr(v.hex, 5, 2))::bit(8)::int, ('x' || substr(v.hex, 7, 2))::bit(8)::int], '.') END)
                           FILTER (WHERE split_part(v.idx, '.', 1) = '4') AS address
                  FROM discovery_values v WHERE v.root = 'cdpCacheTable'
                 GROUP BY 1) r;
        v_snmp := v_snmp || jsonb_build_object('cdp', v_cdp);
    END IF;
    IF 'entPhysicalTable.entPhysicalSerialNum' = ANY (p_complete) THEN
        SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                   'index', s.idx::bigint, 'serial', s.txt, 'class', c.txt::bigint, 'manufacturer', nullif(f.txt, ''),
                   'model', nullif(m.txt, ''))) ORDER BY s.idx::bigint), '[]')
          INTO v_serials
          FROM discovery_values s
          LEFT JOIN discovery_values c ON c.root = 'entPhysicalTable.entPhysicalClass' AND c.idx = s.idx
          LEFT JOIN discovery_values f ON f.root = 'entPhysicalTable.entPhysicalMfgName' AND f.idx = s.idx
          LEFT JOIN discovery_values m ON m.root = 'entPhysicalTable.entPhysicalModelName' AND m.idx = s.idx
         WHERE s.root = 'entPhysicalTable.entPhysicalSerialNum' AND coalesce(s.txt, '') <> '';
        v_snmp := v_snmp || jsonb_build_object('serials', v_serials);
    END IF;

    -- a host when it reports installed software or is a Net-SNMP agent, else what sysServices says
    v_kind := CASE
        WHEN EXISTS (SELECT 1 FROM discovery_values WHERE root = 'hrSWInstalledTable.hrSWInstalledName')
          OR v_snmp->>'sysObjectID' LIKE '1.3.6.1.4.1.8072.%' THEN 'host'
        WHEN v_services & 4 <> 0 THEN 'router'
        WHEN v_services & 2 <> 0 THEN 'switch'
        ELSE 'host' END;

    SELECT n.id INTO v_node FROM infracast.nodes n
     WHERE n.tenant_id = p_tenant AND n.external_id = 'snmp:' || p_target FOR UPDATE;
    IF NOT FOUND AND v_addr IS NOT NULL THEN
        SELECT n.id INTO v_node FROM infracast.nodes n
         WHERE n.tenant_id = p_tenant AND n.addresses @> ARRAY[v_addr] ORDER BY n.id LIMIT 1 FOR UPDATE;
    END IF;
    IF v_node IS NULL THEN
        INSERT INTO infracast.nodes (tenant_id, external_id, kind, name, addresses, attrs, source)
        VALUES (p_tenant, 'snmp:' || p_target, v_kind, coalesce(nullif(v_snmp->>'sysName', ''), p_target), v_addrs,
                jsonb_build_object('snmp', v_snmp), 'discovery')
        RETURNING id INTO v_node;
    ELSE
        UPDATE infracast.nodes n
           SET name = CASE WHEN n.source = 'discovery' THEN coalesce(nullif(v_snmp->>'sysName', ''), n.name)
                           ELSE coalesce(n.name, nullif(v_snmp->>'sysName', '')) END,
               addresses = (SELECT coalesce(array_agg(DISTINCT a ORDER BY a), '{}') FROM unnest(n.addresses || v_addrs) a),
               attrs = n.attrs || jsonb_build_object('snmp', coalesce(n.attrs->'snmp', '{}') || v_snmp),
               last_seen = now()
         WHERE n.tenant_id = p_tenant AND n.id = v_node;
    END IF;

    IF 'hrSWInstalledTable.hrSWInstalledName' = ANY (p_complete) THEN
        -- Net-SNMP on Debian reports "name_version_arch"; other agents free text (kept whole)
        CREATE TEMP TABLE IF NOT EXISTS discovery_sw (name text, version text) ON COMMIT DROP;
        TRUNCATE discovery_sw;
        INSERT INTO discovery_sw
        SELECT DISTINCT CASE WHEN m IS NULL THEN v.txt ELSE m[1] END, m[2]
          FROM discovery_values v
          LEFT JOIN LATERAL regexp_match(v.txt, '^([^_ ]+)_([^_ ]+)_([^_ ]+)$') AS m ON true
         WHERE v.root = 'hrSWInstalledTable.hrSWInstalledName' AND coalesce(v.txt, '') <> '';
        GET DIAGNOSTICS v_sw = ROW_COUNT;
        UPDATE infracast.software s SET last_seen = now()
          FROM discovery_sw w
         WHERE s.tenant_id = p_tenant AND s.node_id = v_node AND s.name = w.name
           AND s.version IS NOT DISTINCT FROM w.version;
        INSERT INTO infracast.software (tenant_id, node_id, name, version, source)
        SELECT p_tenant, v_node, w.name, w.version, 'discovery' FROM discovery_sw w
         WHERE NOT EXISTS (SELECT 1 FROM infracast.software s
                            WHERE s.tenant_id = p_tenant AND s.node_id = v_node AND s.name = w.name
                              AND s.version IS NOT DISTINCT FROM w.version);
    END IF;

    -- reach edges, both ways, to the nodes already known at a neighbour's address or name
    WITH neigh AS (
        SELECT e->>'address' AS address, NULL::text AS name, 'arp' AS via FROM jsonb_array_elements(coalesce(v_arp, '[]')) e
        UNION ALL
        SELECT e->>'address', e->>'name', 'lldp' FROM jsonb_array_elements(coalesce(v_lldp, '[]')) e
        UNION ALL
        SELECT e->>'address', e->>'name', 'cdp' FROM jsonb_array_elements(coalesce(v_cdp, '[]')) e
    ), peers AS (
        SELECT DISTINCT ON (n.id) n.id, x.via FROM neigh x
          JOIN infracast.nodes n ON n.tenant_id = p_tenant AND n.id <> v_node
               AND ((x.address IS NOT NULL AND n.addresses @> ARRAY[x.address::inet]) OR (x.name IS NOT NULL AND n.name = x.name))
         ORDER BY n.id, x.via
    ), ins AS (
        INSERT INTO infracast.edges AS e (tenant_id, src, dst, kind, likelihood, fix_cost, attrs, source)
        SELECT p_tenant, s, d, 'reach', NULL, NULL, jsonb_build_object('via', p.via), 'discovery'
          FROM peers p CROSS JOIN LATERAL (VALUES (v_node, p.id), (p.id, v_node)) AS dir(s, d)
        ON CONFLICT (tenant_id, src, dst, kind, port, protocol) DO UPDATE SET last_seen = now()
        RETURNING 1
    )
    SELECT count(*) INTO v_edges FROM ins;
    v_neigh := coalesce(jsonb_array_length(v_arp), 0) + coalesce(jsonb_array_length(v_lldp), 0) + coalesce(jsonb_array_length(v_cdp), 0);

    INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, node_id, sys_name,
                                          interfaces, addresses, software, neighbours, edges, values_read, started_at)
    VALUES (p_tenant, p_job, p_attempt, p_target, v_state, v_reason, v_node, v_snmp->>'sysName',
            coalesce(jsonb_array_length(v_ifs), 0), cardinality(v_addrs), v_sw, v_neigh, v_edges,
            cardinality(p_root), p_started)
    RETURNING id INTO v_run;
    RETURN v_run;
END
$$;

-- Records a device that could not be walked or stored at all.
CREATE FUNCTION infracast.discovery_record_failure(p_tenant bigint, p_job bigint, p_attempt integer,
                                                   p_targets text[], p_started timestamptz, p_reason text)
    RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, started_at)
    SELECT p_tenant, p_job, p_attempt, t, 'failed', p_reason, p_started FROM unnest(p_targets) t
$$;

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------
ALTER TABLE infracast.credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.credentials
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

ALTER TABLE infracast.discovery_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.discovery_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.discovery_jobs
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

ALTER TABLE infracast.discovery_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.discovery_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.discovery_runs
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

-- ---------------------------------------------------------------------------------------------
-- Grants: readers see jobs and runs; analysts queue and cancel jobs; admins manage credentials.
-- The sealed column is never granted: only the worker (a superuser session) reads it.
-- ---------------------------------------------------------------------------------------------
GRANT SELECT ON infracast.discovery_jobs, infracast.discovery_runs TO infracast_reader;
GRANT SELECT (tenant_id, id, name, kind, username, auth_protocol, priv_protocol, created_at, rotated_at, allowed_targets)
    ON infracast.credentials TO infracast_analyst;
GRANT INSERT, UPDATE ON infracast.credentials TO infracast_admin;
GRANT DELETE ON infracast.credentials TO infracast_admin;
-- the queue is written by discover() and discovery_cancel() only (as infracast_internal, above)
GRANT INSERT, UPDATE ON infracast.discovery_jobs TO infracast_internal;
GRANT SELECT (tenant_id, id, name, kind, allowed_targets) ON infracast.credentials TO infracast_internal;
GRANT USAGE ON SEQUENCE infracast.discovery_jobs_id_seq TO infracast_internal;
ALTER FUNCTION infracast.discover(text[], text, text, integer, interval) OWNER TO infracast_internal;
ALTER FUNCTION infracast.discovery_cancel(bigint) OWNER TO infracast_internal;
GRANT USAGE ON SEQUENCE infracast.credentials_id_seq TO infracast_admin;

REVOKE EXECUTE ON FUNCTION infracast.credential_create(text, text, text, text, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.credential_rotate(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.credential_delete(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discover(text[], text, text, integer, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discovery_cancel(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discovery_expand(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discovery_index_inet(text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discovery_store_snmp(bigint, bigint, integer, text, timestamptz, text, text, text[], text[], text[], text[], text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION infracast.discovery_record_failure(bigint, bigint, integer, text[], timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.credential_create(text, text, text, text, text, text, text) TO infracast_admin;
GRANT EXECUTE ON FUNCTION infracast.credential_rotate(text, text, text) TO infracast_admin;
GRANT EXECUTE ON FUNCTION infracast.credential_delete(text) TO infracast_admin;
GRANT UPDATE (allowed_targets) ON infracast.credentials TO infracast_internal;
ALTER FUNCTION infracast.credential_restrict(text, text[]) OWNER TO infracast_internal;
REVOKE EXECUTE ON FUNCTION infracast.credential_restrict(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.credential_restrict(text, text[]) TO infracast_admin;
GRANT EXECUTE ON FUNCTION infracast.discover(text[], text, text, integer, interval) TO infracast_analyst;
GRANT EXECUTE ON FUNCTION infracast.discovery_cancel(bigint) TO infracast_analyst;

-- ---------------------------------------------------------------------------------------------
-- pg_dump keeps credentials (still sealed), jobs and runs
-- ---------------------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('infracast.credentials', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.credentials_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.discovery_jobs', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.discovery_jobs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.discovery_runs', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.discovery_runs_id_seq', '');
