#!/usr/bin/env bash
# Installs what building and running opsdeck needs, idempotently and quickly when present:
# the wasm target, wasm-bindgen-cli (matching Cargo.lock), PostgreSQL binaries. No cargo-leptos:
# scripts/build.sh takes its steps with cargo and wasm-bindgen (cargo-leptos compiles for ~19 min).
source "$(dirname "$0")/lib.sh"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
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
