//! The demo's simulated log group, following the simulated application: a steady trickle of
//! access lines, under "5xx" ERROR lines and exceptions, under "slow" slow requests and a slow
//! query warning, with the odd authentication failure logged as JSON. Some lines carry what a
//! client sent (markup and scripts) and terminal colour codes, as real logs do. The history back to
//! the overnight start is made up at start, sparser, with a few errors in the night.

use super::SimConflicto;
use crate::log_pattern::Pattern;
use app::domain::Fault;
use app::ports::logs::{LogPage, LogQuery, RawLogEvent};
use app::ports::{LogEvents, PortError};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One simulated request every this many milliseconds.
const TICK_MS: i64 = 2_000;
/// The made-up history: one line a minute for this long.
const HISTORY_MS: i64 = 30 * 3_600_000;
const KEEP: usize = 60_000;

struct State {
    events: VecDeque<RawLogEvent>,
    /// Lines exist up to here.
    made_to: i64,
    seq: u64,
    rng: fastrand::Rng,
}

pub struct SimLogs {
    app: Arc<SimConflicto>,
    state: Mutex<State>,
}

fn stamp(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl State {
    fn push(&mut self, at: i64, stream: &str, message: String) {
        self.seq += 1;
        self.events.push_back(RawLogEvent {
            id: format!("{at:013}{:08}", self.seq),
            at_ms: at,
            stream: stream.to_owned(),
            message,
        });
    }

    fn access(&mut self, at: i64, status: u16, ms: u64) {
        let paths = [
            "/api/v1/sessions/42",
            "/api/v1/polls",
            "/api/v1/votes",
            "/api/v1/health/",
        ];
        let path = paths[self.rng.usize(..paths.len())];
        let method = if path.ends_with("votes") {
            "POST"
        } else {
            "GET"
        };
        let req = self.rng.u32(..);
        self.push(
            at,
            "web/conflicto-backend/7f3a",
            format!("{} req-{req:08x} {method} {path} {status} {ms}", stamp(at)),
        );
    }

    /// One simulated moment of the application under `fault`.
    fn tick(&mut self, at: i64, fault: Fault) {
        let t = self.seq;
        match fault {
            Fault::Down => {}
            Fault::Error5xx => {
                let ms = 30 + self.rng.u64(..40);
                self.access(at, 503, ms);
                self.push(
                    at,
                    "web/conflicto-backend/7f3a",
                    format!(
                        "{} ERROR conflicto.api Unhandled OperationalError Exception in POST /api/v1/sessions/join name=\"<script>alert('opsdeck')</script>\": connection pool exhausted (20 of 20 in use)",
                        stamp(at)
                    ),
                );
            }
            Fault::Slow => {
                let ms = 2_400 + self.rng.u64(..3_000);
                self.access(at, 200, ms);
                if t.is_multiple_of(5) {
                    self.push(
                        at,
                        "worker/conflicto-report/19c2",
                        format!(
                            "{} \u{1b}[33mWARN\u{1b}[0m conflicto.db slow query 95.2 s: SELECT count(*) FROM votes JOIN polls USING (poll_id)",
                            stamp(at)
                        ),
                    );
                }
            }
            _ => {
                let status = if t.is_multiple_of(11) { 404 } else { 200 };
                let ms = 35 + self.rng.u64(..90);
                self.access(at, status, ms);
            }
        }
        if t.is_multiple_of(7) && fault != Fault::Down {
            self.push(
                at,
                "web/conflicto-backend/7f3a",
                r#"{"level":"warning","msg":"authentication failed","user":"<img src=x onerror=alert(1)>","ip":"203.0.113.7"}"#.to_owned(),
            );
        }
    }
}

impl SimLogs {
    pub fn new(app: Arc<SimConflicto>, night_errors: u32) -> Self {
        let now = Utc::now().timestamp_millis();
        let mut s = State {
            events: VecDeque::new(),
            made_to: now,
            seq: 0,
            rng: fastrand::Rng::with_seed(now as u64),
        };
        let mut at = now - HISTORY_MS;
        // The night's errors: five, four and three hours ago, always after the overnight start
        // (18:00 the day before is at least six hours back).
        let mut night: Vec<i64> = (0..i64::from(night_errors.min(3)))
            .map(|i| now - (5 - i) * 3_600_000)
            .collect();
        while at < now {
            let ms = 40 + s.rng.u64(..80);
            s.access(at, 200, ms);
            if night.first().is_some_and(|t| *t <= at) {
                night.remove(0);
                s.push(
                    at,
                    "worker/conflicto-nightly/0b1d",
                    format!(
                        "{} \u{1b}[31mERROR\u{1b}[0m conflicto.jobs nightly-report retry 1 of 3: upstream timed out",
                        stamp(at)
                    ),
                );
            }
            at += 60_000;
        }
        Self {
            app,
            state: Mutex::new(s),
        }
    }

    /// Make the lines up to `now` that the application would have written.
    fn catch_up(&self, s: &mut State, now: i64) {
        let fault = self.app.fault();
        // A long pause (nobody read): only the last ten minutes are made up.
        s.made_to = s.made_to.max(now - 600_000);
        while s.made_to + TICK_MS <= now {
            s.made_to += TICK_MS;
            let at = s.made_to;
            s.tick(at, fault);
        }
        let over = s.events.len().saturating_sub(KEEP);
        s.events.drain(..over);
    }
}

#[async_trait::async_trait]
impl LogEvents for SimLogs {
    async fn filter(&self, q: &LogQuery) -> Result<LogPage, PortError> {
        let pattern = match q.pattern.as_deref() {
            None => Pattern::All,
            Some(p) => Pattern::parse(p).map_err(|e| {
                PortError::Other(format!(
                    "logs:FilterLogEvents: InvalidParameterException: invalid filter pattern ({e})"
                ))
            })?,
        };
        let skip: usize = match q.next.as_deref() {
            None => 0,
            Some(t) => t
                .strip_prefix("sim:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    PortError::Other("logs:FilterLogEvents: invalid next token".into())
                })?,
        };
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.catch_up(&mut s, Utc::now().timestamp_millis());
        let mut matching = s
            .events
            .iter()
            .filter(|e| e.at_ms >= q.start_ms && e.at_ms < q.end_ms && pattern.matches(&e.message))
            .skip(skip);
        let limit = q.limit.max(1) as usize;
        let events: Vec<RawLogEvent> = matching.by_ref().take(limit).cloned().collect();
        let next = matching
            .next()
            .is_some()
            .then(|| format!("sim:{}", skip + events.len()));
        Ok(LogPage { events, next })
    }
}
