#!/usr/bin/env bash
# Installs what the tests need besides the build: Chromium for the browser test, and the
# browser test's npm packages (playwright-core drives the system Chromium; it downloads nothing).
source "$(dirname "$0")/lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
if ! command -v psql >/dev/null 2>&1; then
  apt_install postgresql-client
fi
if [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
  say "installing the browser test's npm packages"
  (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -d "$ROOT/tests/oidc/node_modules/oidc-provider" ]; then
  say "installing the test OpenID provider (npm oidc-provider)"
  (cd "$ROOT/tests/oidc" && npm ci --no-audit --no-fund --loglevel=error)
fi
