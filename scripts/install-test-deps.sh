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
# moto in server mode emulates the AWS APIs the adapters call. Pinned; kept outside the clone so
# CI runs reuse it.
MOTO_VENV="${MOTO_VENV:-$HOME/.cache/opsdeck-moto}"
if [ ! -x "$MOTO_VENV/bin/moto_server" ]; then
  say "installing moto[server]==5.2.5 into $MOTO_VENV"
  if ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.2.5'
fi
