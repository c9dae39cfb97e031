-- Infracast compliance, part 2: the REST surface for the UI (docs/compliance.md#rest). It comes
-- after 90_api.sql because the schema infracast_api is created there; the wrappers only reshape
-- the SQL API of 75_compliance.sql (the licence check, the tenant and RLS stay where they are).

CREATE VIEW infracast_api.compliance_profiles WITH (security_invoker = true) AS
    SELECT p.name, p.title, p.version, p.catalog, p.builtin,
           (SELECT pg_catalog.count(*) FROM infracast.compliance_profile_controls pc WHERE pc.profile = p.name) AS controls
      FROM infracast.compliance_profiles p;
COMMENT ON VIEW infracast_api.compliance_profiles IS
    'Baselines that assessments can use (low, moderate, high and privacy ship with Infracast), with their number of controls.';

CREATE VIEW infracast_api.compliance_assessments WITH (security_invoker = true) AS
    SELECT a.id, a.profile, a.catalog, a.started_at, a.finished_at, a.assessed_by, a.counts
      FROM infracast.compliance_assessments a;
COMMENT ON VIEW infracast_api.compliance_assessments IS 'The caller''s assessments, with the number of controls in each state.';

CREATE VIEW infracast_api.compliance_results WITH (security_invoker = true) AS
    SELECT f.assessment_id, f.control_id, f.label, f.title, f.family, f.state, f.waived, f.poam_open,
           f.oscal_status, f.rules, f.reason
      FROM infracast.compliance_findings f;
COMMENT ON VIEW infracast_api.compliance_results IS
    'Per control of each assessment: state (pass, fail, error, unknown, not_applicable, not_checked, not_selected, informational, fixed), waived and poam_open overlays, OSCAL satisfied/not-satisfied.';

CREATE VIEW infracast_api.compliance_evidence WITH (security_invoker = true) AS
    SELECT e.assessment_id, e.control_id, e.part_id, e.mapping_source, e.evidence_id, e.rule_id, e.subject,
           e.observed_at, e.method, e.result, e.detail, e.raw_sha256
      FROM infracast.compliance_control_evidence e;
COMMENT ON VIEW infracast_api.compliance_evidence IS
    'Evidence per control of each assessment: the rule, the subject judged, when, how, the result, the detail and the sha256 of the raw output.';

CREATE VIEW infracast_api.compliance_rules WITH (security_invoker = true) AS
    SELECT r.id, r.title, r.decides, r.method, r.enabled, r.requires,
           ARRAY(SELECT m.control_id || COALESCE(' ' || m.part_id, '')
                              FROM infracast.compliance_rule_controls m WHERE m.rule_id = r.id ORDER BY 1) AS controls
      FROM infracast.compliance_rules r;
COMMENT ON VIEW infracast_api.compliance_rules IS 'The checks an assessment runs and the control statement parts each decides.';

CREATE VIEW infracast_api.compliance_waivers WITH (security_invoker = true) AS
    SELECT w.id, w.catalog, w.control_id, w.reason, w.approved_by, w.expires_at, w.created_at FROM infracast.compliance_waivers w;
COMMENT ON VIEW infracast_api.compliance_waivers IS 'The caller''s waivers.';

CREATE VIEW infracast_api.compliance_poam_items WITH (security_invoker = true) AS
    SELECT i.id, i.catalog, i.control_id, i.title, i.status, i.due_date, i.created_at FROM infracast.compliance_poam_items i;
COMMENT ON VIEW infracast_api.compliance_poam_items IS 'The caller''s plan of action and milestones.';

CREATE FUNCTION infracast_api.compliance_assess(args jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := infracast.compliance_assess(COALESCE(args ->> 'profile', 'moderate'));
BEGIN
    RETURN (SELECT jsonb_build_object('assessment_id', a.id, 'profile', a.profile, 'counts', a.counts,
                                      'started_at', a.started_at, 'finished_at', a.finished_at)
              FROM infracast.compliance_assessments a
             WHERE a.tenant_id = infracast.current_tenant() AND a.id = v_id);
END
$$;
COMMENT ON FUNCTION infracast_api.compliance_assess(jsonb) IS
    'Assesses the caller''s tenant against a baseline: {"profile": "moderate"} (low, moderate, high, privacy or an imported profile); returns the assessment id and counts.';

-- The assessment a call names ({"assessment_id": 3}), checked once for the routes that read one:
-- a number, and an assessment the caller's tenant has (row-level security decides). In schema
-- infracast, not infracast_api, so that it is not a route of its own.
CREATE FUNCTION infracast.compliance_api_assessment(args jsonb) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(args -> 'assessment_id') IS DISTINCT FROM 'number' THEN
        RAISE EXCEPTION 'argument "assessment_id" (a number) is required'
            USING ERRCODE = '22023', HINT = 'See GET /api/compliance_assessments.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM infracast.compliance_assessments a WHERE a.id = (args ->> 'assessment_id')::bigint) THEN
        RAISE EXCEPTION 'assessment % does not exist', args ->> 'assessment_id'
            USING ERRCODE = 'P0002', HINT = 'See GET /api/compliance_assessments.';
    END IF;
    RETURN (args ->> 'assessment_id')::bigint;
END
$$;

CREATE FUNCTION infracast_api.compliance_scores(args jsonb) RETURNS SETOF jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT to_jsonb(s) FROM infracast.compliance_scores(infracast.compliance_api_assessment(args)) s
$$;
COMMENT ON FUNCTION infracast_api.compliance_scores(jsonb) IS
    'Scores of an assessment {"assessment_id": 3}: one object per family and one for the baseline (family null): XCCDF default and flat, CIS score/max.';

CREATE FUNCTION infracast_api.compliance_oscal_results(args jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT infracast.compliance_oscal_results(infracast.compliance_api_assessment(args))
$$;
COMMENT ON FUNCTION infracast_api.compliance_oscal_results(jsonb) IS
    'An assessment {"assessment_id": 3} as an OSCAL 1.1.2 assessment-results document.';

CREATE FUNCTION infracast_api.compliance_waive(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row jsonb;
BEGIN
    IF COALESCE(args ->> 'control_id', '') = '' OR COALESCE(args ->> 'reason', '') = '' THEN
        RAISE EXCEPTION 'arguments "control_id" and "reason" are required'
            USING ERRCODE = '22023', HINT = 'For example {"control_id": "ac-6", "reason": "why, and the compensating control", "expires_at": "2027-06-30"}.';
    END IF;
    INSERT INTO infracast.compliance_waivers AS w (catalog, control_id, reason, approved_by, expires_at)
    VALUES (COALESCE(args ->> 'catalog', 'nist-800-53-rev5'), args ->> 'control_id', args ->> 'reason',
            COALESCE('api user ' || (NULLIF(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'), current_user),
            (args ->> 'expires_at')::timestamptz)
    RETURNING to_jsonb(w) - 'tenant_id' INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION infracast_api.compliance_waive(jsonb) IS
    'Waives a control for the caller''s tenant: {"control_id", "reason", "expires_at"}; shows as the waived overlay from the next assessment on.';

CREATE FUNCTION infracast_api.compliance_poam_add(args jsonb) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row jsonb;
BEGIN
    IF COALESCE(args ->> 'control_id', '') = '' OR COALESCE(args ->> 'title', '') = '' THEN
        RAISE EXCEPTION 'arguments "control_id" and "title" are required'
            USING ERRCODE = '22023', HINT = 'For example {"control_id": "ra-5", "title": "patch the web tier", "due_date": "2027-01-31"}.';
    END IF;
    INSERT INTO infracast.compliance_poam_items AS i (catalog, control_id, title, due_date)
    VALUES (COALESCE(args ->> 'catalog', 'nist-800-53-rev5'), args ->> 'control_id', args ->> 'title', (args ->> 'due_date')::date)
    RETURNING to_jsonb(i) - 'tenant_id' INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION infracast_api.compliance_poam_add(jsonb) IS
    'Adds a POA&M item for a control: {"control_id", "title", "due_date"}; shows as the poam_open overlay while open.';

REVOKE EXECUTE ON FUNCTION infracast_api.compliance_assess(jsonb), infracast_api.compliance_scores(jsonb),
    infracast_api.compliance_oscal_results(jsonb),
    infracast_api.compliance_waive(jsonb), infracast_api.compliance_poam_add(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION infracast_api.compliance_scores(jsonb), infracast_api.compliance_oscal_results(jsonb) TO infracast_reader;
GRANT EXECUTE ON FUNCTION infracast_api.compliance_assess(jsonb), infracast_api.compliance_poam_add(jsonb) TO infracast_analyst;
GRANT EXECUTE ON FUNCTION infracast_api.compliance_waive(jsonb) TO infracast_admin;
GRANT SELECT ON infracast_api.compliance_profiles, infracast_api.compliance_assessments, infracast_api.compliance_results,
    infracast_api.compliance_evidence, infracast_api.compliance_rules, infracast_api.compliance_waivers,
    infracast_api.compliance_poam_items TO infracast_reader;
