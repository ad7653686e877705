#!/usr/bin/env bash
# Starts moto in server mode on a free loopback port and prints its URL (the AWS adapters' tests
# and the AWS benchmark point the real SDK at it). `scripts/test-moto.sh stop` stops it.
# MOTO_ECS_SERVICE_RUNNING makes ECS services report that many running tasks (moto runs none).
source "$(dirname "$0")/lib.sh"
MOTO_VENV="${MOTO_VENV:-$HOME/.cache/opsdeck-moto}"
PIDFILE="${TMPDIR:-/tmp}/opsdeck-test-moto-$(id -u).pid"

if [ "${1:-}" = stop ]; then
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; fi
  exit 0
fi
[ -x "$MOTO_VENV/bin/moto_server" ] || { echo "moto is not installed: run scripts/install-test-deps.sh" >&2; exit 1; }
if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MOTO_ECS_SERVICE_RUNNING="${MOTO_ECS_SERVICE_RUNNING:-2}" \
  nohup "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"${TMPDIR:-/tmp}/opsdeck-test-moto.log" 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$PORT"; exit 0
  fi
  sleep 0.2
done
echo "moto did not start within 20 s; see ${TMPDIR:-/tmp}/opsdeck-test-moto.log" >&2
exit 1
