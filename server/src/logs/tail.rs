//! Live tails: one per log group, shared by everyone watching it. The first viewer starts it; it
//! reads what is new every `[logs] tail_every` (through the same budget as the searches), keeps
//! the newest 500 lines, and sends each new batch to every viewer, each line encoded once; it stops
//! `tail_linger` after the last viewer left. Viewers' filters are applied here, per line, to lines
//! already read: a filter costs no call.

use super::clean;
use crate::live::THROTTLE_BACKOFF;
use crate::log_pattern::Pattern;
use crate::metrics::Metrics;
use app::domain::logs::{LogLine, TAIL_LINES};
use app::ports::logs::LogQuery;
use app::ports::LogEvents;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// A line as every viewer gets it: its JSON made once.
pub struct TailLine {
    pub line: LogLine,
    pub json: Arc<str>,
}

/// What one read of the group brought.
pub struct TailEvent {
    pub lines: Vec<Arc<TailLine>>,
    pub error: Option<String>,
}

struct Tail {
    tx: broadcast::Sender<Arc<TailEvent>>,
    buffer: Mutex<VecDeque<Arc<TailLine>>>,
}

/// A viewer's place in a tail: the newest lines now, then each batch as it comes.
pub struct Subscription {
    pub backlog: Vec<Arc<TailLine>>,
    pub updates: broadcast::Receiver<Arc<TailEvent>>,
}

pub struct Tails {
    /// Per environment: its log group and the budgeted source that reads it.
    sources: HashMap<String, (String, Arc<dyn LogEvents>)>,
    every: Duration,
    linger: Duration,
    metrics: Arc<Metrics>,
    running: Mutex<HashMap<String, Arc<Tail>>>,
}

/// A new tail starts with the last minute of the group.
const START_BACK_MS: i64 = 60_000;
const OVERLAP_MS: i64 = 10_000;
const PAGES_PER_READ: usize = 3;

impl Tails {
    pub fn new(
        sources: HashMap<String, (String, Arc<dyn LogEvents>)>,
        every: Duration,
        linger: Duration,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(Self {
            sources,
            every,
            linger,
            metrics,
            running: Mutex::new(HashMap::new()),
        })
    }

    pub fn has(&self, env: &str) -> bool {
        self.sources.contains_key(env)
    }

    /// Join `env`'s tail, starting it when nobody watches yet. `None`: no log group there.
    pub fn subscribe(self: &Arc<Self>, env: &str) -> Option<Subscription> {
        let (group, source) = self.sources.get(env)?.clone();
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let tail = match running.get(env) {
            Some(t) => t.clone(),
            None => {
                let (tx, _) = broadcast::channel(64);
                let tail = Arc::new(Tail {
                    tx,
                    buffer: Mutex::new(VecDeque::with_capacity(TAIL_LINES)),
                });
                running.insert(env.to_owned(), tail.clone());
                self.metrics.log_tails.inc();
                tokio::spawn(
                    self.clone()
                        .follow(env.to_owned(), group, source, tail.clone()),
                );
                tail
            }
        };
        // Under the running lock: the tail cannot stop between joining and being counted. Under
        // the buffer lock (which sending also holds): a batch is either in the backlog or sent
        // after joining, never both.
        let buffer = tail.buffer.lock().unwrap_or_else(|p| p.into_inner());
        let updates = tail.tx.subscribe();
        let backlog = buffer.iter().cloned().collect();
        drop(buffer);
        Some(Subscription { backlog, updates })
    }

    /// Stop `env`'s tail if still nobody watches it. Decided under the lock `subscribe` takes.
    fn stop_if_unwatched(&self, env: &str, tail: &Arc<Tail>) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if tail.tx.receiver_count() > 0 {
            return false;
        }
        running.remove(env);
        self.metrics.log_tails.dec();
        true
    }

    async fn follow(
        self: Arc<Self>,
        env: String,
        group: String,
        source: Arc<dyn LogEvents>,
        tail: Arc<Tail>,
    ) {
        let mut from = chrono::Utc::now().timestamp_millis() - START_BACK_MS;
        let mut seen: HashMap<String, i64> = HashMap::new();
        let mut alone_since: Option<Instant> = None;
        loop {
            let now = chrono::Utc::now().timestamp_millis();
            let read = read(source.as_ref(), &group, from, now + 1).await;
            let (events, error) = (read.events, read.error);
            let mut fresh = Vec::new();
            for e in events {
                if seen.contains_key(&e.id) {
                    continue;
                }
                seen.insert(e.id.clone(), e.at_ms);
                let line = clean::line(e.id, e.at_ms, &e.stream, &e.message);
                let json = serde_json::to_string(&line).unwrap_or_default().into();
                fresh.push(Arc::new(TailLine { line, json }));
            }
            // Move on to what was read: to now when everything was, else to the newest event seen
            // (more pages wait; the next read continues from there).
            let upto = if read.complete {
                Some(now)
            } else {
                read.newest
            };
            if let Some(upto) = upto {
                from = from.max(upto - OVERLAP_MS);
                seen.retain(|_, at| *at >= from);
            }
            fresh.sort_by_key(|l| l.line.at);
            if !fresh.is_empty() || error.is_some() {
                let mut buf = tail.buffer.lock().unwrap_or_else(|p| p.into_inner());
                buf.extend(fresh.iter().cloned());
                let over = buf.len().saturating_sub(TAIL_LINES);
                buf.drain(..over);
                // Nobody listening is not an error: the lines stay in the buffer.
                let _ = tail.tx.send(Arc::new(TailEvent {
                    lines: fresh,
                    error,
                }));
            }
            if tail.tx.receiver_count() == 0 {
                let since = *alone_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= self.linger && self.stop_if_unwatched(&env, &tail) {
                    tracing::info!(env, "live tail stopped: nobody watches it");
                    return;
                }
            } else {
                alone_since = None;
            }
            // Throttled: read less often for a while (the budget is shared with the searches).
            let wait = if read.throttled {
                self.every * THROTTLE_BACKOFF
            } else {
                self.every
            };
            tokio::time::sleep(wait).await;
        }
    }
}

struct Read {
    events: Vec<app::ports::logs::RawLogEvent>,
    /// Every page was read.
    complete: bool,
    newest: Option<i64>,
    error: Option<String>,
    throttled: bool,
}

/// Everything new since `from`, a few pages at most; an error in words (the tail goes on).
async fn read(source: &dyn LogEvents, group: &str, from: i64, to: i64) -> Read {
    let mut events: Vec<app::ports::logs::RawLogEvent> = Vec::new();
    let mut next = None;
    let newest = |events: &[app::ports::logs::RawLogEvent]| events.iter().map(|e| e.at_ms).max();
    for _ in 0..PAGES_PER_READ {
        let page = source
            .filter(&LogQuery {
                group: group.to_owned(),
                pattern: None,
                start_ms: from,
                end_ms: to,
                next: next.clone(),
                limit: TAIL_LINES as u32,
            })
            .await;
        match page {
            Ok(p) => {
                events.extend(p.events);
                match p.next {
                    Some(t) => next = Some(t),
                    None => {
                        return Read {
                            newest: newest(&events),
                            events,
                            complete: true,
                            error: None,
                            throttled: false,
                        }
                    }
                }
            }
            Err(e) => {
                return Read {
                    newest: newest(&events),
                    events,
                    complete: false,
                    error: Some(format!("CloudWatch Logs: {}", e.detail())),
                    throttled: matches!(e, app::ports::PortError::Throttled(_)),
                }
            }
        }
    }
    Read {
        newest: newest(&events),
        events,
        complete: false,
        error: None,
        throttled: false,
    }
}

/// A viewer's filter: CloudWatch's pattern language, applied to the cleaned line.
pub fn keep(filter: Option<&Pattern>, line: &TailLine) -> bool {
    filter.is_none_or(|p| p.matches(&line.line.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ports::logs::{LogPage, RawLogEvent};
    use app::ports::PortError;

    /// A group with one line that is always new enough to be read.
    struct OneLine;

    #[async_trait::async_trait]
    impl LogEvents for OneLine {
        async fn filter(&self, q: &LogQuery) -> Result<LogPage, PortError> {
            Ok(LogPage {
                events: vec![RawLogEvent {
                    id: "1".into(),
                    at_ms: q.end_ms - 1,
                    stream: "web/1".into(),
                    message: "ERROR <b>once</b>".into(),
                }],
                next: None,
            })
        }
    }

    fn gauge(m: &Metrics) -> bool {
        m.encode().contains("opsdeck_log_tails 1")
    }

    #[tokio::test]
    async fn one_tail_for_all_viewers_stopped_after_the_last_leaves() {
        let metrics = Arc::new(Metrics::new());
        let source: Arc<dyn LogEvents> = Arc::new(OneLine);
        let tails = Tails::new(
            HashMap::from([("prod".to_owned(), ("g".to_owned(), source))]),
            Duration::from_millis(10),
            Duration::ZERO,
            metrics.clone(),
        );
        assert!(tails.subscribe("dev").is_none(), "no log group there");
        let mut a = tails.subscribe("prod").expect("prod's tail");
        let b = tails.subscribe("prod").expect("the same tail");
        assert!(gauge(&metrics), "two viewers, one tail");
        let first = a.updates.recv().await.expect("a batch");
        assert_eq!(first.lines.len(), 1);
        assert_eq!(first.lines[0].line.text, "ERROR <b>once</b>");
        // The line read again on every round is sent once (de-duplicated by its id).
        let again = tokio::time::timeout(Duration::from_millis(200), a.updates.recv()).await;
        assert!(again.is_err(), "nothing new, nothing sent");
        drop((a, b));
        for _ in 0..100 {
            if !gauge(&metrics) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!gauge(&metrics), "stopped once nobody watches");
        let _again = tails.subscribe("prod").expect("started again");
        assert!(gauge(&metrics), "the next viewer starts it again");
    }
}
