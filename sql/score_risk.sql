-- infracast.risk_score(), risk_priority() and exploit_likelihood(): the worked examples of
-- docs/scoring.md, monotonicity over a grid, and argument errors.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SET search_path = infracast, public;

SELECT cvss, epss, kev, ransomware, crit, jewel, exposure,
       risk_score(cvss, epss, kev, ransomware, crit, jewel, exposure) AS risk,
       risk_priority(cvss, epss, kev, ransomware, crit, jewel, exposure) AS priority
  FROM (VALUES (10.0, 1.0,   true,  true,  'critical', true,  1.0),
               (9.8,  0.94,  true,  false, 'high',     false, 1.0),
               (9.8,  0.001, false, false, 'medium',   false, 0.0),
               (7.5,  0.2,   false, false, 'high',     false, 0.9),
               (5.3,  NULL,  false, false, 'low',      false, NULL),
               (NULL, NULL,  NULL,  NULL,  NULL,       NULL,  NULL)) t(cvss, epss, kev, ransomware, crit, jewel, exposure)
 ORDER BY risk DESC;

-- Monotonicity: over a grid of every input, raising EPSS, adding KEV, or raising exposure never
-- lowers the score or the band. Each count is of violations and must be 0.
WITH grid AS (
    SELECT c.cvss, e.epss, k.kev, x.exposure, cr.crit, j.jewel
      FROM (VALUES (NULL::float8), (0.0), (3.1), (7.5), (9.0), (10.0)) c(cvss),
           (VALUES (0.0::float8), (0.0001), (0.001), (0.05), (0.1), (0.5), (1.0)) e(epss),
           (VALUES (false), (true)) k(kev),
           (VALUES (0.0::float8), (0.2), (0.5), (0.8), (1.0)) x(exposure),
           (VALUES ('low'), ('medium'), ('high'), ('critical')) cr(crit),
           (VALUES (false), (true)) j(jewel)
), scored AS (
    SELECT g.*, risk_score(cvss, epss, kev, false, crit, jewel, exposure) AS s,
           risk_priority_rank(risk_priority(cvss, epss, kev, false, crit, jewel, exposure)) AS b
      FROM grid g
)
SELECT (SELECT count(*) FROM scored a JOIN scored b USING (cvss, kev, exposure, crit, jewel)
         WHERE b.epss > a.epss AND (b.s < a.s OR b.b < a.b)) AS epss_violations,
       (SELECT count(*) FROM scored a JOIN scored b USING (cvss, epss, exposure, crit, jewel)
         WHERE b.kev AND NOT a.kev AND (b.s < a.s OR b.b < a.b)) AS kev_violations,
       (SELECT count(*) FROM scored a JOIN scored b USING (cvss, epss, kev, crit, jewel)
         WHERE b.exposure > a.exposure AND (b.s < a.s OR b.b < a.b)) AS exposure_violations,
       (SELECT count(*) FROM scored WHERE s < 0 OR s > 100) AS out_of_range,
       (SELECT count(*) FROM scored) AS grid_points;

-- can_exploit likelihoods: never above a reach edge (0.9), KEV and ransomware raise them
SELECT epss, kev, ransomware, exploit_likelihood(epss, kev, ransomware) AS likelihood
  FROM (VALUES (NULL::float8, false, false), (0.0, false, false), (0.001, false, false), (0.5, false, false),
               (1.0, false, false), (0.001, true, false), (0.001, true, true)) t(epss, kev, ransomware)
 ORDER BY likelihood, epss;

-- errors
SELECT risk_score(11, 0.5);
SELECT risk_score(5, 1.5);
SELECT risk_score(5, 0.5, exposure => -0.1);
SELECT risk_score(5, 0.5, criticality => 'severe');
SELECT exploit_likelihood('NaN');
