#!/usr/bin/env bash
# `make test`: style checks, the build, every Rust test against a real Postgres, then the browser
# test in headless Chromium against `opsdeck demo`. Services it starts are stopped on exit.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export RUST_BACKTRACE=0
# A test run builds once: incremental state would only fill the disk (tens of GB on this suite).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

say "cargo fmt --check"
cargo fmt --all -- --check

say "rooms: no module imports one that imports it back; no source file over 400 lines"
python3 scripts/module-cycles.py server/src app/src
find app/src server/src frontend/src -name '*.rs' ! -name tests.rs -print0 | xargs -0 wc -l \
  | awk '$2 != "total" && $1 > 400 { print "over 400 lines: " $2 " (" $1 ")"; bad = 1 } END { exit bad }'

say "clippy: server, tests and the bench tool, app (ssr), app (hydrate, wasm)"
cargo clippy -q -p server -p opsdeck-tests -p opsdeck-fanout --all-targets -- -D warnings
cargo clippy -q -p app --features ssr --all-targets -- -D warnings
cargo clippy -q -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

DATABASE_URL="$(scripts/test-postgres.sh)"
export DATABASE_URL
trap 'scripts/test-postgres.sh stop; scripts/test-moto.sh stop' EXIT
say "starting moto (AWS emulator) for the AWS adapter tests"
OPSDECK_TEST_MOTO="$(scripts/test-moto.sh)"
export OPSDECK_TEST_MOTO
# Databases left by earlier runs' tests.
psql -q "$DATABASE_URL" -At -c "SELECT datname FROM pg_database WHERE datname LIKE 'opsdeck_test_%'" \
  | while read -r db; do psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" || true; done

say "Rust tests (domain, adapters incl. AWS against moto, store, pages, live feed)"
cargo test -p app -p server -p opsdeck-tests --features app/ssr

# Built after the Rust tests so the browser drives exactly what `make demo` runs.
scripts/build.sh

say "browser test (headless Chromium)"
psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS opsdeck_browser" -c "CREATE DATABASE opsdeck_browser"
BROWSER_DB="$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/opsdeck_browser").geturl())' "$DATABASE_URL")"
OPSDECK_BIN="$CARGO_TARGET_DIR/debug/opsdeck" DATABASE_URL="$BROWSER_DB" node --test tests/browser/
