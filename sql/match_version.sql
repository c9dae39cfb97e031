-- infracast.version_cmp() under its four schemes, and NVD-style bounds.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SET search_path = infracast, public;

SELECT a, b, version_cmp(a, b, 'debian') AS debian
  FROM (VALUES ('1.0~rc1', '1.0'), ('1.0', '1.0-0'), ('1.0', '1.0-1'), ('1:0.1', '2.0'), ('1.0+dfsg-1', '1.0-1'),
               ('1.1.1n-0+deb11u4', '1.1.1n-0+deb11u5'), ('2.4.57-2', '2.4.62-1~deb12u1'), ('1.0a', '1.0+')) t(a, b)
 ORDER BY 1, 2;

SELECT a, b, version_cmp(a, b, 'rpm') AS rpm
  FROM (VALUES ('1.0~rc1', '1.0'), ('1.0^git1', '1.0'), ('6.0.rc1', '6.0'), ('xyz.4', '8'), ('1:1.0', '2.0'),
               ('1.0-2.el9', '1.0-10.el9'), ('1.0', '1.0-5'), ('10.0001', '10.1')) t(a, b)
 ORDER BY 1, 2;

SELECT a, b, version_cmp(a, b, 'semver') AS semver
  FROM (VALUES ('1.0.0-alpha', '1.0.0-alpha.1'), ('1.0.0-beta.2', '1.0.0-beta.11'), ('1.0.0-rc.1', '1.0.0'),
               ('1.0.0+build.1', '1.0.0+build.2'), ('v2.1.0', '2.0.9'), ('1.0.0-alpha.beta', '1.0.0-beta')) t(a, b)
 ORDER BY 1, 2;

SELECT a, b, version_cmp(a, b) AS generic
  FROM (VALUES ('14', '14su5'), ('14su5', '14su10'), ('1.1.1n', '1.1.1o'), ('1.0', '1.0.0'), ('1.0rc1', '1.0'),
               ('1.0.1', '1.0a'), ('2.4.9', '2.4.49'), ('9.3(1)', '9.3(2)')) t(a, b)
 ORDER BY 1, 2;

-- ranking versions with it (rank = how many are older)
SELECT array_agg(v ORDER BY (SELECT count(*) FROM (VALUES ('1.10'), ('1.9'), ('1.9rc2'), ('1.10.0.1'), ('1.9.1')) o(w)
                             WHERE version_cmp(w, v) < 0)) AS ascending
  FROM (VALUES ('1.10'), ('1.9'), ('1.9rc2'), ('1.10.0.1'), ('1.9.1')) t(v);

SELECT version_in_range('2.4.49', start_including => '2.4.49', end_excluding => '2.4.51') AS in_range,
       version_in_range('2.4.51', start_including => '2.4.49', end_excluding => '2.4.51') AS at_end,
       version_in_range('14su4', end_excluding => '14su5') AS su4,
       version_in_range('1.0') AS no_bounds;

-- errors
SELECT version_cmp('1.0', '2.0', 'maven');
SELECT version_cmp('1:', '1.0', 'debian');
SELECT version_cmp('1.0', 'a:1', 'debian');
SELECT version_cmp('1.0', '1.0.0', 'semver');
SELECT version_cmp('1.0.0', '01.0.0', 'semver');
SELECT version_cmp('', '1', 'rpm');
