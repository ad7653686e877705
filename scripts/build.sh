#!/usr/bin/env bash
# Builds what `opsdeck` serves, the steps cargo-leptos takes, with cargo and wasm-bindgen-cli alone
# (cargo-leptos itself takes ~19 minutes to compile on a fresh machine; `cargo leptos watch` still
# works as an optional development tool, from the workspace metadata in Cargo.toml):
#   1. the server binary (`opsdeck`),
#   2. the browser bundle: the `frontend` crate for wasm32, then wasm-bindgen → target/site/pkg,
#      then (release only) wasm-opt -Oz,
#   3. the stylesheet and public/ assets into target/site.
# Usage: scripts/build.sh [--release]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

RELEASE=0
[ "${1:-}" = --release ] && RELEASE=1
SITE="$ROOT/target/site"
PKG="$SITE/pkg"

if [ "$RELEASE" = 1 ]; then
  say "cargo build --release -p server (opsdeck)"
  cargo build --release -p server --bin opsdeck
  say "cargo build -p frontend --target wasm32-unknown-unknown --profile wasm-release"
  cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
  WASM="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
else
  say "cargo build -p server (opsdeck)"
  cargo build -p server --bin opsdeck
  say "cargo build -p frontend --target wasm32-unknown-unknown"
  cargo build -p frontend --lib --target wasm32-unknown-unknown
  WASM="$CARGO_TARGET_DIR/wasm32-unknown-unknown/debug/frontend.wasm"
fi

# Written to a fresh directory and swapped in, so a running opsdeck never serves half a bundle.
NEW="$SITE/.pkg-new"
rm -rf "$NEW"
mkdir -p "$NEW"
say "wasm-bindgen → target/site/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$NEW" --out-name opsdeck "$WASM"
# Pages ask for /pkg/opsdeck.wasm (LEPTOS_OUTPUT_NAME in .cargo/config.toml, as cargo-leptos names
# it); the hydration script passes that path to the loader, so the file is simply renamed.
mv "$NEW/opsdeck_bg.wasm" "$NEW/opsdeck.wasm"
if [ "$RELEASE" = 1 ]; then
  say "wasm-opt -Oz"
  wasm_opt="$(wasm_opt_bin)"
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$NEW/opsdeck.opt.wasm" "$NEW/opsdeck.wasm"
  mv "$NEW/opsdeck.opt.wasm" "$NEW/opsdeck.wasm"
fi
cp "$ROOT/style/main.css" "$NEW/opsdeck.css"
cp -r "$ROOT/public/." "$SITE/"
rm -rf "$PKG.old"
[ -d "$PKG" ] && mv "$PKG" "$PKG.old"
mv "$NEW" "$PKG"
rm -rf "$PKG.old"
say "built: $(du -h "$PKG/opsdeck.wasm" | cut -f1) wasm ($(gzip -c "$PKG/opsdeck.wasm" | wc -c | numfmt --to=iec) gzip)"
