-- The discovery queue is written through discover() and discovery_cancel() only (pgTAP). An analyst
-- login may not insert a job by hand (it would skip the licence, feature, size and credential
-- checks), and the functions still work for it. Runs in a transaction that rolls back.
BEGIN;
SELECT plan(9);

SELECT ok(NOT has_table_privilege('infracast_analyst', 'infracast.discovery_jobs', 'INSERT')
          AND NOT has_table_privilege('infracast_analyst', 'infracast.discovery_jobs', 'UPDATE'),
          'analysts hold no INSERT or UPDATE on discovery_jobs');
SELECT is((SELECT proowner::regrole::text FROM pg_proc WHERE oid = 'infracast.discover(text[], text, text, integer, interval)'::regprocedure),
          'infracast_internal', 'discover() runs as infracast_internal (not a superuser: row-level security applies)');

SELECT infracast.create_tenant('tap_discovery');
SELECT infracast.set_tenant('tap_discovery');
-- sealed is opaque here: queueing needs no key file, only the worker does
INSERT INTO infracast.credentials (name, kind, username, auth_protocol, priv_protocol, sealed)
     VALUES ('tapcred', 'snmp_v3', 'tap', 'SHA', 'AES', '\x00');
CREATE ROLE tap_discovery_analyst LOGIN IN ROLE infracast_analyst;
INSERT INTO infracast.tenant_roles SELECT id, 'tap_discovery_analyst' FROM infracast.tenants WHERE name = 'tap_discovery';
SET SESSION AUTHORIZATION tap_discovery_analyst;
SELECT infracast.set_tenant('tap_discovery');
SELECT throws_ok($$INSERT INTO infracast.discovery_jobs (targets, method, credential_id, port)
                   SELECT '{0.0.0.0/0}', 'snmp', id, 161 FROM infracast.credentials$$,
                 '42501', NULL, 'an analyst login cannot insert a job by hand (a sweep of 0.0.0.0/0 here)');
SELECT throws_ok($$UPDATE infracast.discovery_jobs SET targets = '{0.0.0.0/0}'$$, '42501', NULL,
                 'nor change a queued job''s targets');
SELECT throws_ok($$SELECT infracast.discover(ARRAY['0.0.0.0/0'], 'snmp', 'tapcred')$$, '54000', NULL,
                 'discover() refuses the same sweep (infracast.discovery_max_targets)');
SELECT ok(infracast.discover(ARRAY['192.0.2.0/30'], 'snmp', 'tapcred') > 0, 'discover() queues a job for the analyst');
SELECT is((SELECT targets::text FROM infracast.discovery_jobs), '{192.0.2.0/30}', 'with the normalised targets');
SELECT ok(infracast.discovery_cancel((SELECT id FROM infracast.discovery_jobs)), 'discovery_cancel() cancels it');
SELECT is((SELECT state FROM infracast.discovery_jobs), 'cancelled', 'and the job is cancelled');
RESET SESSION AUTHORIZATION;
SELECT * FROM finish();
ROLLBACK;
