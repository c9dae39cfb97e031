-- Infracast SSH discovery (docs/discovery.md#ssh): host keys pinned on first use, the mismatches the
-- analyst must look at, the services seen listening, and the worker-side store of one SSH collection.
-- The queue, credentials and runs are those of 70_discovery.sql; discover(..., 'ssh', ...) queues.

-- What an SSH collection counts, beside the SNMP counts of discovery_runs.
ALTER TABLE infracast.discovery_runs
    ADD COLUMN services integer NOT NULL DEFAULT 0,
    ADD COLUMN accounts integer NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------------------------------
-- Host keys: the key a host offered the first time (trust on first use), per tenant, host and port.
-- A later connection that is offered another key is refused before any credential is sent, and
-- leaves a row in ssh_host_key_mismatches; only ssh_host_key_accept() moves the pin.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.ssh_host_keys (
    tenant_id    bigint  NOT NULL REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    host         text    NOT NULL,   -- the job's target: an address or a host name
    port         integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    key_type     text    NOT NULL,   -- as libssh names it: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa
    fingerprint  text    NOT NULL CHECK (fingerprint ~ '^SHA256:[A-Za-z0-9+/]{43}$'),
    first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    accepted_at  timestamptz,        -- set when an operator re-pinned it with ssh_host_key_accept()
    accepted_by  text,
    PRIMARY KEY (tenant_id, host, port)
);
COMMENT ON TABLE infracast.ssh_host_keys IS
    'SSH host keys pinned by discovery: the SHA-256 fingerprint each host offered first (or the one an operator accepted with infracast.ssh_host_key_accept()).';

CREATE SEQUENCE infracast.ssh_host_key_mismatches_id_seq;
CREATE TABLE infracast.ssh_host_key_mismatches (
    tenant_id           bigint  NOT NULL REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id                  bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.ssh_host_key_mismatches_id_seq'),
    host                text    NOT NULL,
    port                integer NOT NULL,
    pinned_type         text    NOT NULL,
    pinned_fingerprint  text    NOT NULL,
    offered_type        text    NOT NULL,
    offered_fingerprint text    NOT NULL,
    job_id              bigint,           -- the last job refused for it
    first_seen          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    times               integer NOT NULL DEFAULT 1,
    resolved_at         timestamptz,      -- when the key was accepted (or the host went back to the pinned key)
    resolved_by         text,
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE infracast.ssh_host_key_mismatches_id_seq OWNED BY infracast.ssh_host_key_mismatches.id;
-- one open row per host, port and offered key: a host refused every day does not fill the table
CREATE UNIQUE INDEX ssh_host_key_mismatches_open ON infracast.ssh_host_key_mismatches
    (tenant_id, host, port, offered_fingerprint) WHERE resolved_at IS NULL;
COMMENT ON TABLE infracast.ssh_host_key_mismatches IS
    'Hosts whose SSH host key differs from the pinned one: discovery refused to log in. Open rows (resolved_at NULL) are for an analyst to check: a reinstalled host, or someone in the middle. infracast.ssh_host_key_accept() re-pins and resolves them.';

-- ---------------------------------------------------------------------------------------------
-- Services seen listening (ss -tulnp over SSH). The compliance rule mgmt_cleartext_protocols
-- (SC-8) reads this table (docs/compliance.md).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE infracast.discovered_services (
    tenant_id    bigint  NOT NULL,
    node_id      bigint  NOT NULL,
    protocol     text    NOT NULL CHECK (protocol IN ('tcp', 'udp')),
    address      text    NOT NULL,   -- the local address listened on; '*' or 0.0.0.0 / :: for all
    port         integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    process      text,               -- NULL when the account could not see it (another user's, no sudo)
    service      text,               -- by well-known port (ssh, telnet, http, ...), else the process name
    source       text    NOT NULL DEFAULT 'discovery',
    first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (tenant_id, node_id, protocol, address, port),
    FOREIGN KEY (tenant_id, node_id) REFERENCES infracast.nodes (tenant_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE infracast.discovered_services IS
    'Sockets each node listens on, as SSH discovery saw them (ss -tulnp). Rows gain a newer last_seen; a service no longer seen keeps its older one.';

-- The service name of a well-known port, for discovered_services.service.
CREATE FUNCTION infracast.discovery_service_name(protocol text, port integer, process text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(
        CASE WHEN protocol = 'tcp' THEN
            CASE port WHEN 21 THEN 'ftp' WHEN 22 THEN 'ssh' WHEN 23 THEN 'telnet' WHEN 25 THEN 'smtp'
                      WHEN 53 THEN 'dns' WHEN 80 THEN 'http' WHEN 110 THEN 'pop3' WHEN 143 THEN 'imap'
                      WHEN 389 THEN 'ldap' WHEN 443 THEN 'https' WHEN 512 THEN 'rexec' WHEN 513 THEN 'rlogin'
                      WHEN 514 THEN 'rsh' WHEN 636 THEN 'ldaps' WHEN 3306 THEN 'mysql' WHEN 3389 THEN 'rdp'
                      WHEN 5432 THEN 'postgresql' WHEN 5900 THEN 'vnc' WHEN 8080 THEN 'http' END
        ELSE
            CASE port WHEN 53 THEN 'dns' WHEN 69 THEN 'tftp' WHEN 123 THEN 'ntp' WHEN 161 THEN 'snmp'
                      WHEN 514 THEN 'syslog' END
        END, process)
$$;

-- ---------------------------------------------------------------------------------------------
-- ssh_host_key_accept(): the operator's explicit re-pin, after checking the new key out of band
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.ssh_host_key_accept(host text, fingerprint text, port integer DEFAULT 22)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_tenant bigint := infracast.current_tenant();
    v_host text := lower(btrim(coalesce(ssh_host_key_accept.host, '')));
    v_mismatch record;
BEGIN
    IF ssh_host_key_accept.fingerprint IS NULL OR ssh_host_key_accept.fingerprint !~ '^SHA256:[A-Za-z0-9+/]{43}$' THEN
        RAISE EXCEPTION 'fingerprint "%" is not a SHA-256 SSH key fingerprint', ssh_host_key_accept.fingerprint
            USING ERRCODE = '22023',
                  HINT = 'Give it as ssh-keygen -lf prints it on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub): SHA256: then 43 characters.';
    END IF;
    SELECT m.* INTO v_mismatch FROM infracast.ssh_host_key_mismatches m
     WHERE m.tenant_id = v_tenant AND m.host = v_host AND m.port = ssh_host_key_accept.port AND m.resolved_at IS NULL
     ORDER BY m.last_seen DESC LIMIT 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no refused host key to accept for %:%', v_host, ssh_host_key_accept.port
            USING ERRCODE = '42704',
                  HINT = 'See SELECT host, port, offered_fingerprint FROM infracast.ssh_host_key_mismatches WHERE resolved_at IS NULL.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM infracast.ssh_host_key_mismatches m
                    WHERE m.tenant_id = v_tenant AND m.host = v_host AND m.port = ssh_host_key_accept.port
                      AND m.resolved_at IS NULL AND m.offered_fingerprint = ssh_host_key_accept.fingerprint) THEN
        RAISE EXCEPTION 'fingerprint % is not the key %:% offered', ssh_host_key_accept.fingerprint, v_host, ssh_host_key_accept.port
            USING ERRCODE = 'IC903',
                  DETAIL = format('The host offered %s %s.', v_mismatch.offered_type, v_mismatch.offered_fingerprint),
                  HINT = 'Check the fingerprint on the host itself (ssh-keygen -lf on its host key) and pass exactly that one; nothing was changed.';
    END IF;
    SELECT m.* INTO v_mismatch FROM infracast.ssh_host_key_mismatches m
     WHERE m.tenant_id = v_tenant AND m.host = v_host AND m.port = ssh_host_key_accept.port
       AND m.resolved_at IS NULL AND m.offered_fingerprint = ssh_host_key_accept.fingerprint;
    UPDATE infracast.ssh_host_keys k
       SET key_type = v_mismatch.offered_type, fingerprint = v_mismatch.offered_fingerprint,
           accepted_at = now(), accepted_by = session_user, last_seen = now()
     WHERE k.tenant_id = v_tenant AND k.host = v_host AND k.port = ssh_host_key_accept.port;
    IF NOT FOUND THEN   -- the pin was deleted meanwhile: pin the accepted key
        INSERT INTO infracast.ssh_host_keys (tenant_id, host, port, key_type, fingerprint, accepted_at, accepted_by)
        VALUES (v_tenant, v_host, ssh_host_key_accept.port, v_mismatch.offered_type, v_mismatch.offered_fingerprint, now(), session_user);
    END IF;
    UPDATE infracast.ssh_host_key_mismatches m SET resolved_at = now(), resolved_by = session_user
     WHERE m.tenant_id = v_tenant AND m.host = v_host AND m.port = ssh_host_key_accept.port AND m.resolved_at IS NULL;
END
$$;
COMMENT ON FUNCTION infracast.ssh_host_key_accept(text, text, integer) IS
    'Re-pins the SSH host key of host:port to the key it offered when discovery refused it (fingerprint as ssh-keygen -lf prints it, checked against the refused key), and resolves its open mismatches.';

-- ---------------------------------------------------------------------------------------------
-- Worker side: storing one SSH collection (its own transaction per device). Never deletes: facts
-- merge into attrs.ssh, software and services gain rows or a newer last_seen.
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.discovery_store_ssh(
    p_tenant bigint, p_job bigint, p_attempt integer, p_target text, p_port integer, p_started timestamptz,
    p_error text, p_notes text,
    p_key_type text, p_key_fingerprint text, p_key_changed boolean, p_pinned_type text, p_pinned_fingerprint text,
    p_complete text[], p_fact_keys text[], p_fact_values text[],
    p_sw_name text[], p_sw_version text[], p_sw_purl text[],
    p_svc_protocol text[], p_svc_address text[], p_svc_port integer[], p_svc_process text[],
    p_acc_name text[], p_acc_uid bigint[], p_acc_gid bigint[], p_acc_home text[], p_acc_shell text[],
    p_acc_system boolean[], p_acc_login boolean[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run bigint;
    v_reason text := nullif(concat_ws('; ', p_error, nullif(p_notes, '')), '');
    v_addr inet;
    v_facts jsonb;
    v_ssh jsonb;
    v_accounts jsonb;
    v_node bigint;
    v_name text;
    v_sw integer := 0;
    v_svc integer := 0;
    v_acc integer := 0;
BEGIN
    BEGIN
        v_addr := p_target::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_addr := NULL;   -- a host name
    END;

    -- the host key, whatever else happened: pinned on first use, a changed one recorded for the analyst
    IF p_key_fingerprint IS NOT NULL AND p_key_changed THEN
        INSERT INTO infracast.ssh_host_key_mismatches AS m (tenant_id, host, port, pinned_type, pinned_fingerprint,
                                                            offered_type, offered_fingerprint, job_id)
        VALUES (p_tenant, p_target, p_port, p_pinned_type, p_pinned_fingerprint, p_key_type, p_key_fingerprint, p_job)
        ON CONFLICT (tenant_id, host, port, offered_fingerprint) WHERE resolved_at IS NULL
        DO UPDATE SET last_seen = now(), times = m.times + 1, job_id = excluded.job_id;
    ELSIF p_key_fingerprint IS NOT NULL THEN
        INSERT INTO infracast.ssh_host_keys AS k (tenant_id, host, port, key_type, fingerprint)
        VALUES (p_tenant, p_target, p_port, p_key_type, p_key_fingerprint)
        ON CONFLICT (tenant_id, host, port) DO UPDATE SET last_seen = now()
            WHERE k.fingerprint = excluded.fingerprint;
        -- the host offers the pinned key again: whatever was refused before was not accepted, and is over
        UPDATE infracast.ssh_host_key_mismatches m SET resolved_at = now(), resolved_by = 'the host offered the pinned key again'
         WHERE m.tenant_id = p_tenant AND m.host = p_target AND m.port = p_port AND m.resolved_at IS NULL;
    END IF;

    IF NOT ('uname' = ANY (p_complete) OR 'os-release' = ANY (p_complete)) THEN
        INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, started_at)
        VALUES (p_tenant, p_job, p_attempt, p_target, 'failed',
                coalesce(v_reason, 'neither os-release nor uname could be read'), p_started)
        RETURNING id INTO v_run;
        RETURN v_run;
    END IF;

    v_facts := jsonb_strip_nulls(coalesce(jsonb_object(p_fact_keys, p_fact_values), '{}'));
    v_ssh := v_facts || jsonb_build_object('port', p_port, 'host_key',
                 jsonb_build_object('type', p_key_type, 'fingerprint', p_key_fingerprint));
    IF 'getent passwd' = ANY (p_complete) THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('name', a.name, 'uid', a.uid, 'gid', a.gid, 'home', a.home,
                                                     'shell', a.shell, 'system', a.sys, 'login', a.login)
                                  ORDER BY a.uid, a.name), '[]')
          INTO v_accounts
          FROM unnest(p_acc_name, p_acc_uid, p_acc_gid, p_acc_home, p_acc_shell, p_acc_system, p_acc_login)
               AS a(name, uid, gid, home, shell, sys, login);
        v_acc := jsonb_array_length(v_accounts);
        v_ssh := v_ssh || jsonb_build_object('accounts', v_accounts);
    END IF;
    v_name := nullif(v_facts->>'hostname', '');

    SELECT n.id INTO v_node FROM infracast.nodes n
     WHERE n.tenant_id = p_tenant AND n.external_id = 'ssh:' || p_target FOR UPDATE;
    IF NOT FOUND AND v_addr IS NOT NULL THEN
        SELECT n.id INTO v_node FROM infracast.nodes n
         WHERE n.tenant_id = p_tenant AND n.addresses @> ARRAY[v_addr] ORDER BY n.id LIMIT 1 FOR UPDATE;
    END IF;
    IF v_node IS NULL THEN
        INSERT INTO infracast.nodes (tenant_id, external_id, kind, name, addresses, attrs, source)
        VALUES (p_tenant, 'ssh:' || p_target, 'host', coalesce(v_name, p_target),
                CASE WHEN v_addr IS NULL THEN '{}'::inet[] ELSE ARRAY[v_addr] END,
                jsonb_build_object('ssh', v_ssh), 'discovery')
        RETURNING id INTO v_node;
    ELSE
        UPDATE infracast.nodes n
           SET name = CASE WHEN n.source = 'discovery' AND n.external_id = 'ssh:' || p_target THEN coalesce(v_name, n.name)
                           ELSE coalesce(n.name, v_name) END,
               addresses = CASE WHEN v_addr IS NULL OR n.addresses @> ARRAY[v_addr] THEN n.addresses
                                ELSE (SELECT array_agg(DISTINCT a ORDER BY a) FROM unnest(n.addresses || v_addr) a) END,
               attrs = n.attrs || jsonb_build_object('ssh', coalesce(n.attrs->'ssh', '{}') || v_ssh),
               last_seen = now()
         WHERE n.tenant_id = p_tenant AND n.id = v_node;
    END IF;

    IF 'dpkg-query' = ANY (p_complete) OR 'rpm' = ANY (p_complete) THEN
        CREATE TEMP TABLE IF NOT EXISTS discovery_ssh_sw (name text, version text, purl text) ON COMMIT DROP;
        TRUNCATE discovery_ssh_sw;
        INSERT INTO discovery_ssh_sw
        SELECT DISTINCT ON (u.purl) u.name, u.version, u.purl FROM unnest(p_sw_name, p_sw_version, p_sw_purl) AS u(name, version, purl)
         ORDER BY u.purl;
        GET DIAGNOSTICS v_sw = ROW_COUNT;
        UPDATE infracast.software s SET last_seen = now()
          FROM discovery_ssh_sw w
         WHERE s.tenant_id = p_tenant AND s.node_id = v_node AND s.purl = w.purl;
        -- a row without purl for the same package (SNMP's hrSWInstalledTable, a manual row) gets it,
        -- so the same package is never matched twice
        UPDATE infracast.software s SET purl = w.purl, last_seen = now()
          FROM discovery_ssh_sw w
         WHERE s.tenant_id = p_tenant AND s.node_id = v_node AND s.purl IS NULL
           AND s.name = w.name AND s.version IS NOT DISTINCT FROM w.version
           AND NOT EXISTS (SELECT 1 FROM infracast.software o
                            WHERE o.tenant_id = p_tenant AND o.node_id = v_node AND o.purl = w.purl);
        INSERT INTO infracast.software (tenant_id, node_id, name, version, purl, source)
        SELECT p_tenant, v_node, w.name, w.version, w.purl, 'discovery' FROM discovery_ssh_sw w
         WHERE NOT EXISTS (SELECT 1 FROM infracast.software s
                            WHERE s.tenant_id = p_tenant AND s.node_id = v_node AND s.purl = w.purl);
    END IF;

    IF 'ss' = ANY (p_complete) THEN
        INSERT INTO infracast.discovered_services AS d (tenant_id, node_id, protocol, address, port, process, service)
        SELECT DISTINCT ON (u.protocol, u.address, u.port)
               p_tenant, v_node, u.protocol, u.address, u.port, u.process,
               infracast.discovery_service_name(u.protocol, u.port, u.process)
          FROM unnest(p_svc_protocol, p_svc_address, p_svc_port, p_svc_process) AS u(protocol, address, port, process)
         ORDER BY u.protocol, u.address, u.port, u.process NULLS LAST
        ON CONFLICT (tenant_id, node_id, protocol, address, port) DO UPDATE
           SET last_seen = now(), process = coalesce(excluded.process, d.process), service = excluded.service;
        GET DIAGNOSTICS v_svc = ROW_COUNT;
    END IF;

    INSERT INTO infracast.discovery_runs (tenant_id, job_id, attempt, target, state, reason, node_id, sys_name,
                                          addresses, software, services, accounts, values_read, started_at)
    VALUES (p_tenant, p_job, p_attempt, p_target, CASE WHEN v_reason IS NULL THEN 'ok' ELSE 'partial' END, v_reason,
            v_node, v_name, CASE WHEN v_addr IS NULL THEN 0 ELSE 1 END, v_sw, v_svc, v_acc,
            coalesce(cardinality(p_fact_keys), 0) + coalesce(cardinality(p_sw_name), 0)
              + coalesce(cardinality(p_svc_port), 0) + coalesce(cardinality(p_acc_name), 0),
            p_started)
    RETURNING id INTO v_run;
    RETURN v_run;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Row-level security, grants (as 70_discovery.sql: readers see, admins change trust), pg_dump
-- ---------------------------------------------------------------------------------------------
ALTER TABLE infracast.ssh_host_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.ssh_host_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.ssh_host_keys
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());
ALTER TABLE infracast.ssh_host_key_mismatches ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.ssh_host_key_mismatches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.ssh_host_key_mismatches
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());
ALTER TABLE infracast.discovered_services ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.discovered_services FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.discovered_services
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());

GRANT SELECT ON infracast.ssh_host_keys, infracast.ssh_host_key_mismatches, infracast.discovered_services
    TO infracast_reader;
-- re-pinning is a trust decision: admins only (they also delete a pin to let a host be pinned anew)
GRANT INSERT, UPDATE, DELETE ON infracast.ssh_host_keys TO infracast_admin;
GRANT UPDATE ON infracast.ssh_host_key_mismatches TO infracast_admin;

REVOKE EXECUTE ON FUNCTION infracast.ssh_host_key_accept(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast.ssh_host_key_accept(text, text, integer) TO infracast_admin;
REVOKE EXECUTE ON FUNCTION infracast.discovery_store_ssh(bigint, bigint, integer, text, integer, timestamptz, text, text,
    text, text, boolean, text, text, text[], text[], text[], text[], text[], text[], text[], text[], integer[], text[],
    text[], bigint[], bigint[], text[], text[], boolean[], boolean[]) FROM PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('infracast.ssh_host_keys', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.ssh_host_key_mismatches', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.ssh_host_key_mismatches_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.discovered_services', '');
