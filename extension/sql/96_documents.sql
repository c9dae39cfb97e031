-- Infracast documents and reports, part 1 (docs/documents.md): OSCAL documents generated from the
-- live tables (system security plan, assessment results, plan of action and milestones), the
-- FedRAMP-style inventory and eMASS-style POA&M as CSV, and a self-contained HTML report kept in
-- infracast.reports with its sha256. Every generator needs the licence feature "reports" and a
-- valid licence (a restricted licence refuses documents, as docs/license.md says).
--
-- Ids are RFC 4122 version-5 UUIDs of "system/kind/control/subject" (infracast.document_uuid), so
-- the same data gives the same document: a regenerated SSP differs from the last one only where
-- the data did, and in the timestamps the caller passes (as_of). Nothing here reads the clock
-- except the defaults of those parameters.

-- ---------------------------------------------------------------------------------------------
-- Stable ids
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.sha1(data bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'infracast_sha1'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.sha1(bytea) IS
    'SHA-1 digest (20 bytes). Here for RFC 4122 name-based UUIDs only: never use it to protect anything.';

CREATE FUNCTION infracast.uuid5(namespace uuid, name text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'infracast_uuid5'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION infracast.uuid5(uuid, text) IS
    'RFC 4122 version-5 (SHA-1, name-based) UUID of a name (its UTF-8 bytes) in a namespace: the same inputs always give the same id.';

-- The namespace is uuid5(NAMESPACE_URL, 'https://infracast.example/ns/oscal'); parts are joined
-- with '/' (a NULL part counts as empty, so positions never shift). Inlined: no SET clause.
CREATE FUNCTION infracast.document_uuid(VARIADIC parts text[]) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT infracast.uuid5('c65ded0e-871f-54ee-af47-2afc3d5fced5'::uuid, pg_catalog.array_to_string(parts, '/', '')) $$;
COMMENT ON FUNCTION infracast.document_uuid(text[]) IS
    'The id of a thing in a generated document: uuid5 of system/kind/control/subject, stable across regenerations.';

-- ---------------------------------------------------------------------------------------------
-- Small helpers
-- ---------------------------------------------------------------------------------------------
-- An OSCAL prop as a one-element array, or an empty array when there is no value: props are
-- built by concatenation and absent values simply drop out.
CREATE FUNCTION infracast.oscal_prop(name text, value text, ns text DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN value IS NULL OR value = '' THEN '[]'::jsonb
                ELSE pg_catalog.jsonb_build_array(pg_catalog.jsonb_strip_nulls(
                         pg_catalog.jsonb_build_object('name', name, 'ns', ns, 'value', value))) END
$$;

-- OSCAL dates are RFC 3339 with a zone; UTC with seconds keeps regenerated documents identical
-- whatever the session's TimeZone.
CREATE FUNCTION infracast.oscal_time(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, and also a
-- semicolon or tab, so that a spreadsheet splitting on those (as Excel does in some locales) cannot
-- make `x;=HYPERLINK(...)` a cell of its own. A field that a spreadsheet would run as a formula
-- (=, +, -, @, tab, CR first) gets a leading apostrophe, as OWASP advises against CSV injection:
-- node names come from discovery, not from a trusted author.
CREATE FUNCTION infracast.csv_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v ~ '[",;\t\r\n]' THEN '"' || pg_catalog.replace(v, '"', '""') || '"' ELSE v END
      FROM (SELECT CASE WHEN value ~ '^[=+\-@\t\r]' THEN '''' || value ELSE COALESCE(value, '') END AS v) x
$$;

CREATE FUNCTION infracast.html_escape(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               COALESCE(value, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

-- Every generator starts here: a valid licence (documents are refused in a restricted state) with
-- the feature "reports", and a tenant. Returns the tenant's name, the "system" of every id.
CREATE FUNCTION infracast.documents_begin(action text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text;
BEGIN
    PERFORM infracast.require_valid_license(action);
    PERFORM infracast.require_feature('reports');
    SELECT t.name INTO v_name FROM infracast.tenants t WHERE t.id = infracast.current_tenant();
    RETURN v_name;
END
$$;

-- The system's description, from the tenant's settings ("system": {"name", "description",
-- "impact", "status"}), with defaults. impact is low, moderate or high (FIPS 199).
CREATE FUNCTION infracast.documents_system(p_profile text DEFAULT NULL,
    OUT system_id text, OUT system_name text, OUT description text, OUT impact text, OUT status text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.name,
           COALESCE(t.settings #>> '{system,name}', t.name),
           COALESCE(t.settings #>> '{system,description}', 'The infrastructure of ' || t.name || ' as inventoried by Infracast.'),
           COALESCE(t.settings #>> '{system,impact}',
                    substring(p_profile FROM '(low|moderate|high)$'), 'moderate'),
           COALESCE(t.settings #>> '{system,status}', 'operational')
      FROM infracast.tenants t WHERE t.id = infracast.current_tenant()
$$;

-- The latest finished assessment of the current tenant (of a profile, if given), or NULL.
CREATE FUNCTION infracast.documents_latest_assessment(p_profile text DEFAULT NULL) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.id FROM infracast.compliance_assessments a
     WHERE a.tenant_id = infracast.current_tenant() AND a.finished_at IS NOT NULL
       AND (p_profile IS NULL OR a.profile = p_profile)
     ORDER BY a.id DESC LIMIT 1
$$;

-- The nodes that are assets of an inventory: those of licensable kinds (hosts, network devices,
-- VMs, databases, cloud resources), not accounts, groups, services or the internet.
CREATE VIEW infracast.document_assets WITH (security_invoker = true) AS
    SELECT n.tenant_id, n.id, n.external_id, n.kind, n.name, n.addresses, n.criticality, n.crown_jewel,
           n.entry_point, n.attrs, n.last_seen,
           COALESCE(n.attrs ->> 'asset_type',
                    CASE n.kind WHEN 'router' THEN 'router' WHEN 'switch' THEN 'switch' WHEN 'firewall' THEN 'firewall'
                                WHEN 'database' THEN 'database' WHEN 'cloud_resource' THEN 'appliance' ELSE 'os' END) AS asset_type,
           CASE WHEN n.kind IN ('vm', 'cloud_resource') OR n.attrs ->> 'virtual' = 'true' THEN 'yes' ELSE 'no' END AS virtual,
           CASE WHEN n.entry_point OR n.attrs ->> 'public' = 'true' THEN 'yes' ELSE 'no' END AS public,
           COALESCE(n.attrs ->> 'fqdn', CASE WHEN n.name ~ '^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$' THEN n.name END) AS fqdn,
           n.attrs ->> 'netbios' AS netbios_name,
           COALESCE(n.attrs ->> 'mac', n.attrs ->> 'mac_address') AS mac_address,
           COALESCE(n.attrs ->> 'os', (SELECT pg_catalog.concat_ws(' ', s.name, s.version) FROM infracast.software s
                                        WHERE s.tenant_id = n.tenant_id AND s.node_id = n.id AND s.cpe LIKE 'cpe:2.3:o:%'
                                        ORDER BY s.id LIMIT 1)) AS os,
           n.attrs ->> 'location' AS location,
           COALESCE(n.attrs ->> 'vendor', n.attrs ->> 'make') AS vendor,
           n.attrs ->> 'model' AS model,
           n.attrs ->> 'serial' AS serial,
           n.attrs ->> 'vlan' AS vlan,
           n.attrs ->> 'owner' AS owner,
           COALESCE(n.attrs ->> 'function', n.attrs ->> 'role') AS function
      FROM infracast.nodes n
      JOIN infracast.node_kinds k ON k.name = n.kind AND k.licensable
     WHERE n.tenant_id = infracast.rls_tenant();
COMMENT ON VIEW infracast.document_assets IS
    'The current tenant''s assets (nodes of licensable kinds) with the inventory columns the SSP and the inventory CSV use; attrs may give asset_type, fqdn, mac, os, location, vendor, model, serial, vlan, owner, function.';
GRANT SELECT ON infracast.document_assets TO infracast_reader;

-- ---------------------------------------------------------------------------------------------
-- OSCAL system security plan
-- ---------------------------------------------------------------------------------------------
-- control's implementation-status from an assessment result: what was shown to hold is
-- implemented, what failed is partial, what no rule decided is planned (Infracast cannot tell).
CREATE FUNCTION infracast.documents_implementation_status(state text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN state IN ('pass', 'fixed') THEN 'implemented'
                WHEN state IN ('fail', 'error', 'unknown') THEN 'partial'
                WHEN state = 'not_applicable' THEN 'not-applicable'
                ELSE 'planned' END
$$;

CREATE FUNCTION infracast.oscal_ssp(profile text DEFAULT 'moderate', as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET jit = off   -- jsonb builders over 10k rows look costly to the planner; compiling takes longer than running
AS $$
DECLARE
    sys       text := infracast.documents_begin('generate an SSP');
    v_profile infracast.compliance_profiles;
    v_sys     record;
    v_assess  bigint;
    ns        constant text := 'https://infracast.example/ns/oscal';
    this_sys  uuid;
    v_items   jsonb;
    v_comps   jsonb;
    v_reqs    jsonb;
    v_counts  record;
BEGIN
    SELECT * INTO v_profile FROM infracast.compliance_profiles p WHERE p.name = infracast.compliance_profile_name(profile);
    SELECT * INTO v_sys FROM infracast.documents_system(v_profile.name);
    v_assess := infracast.documents_latest_assessment(v_profile.name);
    this_sys := infracast.document_uuid(sys, 'component', 'this-system');

    SELECT jsonb_build_array(jsonb_build_object('uuid', this_sys, 'type', 'this-system', 'title', v_sys.system_name,
               'description', v_sys.description, 'status', jsonb_build_object('state', 'operational'),
               'responsible-roles', jsonb_build_array(jsonb_build_object('role-id', 'system-owner',
                   'party-uuids', jsonb_build_array(infracast.document_uuid(sys, 'party', 'owner'))))))
           -- software components: one per product and version installed on an asset; the id is
           -- derived from the product, so inventory items name it without a lookup
           || COALESCE((SELECT jsonb_agg(jsonb_build_object(
                   'uuid', infracast.document_uuid(sys, 'component', 'software', x.product),
                   'type', 'software', 'title', concat_ws(' ', x.name, x.version),
                   'description', concat_ws(' ', x.vendor, x.name, x.version) || ', installed on ' || x.nodes || ' asset(s).',
                   'props', infracast.oscal_prop('vendor-name', x.vendor) || infracast.oscal_prop('software-name', x.name)
                            || infracast.oscal_prop('version', x.version) || infracast.oscal_prop('cpe', x.cpe, ns),
                   'status', jsonb_build_object('state', 'operational')) ORDER BY x.product)
                 FROM (SELECT concat_ws('|', s.vendor, s.name, s.version) AS product, min(s.vendor) AS vendor, min(s.name) AS name,
                              min(s.version) AS version, min(s.cpe) AS cpe, count(DISTINCT s.node_id) AS nodes
                         FROM infracast.software s JOIN infracast.document_assets a ON a.tenant_id = s.tenant_id AND a.id = s.node_id
                        WHERE s.tenant_id = infracast.current_tenant()
                        GROUP BY 1) x), '[]')
      INTO v_comps;

    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'uuid', infracast.document_uuid(sys, 'inventory-item', a.external_id),
               'description', COALESCE(a.name, a.external_id) || ' (' || a.kind || ', criticality ' || a.criticality || ')',
               'props', infracast.oscal_prop('asset-id', a.external_id)
                        || COALESCE((SELECT jsonb_agg(jsonb_build_object('name', CASE family(ad) WHEN 4 THEN 'ipv4-address' ELSE 'ipv6-address' END,
                                                                         'value', host(ad)) ORDER BY ad)
                                       FROM unnest(a.addresses) ad), '[]')
                        || infracast.oscal_prop('virtual', a.virtual) || infracast.oscal_prop('public', a.public)
                        || infracast.oscal_prop('fqdn', a.fqdn) || infracast.oscal_prop('netbios-name', a.netbios_name)
                        || infracast.oscal_prop('mac-address', a.mac_address) || infracast.oscal_prop('asset-type', a.asset_type)
                        || infracast.oscal_prop('vendor-name', a.vendor) || infracast.oscal_prop('model', a.model)
                        || infracast.oscal_prop('serial-number', a.serial) || infracast.oscal_prop('vlan-id', a.vlan)
                        || infracast.oscal_prop('physical-location', a.location) || infracast.oscal_prop('function', a.function)
                        || infracast.oscal_prop('os-name', a.os, ns)
                        || infracast.oscal_prop('kind', a.kind, ns) || infracast.oscal_prop('criticality', a.criticality, ns)
                        || CASE WHEN a.crown_jewel THEN infracast.oscal_prop('crown-jewel', 'true', ns) ELSE '[]' END,
               'implemented-components', jsonb_build_array(jsonb_build_object('component-uuid', this_sys))
                        || COALESCE(sw.comps, '[]'))
             ORDER BY a.external_id), NULL)
      INTO v_items
      FROM infracast.document_assets a
      LEFT JOIN (SELECT s.node_id, jsonb_agg(DISTINCT jsonb_build_object('component-uuid',
                            infracast.document_uuid(sys, 'component', 'software', concat_ws('|', s.vendor, s.name, s.version)))) AS comps
                   FROM infracast.software s
                  WHERE s.tenant_id = infracast.current_tenant() GROUP BY s.node_id) sw ON sw.node_id = a.id;

    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'uuid', infracast.document_uuid(sys, 'implemented-requirement', pc.control_id),
               'control-id', pc.control_id,
               'props', infracast.oscal_prop('assessment-state', COALESCE(r.state, 'not_assessed'), ns),
               'by-components', jsonb_build_array(jsonb_build_object(
                   'component-uuid', this_sys,
                   'uuid', infracast.document_uuid(sys, 'by-component', pc.control_id, 'this-system'),
                   'description', CASE WHEN r.state IS NULL THEN 'Not assessed by Infracast yet.'
                                       WHEN r.state IN ('not_checked', 'informational') THEN 'Not decided by an Infracast rule: ' || COALESCE(r.reason, r.state) || '.'
                                       ELSE 'Infracast assessment: ' || r.state || ' (' || COALESCE(r.reason, '') || ').' END,
                   'implementation-status', jsonb_build_object('state', infracast.documents_implementation_status(r.state)))))
             ORDER BY c.ord), '[]')
      INTO v_reqs
      FROM infracast.compliance_profile_controls pc
      JOIN infracast.compliance_controls c ON c.catalog = pc.catalog AND c.control_id = pc.control_id
      LEFT JOIN infracast.compliance_results r
        ON r.tenant_id = infracast.current_tenant() AND r.assessment_id = v_assess AND r.control_id = pc.control_id
     WHERE pc.profile = v_profile.name;

    SELECT (SELECT count(*) FROM infracast.nodes n WHERE n.tenant_id = infracast.current_tenant()) AS nodes,
           (SELECT count(*) FROM infracast.edges e WHERE e.tenant_id = infracast.current_tenant()) AS edges,
           COALESCE(jsonb_array_length(v_items), 0) AS assets
      INTO v_counts;

    -- empty arrays are NULL above and stripped here: OSCAL's JSON arrays hold at least one item
    RETURN jsonb_build_object('system-security-plan', jsonb_strip_nulls(jsonb_build_object(
        'uuid', infracast.document_uuid(sys, 'ssp', v_profile.name),
        'metadata', jsonb_build_object(
            'title', v_sys.system_name || ' System Security Plan (' || v_profile.title || ')',
            'last-modified', infracast.oscal_time(as_of),
            'version', to_char(as_of AT TIME ZONE 'UTC', 'YYYY.MM.DD.HH24MISS'),
            'oscal-version', '1.1.2',
            'roles', '[{"id": "system-owner", "title": "System Owner"}, {"id": "admin", "title": "Infracast administrator"},
                       {"id": "analyst", "title": "Infracast analyst"}, {"id": "reader", "title": "Infracast reader"}]'::jsonb,
            'parties', jsonb_build_array(jsonb_build_object('uuid', infracast.document_uuid(sys, 'party', 'owner'),
                                                            'type', 'organization', 'name', sys)),
            'responsible-parties', jsonb_build_array(jsonb_build_object('role-id', 'system-owner',
                'party-uuids', jsonb_build_array(infracast.document_uuid(sys, 'party', 'owner'))))),
        'import-profile', jsonb_build_object('href', '#' || infracast.document_uuid(sys, 'resource', 'profile', v_profile.name)),
        'system-characteristics', jsonb_build_object(
            'system-ids', jsonb_build_array(jsonb_build_object('identifier-type', ns, 'id', v_sys.system_id)),
            'system-name', v_sys.system_name,
            'description', v_sys.description,
            'security-sensitivity-level', 'fips-199-' || v_sys.impact,
            'system-information', jsonb_build_object('information-types', jsonb_build_array(jsonb_build_object(
                'uuid', infracast.document_uuid(sys, 'information-type', 'system'),
                'title', 'System and infrastructure information',
                'description', 'Configuration, inventory and vulnerability data of the system''s infrastructure.',
                'categorizations', '[{"system": "https://doi.org/10.6028/NIST.SP.800-60v2r1", "information-type-ids": ["C.3.5.8"]}]'::jsonb,
                'confidentiality-impact', jsonb_build_object('base', 'fips-199-' || v_sys.impact),
                'integrity-impact', jsonb_build_object('base', 'fips-199-' || v_sys.impact),
                'availability-impact', jsonb_build_object('base', 'fips-199-' || v_sys.impact)))),
            'security-impact-level', jsonb_build_object(
                'security-objective-confidentiality', 'fips-199-' || v_sys.impact,
                'security-objective-integrity', 'fips-199-' || v_sys.impact,
                'security-objective-availability', 'fips-199-' || v_sys.impact),
            'status', jsonb_build_object('state', v_sys.status),
            'authorization-boundary', jsonb_build_object('description', format(
                'The %s inventoried nodes of %s in Infracast (%s of them assets, listed as inventory items) and the %s relations between them.',
                v_counts.nodes, sys, v_counts.assets, v_counts.edges))),
        'system-implementation', jsonb_build_object(
            'users', (SELECT jsonb_agg(jsonb_build_object('uuid', infracast.document_uuid(sys, 'user', u.r),
                                                          'title', 'Infracast ' || u.r, 'role-ids', jsonb_build_array(u.r)) ORDER BY u.o)
                        FROM (VALUES (1, 'admin'), (2, 'analyst'), (3, 'reader')) u(o, r)),
            'components', v_comps,
            'inventory-items', v_items),
        'control-implementation', jsonb_build_object(
            'description', format('The %s controls of %s%s.', jsonb_array_length(v_reqs), v_profile.name,
                                  CASE WHEN v_assess IS NULL THEN ', not assessed yet'
                                       ELSE ', with their status from Infracast assessment ' || v_assess END),
            'implemented-requirements', v_reqs),
        'back-matter', jsonb_build_object('resources', jsonb_build_array(jsonb_build_object(
            'uuid', infracast.document_uuid(sys, 'resource', 'profile', v_profile.name),
            'title', v_profile.title,
            'rlinks', jsonb_build_array(jsonb_build_object('href',
                COALESCE((SELECT 'NIST_SP-800-53_rev5_' || upper(substring(v_profile.name FROM 'rev5-(.*)$')) || '-baseline_profile.json'
                           WHERE v_profile.builtin), v_profile.name || '.json')))))))));
END
$$;
COMMENT ON FUNCTION infracast.oscal_ssp(text, timestamptz) IS
    'The current tenant as an OSCAL 1.1.2 system security plan against a baseline (default moderate): system characteristics, components (the system and each software product), inventory items with FedRAMP inventory props, implemented requirements with their status from the latest assessment. as_of is the only timestamp. Needs the reports licence feature.';

-- ---------------------------------------------------------------------------------------------
-- OSCAL assessment results
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.oscal_assessment_results(assessment_id bigint DEFAULT NULL, as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
DECLARE
    sys  text := infracast.documents_begin('generate assessment results');
    ns   constant text := 'https://infracast.example/ns/oscal';
    v_a  infracast.compliance_assessments;
BEGIN
    SELECT * INTO v_a FROM infracast.compliance_assessments a
     WHERE a.tenant_id = infracast.current_tenant()
       AND a.id = COALESCE(oscal_assessment_results.assessment_id, infracast.documents_latest_assessment());
    IF v_a.id IS NULL THEN
        RAISE EXCEPTION 'no compliance assessment % of tenant "%" to report', COALESCE(oscal_assessment_results.assessment_id::text, '(latest)'), sys
            USING ERRCODE = 'IC802', HINT = 'Run SELECT infracast.compliance_assess(''moderate'') first, or pass an id from infracast.compliance_assessments.';
    END IF;
    RETURN (
    WITH ev AS (
        -- an observation is named by its rule and subject (the n-th row of the same pair gets /n):
        -- the same check of the same thing keeps its id from one assessment to the next
        SELECT e.*, r.title AS rule_title,
               infracast.document_uuid(sys, 'observation', e.rule_id, e.subject,
                   NULLIF(row_number() OVER (PARTITION BY e.rule_id, e.subject ORDER BY e.id), 1)::text) AS uuid,
               n.external_id AS node_ext
          FROM infracast.compliance_evidence e
          JOIN infracast.compliance_rules r ON r.id = e.rule_id
          -- the asset a rule's subject names: "web-2", "host web-2" or "CVE-... on web-2"
          LEFT JOIN LATERAL (SELECT a.external_id FROM infracast.document_assets a
                              WHERE a.tenant_id = e.tenant_id
                                AND a.external_id IN (e.subject, substring(e.subject FROM ' on (\S+)$'), substring(e.subject FROM '^[a-z_]+ (\S+)$'))
                              ORDER BY a.external_id = e.subject DESC LIMIT 1) n ON true
         WHERE e.tenant_id = v_a.tenant_id AND e.assessment_id = v_a.id
    ), obs AS (
        SELECT ev.rule_id, ev.uuid, ev.id, jsonb_build_object(
                   'uuid', ev.uuid,
                   'title', ev.rule_id || ': ' || ev.subject,
                   'description', ev.rule_title || ': ' || ev.result || ' for ' || ev.subject || '.',
                   'props', infracast.oscal_prop('result', ev.result, ns),
                   'methods', jsonb_build_array(ev.method),
                   'types', jsonb_build_array(CASE WHEN ev.result IN ('fail', 'error') THEN 'finding' ELSE 'control-objective' END),
                   'subjects', CASE WHEN ev.node_ext IS NOT NULL THEN jsonb_build_array(jsonb_build_object(
                                   'subject-uuid', infracast.document_uuid(sys, 'inventory-item', ev.node_ext), 'type', 'inventory-item'))
                               END,
                   'relevant-evidence', jsonb_build_array(jsonb_build_object('description', ev.raw_output,
                       'props', infracast.oscal_prop('sha256', ev.raw_sha256, ns))),
                   'collected', infracast.oscal_time(ev.observed_at)) AS doc
          FROM ev
    ), fnd AS (
        SELECT f.control_id, c.ord, jsonb_build_object(
                   'uuid', infracast.document_uuid(sys, 'finding', f.control_id),
                   'title', f.label || ' ' || f.title,
                   'description', COALESCE(f.reason, f.state),
                   'props', infracast.oscal_prop('state', f.state, ns)
                            || CASE WHEN f.waived THEN infracast.oscal_prop('waived', 'true', ns) ELSE '[]' END
                            || CASE WHEN f.poam_open THEN infracast.oscal_prop('poam-open', 'true', ns) ELSE '[]' END,
                   'target', jsonb_build_object('type', 'statement-id', 'target-id', f.oscal_target_id,
                                                'status', jsonb_build_object('state', f.oscal_status)),
                   'implementation-statement-uuid', infracast.document_uuid(sys, 'by-component', f.control_id, 'this-system'),
                   'related-observations', COALESCE((SELECT jsonb_agg(jsonb_build_object('observation-uuid', o.uuid) ORDER BY o.id)
                                                       FROM obs o WHERE o.rule_id = ANY (f.rules)))) AS doc
          FROM infracast.compliance_findings f
          JOIN infracast.compliance_controls c ON c.catalog = v_a.catalog AND c.control_id = f.control_id
         WHERE f.tenant_id = v_a.tenant_id AND f.assessment_id = v_a.id AND f.oscal_status IS NOT NULL
    )
    SELECT jsonb_build_object('assessment-results', jsonb_build_object(
        'uuid', infracast.document_uuid(sys, 'assessment-results', v_a.profile),
        'metadata', jsonb_build_object(
            'title', 'Assessment results of ' || sys || ' against ' || v_a.profile,
            'last-modified', infracast.oscal_time(as_of),
            'version', v_a.id::text,
            'oscal-version', '1.1.2',
            'roles', '[{"id": "assessor", "title": "Assessor"}]'::jsonb,
            'parties', jsonb_build_array(jsonb_build_object('uuid', infracast.document_uuid(sys, 'party', 'infracast'),
                                                            'type', 'organization', 'name', 'Infracast automated assessment')),
            'responsible-parties', jsonb_build_array(jsonb_build_object('role-id', 'assessor',
                'party-uuids', jsonb_build_array(infracast.document_uuid(sys, 'party', 'infracast'))))),
        'import-ap', jsonb_build_object('href', '#' || infracast.document_uuid(sys, 'resource', 'assessment-plan', v_a.profile)),
        'results', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
            'uuid', infracast.document_uuid(sys, 'result', v_a.profile, v_a.id::text),
            'title', 'Automated assessment ' || v_a.id || ' against ' || v_a.profile,
            'description', 'Rules run by infracast.compliance_assess(); controls no rule decides are not reported as findings.',
            'start', infracast.oscal_time(v_a.started_at),
            'end', infracast.oscal_time(v_a.finished_at),
            'reviewed-controls', jsonb_build_object('control-selections', jsonb_build_array(jsonb_build_object(
                'include-controls', COALESCE((SELECT jsonb_agg(jsonb_build_object('control-id', pc.control_id) ORDER BY c.ord)
                                               FROM infracast.compliance_profile_controls pc
                                               JOIN infracast.compliance_controls c ON c.catalog = pc.catalog AND c.control_id = pc.control_id
                                              WHERE pc.profile = v_a.profile), '[]')))),
            'observations', (SELECT jsonb_agg(o.doc ORDER BY o.id) FROM obs o),
            'findings', (SELECT jsonb_agg(f.doc ORDER BY f.ord) FROM fnd f)))),
        'back-matter', jsonb_build_object('resources', jsonb_build_array(jsonb_build_object(
            'uuid', infracast.document_uuid(sys, 'resource', 'assessment-plan', v_a.profile),
            'title', 'Assessment plan: the rules of infracast.compliance_rules mapped to ' || v_a.profile,
            'description', 'Infracast runs its rules as the plan; no separate assessment-plan document is written.')))))
    );
END
$$;
COMMENT ON FUNCTION infracast.oscal_assessment_results(bigint, timestamptz) IS
    'A compliance assessment (default: the latest) as OSCAL 1.1.2 assessment results with stable ids: one observation per evidence row (raw output and its sha256, the node as subject), one finding per assessed control. Needs the reports licence feature.';

-- ---------------------------------------------------------------------------------------------
-- Risks: the open findings and the attack paths, with deadlines (shared by the POA&M and its CSV)
-- ---------------------------------------------------------------------------------------------
-- Days to fix by priority band when the CVE is not in KEV (a KEV due date always wins): the
-- defaults follow CISA BOD 19-02's 15/30 days for critical/high, and 90/180 for the rest.
CREATE FUNCTION infracast.documents_deadline(priority text, first_seen timestamptz, kev_due date,
    OUT deadline timestamptz, OUT source text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN kev_due IS NOT NULL THEN (kev_due + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 second'
                ELSE pg_catalog.date_trunc('day', first_seen AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                     + CASE priority WHEN 'act' THEN 15 WHEN 'attend' THEN 30 WHEN 'track*' THEN 90 ELSE 180 END * interval '1 day'
                     - interval '1 second' END,
           CASE WHEN kev_due IS NOT NULL THEN 'kev-due-date' ELSE 'priority-' || COALESCE(priority, 'track') END
$$;

-- One row per risk of the current tenant: each open finding, and each most likely attack path
-- from an entry point to a crown jewel (when the graph has both and the licence allows paths).
CREATE FUNCTION infracast.documents_risks()
    RETURNS TABLE (risk_key text, kind text, title text, description text, severity text, likelihood float8,
                   risk float8, cve_id text, node_external_ids text[], first_seen timestamptz, deadline timestamptz,
                   deadline_source text, remediation text, source_ref text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT 'vulnerability/' || f.cve_id || '/' || f.node_external_id, 'vulnerability',
           f.cve_id || ' on ' || COALESCE(f.node_name, f.node_external_id),
           COALESCE(c.description, f.cve_id) ,
           f.priority, f.exposure, f.risk, f.cve_id, ARRAY[f.node_external_id], f.first_seen, d.deadline, d.source,
           CASE WHEN f.software IS NOT NULL THEN 'Update or remove ' || concat_ws(' ', f.software, f.software_version) || '.'
                ELSE 'Apply the vendor''s fix for ' || f.cve_id || '.' END,
           f.reasons
      FROM infracast.prioritized_findings f
      LEFT JOIN infracast.cve c ON c.id = f.cve_id
      CROSS JOIN LATERAL infracast.documents_deadline(f.priority, f.first_seen, f.kev_due_date) d;
    BEGIN
        RETURN QUERY
        WITH p AS (
            SELECT ap.path_id, array_agg(ap.node ORDER BY ap.path_seq) AS nodes,
                   (array_agg(ap.likelihood ORDER BY ap.path_seq DESC))[1] AS last_lk
              FROM infracast.attack_paths(NULL, NULL, 1) ap GROUP BY ap.path_id
        ), pn AS (
            SELECT p.path_id, p.last_lk AS likelihood,
                   array_agg(n.external_id ORDER BY o.i) AS exts,
                   string_agg(COALESCE(n.name, n.external_id), ' → ' ORDER BY o.i) AS chain,
                   -- the earliest KEV due date and first sighting among the open findings on the path
                   (SELECT min(k.due_date) FROM infracast.findings fi JOIN infracast.kev k ON k.cve_id = fi.cve_id
                     WHERE fi.tenant_id = infracast.current_tenant() AND fi.node_id = ANY (p.nodes) AND fi.status = 'open') AS kev_due,
                   (SELECT min(fi.first_seen) FROM infracast.findings fi
                     WHERE fi.tenant_id = infracast.current_tenant() AND fi.node_id = ANY (p.nodes) AND fi.status = 'open') AS first_seen
              FROM p CROSS JOIN LATERAL unnest(p.nodes) WITH ORDINALITY o(node, i)
              JOIN infracast.nodes n ON n.tenant_id = infracast.current_tenant() AND n.id = o.node
             GROUP BY p.path_id, p.last_lk, p.nodes
        )
        SELECT 'attack-path/' || pn.exts[1] || '/' || pn.exts[array_length(pn.exts, 1)], 'attack-path',
               'Attack path from ' || pn.exts[1] || ' to ' || pn.exts[array_length(pn.exts, 1)],
               'Most likely path: ' || pn.chain || format(' (likelihood %s).', round(pn.likelihood::numeric, 4)),
               CASE WHEN pn.likelihood >= 0.5 THEN 'act' WHEN pn.likelihood >= 0.2 THEN 'attend' ELSE 'track' END,
               pn.likelihood, round(100 * pn.likelihood)::float8, NULL::text, pn.exts, pn.first_seen,
               CASE WHEN pn.kev_due IS NOT NULL THEN (pn.kev_due + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 second' END,
               CASE WHEN pn.kev_due IS NOT NULL THEN 'kev-due-date' END,
               'Cut the path: see infracast.remediation_plan() for the cheapest set of relations to remove.',
               pn.chain
          FROM pn;
    EXCEPTION WHEN SQLSTATE 'IC102' OR SQLSTATE 'IC103' OR SQLSTATE 'IC105' OR SQLSTATE 'IC303' THEN
        -- no entry points or crown jewels, too many pairs, or no attack_paths feature: the risks
        -- are the findings alone (docs/documents.md says so)
        NULL;
    END;
END
$$;
COMMENT ON FUNCTION infracast.documents_risks() IS
    'The current tenant''s risks for the POA&M: every open finding (deadline: its KEV due date, else 15/30/90/180 days from first seen by priority) and every most likely entry-point-to-crown-jewel attack path (deadline: the earliest KEV due date on it).';

-- ---------------------------------------------------------------------------------------------
-- OSCAL plan of action and milestones
-- ---------------------------------------------------------------------------------------------
CREATE FUNCTION infracast.oscal_poam(as_of timestamptz DEFAULT pg_catalog.now()) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
DECLARE
    sys  text := infracast.documents_begin('generate a POA&M');
    ns   constant text := 'https://infracast.example/ns/oscal';
    tool uuid;
BEGIN
    tool := infracast.document_uuid(sys, 'component', 'infracast');
    RETURN (
    WITH r AS (SELECT x.*, infracast.document_uuid(sys, 'risk', x.risk_key) AS uuid,
                      infracast.document_uuid(sys, 'observation', x.risk_key) AS obs_uuid
                 FROM infracast.documents_risks() x),
    items AS (
        SELECT 1 AS grp, r.risk_key AS k, jsonb_build_object(
                   'uuid', infracast.document_uuid(sys, 'poam-item', r.risk_key),
                   'title', r.title, 'description', r.remediation,
                   'related-observations', jsonb_build_array(jsonb_build_object('observation-uuid', r.obs_uuid)),
                   'related-risks', jsonb_build_array(jsonb_build_object('risk-uuid', r.uuid))) AS doc
          FROM r
        UNION ALL
        SELECT 2, i.control_id || '/' || i.id, jsonb_build_object(
                   'uuid', infracast.document_uuid(sys, 'poam-item', 'control', i.control_id, i.id::text),
                   'title', i.title,
                   'description', 'Control ' || i.control_id || ' (' || i.status || ')' || COALESCE(', due ' || i.due_date, '') || '.',
                   'props', infracast.oscal_prop('control-id', i.control_id, ns) || infracast.oscal_prop('status', i.status, ns))
          FROM infracast.compliance_poam_items i
         WHERE i.tenant_id = infracast.current_tenant() AND i.status = 'open'
    )
    SELECT jsonb_build_object('plan-of-action-and-milestones', jsonb_strip_nulls(jsonb_build_object(
        'uuid', infracast.document_uuid(sys, 'poam'),
        'metadata', jsonb_build_object(
            'title', 'Plan of action and milestones of ' || sys,
            'last-modified', infracast.oscal_time(as_of),
            'version', to_char(as_of AT TIME ZONE 'UTC', 'YYYY.MM.DD.HH24MISS'),
            'oscal-version', '1.1.2'),
        'import-ssp', jsonb_build_object('href', '#' || infracast.document_uuid(sys, 'resource', 'ssp')),
        'system-id', jsonb_build_object('identifier-type', ns, 'id', sys),
        'local-definitions', jsonb_build_object('components', jsonb_build_array(jsonb_build_object(
            'uuid', tool, 'type', 'software', 'title', 'Infracast',
            'description', 'The analysis that found these risks: vulnerability matching and attack-path search.',
            'status', jsonb_build_object('state', 'operational')))),
        'observations', (SELECT jsonb_agg(jsonb_build_object(
                'uuid', r.obs_uuid, 'title', r.title, 'description', r.source_ref,
                'methods', '["TEST"]'::jsonb,
                'types', '["finding"]'::jsonb,
                'origins', jsonb_build_array(jsonb_build_object('actors', jsonb_build_array(
                    jsonb_build_object('type', 'tool', 'actor-uuid', tool)))),
                'subjects', (SELECT jsonb_agg(jsonb_build_object('subject-uuid', infracast.document_uuid(sys, 'inventory-item', e),
                                                                 'type', 'inventory-item') ORDER BY o)
                               FROM unnest(r.node_external_ids) WITH ORDINALITY u(e, o)
                              WHERE EXISTS (SELECT 1 FROM infracast.document_assets a WHERE a.external_id = e)),
                'collected', infracast.oscal_time(COALESCE(r.first_seen, as_of))) ORDER BY r.risk_key) FROM r),
        'risks', (SELECT jsonb_agg(jsonb_build_object(
                'uuid', r.uuid, 'title', r.title, 'description', r.description, 'statement', r.source_ref,
                'props', infracast.oscal_prop('kind', r.kind, ns) || infracast.oscal_prop('deadline-source', r.deadline_source, ns)
                         || infracast.oscal_prop('cve-id', r.cve_id, ns),
                'status', 'open',
                'characterizations', jsonb_build_array(jsonb_build_object(
                    'origin', jsonb_build_object('actors', jsonb_build_array(jsonb_build_object('type', 'tool', 'actor-uuid', tool))),
                    'facets', jsonb_build_array(jsonb_build_object('name', 'priority', 'system', ns, 'value', COALESCE(r.severity, 'track')))
                              || CASE WHEN r.risk IS NOT NULL THEN jsonb_build_array(jsonb_build_object('name', 'risk', 'system', ns,
                                        'value', round(r.risk::numeric, 1)::text)) ELSE '[]' END
                              || CASE WHEN r.likelihood IS NOT NULL THEN jsonb_build_array(jsonb_build_object('name', 'likelihood', 'system', ns,
                                        'value', round(r.likelihood::numeric, 4)::text)) ELSE '[]' END)),
                'deadline', infracast.oscal_time(r.deadline),
                'remediations', jsonb_build_array(jsonb_build_object(
                    'uuid', infracast.document_uuid(sys, 'remediation', r.risk_key),
                    'lifecycle', 'recommendation', 'title', 'Remediate', 'description', r.remediation)),
                'related-observations', jsonb_build_array(jsonb_build_object('observation-uuid', r.obs_uuid))) ORDER BY r.risk_key) FROM r),
        'poam-items', COALESCE((SELECT jsonb_agg(i.doc ORDER BY i.grp, i.k) FROM items i), '[]'),
        'back-matter', jsonb_build_object('resources', jsonb_build_array(jsonb_build_object(
            'uuid', infracast.document_uuid(sys, 'resource', 'ssp'),
            'title', 'System security plan of ' || sys,
            'rlinks', jsonb_build_array(jsonb_build_object('href', 'ssp.json'))))))))
    );
END
$$;
COMMENT ON FUNCTION infracast.oscal_poam(timestamptz) IS
    'The current tenant''s OSCAL 1.1.2 plan of action and milestones: one observation, risk (deadline from the KEV due date, else the priority''s days) and POA&M item per open finding and per attack path to a crown jewel, and the open manual POA&M items. Needs the reports licence feature.';

-- ---------------------------------------------------------------------------------------------
-- Inventories and POA&M as CSV
-- ---------------------------------------------------------------------------------------------
-- The FedRAMP Integrated Inventory Workbook's inventory sheet, its 24 columns in its order (the
-- workbook's template, rev. 2018+). Hardware rows: one per asset; software rows: one per product
-- installed on an asset, with the asset's identifier and addresses. CRLF line ends (RFC 4180).
CREATE FUNCTION infracast.inventory_csv(part text DEFAULT 'all', as_of timestamptz DEFAULT pg_catalog.now()) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sys text := infracast.documents_begin('generate an inventory');
BEGIN
    IF part IS NULL OR part NOT IN ('all', 'hardware', 'software') THEN
        RAISE EXCEPTION 'unknown inventory part "%"', part
            USING ERRCODE = 'IC801', HINT = 'Ask for hardware, software or all.';
    END IF;
    RETURN (
    WITH rows AS (
        SELECT 1 AS grp, a.external_id AS k1, '' AS k2, ARRAY[
                   a.external_id, array_to_string(ARRAY(SELECT host(ad) FROM unnest(a.addresses) ad ORDER BY ad), ' '),
                   initcap(a.virtual), initcap(a.public), a.fqdn, a.netbios_name, a.mac_address,
                   CASE WHEN a.attrs ->> 'authenticated_scan' = 'true' THEN 'Yes' WHEN a.attrs ? 'authenticated_scan' THEN 'No' END,
                   a.attrs ->> 'baseline_configuration', a.os, a.location, a.asset_type, concat_ws(' ', a.vendor, a.model),
                   CASE WHEN a.last_seen >= as_of - interval '30 days' THEN 'Yes' ELSE 'No' END,
                   NULL, NULL, a.attrs ->> 'patch_level', a.name,
                   a.kind || ', criticality ' || a.criticality || CASE WHEN a.crown_jewel THEN ', crown jewel' ELSE '' END,
                   a.serial, a.vlan, a.owner, a.attrs ->> 'application_owner', a.function] AS f
          FROM infracast.document_assets a
         WHERE part IN ('all', 'hardware')
        UNION ALL
        SELECT 2, a.external_id, concat_ws('|', s.vendor, s.name, s.version, s.id::text), ARRAY[
                   a.external_id, array_to_string(ARRAY(SELECT host(ad) FROM unnest(a.addresses) ad ORDER BY ad), ' '),
                   initcap(a.virtual), initcap(a.public), a.fqdn, a.netbios_name, NULL, NULL, NULL, a.os, a.location,
                   'Software', NULL,
                   CASE WHEN s.last_seen >= as_of - interval '30 days' THEN 'Yes' ELSE 'No' END,
                   s.vendor, concat_ws(' ', s.name, s.version), NULL, a.name,
                   concat_ws(', ', s.cpe, s.purl, 'source ' || s.source), NULL, a.vlan, a.owner, a.attrs ->> 'application_owner', a.function]
          FROM infracast.document_assets a
          JOIN infracast.software s ON s.tenant_id = a.tenant_id AND s.node_id = a.id
         WHERE part IN ('all', 'software')
    )
    SELECT 'UNIQUE ASSET IDENTIFIER,IPv4 or IPv6 Address,Virtual,Public,DNS Name or URL,NetBIOS Name,MAC Address,'
           'Authenticated Scan,Baseline Configuration Name,OS Name and Version,Location,Asset Type,Hardware Make/Model,'
           'In Latest Scan,Software/ Database Vendor,Software/ Database Name & Version,Patch Level,Diagram Label,Comments,'
           'Serial #/Asset Tag#,VLAN/Network ID,System Administrator/ Owner,Application Administrator/ Owner,Function' || E'\r\n'
           || COALESCE(string_agg((SELECT string_agg(infracast.csv_field(v), ',' ORDER BY i) FROM unnest(r.f) WITH ORDINALITY u(v, i)) || E'\r\n',
                                  '' ORDER BY r.grp, r.k1, r.k2), '')
      FROM rows r);
END
$$;
COMMENT ON FUNCTION infracast.inventory_csv(text, timestamptz) IS
    'The current tenant''s hardware and/or software inventory (part: all, hardware, software) as CSV in the FedRAMP Integrated Inventory Workbook column order. Needs the reports licence feature.';

-- eMASS's POA&M columns, in its order; one row per risk (documents_risks).
CREATE FUNCTION infracast.poam_csv(as_of timestamptz DEFAULT pg_catalog.now()) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sys text := infracast.documents_begin('generate a POA&M');
BEGIN
    RETURN (
    WITH r AS (
        SELECT x.*, CASE x.severity WHEN 'act' THEN 'Very High' WHEN 'attend' THEN 'High' WHEN 'track*' THEN 'Moderate' ELSE 'Low' END AS level
          FROM infracast.documents_risks() x
    )
    SELECT 'POA&M Item ID,Control Vulnerability Description,Security Control Number (NC/NA controls only),Office/Org,'
           'Security Checks,Resources Required,Scheduled Completion Date,Milestone with Completion Dates,Milestone Changes,'
           'Source Identifying Vulnerability,Status,Comments,Raw Severity,Devices Affected,Mitigations,Predisposing Conditions,'
           'Severity,Relevance of Threat,Threat Description,Likelihood,Impact,Impact Description,Residual Risk Level,Recommendations' || E'\r\n'
           || COALESCE(string_agg((SELECT string_agg(infracast.csv_field(v), ',' ORDER BY i) FROM unnest(ARRAY[
                   infracast.document_uuid(sys, 'poam-item', r.risk_key)::text,
                   r.title || ': ' || r.description,
                   CASE r.kind WHEN 'vulnerability' THEN 'RA-5; SI-2' ELSE 'AC-6; SC-7' END,
                   sys,
                   COALESCE(r.cve_id, r.kind),
                   NULL,
                   to_char(r.deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                   CASE WHEN r.deadline IS NOT NULL THEN 'Remediate by ' || to_char(r.deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD') END,
                   NULL,
                   CASE r.kind WHEN 'vulnerability' THEN 'Infracast vulnerability matching' ELSE 'Infracast attack-path analysis' END,
                   'Ongoing',
                   concat_ws('; ', CASE WHEN r.deadline < as_of THEN 'overdue' END, 'deadline from ' || r.deadline_source, r.source_ref),
                   r.level,
                   array_to_string(r.node_external_ids, ' '),
                   NULL, NULL,
                   r.level,
                   CASE WHEN r.deadline_source = 'kev-due-date' THEN 'Very High' ELSE r.level END,
                   r.description,
                   CASE WHEN r.likelihood IS NOT NULL THEN round(r.likelihood::numeric, 4)::text END,
                   NULL, NULL,
                   r.level,
                   r.remediation]) WITH ORDINALITY u(v, i)) || E'\r\n', '' ORDER BY r.deadline NULLS LAST, r.risk_key), '')
      FROM r);
END
$$;
COMMENT ON FUNCTION infracast.poam_csv(timestamptz) IS
    'The current tenant''s POA&M as CSV in the eMASS POA&M column order: one row per open finding and attack path, scheduled completion from the KEV due date or the priority''s days. Needs the reports licence feature.';

-- ---------------------------------------------------------------------------------------------
-- The HTML report
-- ---------------------------------------------------------------------------------------------
-- A horizontal bar chart as inline SVG (no script, no external reference).
CREATE FUNCTION infracast.svg_bars(labels text[], vals float8[], max_value float8 DEFAULT NULL, unit text DEFAULT '')
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH b AS (
        SELECT i, l, COALESCE(v, 0) AS v FROM unnest(labels, vals) WITH ORDINALITY u(l, v, i)
    ), m AS (SELECT GREATEST(COALESCE(max_value, max(v)), 1e-9) AS mx, count(*) AS n FROM b)
    SELECT format('<svg xmlns="http://www.w3.org/2000/svg" role="img" width="640" height="%s" viewBox="0 0 640 %s">', 24 * m.n + 4, 24 * m.n + 4)
           || COALESCE(string_agg(format('<text x="0" y="%s" font-size="12">%s</text><rect x="170" y="%s" width="%s" height="16" fill="#3b6ea5"/>'
                                         '<text x="%s" y="%s" font-size="12">%s%s</text>',
                                         24 * (b.i - 1) + 16, infracast.html_escape(left(b.l, 26)), 24 * (b.i - 1) + 4,
                                         round((360 * b.v / m.mx)::numeric, 1), round((176 + 360 * b.v / m.mx)::numeric, 1),
                                         24 * (b.i - 1) + 16,
                                         CASE WHEN b.v = round(b.v) THEN round(b.v)::bigint::text ELSE round(b.v::numeric, 1)::text END,
                                         infracast.html_escape(unit)), '' ORDER BY b.i), '')
           || '</svg>'
      FROM b, m GROUP BY m.mx, m.n
$$;

-- An HTML table from rows of cells (already escaped); the first row is the header.
CREATE FUNCTION infracast.html_table(header text[], rows_html text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '<table><thead><tr>' || (SELECT string_agg('<th>' || infracast.html_escape(h) || '</th>', '' ORDER BY i)
                                      FROM unnest(header) WITH ORDINALITY u(h, i))
           || '</tr></thead><tbody>' || COALESCE(rows_html, '') || '</tbody></table>'
$$;

CREATE FUNCTION infracast.html_row(VARIADIC cells text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT '<tr>' || (SELECT string_agg('<td>' || infracast.html_escape(c) || '</td>', '' ORDER BY i)
                          FROM unnest(cells) WITH ORDINALITY u(c, i)) || '</tr>' $$;

-- One section of the report; a section whose analysis cannot run (no entry points, no crown
-- jewels, no attack_paths feature, no assessment) says why instead of failing the whole report.
CREATE FUNCTION infracast.report_section(p_section text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    html text;
    v_a  bigint;
BEGIN
    CASE p_section
    WHEN 'exposure' THEN
        SELECT infracast.html_table(ARRAY['measure', 'value'],
                   infracast.html_row('principals with a path to a crown jewel', format('%s of %s (%s %%)', s.exposed_principals, s.principals, round(s.exposure_pct::numeric, 1)))
                || infracast.html_row('severity', s.severity)
                || infracast.html_row('crown jewels', s.crown_jewels::text)
                || infracast.html_row('entry points reaching a crown jewel', format('%s of %s', s.entry_points_reaching, s.entry_points))
                || infracast.html_row('best entry-point likelihood', round(s.best_entry_likelihood::numeric, 4)::text))
          INTO html FROM infracast.exposure_summary() s;
    WHEN 'paths' THEN
        WITH p AS (
            SELECT ap.path_id, string_agg(COALESCE(n.name, n.external_id), ' → ' ORDER BY ap.path_seq) AS chain,
                   (array_agg(ap.likelihood ORDER BY ap.path_seq DESC))[1] AS likelihood, count(*) - 1 AS hops
              FROM infracast.attack_paths(NULL, NULL, 1) ap
              JOIN infracast.nodes n ON n.tenant_id = infracast.current_tenant() AND n.id = ap.node
             GROUP BY ap.path_id
        )
        SELECT infracast.html_table(ARRAY['#', 'path', 'hops', 'likelihood'],
                   string_agg(infracast.html_row(x.r::text, x.chain, x.hops::text, round(x.likelihood::numeric, 4)::text), '' ORDER BY x.r))
          INTO html
          FROM (SELECT p.*, row_number() OVER (ORDER BY p.likelihood DESC, p.chain) AS r FROM p) x WHERE x.r <= 10;
    WHEN 'choke-points' THEN
        SELECT infracast.html_table(ARRAY['rank', 'what', 'paths through it', 'share', 'targets dominated'],
                   string_agg(infracast.html_row(c.rank::text,
                       CASE WHEN c.object = 'node' THEN 'node ' || COALESCE(n.name, n.external_id)
                            ELSE 'edge ' || COALESCE(s.name, s.external_id) || ' → ' || COALESCE(d.name, d.external_id) END,
                       c.paths::text, round((100 * c.path_share)::numeric, 1) || ' %', COALESCE(c.dominated_targets, 0)::text), '' ORDER BY c.object DESC, c.rank))
          INTO html
          FROM infracast.choke_points(NULL, NULL, 10) c
          LEFT JOIN infracast.nodes n ON n.tenant_id = infracast.current_tenant() AND n.id = c.node
          LEFT JOIN infracast.nodes s ON s.tenant_id = infracast.current_tenant() AND s.id = c.src
          LEFT JOIN infracast.nodes d ON d.tenant_id = infracast.current_tenant() AND d.id = c.dst;
    WHEN 'remediation' THEN
        SELECT infracast.html_table(ARRAY['relation to remove', 'kind', 'fix cost', 'paths broken'],
                   string_agg(infracast.html_row(COALESCE(s.name, s.external_id) || ' → ' || COALESCE(d.name, d.external_id),
                       r.kind, round(r.fix_cost::numeric, 2)::text, r.paths_broken::text), '' ORDER BY r.paths_broken DESC, r.edge))
          INTO html
          FROM infracast.remediation_plan() r
          JOIN infracast.nodes s ON s.tenant_id = infracast.current_tenant() AND s.id = r.src
          JOIN infracast.nodes d ON d.tenant_id = infracast.current_tenant() AND d.id = r.dst;
    WHEN 'findings' THEN
        SELECT infracast.svg_bars(ARRAY['act', 'attend', 'track*', 'track'],
                   ARRAY[count(*) FILTER (WHERE f.priority = 'act'), count(*) FILTER (WHERE f.priority = 'attend'),
                         count(*) FILTER (WHERE f.priority = 'track*'), count(*) FILTER (WHERE f.priority = 'track')]::float8[], NULL, ' findings')
          INTO html FROM infracast.prioritized_findings f;
        html := '<figure>' || html || '<figcaption>Open findings by priority band</figcaption></figure>'
             || COALESCE((SELECT infracast.html_table(ARRAY['rank', 'priority', 'risk', 'CVE', 'node', 'software', 'KEV due', 'why'],
                    string_agg(infracast.html_row(f.rank::text, f.priority, round(f.risk::numeric, 1)::text, f.cve_id,
                        COALESCE(f.node_name, f.node_external_id), concat_ws(' ', f.software, f.software_version),
                        f.kev_due_date::text, f.reasons), '' ORDER BY f.rank))
                    FROM infracast.prioritized_findings f WHERE f.rank <= 25), '');
    WHEN 'compliance' THEN
        v_a := infracast.documents_latest_assessment();
        IF v_a IS NULL THEN
            RETURN '<p class="na">No compliance assessment yet: run infracast.compliance_assess().</p>';
        END IF;
        SELECT format('<p>Assessment %s against %s: baseline score %s (XCCDF default), %s of %s controls counted pass.</p>',
                      v_a, infracast.html_escape((SELECT a.profile FROM infracast.compliance_assessments a
                                                    WHERE a.tenant_id = infracast.current_tenant() AND a.id = v_a)),
                      round(max(s.default_score) FILTER (WHERE s.family IS NULL), 1),
                      max(s.passed) FILTER (WHERE s.family IS NULL), max(s.counted) FILTER (WHERE s.family IS NULL))
               || '<figure>' || infracast.svg_bars(array_agg(upper(s.family) ORDER BY s.family) FILTER (WHERE s.family IS NOT NULL AND s.counted > 0),
                                                   array_agg(s.default_score::float8 ORDER BY s.family) FILTER (WHERE s.family IS NOT NULL AND s.counted > 0), 100, ' %')
               || '<figcaption>Score per family (families with a decided control)</figcaption></figure>'
               || infracast.html_table(ARRAY['family', 'controls', 'counted', 'passed', 'failed', 'other', 'score'],
                      string_agg(infracast.html_row(COALESCE(upper(s.family) || ' ' || s.family_title, 'baseline'), s.controls::text, s.counted::text,
                          s.passed::text, s.failed::text, s.other::text, COALESCE(round(s.default_score, 1)::text, '')), '' ORDER BY s.family NULLS LAST))
          INTO html FROM infracast.compliance_scores(v_a) s;
    ELSE
        RAISE EXCEPTION 'unknown report section "%"', p_section USING ERRCODE = 'IC801';
    END CASE;
    RETURN COALESCE(html, '<p class="na">Nothing to show.</p>');
EXCEPTION WHEN query_canceled OR SQLSTATE 'IC801' THEN
    RAISE;
WHEN OTHERS THEN
    RETURN '<p class="na">Not available: ' || infracast.html_escape(SQLERRM) || ' (' || SQLSTATE || ').</p>';
END
$$;

CREATE FUNCTION infracast.report_html(as_of timestamptz DEFAULT pg_catalog.now()) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sys  text := infracast.documents_begin('generate a report');
    body text := '';
    s    record;
BEGIN
    FOR s IN SELECT * FROM (VALUES (1, 'exposure', 'Exposure'), (2, 'paths', 'Top attack paths'), (3, 'choke-points', 'Choke points'),
                                   (4, 'remediation', 'Remediation plan (cheapest set of fixes)'), (5, 'findings', 'Prioritised findings'),
                                   (6, 'compliance', 'Compliance scores')) v(o, id, title) ORDER BY o LOOP
        body := body || format('<section id="%s"><h2>%s</h2>%s</section>', s.id, s.title, infracast.report_section(s.id));
    END LOOP;
    RETURN '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        || '<meta http-equiv="Content-Security-Policy" content="default-src ''none''; style-src ''unsafe-inline''; img-src data:">'
        || '<title>Infracast report: ' || infracast.html_escape(sys) || '</title><style>'
        || 'body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}'
        || 'td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eef}'
        || '.na{color:#777;font-style:italic}figure{margin:1em 0}nav a{margin-right:1em}'
        || '</style></head><body><h1>Infracast report: ' || infracast.html_escape(sys) || '</h1>'
        || '<p>As of ' || infracast.oscal_time(as_of) || '.</p><nav><a href="#exposure">Exposure</a><a href="#paths">Paths</a>'
        || '<a href="#choke-points">Choke points</a><a href="#remediation">Remediation</a><a href="#findings">Findings</a>'
        || '<a href="#compliance">Compliance</a></nav>' || body || '</body></html>' || E'\n';
END
$$;
COMMENT ON FUNCTION infracast.report_html(timestamptz) IS
    'The current tenant''s self-contained HTML report (exposure, top paths, choke points, remediation plan, prioritised findings, compliance scores; charts as inline SVG, no script). Needs the reports licence feature.';

-- ---------------------------------------------------------------------------------------------
-- Stored documents (tenant table)
-- ---------------------------------------------------------------------------------------------
CREATE SEQUENCE infracast.reports_id_seq;
CREATE TABLE infracast.reports (
    tenant_id   bigint  NOT NULL DEFAULT infracast.current_tenant() REFERENCES infracast.tenants (id) ON DELETE CASCADE,
    id          bigint  NOT NULL DEFAULT pg_catalog.nextval('infracast.reports_id_seq'),
    kind        text    NOT NULL CHECK (kind IN ('report', 'ssp', 'assessment-results', 'poam', 'inventory', 'poam-csv')),
    title       text    NOT NULL,
    media_type  text    NOT NULL,
    filename    text    NOT NULL CHECK (filename ~ '^[A-Za-z0-9._-]+$'),
    content     text    NOT NULL,
    -- checked, not trusted: a stored document always matches its hash
    sha256      text    NOT NULL CHECK (sha256 = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(content, 'UTF8')), 'hex')),
    bytes       bigint  NOT NULL,
    as_of       timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by  text    NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (tenant_id, id)
);
ALTER SEQUENCE infracast.reports_id_seq OWNED BY infracast.reports.id;
COMMENT ON TABLE infracast.reports IS
    'Generated documents of each tenant (HTML report, OSCAL SSP, assessment results, POA&M, inventory and POA&M CSV) with the sha256 of their UTF-8 text.';
ALTER TABLE infracast.reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE infracast.reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON infracast.reports
    USING (tenant_id = infracast.rls_tenant()) WITH CHECK (tenant_id = infracast.rls_tenant());
GRANT SELECT ON infracast.reports TO infracast_reader;
-- Documents are stored by store_document() alone (as infracast_internal); analysts may delete them.
GRANT INSERT ON infracast.reports TO infracast_internal;
GRANT USAGE ON SEQUENCE infracast.reports_id_seq TO infracast_internal;
GRANT DELETE ON infracast.reports TO infracast_analyst;
SELECT pg_catalog.pg_extension_config_dump('infracast.reports', '');
SELECT pg_catalog.pg_extension_config_dump('infracast.reports_id_seq', '');

-- A document of any kind as text, with its media type and file name.
CREATE FUNCTION infracast.render_document(kind text, profile text DEFAULT 'moderate', as_of timestamptz DEFAULT pg_catalog.now(),
    OUT content text, OUT media_type text, OUT filename text, OUT title text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE kind
    WHEN 'report' THEN
        content := infracast.report_html(as_of); media_type := 'text/html; charset=utf-8'; filename := 'report.html';
        title := 'Infracast report';
    WHEN 'ssp' THEN
        content := jsonb_pretty(infracast.oscal_ssp(profile, as_of)) || E'\n'; media_type := 'application/json'; filename := 'ssp.json';
        title := 'OSCAL system security plan (' || profile || ')';
    WHEN 'assessment-results' THEN
        content := jsonb_pretty(infracast.oscal_assessment_results(NULL, as_of)) || E'\n'; media_type := 'application/json';
        filename := 'assessment-results.json'; title := 'OSCAL assessment results';
    WHEN 'poam' THEN
        content := jsonb_pretty(infracast.oscal_poam(as_of)) || E'\n'; media_type := 'application/json'; filename := 'poam.json';
        title := 'OSCAL plan of action and milestones';
    WHEN 'inventory' THEN
        content := infracast.inventory_csv('all', as_of); media_type := 'text/csv; charset=utf-8'; filename := 'inventory.csv';
        title := 'Integrated inventory (FedRAMP workbook columns)';
    WHEN 'poam-csv' THEN
        content := infracast.poam_csv(as_of); media_type := 'text/csv; charset=utf-8'; filename := 'poam.csv';
        title := 'POA&M (eMASS columns)';
    ELSE
        RAISE EXCEPTION 'unknown document kind "%"', kind
            USING ERRCODE = 'IC801', HINT = 'Ask for report, ssp, assessment-results, poam, inventory or poam-csv.';
    END CASE;
END
$$;
COMMENT ON FUNCTION infracast.render_document(text, text, timestamptz) IS
    'A document of the current tenant as text: report (HTML), ssp, assessment-results, poam (OSCAL JSON), inventory, poam-csv (CSV). Needs the reports licence feature.';

-- Generates a document and keeps it in infracast.reports with its sha256; returns the row.
-- Analysts may not insert into infracast.reports themselves (a stored "report" would then hold
-- content of their choosing): the writer renders and stores as infracast_internal (row-level
-- security applies to it), recording the caller store_document() passes as the author.
CREATE FUNCTION infracast._store_document(kind text, profile text, as_of timestamptz, caller name)
    RETURNS infracast.reports
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d   record;
    row infracast.reports;
BEGIN
    PERFORM infracast.check_caller(caller);
    SELECT * INTO d FROM infracast.render_document(kind, profile, as_of);
    INSERT INTO infracast.reports (kind, title, media_type, filename, content, sha256, bytes, as_of, created_by)
    VALUES (kind, d.title, d.media_type, d.filename, d.content,
            encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), octet_length(d.content), as_of, caller)
    RETURNING * INTO row;
    RETURN row;
END
$$;
ALTER FUNCTION infracast._store_document(text, text, timestamptz, name) OWNER TO infracast_internal;
COMMENT ON FUNCTION infracast._store_document(text, text, timestamptz, name) IS
    'Internal: the writer behind store_document(), run as infracast_internal; caller is the role recorded as the author.';

CREATE FUNCTION infracast.store_document(kind text, profile text DEFAULT 'moderate', as_of timestamptz DEFAULT pg_catalog.now())
    RETURNS infracast.reports
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM infracast._store_document(kind, profile, as_of, current_user) $$;
COMMENT ON FUNCTION infracast.store_document(text, text, timestamptz) IS
    'Generates a document (see render_document) and stores it in infracast.reports with its sha256; returns the stored row.';

CREATE FUNCTION infracast.generate_report(as_of timestamptz DEFAULT pg_catalog.now()) RETURNS bigint
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$ SELECT (infracast.store_document('report', 'moderate', as_of)).id $$;
COMMENT ON FUNCTION infracast.generate_report(timestamptz) IS
    'Generates the HTML report of the current tenant and stores it in infracast.reports; returns its id.';

DO $grants$
DECLARE
    f text;
BEGIN
    -- generating is reading (readers may); storing is an analyst's, through store_document()
    FOREACH f IN ARRAY ARRAY['infracast.oscal_ssp(text, timestamptz)', 'infracast.oscal_assessment_results(bigint, timestamptz)',
                             'infracast.oscal_poam(timestamptz)', 'infracast.inventory_csv(text, timestamptz)',
                             'infracast.poam_csv(timestamptz)', 'infracast.report_html(timestamptz)',
                             'infracast.render_document(text, text, timestamptz)', 'infracast.documents_risks()',
                             'infracast.report_section(text)', 'infracast.documents_begin(text)'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO infracast_reader', f);
    END LOOP;
    FOREACH f IN ARRAY ARRAY['infracast.store_document(text, text, timestamptz)', 'infracast.generate_report(timestamptz)',
                             'infracast._store_document(text, text, timestamptz, name)'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO infracast_analyst', f);
    END LOOP;
END
$grants$;
