-- Demo step 10: the extension, two tenants, and a generated but realistic enterprise in each.
--
-- The enterprise: an internet edge, a DMZ (web, mail, VPN), network devices, internal application,
-- file and database servers, domain controllers, hypervisors with VMs, workstations, and an
-- Active-Directory-style directory of users, admins, service accounts and groups. Crown jewels are
-- the domain controllers and the finance and HR databases; entry points are the internet and a few
-- workstations assumed breached by phishing. The generator is deterministic (setseed).
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

CREATE FUNCTION pg_temp.demo_enterprise(p_tenant text, n_ws int, n_users int, n_apps int, seed float8)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    nodes jsonb := '[]';
    edges jsonb := '[]';
    i int;
    j int;
    dom text := p_tenant || '.example';
    n_admins int := greatest(3, n_users / 12);
    n_svc int := greatest(3, n_apps / 2);
BEGIN
    PERFORM setseed(seed);

    -- helper closures as local SQL: node(id, kind, props) and edge(start, end, kind, props)
    nodes := nodes || jsonb_build_object('id', 'internet', 'kinds', jsonb_build_array('internet'),
        'properties', jsonb_build_object('name', 'The Internet', 'entry_point', true, 'criticality', 'low'));

    -- network devices
    nodes := nodes || jsonb_build_array(
        jsonb_build_object('id', 'fw-edge', 'kinds', jsonb_build_array('firewall'), 'properties',
            jsonb_build_object('name', 'fw-edge.' || dom, 'addresses', jsonb_build_array('198.51.100.1'), 'criticality', 'high', 'vendor', 'Palo Alto Networks')),
        jsonb_build_object('id', 'fw-core', 'kinds', jsonb_build_array('firewall'), 'properties',
            jsonb_build_object('name', 'fw-core.' || dom, 'addresses', jsonb_build_array('10.0.0.1'), 'criticality', 'high')),
        jsonb_build_object('id', 'rtr-wan', 'kinds', jsonb_build_array('router'), 'properties',
            jsonb_build_object('name', 'rtr-wan.' || dom, 'addresses', jsonb_build_array('10.0.0.2'))),
        jsonb_build_object('id', 'rtr-core', 'kinds', jsonb_build_array('router'), 'properties',
            jsonb_build_object('name', 'rtr-core.' || dom, 'addresses', jsonb_build_array('10.0.0.3'))));
    FOR i IN 1..4 LOOP
        nodes := nodes || jsonb_build_object('id', 'sw-' || i, 'kinds', jsonb_build_array('switch'), 'properties',
            jsonb_build_object('name', 'sw-' || i || '.' || dom, 'addresses', jsonb_build_array('10.0.' || i || '.254')));
        edges := edges || jsonb_build_object('start', 'rtr-core', 'end', 'sw-' || i, 'kind', 'admin_to',
            'properties', jsonb_build_object('likelihood', 0.2, 'note', 'shared SNMP write community'));
    END LOOP;

    -- DMZ: web servers, mail, VPN, all reachable from the internet
    FOR i IN 1..6 LOOP
        nodes := nodes || jsonb_build_object('id', 'web-' || i, 'kinds', jsonb_build_array('host'), 'properties',
            jsonb_build_object('name', 'web-' || i || '.dmz.' || dom, 'addresses', jsonb_build_array('198.51.100.' || (10 + i)),
                               'criticality', 'medium', 'zone', 'dmz', 'os', 'Ubuntu 20.04'));
        edges := edges || jsonb_build_object('start', 'internet', 'end', 'web-' || i, 'kind', 'reach',
            'properties', jsonb_build_object('port', 443, 'protocol', 'tcp', 'likelihood', 0.3));
    END LOOP;
    nodes := nodes || jsonb_build_array(
        jsonb_build_object('id', 'mail-1', 'kinds', jsonb_build_array('host'), 'properties',
            jsonb_build_object('name', 'mail.' || dom, 'addresses', jsonb_build_array('198.51.100.25'), 'zone', 'dmz', 'os', 'Exchange 2016')),
        jsonb_build_object('id', 'vpn-1', 'kinds', jsonb_build_array('firewall'), 'properties',
            jsonb_build_object('name', 'vpn.' || dom, 'addresses', jsonb_build_array('198.51.100.5'), 'criticality', 'high', 'zone', 'dmz')));
    edges := edges || jsonb_build_array(
        jsonb_build_object('start', 'internet', 'end', 'mail-1', 'kind', 'reach', 'properties', jsonb_build_object('port', 25, 'protocol', 'tcp', 'likelihood', 0.2)),
        jsonb_build_object('start', 'internet', 'end', 'vpn-1', 'kind', 'reach', 'properties', jsonb_build_object('port', 443, 'protocol', 'tcp', 'likelihood', 0.15)),
        jsonb_build_object('start', 'internet', 'end', 'fw-edge', 'kind', 'reach', 'properties', jsonb_build_object('port', 443, 'protocol', 'tcp', 'likelihood', 0.05)));

    -- hypervisors and VMs
    FOR i IN 1..3 LOOP
        nodes := nodes || jsonb_build_object('id', 'esx-' || i, 'kinds', jsonb_build_array('hypervisor'), 'properties',
            jsonb_build_object('name', 'esx-' || i || '.' || dom, 'addresses', jsonb_build_array('10.10.0.' || i), 'criticality', 'high'));
    END LOOP;

    -- internal application servers (VMs), some reachable from the DMZ
    FOR i IN 1..n_apps LOOP
        nodes := nodes || jsonb_build_object('id', 'app-' || i, 'kinds', jsonb_build_array('vm'), 'properties',
            jsonb_build_object('name', 'app-' || i || '.' || dom, 'addresses', jsonb_build_array('10.20.0.' || i),
                               'criticality', CASE WHEN i % 5 = 0 THEN 'high' ELSE 'medium' END, 'os', 'RHEL 8'));
        edges := edges || jsonb_build_object('start', 'app-' || i, 'end', 'esx-' || (1 + i % 3), 'kind', 'runs_on');
        edges := edges || jsonb_build_object('start', 'esx-' || (1 + i % 3), 'end', 'app-' || i, 'kind', 'contains');
        IF i <= 6 THEN
            edges := edges || jsonb_build_object('start', 'web-' || i, 'end', 'app-' || i, 'kind', 'reach',
                'properties', jsonb_build_object('port', 8080, 'protocol', 'tcp', 'likelihood', 0.6));
        END IF;
    END LOOP;

    -- file servers, databases (two are crown jewels), domain controllers (crown jewels)
    FOR i IN 1..3 LOOP
        nodes := nodes || jsonb_build_object('id', 'fs-' || i, 'kinds', jsonb_build_array('host'), 'properties',
            jsonb_build_object('name', 'fs-' || i || '.' || dom, 'addresses', jsonb_build_array('10.30.0.' || i), 'criticality', 'high', 'os', 'Windows Server 2019'));
    END LOOP;
    nodes := nodes || jsonb_build_array(
        jsonb_build_object('id', 'db-finance', 'kinds', jsonb_build_array('database'), 'properties',
            jsonb_build_object('name', 'finance-db.' || dom, 'addresses', jsonb_build_array('10.40.0.10'), 'criticality', 'critical', 'crown_jewel', true, 'engine', 'PostgreSQL 13')),
        jsonb_build_object('id', 'db-hr', 'kinds', jsonb_build_array('database'), 'properties',
            jsonb_build_object('name', 'hr-db.' || dom, 'addresses', jsonb_build_array('10.40.0.11'), 'criticality', 'critical', 'crown_jewel', true, 'engine', 'SQL Server 2017')),
        jsonb_build_object('id', 'db-web', 'kinds', jsonb_build_array('database'), 'properties',
            jsonb_build_object('name', 'web-db.' || dom, 'addresses', jsonb_build_array('10.40.0.12'), 'criticality', 'high', 'engine', 'MySQL 5.7')));
    FOR i IN 1..2 LOOP
        nodes := nodes || jsonb_build_object('id', 'dc-' || i, 'kinds', jsonb_build_array('host'), 'properties',
            jsonb_build_object('name', 'dc-' || i || '.' || dom, 'addresses', jsonb_build_array('10.50.0.' || i), 'criticality', 'critical',
                               'crown_jewel', true, 'role', 'domain controller', 'os', 'Windows Server 2016'));
    END LOOP;
    FOR i IN 1..n_apps LOOP
        edges := edges || jsonb_build_object('start', 'app-' || i, 'end',
            CASE WHEN i % 7 = 0 THEN 'db-finance' WHEN i % 11 = 0 THEN 'db-hr' ELSE 'db-web' END,
            'kind', 'reach', 'properties', jsonb_build_object('port', 5432, 'protocol', 'tcp', 'likelihood', 0.5));
    END LOOP;

    -- directory: groups
    nodes := nodes || jsonb_build_array(
        jsonb_build_object('id', 'grp-domain-admins', 'kinds', jsonb_build_array('group'), 'properties', jsonb_build_object('name', 'Domain Admins', 'criticality', 'critical')),
        jsonb_build_object('id', 'grp-server-admins', 'kinds', jsonb_build_array('group'), 'properties', jsonb_build_object('name', 'Server Admins', 'criticality', 'high')),
        jsonb_build_object('id', 'grp-helpdesk', 'kinds', jsonb_build_array('group'), 'properties', jsonb_build_object('name', 'Helpdesk')),
        jsonb_build_object('id', 'grp-finance', 'kinds', jsonb_build_array('group'), 'properties', jsonb_build_object('name', 'Finance')),
        jsonb_build_object('id', 'grp-employees', 'kinds', jsonb_build_array('group'), 'properties', jsonb_build_object('name', 'Employees', 'criticality', 'low')));
    FOR i IN 1..2 LOOP
        edges := edges || jsonb_build_object('start', 'grp-domain-admins', 'end', 'dc-' || i, 'kind', 'admin_to');
    END LOOP;
    FOR i IN 1..3 LOOP
        edges := edges || jsonb_build_object('start', 'grp-server-admins', 'end', 'fs-' || i, 'kind', 'admin_to');
        edges := edges || jsonb_build_object('start', 'grp-server-admins', 'end', 'esx-' || i, 'kind', 'admin_to');
    END LOOP;
    FOR i IN 1..n_apps LOOP
        edges := edges || jsonb_build_object('start', 'grp-server-admins', 'end', 'app-' || i, 'kind', 'admin_to');
    END LOOP;
    edges := edges || jsonb_build_object('start', 'grp-finance', 'end', 'db-finance', 'kind', 'admin_to',
        'properties', jsonb_build_object('likelihood', 0.4, 'note', 'finance app role with DDL rights'));

    -- accounts: users, admins (with separate admin accounts), service accounts
    FOR i IN 1..n_users LOOP
        nodes := nodes || jsonb_build_object('id', 'user-' || i, 'kinds', jsonb_build_array('User'), 'properties',
            jsonb_build_object('name', 'user' || i || '@' || dom, 'enabled', true));
        edges := edges || jsonb_build_object('start', 'user-' || i, 'end', 'grp-employees', 'kind', 'member_of');
        IF i % 9 = 0 THEN
            edges := edges || jsonb_build_object('start', 'user-' || i, 'end', 'grp-finance', 'kind', 'member_of');
        END IF;
        IF i % 25 = 0 THEN
            edges := edges || jsonb_build_object('start', 'user-' || i, 'end', 'grp-helpdesk', 'kind', 'member_of');
        END IF;
    END LOOP;
    FOR i IN 1..n_admins LOOP
        nodes := nodes || jsonb_build_object('id', 'adm-' || i, 'kinds', jsonb_build_array('account'), 'properties',
            jsonb_build_object('name', 'adm' || i || '@' || dom, 'criticality', 'high'));
        edges := edges || jsonb_build_object('start', 'adm-' || i, 'end',
            CASE WHEN i <= 2 THEN 'grp-domain-admins' ELSE 'grp-server-admins' END, 'kind', 'member_of');
    END LOOP;
    FOR i IN 1..n_svc LOOP
        nodes := nodes || jsonb_build_object('id', 'svc-' || i, 'kinds', jsonb_build_array('account'), 'properties',
            jsonb_build_object('name', 'svc' || i || '@' || dom, 'service', true));
        edges := edges || jsonb_build_object('start', 'app-' || (1 + (i * 3) % n_apps), 'end', 'svc-' || i, 'kind', 'has_session');
        edges := edges || jsonb_build_object('start', 'svc-' || i, 'end', 'app-' || (1 + (i * 5) % n_apps), 'kind', 'admin_to',
            'properties', jsonb_build_object('likelihood', 0.9));
    END LOOP;
    -- one old service account is still a Domain Admin: the classic path
    edges := edges || jsonb_build_object('start', 'svc-1', 'end', 'grp-domain-admins', 'kind', 'member_of');
    -- admins reuse one password between their admin and normal accounts now and then
    FOR i IN 1..n_admins LOOP
        IF random() < 0.3 THEN
            edges := edges || jsonb_build_object('start', 'user-' || (i * 7), 'end', 'adm-' || i, 'kind', 'credential_reuse',
                'properties', jsonb_build_object('likelihood', 0.35));
        END IF;
    END LOOP;

    -- workstations: users log on, helpdesk administers them, a few are assumed breached
    FOR i IN 1..n_ws LOOP
        nodes := nodes || jsonb_build_object('id', 'ws-' || i, 'kinds', jsonb_build_array('Computer'), 'properties',
            jsonb_build_object('name', 'ws-' || lpad(i::text, 4, '0') || '.' || dom, 'addresses', jsonb_build_array('10.100.' || (i / 250) || '.' || (1 + i % 250)),
                               'criticality', 'low', 'os', 'Windows 10', 'entry_point', (i % 40 = 1)));
        edges := edges || jsonb_build_object('start', 'ws-' || i, 'end', 'user-' || (1 + (i - 1) % n_users), 'kind', 'has_session');
        edges := edges || jsonb_build_object('start', 'user-' || (1 + (i - 1) % n_users), 'end', 'ws-' || i, 'kind', 'admin_to',
            'properties', jsonb_build_object('likelihood', 0.5, 'note', 'local admin'));
        edges := edges || jsonb_build_object('start', 'grp-helpdesk', 'end', 'ws-' || i, 'kind', 'admin_to');
        IF random() < 0.05 THEN  -- an admin logged on to this workstation: credentials exposed
            j := 1 + floor(random() * n_admins)::int;
            edges := edges || jsonb_build_object('start', 'ws-' || i, 'end', 'adm-' || j, 'kind', 'has_session');
        END IF;
        IF i <= 20 THEN
            edges := edges || jsonb_build_object('start', 'ws-' || i, 'end', 'fs-' || (1 + i % 3), 'kind', 'reach',
                'properties', jsonb_build_object('port', 445, 'protocol', 'tcp', 'likelihood', 0.3));
        END IF;
    END LOOP;

    RETURN jsonb_build_object('graph', jsonb_build_object('nodes', nodes, 'edges', edges));
END
$$;

SELECT infracast.create_tenant('acme', '{"mfa_required": true, "industry": "manufacturing"}') AS acme_id \gset
SELECT infracast.create_tenant('globex', '{"industry": "energy"}') AS globex_id \gset

\echo
\echo '== Importing the generated enterprises (OpenGraph documents) =='
BEGIN;
SELECT infracast.set_tenant('acme') \gset
SELECT 'acme' AS tenant, nodes_inserted, edges_inserted, nodes_rejected + edges_rejected AS rejected
  FROM infracast.import_graph(pg_temp.demo_enterprise('acme', 220, 140, 24, 0.42), strict => true);
COMMIT;
BEGIN;
SELECT infracast.set_tenant('globex') \gset
SELECT 'globex' AS tenant, nodes_inserted, edges_inserted, nodes_rejected + edges_rejected AS rejected
  FROM infracast.import_graph(pg_temp.demo_enterprise('globex', 120, 80, 12, 0.17), strict => true);
COMMIT;

\echo
\echo '== Inventory summary (per tenant, by kind) =='
SELECT t.name AS tenant, n.kind, count(*) AS nodes,
       count(*) FILTER (WHERE n.crown_jewel) AS crown_jewels,
       count(*) FILTER (WHERE n.entry_point) AS entry_points
  FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id
 GROUP BY t.name, n.kind ORDER BY t.name, nodes DESC, n.kind;

SELECT t.name AS tenant, count(*) AS edges, string_agg(DISTINCT e.kind, ', ' ORDER BY e.kind) AS kinds
  FROM infracast.edges e JOIN infracast.tenants t ON t.id = e.tenant_id
 GROUP BY t.name ORDER BY t.name;

\echo
\echo '== Crown jewels and entry points of acme =='
BEGIN;
SELECT infracast.set_tenant('acme') \gset
SELECT external_id, kind, name, criticality,
       CASE WHEN crown_jewel THEN 'crown jewel' ELSE 'entry point' END AS role
  FROM infracast.nodes WHERE tenant_id = infracast.current_tenant() AND (crown_jewel OR entry_point)
 ORDER BY crown_jewel DESC, external_id;
COMMIT;
