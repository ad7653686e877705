//! The current snapshot of every environment, in a `watch` channel.

use app::domain::{Dashboard, EnvSnapshot};
use app::ports::LiveStatus;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::watch;

/// A snapshot as published: encoded once, sent to every viewer as is.
#[derive(Debug)]
pub struct Published {
    pub snapshot: EnvSnapshot,
    pub json: Arc<str>,
}

impl Published {
    fn new(snapshot: EnvSnapshot) -> Self {
        // Serializing plain data into a String cannot fail; an empty event would be skipped.
        let json = serde_json::to_string(&snapshot).unwrap_or_default().into();
        Self { snapshot, json }
    }
}

impl std::ops::Deref for Published {
    type Target = EnvSnapshot;
    fn deref(&self) -> &EnvSnapshot {
        &self.snapshot
    }
}

#[derive(Clone, Debug, Default)]
pub struct LiveState {
    /// In configuration order.
    pub envs: Vec<Arc<Published>>,
}

pub struct Hub {
    tx: watch::Sender<LiveState>,
    demo: bool,
}

/// Sequence numbers are microseconds since the epoch (made strictly increasing), so they keep
/// increasing across restarts and a reconnecting browser's Last-Event-ID stays meaningful.
fn next_seq(prev: u64) -> u64 {
    let now = u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0);
    now.max(prev + 1)
}

impl Hub {
    pub fn new(initial: Vec<EnvSnapshot>, demo: bool) -> Self {
        let mut last = 0;
        let envs = initial
            .into_iter()
            .map(|mut e| {
                last = next_seq(last);
                e.seq = last;
                Arc::new(Published::new(e))
            })
            .collect();
        let (tx, _) = watch::channel(LiveState { envs });
        Self { tx, demo }
    }

    /// Replace one environment's snapshot and wake every viewer.
    pub fn publish(&self, mut snap: EnvSnapshot) {
        self.tx.send_modify(|state| {
            let prev = state.envs.iter().map(|e| e.seq).max().unwrap_or(0);
            snap.seq = next_seq(prev);
            let published = Arc::new(Published::new(snap));
            match state.envs.iter_mut().find(|e| e.name == published.name) {
                Some(slot) => *slot = published,
                None => state.envs.push(published),
            }
        });
    }

    pub fn subscribe(&self) -> watch::Receiver<LiveState> {
        self.tx.subscribe()
    }

    pub fn current(&self) -> LiveState {
        self.tx.borrow().clone()
    }

    pub fn env(&self, name: &str) -> Option<Arc<Published>> {
        self.tx
            .borrow()
            .envs
            .iter()
            .find(|e| e.name.as_str() == name)
            .cloned()
    }
}

impl LiveStatus for Hub {
    fn dashboard(&self) -> Dashboard {
        Dashboard {
            environments: self
                .current()
                .envs
                .iter()
                .map(|e| e.snapshot.clone())
                .collect(),
            generated_at: Some(Utc::now()),
            demo: self.demo,
        }
    }
}
