#!/usr/bin/env python3
"""Turns the raw files scripts/bench.sh leaves in bench/out/ into the Markdown report.

  report.py DIR    reads DIR/{meta.json,wrk-ssr.txt,wrk-static.txt,probes-1.json,probes-200.json,
                   rss.json,probe-opsdeck.jsonl,probe-curl.txt} and prints Markdown on stdout.
"""
import json
import re
import statistics
import sys
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
PHASES = ["namelookup", "connect", "appconnect", "pretransfer", "starttransfer", "total"]


def wrk(path):
    text = Path(path).read_text()

    def latency(pct):
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
        return float(m.group(1)) * UNITS_MS[m.group(2)] if m else None

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    reqs = re.search(r"^\s*(\d+) requests in", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors:\s*(.*)", text)
    return {
        "p50": latency(50),
        "p99": latency(99),
        "rps": float(rps.group(1)) if rps else None,
        "requests": int(reqs.group(1)) if reqs else None,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sock.group(1).strip() if sock else None,
    }


def opsdeck_timings(path):
    rows = [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()]
    out = {}
    for ph in PHASES:
        vals = [r["timings"].get(f"{ph}_ms") for r in rows]
        vals = [v for v in vals if v is not None]
        out[ph] = statistics.median(vals) if vals else None
    failures = sum(1 for r in rows if r.get("failure"))
    return out, len(rows), failures


def curl_timings(path):
    rows = [l.split() for l in Path(path).read_text().splitlines() if l.strip()]
    rows = [r for r in rows if len(r) == len(PHASES)]
    out = {ph: statistics.median(float(r[i]) * 1000.0 for r in rows) if rows else None
           for i, ph in enumerate(PHASES)}
    return out, len(rows)


def f(v, digits=2, unit=""):
    return "n/a" if v is None else f"{v:,.{digits}f}{unit}"


def fr(v):
    """A ratio, three significant digits."""
    return "n/a" if v is None else f"{v:.3g}×"


def ratio(a, b):
    return None if a is None or not b else a / b


def main(d):
    d = Path(d)
    meta = json.loads((d / "meta.json").read_text())
    ssr, static = wrk(d / "wrk-ssr.txt"), wrk(d / "wrk-static.txt")
    ssr1, static1 = wrk(d / "wrk-ssr-c1.txt"), wrk(d / "wrk-static-c1.txt")
    p1 = json.loads((d / "probes-1.json").read_text())
    p200 = json.loads((d / "probes-200.json").read_text())
    rss = json.loads((d / "rss.json").read_text())
    od, od_n, od_fail = opsdeck_timings(d / "probe-opsdeck.jsonl")
    cu, cu_n = curl_timings(d / "probe-curl.txt")

    L = []
    L.append("## opsdeck benchmark report")
    L.append("")
    L.append(f"- date: {meta['date']}")
    L.append(f"- machine: `nproc` = {meta['nproc']}; commit {meta['commit']}; "
             f"`opsdeck demo` release build, {meta['wrk']}")
    L.append(f"- load average (1, 5, 15 min): {meta['load']}")
    L.append("- figures come from one run on a shared 2-core machine (load generator, server, "
             "simulated Conflicto and Postgres all on it): ratios matter more than absolute values.")
    L.append("")
    L.append(f"| SSR vs static (`wrk -t2 -c64 -d15s`) | SSR `/` | static `/bench-static.html` "
             f"| SSR / static |")
    L.append("| --- | ---: | ---: | ---: |")
    L.append(f"| p50 latency | {f(ssr['p50'], 2, ' ms')} | {f(static['p50'], 2, ' ms')} "
             f"| {fr(ratio(ssr['p50'], static['p50']))} |")
    L.append(f"| p99 latency | {f(ssr['p99'], 2, ' ms')} | {f(static['p99'], 2, ' ms')} "
             f"| {fr(ratio(ssr['p99'], static['p99']))} |")
    L.append(f"| requests/s | {f(ssr['rps'], 0)} | {f(static['rps'], 0)} "
             f"| {fr(ratio(ssr['rps'], static['rps']))} |")
    L.append(f"| p50 latency, 1 connection (`wrk -t1 -c1 -d5s`) | {f(ssr1['p50'], 2, ' ms')} "
             f"| {f(static1['p50'], 2, ' ms')} | {fr(ratio(ssr1['p50'], static1['p50']))} |")
    L.append(f"| requests/s, 1 connection | {f(ssr1['rps'], 0)} | {f(static1['rps'], 0)} "
             f"| {fr(ratio(ssr1['rps'], static1['rps']))} |")
    errs = [f"{name}: {w['non2xx']} non-2xx, socket errors {w['socket_errors']}"
            for name, w in (("SSR", ssr), ("static", static)) if w["non2xx"] or w["socket_errors"]]
    if errs:
        L.append(f"| errors | {'; '.join(errs)} | | |")
    L.append(f"| page size | {meta['page_bytes']:,} B | {meta['page_bytes']:,} B (same bytes) | |")
    if static1["p50"] is not None and 35.0 <= static1["p50"] <= 50.0:
        L.append("")
        L.append(f"Note: each static response on a kept-alive connection took "
                 f"~{static1['p50']:.0f} ms (p50, 1 connection), the signature of Nagle's "
                 "algorithm meeting delayed ACKs (accepted sockets without TCP_NODELAY); "
                 "the static column measures that stall, not file serving.")
    L.append("")
    n = f"{p200['gauge_max']:.0f}"
    L.append("| Upstream health probes (sum of `opsdeck_upstream_calls_total{upstream=\"health_probe\"}`) "
             f"| 1 live viewer | {n} live viewers |")
    L.append("| --- | ---: | ---: |")
    L.append(f"| probes per minute | {f(p1['probes_per_min'], 1)} | {f(p200['probes_per_min'], 1)} |")
    L.append(f"| probes counted / window | {p1['probes']:.0f} in {p1['window_s']:.1f} s "
             f"| {p200['probes']:.0f} in {p200['window_s']:.1f} s |")
    L.append(f"| calls with {n} viewers / calls with 1 | | {fr(ratio(p200['probes_per_min'], p1['probes_per_min']))} |")
    L.append(f"| `opsdeck_live_viewers` during window (min–max) "
             f"| {p1['gauge_min']:.0f}–{p1['gauge_max']:.0f} "
             f"| {p200['gauge_min']:.0f}–{p200['gauge_max']:.0f} |")
    L.append("")
    a1, a200 = d / "aws-1.json", d / "aws-200.json"
    if a1.exists() and a200.exists():
        a1, a200 = json.loads(a1.read_text()), json.loads(a200.read_text())
        L.append("| AWS calls against moto (sum of `opsdeck_upstream_calls_total{upstream=\"aws\"}`; "
                 f"ECS every 5 s, metrics and ALB every 10 s, backups every 30 s, log searches every [logs] refresh) | 1 live viewer | {a200['gauge_max']:.0f} live viewers |")
        L.append("| --- | ---: | ---: |")
        L.append(f"| AWS calls per minute | {f(a1['probes_per_min'], 1)} | {f(a200['probes_per_min'], 1)} |")
        L.append(f"| calls counted / window | {a1['probes']:.0f} in {a1['window_s']:.1f} s "
                 f"| {a200['probes']:.0f} in {a200['window_s']:.1f} s |")
        L.append(f"| calls with {a200['gauge_max']:.0f} viewers / calls with 1 | | {fr(ratio(a200['probes_per_min'], a1['probes_per_min']))} |")
        if "logs_calls_per_min" in a1:
            L.append(f"| of which `logs:FilterLogEvents` (the runbook's six log searches) per minute "
                     f"| {f(a1['logs_calls_per_min'], 1)} | {f(a200['logs_calls_per_min'], 1)} |")
            L.append(f"| log calls with {a200['gauge_max']:.0f} viewers / with 1 | "
                     f"| {fr(ratio(a200['logs_calls_per_min'], a1['logs_calls_per_min']))} |")
        L.append(f"| live events read by the viewers (bytes) | {a1['sse_bytes_read']:,} | {a200['sse_bytes_read']:,} |")
        L.append("")
    L.append(f"| Resident memory (VmRSS of the opsdeck process) | value |")
    L.append("| --- | ---: |")
    L.append(f"| 0 viewers, after warm-up | {rss['rss0_kib']:,} KiB |")
    L.append(f"| {rss['viewers']} idle live viewers (held ~5 s) | {rss['rssn_kib']:,} KiB |")
    L.append(f"| per idle live viewer, (rss{rss['viewers']} − rss0) / {rss['viewers']} "
             f"| {f(rss['per_viewer_kib'], 1, ' KiB')} |")
    L.append(f"| after those viewers closed | {rss['rss_after_close_kib']:,} KiB |")
    L.append("")
    fo = d / "fanout.json"
    if fo.exists():
        fo = json.loads(fo.read_text())
        v = fo["viewers"]
        L.append(f"| {v:,} idle live viewers (`opsdeck-fanout`, raw HTTP/1.1 streams) | value |")
        L.append("| --- | ---: |")
        L.append(f"| VmRSS with 0 viewers | {fo['rss_0_kib']:,} KiB |")
        L.append(f"| VmRSS with {v:,} viewers | {fo['rss_n_kib']:,} KiB |")
        L.append(f"| per idle live viewer, (rss{v} − rss0) / {v} | {f(fo['per_viewer_kib'], 1, ' KiB')} |")
        L.append(f"| VmRSS 20 s after they closed | {fo['rss_after_close_kib']:,} KiB |")
        for i, c in enumerate(fo["changes"], 1):
            L.append(f"| health change {i}: reached {c['reached']:,} of {v:,}; from publish to arrival "
                     f"p50 / p99 / max | {f(c['p50_ms'], 0)} / {f(c['p99_ms'], 0)} / {f(c['max_ms'], 0)} ms |")
        L.append("")
    sc = d / "screen.json"
    if sc.exists():
        trials = json.loads(sc.read_text())["trials"]
        med = lambda k: statistics.median([t[k] for t in trials if t[k] is not None] or [float("nan")])
        L.append(f"| Change to screen in headless Chromium ({len(trials)} trials; the demo probes every 5 s) "
                 "| median | each trial |")
        L.append("| --- | ---: | ---: |")
        for key, what in (("fault_to_screen_ms", "simulated app changed → tile shows it"),
                          ("publish_to_screen_ms", "snapshot published → tile shows it"),
                          ("event_to_screen_ms", "live event arrived → tile shows it")):
            each = ", ".join("n/a" if t[key] is None else f"{t[key]:.0f}" for t in trials)
            L.append(f"| {what} | {f(med(key), 0, ' ms')} | {each} |")
        L.append("")
    L.append(f"| Probe of sim prod health (median ms; opsdeck: 1 process, {od_n} probes, "
             f"{od_fail} failed; curl: {cu_n} processes) | `opsdeck probe` | `curl -w` "
             f"| opsdeck − curl |")
    L.append("| --- | ---: | ---: | ---: |")
    for ph in PHASES:
        a, b = od[ph], cu[ph]
        note = " (plain HTTP: opsdeck reports null)" if ph == "appconnect" and a is None else ""
        diff = None if a is None or b is None else a - b
        L.append(f"| time_{ph}{note} | {f(a, 3)} | {f(b, 3)} | {f(diff, 3)} |")
    L.append("")
    L.append("time_starttransfer and time_total include the simulated app's own random delay, "
             "so those medians move by several ms from run to run; the connect and pretransfer "
             "rows compare the two clients.")
    print("\n".join(L))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
