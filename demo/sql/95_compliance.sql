-- Demo step 95 (compliance; after 90 so that the API users and their MFA exist): assess acme against
-- ships with the extension, then print the scores per family and the failing controls with their
-- evidence (at most five subjects each; the rest are counted).
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== compliance: the shipped catalogue'
SELECT p.name AS baseline, p.version, count(pc.control_id) AS controls
  FROM infracast.compliance_profiles p JOIN infracast.compliance_profile_controls pc ON pc.profile = p.name
 GROUP BY p.name, p.version ORDER BY controls;

BEGIN;
SELECT infracast.set_tenant('acme') AS acme \gset
SELECT infracast.compliance_assess('moderate') AS assessment \gset
\echo
\echo '== compliance: acme against MODERATE, assessment' :assessment
SELECT counts FROM infracast.compliance_assessments WHERE id = :assessment;
\echo
\echo '== compliance: scores per family (families with an automated check) and for the baseline'
SELECT COALESCE(family, 'ALL') AS family, family_title AS title, controls, counted, passed, failed,
       default_score AS xccdf_default, flat_score || '/' || flat_max AS xccdf_flat, cis_score || '/' || cis_max AS cis
  FROM infracast.compliance_scores(:assessment) WHERE counted > 0 OR family IS NULL;
\echo
\echo '== compliance: failing controls and their evidence'
SELECT f.label, f.title, f.waived, f.poam_open, e.rule_id, e.part_id, e.subject, e.detail, left(e.raw_sha256, 16) AS raw_sha256
  FROM infracast.compliance_findings f
  JOIN LATERAL (SELECT ce.*, row_number() OVER (ORDER BY ce.subject) AS n
                  FROM infracast.compliance_control_evidence ce
                 WHERE ce.tenant_id = f.tenant_id AND ce.assessment_id = f.assessment_id
                   AND ce.control_id = f.control_id AND ce.result = 'fail') e ON e.n <= 5
 WHERE f.assessment_id = :assessment AND f.state = 'fail'
 ORDER BY f.family, f.control_id, e.subject;
SELECT f.label, count(*) AS failing_subjects
  FROM infracast.compliance_findings f
  JOIN infracast.compliance_control_evidence ce USING (tenant_id, assessment_id, control_id)
 WHERE f.assessment_id = :assessment AND f.state = 'fail' AND ce.result = 'fail'
 GROUP BY f.label ORDER BY 1;
\echo
\echo '== compliance: what is not decided automatically yet'
SELECT label, state, reason FROM infracast.compliance_findings
 WHERE assessment_id = :assessment AND state IN ('not_checked', 'error', 'unknown') AND rules <> '{}';
COMMIT;
