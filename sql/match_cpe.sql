-- The infracast.cpe type: both bindings in, canonical formatted string out, accessors,
-- NISTIR 7696 matching (ANY vs NA, wildcards, escapes) and errors that name the field.
\set VERBOSITY terse
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
SET search_path = infracast, public;

-- canonical form: lower case, needless escapes dropped, URI binding unbound
SELECT v::cpe AS canonical
  FROM (VALUES ('cpe:2.3:a:OpenSSL:OpenSSL:1.0.1f:*:*:*:*:*:*:*'),
               ('cpe:2.3:a:foo\!bar:b\.a\_z:1\:2:*:*:*:*:*:*:*'),
               ('cpe:/a:microsoft:internet_explorer:8.0.6001:beta'),
               ('cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~'),
               ('cpe:/a:foo%21bar:p:%021.%01'),
               ('cpe:2.3:a:v:p:\-:*:*:*:*:*:*:*')) t(v)
 ORDER BY 1;

-- accessors keep the formatted-string form; cpe_value removes escapes
SELECT cpe_part(c), cpe_vendor(c), cpe_product(c), cpe_version(c), cpe_update(c), cpe_edition(c),
       cpe_language(c), cpe_sw_edition(c), cpe_target_sw(c), cpe_target_hw(c), cpe_other(c),
       cpe_value(c, 'version') AS version_value, cpe_uri(c)
  FROM (VALUES ('cpe:2.3:a:hp:insight\!x:7.4\:1:-:*:en-us:online:win2003:x64:*'::cpe)) t(c);

-- matching: ANY vs NA, embedded wildcards, escapes, undefined candidates
SELECT p, c, cpe_match(p::cpe, c::cpe) AS matches
  FROM (VALUES
    ('cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*',      'cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*', 'cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*', 'cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*'),
    ('cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*', 'cpe:2.3:a:openssl:openssl:1.0.1f:-:*:*:*:*:*:*'),
    ('cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:*:*', 'cpe:2.3:o:microsoft:windows_10:1809:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:1.0.*:*:*:*:*:*:*:*',              'cpe:2.3:a:v:p:1.0.17:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:1.0.*:*:*:*:*:*:*:*',              'cpe:2.3:a:v:p:1.1.0:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:??5:*:*:*:*:*:*:*',                'cpe:2.3:a:v:p:1.5:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:??5:*:*:*:*:*:*:*',                'cpe:2.3:a:v:p:1.2.5:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:1\*:*:*:*:*:*:*:*',                'cpe:2.3:a:v:p:12:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:?1:*:*:*:*:*:*:*',                 'cpe:2.3:a:v:p:\!1:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*',                'cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*'),
    ('cpe:2.3:a:v:p:1:*:*:*:*:node.js:*:*',            'cpe:2.3:a:v:p:1:*:*:*:*:*:*:*')) t(p, c)
 ORDER BY 1, 2;
SELECT 'cpe:2.3:a:apache:*:*:*:*:*:*:*:*:*'::cpe @> 'cpe:/a:apache:http_server:2.4.49'::cpe AS contains,
       'cpe:/a:apache:http_server:2.4.49'::cpe <@ 'cpe:2.3:a:apache:*:*:*:*:*:*:*:*:*'::cpe AS contained;

-- equality, hashing and sorting work on the canonical form (both bindings of one name are equal)
SELECT count(DISTINCT c) AS distinct_names, count(*) AS rows
  FROM (VALUES ('cpe:2.3:a:v:p:1:*:*:*:*:*:*:*'::cpe), ('cpe:/a:V:P:1'), ('cpe:2.3:a:v:p:2:*:*:*:*:*:*:*')) t(c);
CREATE TEMP TABLE cpes (c cpe PRIMARY KEY);
INSERT INTO cpes VALUES ('cpe:/a:b:c:2'), ('cpe:/a:b:c:1'), ('cpe:/a:a:z');
SELECT c FROM cpes ORDER BY c;
SELECT c FROM cpes WHERE c = 'cpe:2.3:a:b:c:1:*:*:*:*:*:*:*';

-- names built from inventory words
SELECT cpe_build('a', 'Apache Software Foundation', 'HTTP Server', '2.4.49', '-') AS built,
       cpe_build('a', NULL, 'c++ tools', '1:2*') AS punctuation,
       cpe_try('not a cpe') IS NULL AS try_is_null;

-- errors name the field
SELECT 'cpe:2.3:a:openssl:openssl:1.0:*:*:*:*:*:*'::cpe;
SELECT 'cpe:2.3:x:v:p:1:*:*:*:*:*:*:*'::cpe;
SELECT 'cpe:2.3:a:v::1:*:*:*:*:*:*:*'::cpe;
SELECT 'cpe:2.3:a:v:p:1.*.2:*:*:*:*:*:*:*'::cpe;
SELECT 'cpe:2.3:a:v:p!:1:*:*:*:*:*:*:*'::cpe;
SELECT 'cpe:2.3:a:v:p:1:*:*:*:*:*:*:\x'::cpe;
SELECT 'cpe:/a:v:p:1%2'::cpe;
SELECT 'openssl 1.0'::cpe;
SELECT cpe_attribute('cpe:/a:v:p'::cpe, 'colour');
