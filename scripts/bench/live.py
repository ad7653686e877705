#!/usr/bin/env python3
"""Live-viewer measurements for scripts/bench.sh (stdlib only, loopback only).

  live.py wait-ready --base URL [--timeout S]        every environment at level "ok"
  live.py probes --base URL --viewers N [--window S] probes/min with N SSE viewers open
  live.py rss --base URL --pid PID --viewers N [--hold S]  VmRSS with 0 and N idle viewers

Each prints one JSON object on stdout; progress goes to stderr. Every wait is bounded.
"""
import argparse
import asyncio
import json
import os
import sys
import time
import urllib.parse
import urllib.request

# Never go through a proxy: everything here is 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def log(msg):
    print(f"    {msg}", file=sys.stderr, flush=True)


# opsdeck needs a signed-in session: bench.sh signs in a demo viewer and passes its cookie.
COOKIE = os.environ.get("OPSDECK_COOKIE", "")


def get(base, path, timeout=5):
    req = urllib.request.Request(base.rstrip("/") + path, headers={"Cookie": COOKIE} if COOKIE else {})
    with _OPENER.open(req, timeout=timeout) as r:
        return r.read().decode("utf-8", "replace")


def metrics(base, upstream="health_probe"):
    """(calls to `upstream` summed over operations, opsdeck_live_viewers, of those calls the
    CloudWatch Logs ones)."""
    calls, viewers, logs = 0.0, None, 0.0
    for line in get(base, "/metrics").splitlines():
        if line.startswith("#"):
            continue
        name, _, rest = line.partition(" ")
        if name.startswith("opsdeck_upstream_calls_total{") and f'upstream="{upstream}"' in name:
            calls += float(rest.split()[0])
            if 'operation="logs:' in name:
                logs += float(rest.split()[0])
        elif name == "opsdeck_live_viewers":
            viewers = float(rest.split()[0])
    return calls, viewers, logs


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Viewers:
    """N raw HTTP/1.1 SSE connections to /api/v1/live; bodies are read and discarded."""

    def __init__(self, base, n):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.n = u.hostname, u.port or 80, n
        self.tasks, self.writers = [], []
        self.bytes_read = 0

    async def _connect(self):
        r, w = await asyncio.open_connection(self.host, self.port)
        try:
            w.write(
                f"GET /api/v1/live HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Cookie: {COOKIE}\r\n"
                "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
            )
            await w.drain()
            status = await r.readline()
            if b" 200 " not in status:
                raise RuntimeError(f"/api/v1/live answered {status!r}")
            for _ in range(100):  # response headers, up to the blank line
                if await r.readline() in (b"\r\n", b"\n", b""):
                    break
        except BaseException:
            w.close()
            raise
        return r, w

    async def _drain(self, r):
        while True:  # read and discard until cancelled or the server closes
            chunk = await r.read(65536)
            if not chunk:
                return
            self.bytes_read += len(chunk)

    async def open(self, timeout=30):
        """Connect all N (bounded by `timeout`), then read each in its own task."""
        results = await asyncio.gather(
            *(asyncio.wait_for(self._connect(), timeout) for _ in range(self.n)),
            return_exceptions=True,
        )
        ok = [x for x in results if not isinstance(x, BaseException)]
        self.writers = [w for _, w in ok]
        self.tasks = [asyncio.create_task(self._drain(r)) for r, _ in ok]
        if len(ok) != self.n:
            err = next(x for x in results if isinstance(x, BaseException))
            await self.close()
            raise RuntimeError(f"only {len(ok)} of {self.n} live streams opened: {err!r}")

    async def close(self):
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for w in self.writers:
            w.close()
        self.tasks, self.writers = [], []


async def wait_gauge(base, want, timeout):
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        _, seen, _ = await asyncio.to_thread(metrics, base)
        if seen == want:
            return seen
        await asyncio.sleep(0.2)
    raise RuntimeError(f"opsdeck_live_viewers stayed at {seen}, expected {want}")


async def cmd_wait_ready(a):
    deadline = time.monotonic() + a.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            envs = json.loads(get(a.base, "/api/v1/status"))["environments"]
            last = {e["name"]: e["level"] for e in envs}
            if len(envs) >= 2 and all(e["level"] == "ok" for e in envs):
                prod = next((e for e in envs if e["name"] == "prod"), envs[0])
                return {"levels": last, "prod_base_url": prod["base_url"]}
        except (OSError, ValueError, KeyError) as e:
            last = repr(e)
        await asyncio.sleep(0.5)
    raise RuntimeError(f"environments not all ok after {a.timeout}s: {last}")


async def cmd_probes(a):
    v = Viewers(a.base, a.viewers)
    try:
        await v.open()
        await wait_gauge(a.base, a.viewers, 10)
        c0, _, l0 = await asyncio.to_thread(metrics, a.base, a.upstream)
        t0 = time.monotonic()
        gauges = []
        log(f"{a.viewers} viewer(s) open; counting probes for {a.window:.0f} s")
        while (left := a.window - (time.monotonic() - t0)) > 0:
            await asyncio.sleep(min(5.0, left))
            if time.monotonic() - t0 < a.window - 0.05:
                gauges.append((await asyncio.to_thread(metrics, a.base, a.upstream))[1])
        c1, g_end, l1 = await asyncio.to_thread(metrics, a.base, a.upstream)
        elapsed = time.monotonic() - t0
        gauges.append(g_end)
        alive = sum(1 for t in v.tasks if not t.done())
    finally:
        await v.close()
    return {
        "viewers": a.viewers,
        "window_s": round(elapsed, 2),
        "probes": c1 - c0,
        "probes_per_min": (c1 - c0) * 60.0 / elapsed,
        "logs_calls": l1 - l0,
        "logs_calls_per_min": (l1 - l0) * 60.0 / elapsed,
        "gauge_min": min(gauges),
        "gauge_max": max(gauges),
        "streams_alive_at_end": alive,
        "sse_bytes_read": v.bytes_read,
    }


async def cmd_rss(a):
    await wait_gauge(a.base, 0, 10)
    await asyncio.sleep(a.settle)
    rss0 = vm_rss_kib(a.pid)
    v = Viewers(a.base, a.viewers)
    try:
        await v.open()
        await wait_gauge(a.base, a.viewers, 10)
        await asyncio.sleep(a.hold)
        rss_n = vm_rss_kib(a.pid)
    finally:
        await v.close()
    await wait_gauge(a.base, 0, 10)
    await asyncio.sleep(a.settle)
    rss_after = vm_rss_kib(a.pid)
    return {
        "viewers": a.viewers,
        "rss0_kib": rss0,
        "rssn_kib": rss_n,
        "rss_after_close_kib": rss_after,
        "per_viewer_kib": (rss_n - rss0) / a.viewers,
    }


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wait-ready")
    w.add_argument("--base", required=True)
    w.add_argument("--timeout", type=float, default=90)
    pr = sub.add_parser("probes")
    pr.add_argument("--base", required=True)
    pr.add_argument("--viewers", type=int, required=True)
    pr.add_argument("--window", type=float, default=60)
    pr.add_argument("--upstream", default="health_probe", help='label of opsdeck_upstream_calls_total to count ("aws")')
    r = sub.add_parser("rss")
    r.add_argument("--base", required=True)
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--viewers", type=int, required=True)
    r.add_argument("--hold", type=float, default=5)
    r.add_argument("--settle", type=float, default=2)
    a = p.parse_args()
    fn = {"wait-ready": cmd_wait_ready, "probes": cmd_probes, "rss": cmd_rss}[a.cmd]
    try:
        print(json.dumps(asyncio.run(fn(a))))
    except Exception as e:  # noqa: BLE001 - one line for the shell script
        print(f"live.py {a.cmd}: {e!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
