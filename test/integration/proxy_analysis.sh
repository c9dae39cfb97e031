#!/usr/bin/env bash
# The analysis wrappers over HTTP (attack paths, blast radius, exposure, choke points,
# remediation plan, graph stats, feed status, licence status, findings), on the demo's generated
# enterprise in two tenants. infracast_api creates each wrapper only when its subsystem is
# installed: a subsystem that is not (yet) part of the build is reported as skipped, and every
# wrapper that exists must answer correctly and keep tenants apart.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

px_setup_db proxy_analysis || exit 1
psql -qX -v ON_ERROR_STOP=1 -d proxy_analysis -f "$ROOT/demo/sql/10_inventory.sql" >/dev/null 2>&1 \
    || { echo "could not load the demo enterprise (demo/sql/10_inventory.sql)"; exit 1; }
px_psql <<'SQL' >/dev/null || exit 1
BEGIN;
SELECT infracast.set_tenant('globex');
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('gwen', 'infracast_reader', infracast.password_hash('gwen passphrase'), false);
COMMIT;
SQL
px_start || { echo "proxy did not start"; exit 1; }
check "globex reader logs in" px_login globex gwen "gwen passphrase"
T=$PX_TOKEN
px_req GET /api/openapi.json
OPENAPI=$PX_BODY
has() { grep -qF "\"/$1\"" <<<"$OPENAPI"; }
# Every subsystem is part of the build: a route missing from openapi.json is a failure, not a skip.
skip() { check "openapi.json publishes $1" false; }
n_objects() { grep -o "\"$1\"" <<<"$PX_BODY" | wc -l; }
ACME_NODE=$(px_psql -c "SELECT n.external_id FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id
                         WHERE t.name = 'acme' AND n.external_id NOT IN (SELECT external_id FROM infracast.nodes n2
                         JOIN infracast.tenants t2 ON t2.id = n2.tenant_id WHERE t2.name = 'globex') LIMIT 1")
check "acme has a node globex has not" eval '[ -n "$ACME_NODE" ]'

if has rpc/attack_paths; then
    px_req POST /api/rpc/attack_paths '{"k": 2}' "$T"
    check "attack_paths returns steps with node names" eval 'status_is 200 && [ $(n_objects path_seq) -gt 1 ] && body_has "\"node_external_id\""'
    check "attack paths start at the internet entry point" body_has '"node_external_id": "internet"'
    px_req POST /api/rpc/attack_paths '{"k": "two"}' "$T"
    check "attack_paths with a non-number k -> 400" eval 'status_is 400 && body_has "\"22023\""'
    px_req POST /api/rpc/blast_radius '{"source": "internet", "max_hops": 2}' "$T"
    check "blast_radius from the internet reaches nodes within 2 hops" eval 'status_is 200 && [ $(n_objects hops) -gt 1 ] && ! grep -q "\"hops\": [3-9]" <<<"$PX_BODY"'
    px_req POST /api/rpc/blast_radius '{}' "$T"
    check "blast_radius without a source -> 400" status_is 400
    px_req POST /api/rpc/blast_radius "{\"source\": \"$ACME_NODE\"}" "$T"
    check "blast_radius from another tenant's node -> 404" status_is 404
    px_req POST /api/rpc/exposure '{"max_hops": 3}' "$T"
    check "exposure lists nodes that reach the crown jewels" eval 'status_is 200 && [ $(n_objects target) -gt 1 ]'
    px_req POST /api/rpc/exposure_summary '{}' "$T"
    check "exposure_summary gives a severity" eval 'status_is 200 && body_has "\"severity\""'
    px_req POST /api/rpc/choke_points '{"top": 3}' "$T"
    check "choke_points ranks nodes and edges" eval 'status_is 200 && body_has "\"rank\": 1"'
    px_req POST /api/rpc/remediation_plan '{}' "$T"
    check "remediation_plan names edges to fix" eval 'status_is 200 && body_has "\"fix_cost\"" && body_has "\"src_external_id\""'
    px_req POST /api/rpc/graph_stats '{}' "$T"
    check "graph_stats describes globex's snapshot only" eval \
        'status_is 200 && body_has "\"nodes\": $(px_psql -c "SELECT count(*) FROM infracast.nodes n JOIN infracast.tenants t ON t.id = n.tenant_id WHERE t.name = '"'"'globex'"'"'")"'
else
    skip "attack_paths, blast_radius, exposure, exposure_summary, choke_points, remediation_plan, graph_stats"
fi

if has feed_status; then
    px_req GET "/api/feed_status?order=feed" "" "$T"
    check "feed_status lists feeds without server paths" eval 'status_is 200 && body_has "\"feed\"" && body_lacks "source_path"'
else
    skip "feed_status"
fi

if has rpc/license_status; then
    px_req POST /api/rpc/license_status '{}' "$T"
    check "license_status gives the state, without key details" eval 'status_is 200 && body_has "\"state\"" && body_lacks "key_fingerprint"'
else
    skip "license_status"
fi
px_req GET /readyz
check "readyz shows no licence details beyond state and expiry" eval 'status_is 200 && body_lacks "customer" && body_lacks "license_file"'

if has findings && has prioritized_findings; then
    px_req GET "/api/findings?limit=5" "" "$T"
    check "findings can be read" eval 'status_is 200 && [[ "$PX_BODY" == \[* ]]'
    px_req GET "/api/prioritized_findings?limit=5&order=rank" "" "$T"
    check "prioritized_findings can be read" eval 'status_is 200 && [[ "$PX_BODY" == \[* ]]'
    px_req POST /api/rpc/match_vulnerabilities '{}' "$T"
    check "a reader may not run matching (403)" status_is 403
    px_req POST /api/rpc/set_finding_status '{"id": 1, "status": "accepted_risk"}' "$T"
    check "a reader may not accept a risk (403)" status_is 403
else
    skip "findings, prioritized_findings, match_vulnerabilities, set_finding_status"
fi

px_stop
px_finish
