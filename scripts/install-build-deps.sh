#!/usr/bin/env bash
# Installs what building and running opsdeck needs, idempotently and quickly when present:
# the wasm target, cargo-leptos, wasm-bindgen-cli (matching Cargo.lock), PostgreSQL binaries.
source "$(dirname "$0")/lib.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 0.3.10 is the newest that installs with --locked on rustc 1.95 (see TOOLCHAIN notes in README).
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 11 minutes, once per machine)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

WBG="$(wasm_bindgen_version)"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG\$"; then
  say "installing wasm-bindgen-cli $WBG (about 2 minutes, once per machine)"
  # Without --locked: its lock names a webpki-roots the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WBG" --force
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${DATABASE_URL:-}" ]; then
  apt_install postgresql
fi
