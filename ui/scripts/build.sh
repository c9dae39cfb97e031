#!/usr/bin/env bash
# Builds ui/dist when it is missing or older than its sources: npm ci from the committed lockfile
# (never a browser download: playwright-core has none, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set
# in case), then tsc and vite. Used by make ui, make demo and the UI tests.
#   build.sh            build if needed
#   build.sh --check    only check that node, npm (and chromium with --browser) are present
#   build.sh --deps     npm ci if node_modules is missing or older than the lockfile
set -euo pipefail
UI=$(cd "$(dirname "$0")/.." && pwd)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

need() { command -v "$1" >/dev/null 2>&1 || { echo "ui: $1 is missing ($2)" >&2; exit 1; }; }
need node "apt-get install nodejs, or Node.js 20.19+"
need npm "npm 10+"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "ui: Node.js 20.19 or later is needed (found $(node --version))" >&2; exit 1; }
case "${1:-}" in
--check) [ "${2:-}" = --browser ] && { [ -x /usr/bin/chromium ] || { echo "ui: /usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 1; }; }
         exit 0 ;;
esac

cd "$UI"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
[ "${1:-}" = --deps ] && exit 0
if [ ! -f dist/index.html ] || [ -n "$(find src index.html package-lock.json vite.config.ts tsconfig.json -newer dist/index.html -print -quit)" ]; then
    npm run --silent build
fi
