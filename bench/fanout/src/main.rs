//! `make bench`'s live-viewer load: opens N idle live viewers (`GET /api/v1/live`) of a running
//! opsdeck on loopback, measures how long each health change takes to reach every one of them,
//! and the opsdeck process's resident memory with none, with N, and after they closed.
//!
//! A live event's id is its sequence number, which opsdeck makes from the publishing moment in
//! microseconds since the epoch: (arrival − id) is the time from the snapshot changing to a viewer
//! having it, measured on the same clock. Prints one JSON object on stdout; progress on stderr.
//!
//! Usage: opsdeck-fanout --addr 127.0.0.1:PORT --cookie 'opsdeck_session=…' --pid PID
//!        [--viewers 10000] [--changes 3] [--timeout-s 120]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Args {
    addr: String,
    cookie: String,
    pid: u32,
    viewers: usize,
    changes: usize,
    timeout: Duration,
}

fn args() -> Result<Args, String> {
    let mut map = HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
        map.insert(k.trim_start_matches("--").to_owned(), v);
    }
    let get = |k: &str| {
        map.get(k)
            .cloned()
            .ok_or_else(|| format!("--{k} is required"))
    };
    let num = |k: &str, d: usize| -> Result<usize, String> {
        map.get(k).map_or(Ok(d), |v| {
            v.parse()
                .map_err(|_| format!("--{k} {v:?} is not a number"))
        })
    };
    Ok(Args {
        addr: get("addr")?,
        cookie: get("cookie")?,
        pid: get("pid")?
            .parse()
            .map_err(|_| "--pid is not a number".to_owned())?,
        viewers: num("viewers", 10_000)?,
        changes: num("changes", 3)?,
        timeout: Duration::from_secs(num("timeout-s", 120)? as u64),
    })
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// What every viewer saw: for each `env` event id, the arrival time (µs since the epoch).
type Seen = Arc<Mutex<HashMap<u64, Vec<u64>>>>;

/// Open one live stream and check its status line; the rest of the headers are read with the body.
async fn open(addr: &str, cookie: &str) -> Result<TcpStream, String> {
    let mut s = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let req = format!(
        "GET /api/v1/live HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    Ok(s)
}

/// Read the stream until it closes; record when each `env` event arrives. Events may be split
/// across reads, so a small tail of the previous read is kept.
async fn read(mut s: TcpStream, seen: Seen, bytes: Arc<std::sync::atomic::AtomicU64>) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut carry: Vec<u8> = Vec::new();
    let mut status_checked = false;
    loop {
        let n = match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let at = now_us();
        bytes.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        carry.extend_from_slice(&buf[..n]);
        if !status_checked {
            if !carry.starts_with(b"HTTP/1.1 200") {
                eprintln!(
                    "a live stream was refused: {}",
                    String::from_utf8_lossy(&carry[..carry.len().min(200)])
                );
                return;
            }
            status_checked = true;
        }
        // Every complete "event: env\nid: N\n" in what has arrived.
        let mut from = 0;
        let needle = b"event: env\nid: ";
        while let Some(pos) = find(&carry[from..], needle) {
            let start = from + pos + needle.len();
            let Some(end) = carry[start..].iter().position(|b| *b == b'\n') else {
                break;
            };
            if let Ok(id) = std::str::from_utf8(&carry[start..start + end])
                .unwrap_or("")
                .parse::<u64>()
            {
                seen.lock().unwrap().entry(id).or_default().push(at);
            }
            from = start + end;
        }
        // Keep only what may hold the start of an unfinished event header.
        let keep = carry.len().saturating_sub(from).min(64);
        carry.drain(..carry.len() - keep);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("opsdeck-fanout: {e}");
            std::process::exit(2);
        }
    };
    let rss0 = rss_kib(a.pid);
    let seen: Seen = Arc::default();
    let bytes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut readers = Vec::with_capacity(a.viewers);
    // Connect in batches so the listen backlog is never the limit.
    let mut opened = 0;
    while opened < a.viewers {
        let batch = (a.viewers - opened).min(500);
        let mut conns = Vec::with_capacity(batch);
        for _ in 0..batch {
            let (addr, cookie) = (a.addr.clone(), a.cookie.clone());
            conns.push(tokio::spawn(async move { open(&addr, &cookie).await }));
        }
        for c in conns {
            match c.await {
                Ok(Ok(s)) => readers.push(tokio::spawn(read(s, seen.clone(), bytes.clone()))),
                Ok(Err(e)) => {
                    eprintln!("opsdeck-fanout: connecting failed after {opened} viewers: {e}");
                    std::process::exit(1);
                }
                Err(e) => panic!("{e}"),
            }
            opened += 1;
        }
    }
    eprintln!(
        "    {opened} viewers connected in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Let the initial snapshots arrive, then count only changes published from now on.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let from = now_us();
    let deadline = Instant::now() + a.timeout;
    let wanted = |seen: &HashMap<u64, Vec<u64>>| {
        let mut ids: Vec<&u64> = seen.keys().filter(|id| **id > from).collect();
        ids.sort();
        ids.into_iter()
            .take(a.changes)
            .filter(|id| seen[id].len() >= opened)
            .count()
    };
    loop {
        let done = wanted(&seen.lock().unwrap());
        if done >= a.changes {
            break;
        }
        if Instant::now() > deadline {
            eprintln!(
                "opsdeck-fanout: only {done} of {} changes reached all {opened} viewers in time",
                a.changes
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rss_n = rss_kib(a.pid);
    let changes: Vec<serde_json::Value> = {
        let seen = seen.lock().unwrap();
        let mut ids: Vec<&u64> = seen.keys().filter(|id| **id > from).collect();
        ids.sort();
        ids.into_iter()
            .take(a.changes)
            .map(|id| {
                let mut ms: Vec<f64> = seen[id]
                    .iter()
                    .map(|at| at.saturating_sub(*id) as f64 / 1000.0)
                    .collect();
                ms.sort_by(|x, y| x.total_cmp(y));
                serde_json::json!({
                    "id": id,
                    "reached": ms.len(),
                    "p50_ms": percentile(&ms, 0.50),
                    "p99_ms": percentile(&ms, 0.99),
                    "max_ms": ms.last().copied().unwrap_or(f64::NAN),
                })
            })
            .collect()
    };
    for r in &readers {
        r.abort();
    }
    drop(readers);
    // The server notices the closed streams on its next write or heartbeat; give it time.
    tokio::time::sleep(Duration::from_secs(20)).await;
    let rss_after = rss_kib(a.pid);
    let out = serde_json::json!({
        "viewers": opened,
        "rss_0_kib": rss0,
        "rss_n_kib": rss_n,
        "per_viewer_kib": (rss_n as f64 - rss0 as f64) / opened.max(1) as f64,
        "rss_after_close_kib": rss_after,
        "bytes_read": bytes.load(std::sync::atomic::Ordering::Relaxed),
        "changes": changes,
    });
    println!("{out}");
}
