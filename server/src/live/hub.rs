//! The current snapshot of every environment, in a `watch` channel.

use app::domain::{Dashboard, EnvSnapshot};
use app::ports::LiveStatus;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone, Debug, Default)]
pub struct LiveState {
    /// In configuration order.
    pub envs: Vec<Arc<EnvSnapshot>>,
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
                Arc::new(e)
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
            match state.envs.iter_mut().find(|e| e.name == snap.name) {
                Some(slot) => *slot = Arc::new(snap),
                None => state.envs.push(Arc::new(snap)),
            }
        });
    }

    pub fn subscribe(&self) -> watch::Receiver<LiveState> {
        self.tx.subscribe()
    }

    pub fn current(&self) -> LiveState {
        self.tx.borrow().clone()
    }

    pub fn env(&self, name: &str) -> Option<Arc<EnvSnapshot>> {
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
            environments: self.current().envs.iter().map(|e| (**e).clone()).collect(),
            generated_at: Some(Utc::now()),
            demo: self.demo,
        }
    }
}
