-- SHA-1 and name-based UUIDs (src/documents/uuid5.c): the RFC 3174 / FIPS 180 test vectors, the
-- RFC 4122 namespaces with names whose v5 ids are published (Python's uuid module documents
-- uuid5(NAMESPACE_DNS, 'python.org')), and the ids of generated documents.
\set VERBOSITY terse
SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast') AS docs_made_extension \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;

-- RFC 3174 section 7.3: TEST1..TEST4 (TEST3 is a million 'a'), and the empty message
SELECT encode(infracast.sha1(''), 'hex') AS empty;
SELECT encode(infracast.sha1('abc'), 'hex') AS test1;
SELECT encode(infracast.sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), 'hex') AS test2;
SELECT encode(infracast.sha1(convert_to(repeat('a', 1000000), 'UTF8')), 'hex') AS test3;
SELECT encode(infracast.sha1(convert_to(repeat('0123456701234567012345670123456701234567012345670123456701234567', 10), 'UTF8')), 'hex') AS test4;
-- the padding edges: 55, 56, 63, 64 and 65 bytes (one or two final blocks)
SELECT n, encode(infracast.sha1(convert_to(repeat('x', n), 'UTF8')), 'hex') FROM unnest(ARRAY[55, 56, 63, 64, 65]) n;
SELECT infracast.sha1(NULL) IS NULL AS strict;

-- RFC 4122 version 5: the namespaces of appendix C
SELECT infracast.uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org') AS dns_python_org;
SELECT infracast.uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://infracast.example/ns/oscal') AS url_infracast_ns;
SELECT infracast.uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com') AS dns_example;
-- version nibble 5, variant 10xx, whatever the name
SELECT bool_and(substr(u::text, 15, 1) = '5' AND substr(u::text, 20, 1) IN ('8', '9', 'a', 'b')) AS v5_variant
  FROM (SELECT infracast.uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'name ' || i) AS u FROM generate_series(1, 1000) i) x;
-- the name's UTF-8 bytes
SELECT infracast.uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'café') = infracast.uuid5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', convert_from('\x636166c3a9', 'UTF8')) AS utf8;

-- document ids: uuid5 of the parts joined by '/', in the namespace above; a NULL part is empty
SELECT infracast.document_uuid('acme', 'inventory-item', 'web-1') = infracast.uuid5('c65ded0e-871f-54ee-af47-2afc3d5fced5', 'acme/inventory-item/web-1') AS joined;
SELECT infracast.document_uuid('acme', 'finding', 'ac-6') AS finding_ac6;
SELECT infracast.document_uuid('acme', 'x', NULL, 'y') = infracast.document_uuid('acme', 'x', '', 'y') AS null_is_empty;
SELECT infracast.document_uuid('acme', 'x', NULL, 'y') <> infracast.document_uuid('acme', 'x', 'y') AS positions_kept;

-- the helpers documents are made of
SELECT infracast.csv_field(v) FROM unnest(ARRAY['plain', 'a,b', 'say "hi"', E'two\nlines', '=cmd()', '+1', '-1', '@x', '', NULL,
                                                  'x;=HYPERLINK(1)', E'a\tb']) v;
SELECT infracast.html_escape('<a href="x">Tom & Jerry''s</a>') AS escaped;
SELECT infracast.oscal_prop('asset-id', 'web-1'), infracast.oscal_prop('fqdn', NULL), infracast.oscal_prop('kind', 'host', 'https://infracast.example/ns/oscal');
SELECT infracast.oscal_time('2026-12-01 01:02:03.5+02') AS utc;
SELECT (infracast.documents_deadline('act', '2026-11-01 10:00Z', NULL)).*;
SELECT (infracast.documents_deadline('act', '2026-11-01 10:00Z', DATE '2021-12-24')).*;
SELECT (infracast.documents_deadline(NULL, '2026-11-01 10:00Z', NULL)).*;

\if :docs_made_extension
SET client_min_messages = warning;
DROP EXTENSION infracast CASCADE;
RESET client_min_messages;
\endif
