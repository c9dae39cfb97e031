-- Demo step 05: the licence the demo runs under (the development licence, see docs/license.md).
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS infracast;
RESET client_min_messages;
\echo
\echo '== Licence (infracast.license_status()) =='
\x on
SELECT state, reason, license_id, customer, tier, node_limit, nodes_used, features, expires_at,
       key_fingerprint, development_key
  FROM infracast.license_status();
\x off
