#!/usr/bin/env bash
# Installs what the browser tests (ctest label `browser`, tests/browser/) need beyond
# scripts/setup.sh's Debian packages (chromium, nodejs): playwright-core from the npm registry,
# exactly as tests/browser/package-lock.json pins it. Idempotent; no browser is downloaded
# (playwright-core drives Debian's /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../tests/browser"
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
  else
    echo "setup-browser: npm is missing; run: sudo apt-get install npm" >&2
    exit 1
  fi
fi
if [ -f node_modules/playwright-core/package.json ] &&
   [ "$(node -p 'require("./node_modules/playwright-core/package.json").version')" = \
     "$(node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')" ]; then
  echo "setup-browser: playwright-core present"
  exit 0
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
