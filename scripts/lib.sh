# Shared helpers for the scripts. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/opsdeck-target}"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version the lock file pins: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# wasm-opt for release bundles: npm's binaryen 132 (Debian's 108 silently breaks the bundle: the
# page never hydrates). Installed once into ~/.cache/opsdeck-tools, outside the clone.
TOOLS_DIR="${OPSDECK_TOOLS:-$HOME/.cache/opsdeck-tools}"
wasm_opt_bin() {
  local bin="$TOOLS_DIR/node_modules/.bin/wasm-opt"
  if ! "$bin" --version 2>/dev/null | grep -q 'version 132'; then
    say "installing wasm-opt (npm binaryen@132.0.0) into $TOOLS_DIR"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS_DIR" binaryen@132.0.0 >&2)
  fi
  echo "$bin"
}
