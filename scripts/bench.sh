#!/usr/bin/env bash
# `make bench`: a benchmark REPORT (not a test: no thresholds, nothing fails on a slow figure).
# Starts a release `opsdeck demo` on a free loopback port with a fresh `opsdeck_bench` database,
# measures SSR vs static, probes per minute with 1 and 500 live viewers, memory per idle viewer
# and the fan-out of a change with 10,000 idle live viewers, and `opsdeck probe` vs curl; prints a Markdown report and writes it to bench/out/report.md.
# Everything talks to 127.0.0.1 only; every wait is bounded. Takes about 3 minutes after the build.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

OUT="$ROOT/bench/out"
HELPERS="$ROOT/scripts/bench"
SITE="$ROOT/target/site"
STATIC="$SITE/bench-static.html"
BIN="$CARGO_TARGET_DIR/release/opsdeck"
WRK_ARGS=(-t2 -c64 -d15s --latency)
VIEWERS=500
FANOUT_VIEWERS=10000
WINDOW=60     # seconds per probes-per-minute window
SAMPLES=30    # probes / curl runs
NOPROXY=(--noproxy '*')

mkdir -p "$OUT"
rm -f "$OUT"/{meta.json,wrk-ssr.txt,wrk-static.txt,wrk-ssr-c1.txt,wrk-static-c1.txt,probes-1.json,probes-200.json,rss.json} \
  "$OUT"/{aws-1.json,aws-200.json,aws.toml,opsdeck-aws.stdout,opsdeck-aws.stderr} \
  "$OUT"/{page.html,probe-opsdeck.jsonl,probe-curl.txt,report.md,opsdeck.stdout,opsdeck.stderr,ready.json,fanout.json,screen.json}

# 1. Tools and the build ------------------------------------------------------------------------
command -v wrk >/dev/null || apt_install wrk
command -v psql >/dev/null || apt_install postgresql-client
# `make bench` has just run `scripts/build.sh --release` (server and wasm-opt'ed bundle).
say "cargo build --release -p opsdeck-fanout (the 10,000-viewer client)"
cargo build --release -q -p opsdeck-fanout
# 10,000 live viewers need 10,000 sockets on each side: the soft limit goes up to the hard one
# for this script and what it starts, not for the system.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((FANOUT_VIEWERS + 1000)) ] \
  || { say "the open-files hard limit $(ulimit -Hn) is below $((FANOUT_VIEWERS + 1000)): fewer viewers"; FANOUT_VIEWERS=$(( $(ulimit -n) - 1000 )); }

# A fresh database for this run ----------------------------------------------------------------
PG_PRIVATE_PID="${TMPDIR:-/tmp}/opsdeck-test-pg-$(id -u)/data/postmaster.pid"
PG_WAS_RUNNING=0
[ -f "$PG_PRIVATE_PID" ] && PG_WAS_RUNNING=1
ADMIN_URL="$(scripts/test-postgres.sh)"
BENCH_URL="$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/opsdeck_bench").geturl())' "$ADMIN_URL")"
say "fresh database opsdeck_bench"
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS opsdeck_bench WITH (FORCE)" -c "CREATE DATABASE opsdeck_bench"

# 2. Start opsdeck demo; always stop it --------------------------------------------------------
PID=""
cleanup() {
  local rc=$?
  if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
    say "opsdeck (pid $PID) exited before the bench finished; its stderr ends with:"
    tail -n 5 "$OUT/opsdeck.stderr" >&2 || true
  fi
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -f "$STATIC"
  if [ -n "${AWS_PID:-}" ]; then kill -TERM "$AWS_PID" 2>/dev/null || true; fi
  scripts/test-moto.sh stop || true
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS opsdeck_bench WITH (FORCE)" >/dev/null 2>&1 || true
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS opsdeck_bench_aws WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$PG_WAS_RUNNING" = 0 ] && [ -f "$PG_PRIVATE_PID" ]; then scripts/test-postgres.sh stop || true; fi
  if [ "$rc" != 0 ]; then
    say "bench failed (exit $rc); opsdeck's stderr is in $OUT/opsdeck.stderr"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
say "opsdeck demo --listen 127.0.0.1:$PORT (release)"
DATABASE_URL="$BENCH_URL" LEPTOS_SITE_ROOT="$SITE" RUST_LOG="info,sqlx=warn,hyper=warn,tower_http=warn" \
  "$BIN" demo --listen "127.0.0.1:$PORT" --live-streams $((FANOUT_VIEWERS + 100)) >"$OUT/opsdeck.stdout" 2>"$OUT/opsdeck.stderr" &
PID=$!
for _ in $(seq 600); do # 60 s
  grep -q "^listening on http://" "$OUT/opsdeck.stdout" && break
  kill -0 "$PID" 2>/dev/null || { cat "$OUT/opsdeck.stderr" >&2; exit 1; }
  sleep 0.1
done
grep -q "^listening on http://127.0.0.1:$PORT" "$OUT/opsdeck.stdout" \
  || { say "no 'listening on' line within 60 s"; cat "$OUT/opsdeck.stderr" >&2; exit 1; }

# Everything but opsdeck's own health needs a session: sign in a demo viewer (a person watching
# the dashboard) and send its cookie with every request below.
curl -s "${NOPROXY[@]}" --max-time 5 -o /dev/null -c "$OUT/cookies" -d user=vera -d next=/ "$BASE/signin/demo"
OPSDECK_COOKIE="opsdeck_session=$(awk '$6 == "opsdeck_session" {print $7}' "$OUT/cookies")"
export OPSDECK_COOKIE
[ "$OPSDECK_COOKIE" != "opsdeck_session=" ] || { say "demo sign-in failed"; exit 1; }
AUTH=(-H "Cookie: $OPSDECK_COOKIE")

say "waiting for both environments to be ok"
python3 "$HELPERS/live.py" wait-ready --base "$BASE" --timeout 90 >"$OUT/ready.json"
PROD_BASE="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["prod_base_url"])' "$OUT/ready.json")"
HEALTH_URL="${PROD_BASE%/}/api/v1/health/"

# Warm-up: a few pages, the status API, one live stream opened and closed.
for _ in $(seq 20); do
  curl -s "${NOPROXY[@]}" "${AUTH[@]}" --max-time 5 -o /dev/null "$BASE/"
  curl -s "${NOPROXY[@]}" "${AUTH[@]}" --max-time 5 -o /dev/null "$BASE/api/v1/status"
done
curl -s "${NOPROXY[@]}" "${AUTH[@]}" --max-time 2 -o /dev/null "$BASE/api/v1/live" || true

# Measure on a quiet machine: wait (at most 10 min) while other builds' compilers run.
wait_quiet() {
  local i
  for i in $(seq 120); do
    pgrep -x rustc >/dev/null || pgrep -x wasm-opt >/dev/null || return 0
    [ "$i" = 1 ] && say "another build is running (rustc): waiting for it, at most 10 min"
    sleep 5
  done
  say "still busy after 10 min: measuring anyway (see the load averages in the report)"
}
wait_quiet

# 5. Memory per idle live viewer (first, before wrk's 64 connections grow the heap) ------------
say "resident memory: 0 and $VIEWERS idle live viewers"
python3 "$HELPERS/live.py" rss --base "$BASE" --pid "$PID" --viewers "$VIEWERS" --hold 5 >"$OUT/rss.json"
say "$FANOUT_VIEWERS idle live viewers: memory, and each health change's arrival at all of them"
"$CARGO_TARGET_DIR/release/opsdeck-fanout" --addr "127.0.0.1:$PORT" --cookie "$OPSDECK_COOKIE" \
  --pid "$PID" --viewers "$FANOUT_VIEWERS" --changes 4 >"$OUT/fanout.json"

# 3. SSR vs the same bytes served as a static file ----------------------------------------------
# Another engineer's build may replace target/site mid-run: the page is kept in
# bench/out and put back before each static run, which is repeated (3 tries) if it got errors.
wrk_static() { # OUTFILE WRK-ARGS...
  local out="$1" attempt
  shift
  for attempt in 1 2 3; do
    cp "$OUT/page.html" "$STATIC"
    wrk "${AUTH[@]}" "$@" "$BASE/bench-static.html" >"$out"
    if ! grep -q "Non-2xx" "$out" && cmp -s "$OUT/page.html" "$STATIC"; then return 0; fi
    say "$STATIC vanished during the run (target/site rebuilt?): try $attempt of 3 discarded"
    sleep 5
  done
  say "static runs kept failing; the report shows their error counts"
}
say "SSR vs static: saving / as $STATIC"
code="$(curl -s "${NOPROXY[@]}" "${AUTH[@]}" --max-time 10 -o "$OUT/page.html" -w '%{http_code}' "$BASE/")"
[ "$code" = 200 ] || { say "GET / answered $code"; exit 1; }
cp "$OUT/page.html" "$STATIC"
curl -s "${NOPROXY[@]}" "${AUTH[@]}" --max-time 10 "$BASE/bench-static.html" | cmp -s - "$OUT/page.html" \
  || { say "/bench-static.html is not served with the saved bytes"; exit 1; }
wait_quiet
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
say "wrk ${WRK_ARGS[*]} $BASE/"
wrk "${AUTH[@]}" "${WRK_ARGS[@]}" "$BASE/" >"$OUT/wrk-ssr.txt"
sleep 2
say "wrk ${WRK_ARGS[*]} $BASE/bench-static.html"
wrk_static "$OUT/wrk-static.txt" "${WRK_ARGS[@]}"
# The same on one kept-alive connection: shows per-response stalls that concurrency hides.
say "wrk -t1 -c1 -d5s: / and /bench-static.html on a single connection"
wrk "${AUTH[@]}" -t1 -c1 -d5s --latency "$BASE/" >"$OUT/wrk-ssr-c1.txt"
wrk_static "$OUT/wrk-static-c1.txt" -t1 -c1 -d5s --latency

# 4. Upstream probes per minute with 1 and with 200 live viewers --------------------------------
say "probes per minute, 1 live viewer (${WINDOW} s)"
python3 "$HELPERS/live.py" probes --base "$BASE" --viewers 1 --window "$WINDOW" >"$OUT/probes-1.json"
say "probes per minute, $VIEWERS live viewers (${WINDOW} s)"
python3 "$HELPERS/live.py" probes --base "$BASE" --viewers "$VIEWERS" --window "$WINDOW" >"$OUT/probes-200.json"

# 4b. AWS calls per minute (log searches included) with 1 and with 500 live viewers, against moto
# `opsdeck serve` with the real AWS adapter pointed at moto (seeded with the runbook's resources).
say "AWS: moto, seeded with conflicto-prod resources"
MOTO_VENV="${MOTO_VENV:-$HOME/.cache/opsdeck-moto}"
[ -x "$MOTO_VENV/bin/moto_server" ] || scripts/install-test-deps.sh
MOTO_URL="$(scripts/test-moto.sh)"
"$MOTO_VENV/bin/python" "$HELPERS/seed_moto.py" "$MOTO_URL" >/dev/null
AWS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AWS_BASE="http://127.0.0.1:$AWS_PORT"
cat >"$OUT/aws.toml" <<TOML
[server]
listen = "127.0.0.1:$AWS_PORT"
site_root = "$SITE"
[probe]
interval = "10s"
[limits]
live_streams_per_session = $((VIEWERS + 10))
[aws]
ecs_interval = "5s"
metrics_interval = "10s"
load_balancer_interval = "10s"
backups_interval = "30s"
response_time_statistic = "Average"
[[environments]]
name = "prod"
url = "$MOTO_URL"
[environments.health]
health = "/moto-api/"
ready = "/moto-api/"
live = "/moto-api/"
[environments.aws]
region = "us-east-1"
cluster = "conflicto-prod-cluster"
service = "conflicto-prod-svc"
container = "conflicto-backend"
db_instance = "conflicto-prod"
load_balancer = "conflicto-prod-alb"
log_group = "/ecs/conflicto-prod"
endpoint_url = "$MOTO_URL"
TOML
say "opsdeck serve (AWS adapter against moto) on $AWS_BASE"
# A database of its own: on the demo's it would follow the demo's leader and poll nothing.
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS opsdeck_bench_aws WITH (FORCE)" -c "CREATE DATABASE opsdeck_bench_aws"
AWS_DB_URL="$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/opsdeck_bench_aws").geturl())' "$ADMIN_URL")"
DATABASE_URL="$AWS_DB_URL" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing RUST_LOG=warn \
  "$BIN" serve --config "$OUT/aws.toml" >"$OUT/opsdeck-aws.stdout" 2>"$OUT/opsdeck-aws.stderr" &
AWS_PID=$!
for _ in $(seq 300); do grep -q "^listening on" "$OUT/opsdeck-aws.stdout" && break; sleep 0.1; done
grep -q "^listening on" "$OUT/opsdeck-aws.stdout" || { cat "$OUT/opsdeck-aws.stderr" >&2; exit 1; }
sleep 3 # the first poll of every source
say "AWS calls per minute, 1 live viewer (${WINDOW} s)"
python3 "$HELPERS/live.py" probes --upstream aws --base "$AWS_BASE" --viewers 1 --window "$WINDOW" >"$OUT/aws-1.json"
say "AWS calls per minute, $VIEWERS live viewers (${WINDOW} s)"
python3 "$HELPERS/live.py" probes --upstream aws --base "$AWS_BASE" --viewers "$VIEWERS" --window "$WINDOW" >"$OUT/aws-200.json"
kill -TERM "$AWS_PID" 2>/dev/null || true
wait "$AWS_PID" 2>/dev/null || true
AWS_PID=""
scripts/test-moto.sh stop

# 6. Probe phase timings: opsdeck probe vs curl, against the simulated prod health endpoint -----
say "opsdeck probe $HEALTH_URL --count $SAMPLES --json"
"$BIN" probe "$HEALTH_URL" --count "$SAMPLES" --json >"$OUT/probe-opsdeck.jsonl" \
  || say "opsdeck probe reported a failed probe (kept in the report)"
say "curl -w, $SAMPLES fresh processes"
for _ in $(seq "$SAMPLES"); do
  curl -s "${NOPROXY[@]}" --max-time 5 -o /dev/null \
    -w '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}\n' \
    "$HEALTH_URL" || true
done >"$OUT/probe-curl.txt"

# Last, as it sets faults in the simulated app (the probe timings above need prod healthy).
say "change to screen: a fault set in the simulated app until a dashboard in headless Chromium shows it"
{ [ -d tests/browser/node_modules/playwright-core ] && command -v chromium >/dev/null; } \
  || scripts/install-test-deps.sh
node tests/browser/bench-screen.mjs "$BASE" 5 >"$OUT/screen.json"

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# 7. The report ---------------------------------------------------------------------------------
python3 - "$OUT/meta.json" <<PY
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "nproc": "$(nproc)",
    "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (dirty)')",
    "wrk": "$(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}')",
    "page_bytes": $(stat -c %s "$OUT/page.html"),
    "load": "$LOAD_START at the first wrk run, $LOAD_END at the end",
}, open(sys.argv[1], "w"))
PY
python3 "$HELPERS/report.py" "$OUT" >"$OUT/report.md"
say "report written to bench/out/report.md"
cat "$OUT/report.md"
