#!/usr/bin/env bash
# The web UI end to end: Debian's chromium, driven by playwright-core (ui/e2e/run.mjs), against the
# real infracast-proxy serving ui/dist and a database loaded with the demo enterprise (demo/sql),
# plus a tenant of 100,000 nodes. It logs in with TOTP, compares the dashboard with SQL, pages and
# filters the inventory on the server, opens attack paths and an edge's reasons, runs a
# remediation plan, accepts a risk, manages users, checks accessibility basics and that the app
# runs under a strict Content-Security-Policy, and logs out. Screenshots and timings are kept in
# test/results/ui-e2e/ (UI_DOCS_IMG=docs/img copies the screenshots there for docs/ui.md).
# Missing node, npm or chromium is a failure, not a skip.
source "$(dirname "$0")/../fixtures/proxy/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

"$ROOT/ui/scripts/build.sh" --check --browser || exit 1
"$ROOT/ui/scripts/build.sh" || { echo "the UI did not build"; exit 1; }

PASSWORD="ui-e2e $(openssl rand -hex 6)"
px_setup_db ui_e2e || exit 1
for f in "$ROOT"/demo/sql/*.sql; do
    psql -qX -v ON_ERROR_STOP=1 -d ui_e2e -f "$f" >/dev/null 2>"$PX_DIR/load.err" \
        || { echo "could not load $f:"; cat "$PX_DIR/load.err"; exit 1; }
done
# The demo's users (as demo/90_proxy.sh makes them), and a tenant of 100k nodes whose first 700
# form a tree below an entry point (a blast radius of 500+ nodes to draw).
px_psql -v pw="$PASSWORD" <<'SQL' >/dev/null || { echo "could not create the users and the 100k tenant"; exit 1; }
SET client_min_messages = warning;
CREATE TEMP TABLE demo_users (tenant text, username text, role name);
INSERT INTO demo_users VALUES ('acme', 'alice', 'infracast_admin'), ('acme', 'ana', 'infracast_analyst'),
    ('globex', 'gary', 'infracast_admin'), ('globex', 'gwen', 'infracast_analyst');
INSERT INTO infracast.users (tenant_id, username, role, password_hash, must_change_password)
SELECT t.id, d.username, d.role, infracast.password_hash(:'pw'), false
  FROM demo_users d JOIN infracast.tenants t ON t.name = d.tenant;
UPDATE infracast.users u SET totp_secret = infracast.totp_new_secret(), totp_enabled = true
  FROM infracast.tenants t WHERE t.id = u.tenant_id AND t.name = 'acme';
SELECT infracast.create_tenant('bulk', '{}');
BEGIN;
SELECT infracast.set_tenant('bulk');
INSERT INTO infracast.nodes (external_id, kind, name, criticality, entry_point)
SELECT 'bulk-' || i, CASE WHEN i % 10 = 0 THEN 'account' ELSE 'host' END, 'bulk-' || i || '.bulk.example',
       (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4], i = 1
  FROM generate_series(1, 100000) i;
UPDATE infracast.nodes SET crown_jewel = true WHERE external_id = 'bulk-600';
INSERT INTO infracast.edges (src, dst, kind, likelihood, fix_cost)
SELECT a.id, b.id, 'admin_to', 0.9, 3
  FROM generate_series(2, 700) i
  JOIN infracast.nodes a ON a.external_id = 'bulk-' || (i / 2)
  JOIN infracast.nodes b ON b.external_id = 'bulk-' || i;
INSERT INTO infracast.users (username, role, password_hash, must_change_password)
VALUES ('bulk-admin', 'infracast_analyst', infracast.password_hash(:'pw'), false);
COMMIT;
SQL

px_start VULCAN_UI_DIR="$ROOT/ui/dist" || { echo "proxy did not start"; exit 1; }
OUT="$ROOT/test/results/ui-e2e"
rm -rf "$OUT"; mkdir -p "$OUT"
UI_URL="$PX_URL" UI_DB=ui_e2e UI_PASSWORD="$PASSWORD" UI_OUT="$OUT" UI_BULK=bulk \
    TMPDIR="$PX_DIR" node "$ROOT/ui/e2e/run.mjs"
status=$?
if [ "$status" -eq 0 ] && [ -n "${UI_DOCS_IMG:-}" ]; then
    mkdir -p "$ROOT/$UI_DOCS_IMG"
    for f in "$OUT"/*.png; do
        # 256-colour PNGs are a third of the size and look the same for a UI (apt-get install pngquant).
        if command -v pngquant >/dev/null; then pngquant --quality 60-90 --force --output "$ROOT/$UI_DOCS_IMG/ui-$(basename "$f")" "$f"
        else cp "$f" "$ROOT/$UI_DOCS_IMG/ui-$(basename "$f")"; fi
    done
    echo "# screenshots copied to $UI_DOCS_IMG"
fi
exit "$status"
