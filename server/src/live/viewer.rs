//! One live viewer's side of the hub: which snapshots it still needs, in the order they changed.
//! A viewer that reconnects with `Last-Event-ID` gets only what changed after that event.

use super::{LiveState, Published};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub struct Viewer {
    rx: watch::Receiver<LiveState>,
    /// Highest sequence number this viewer has, per environment.
    seen: HashMap<String, u64>,
    /// Everything at or below this was delivered before a reconnect.
    floor: u64,
    queue: VecDeque<Arc<Published>>,
    shutdown: CancellationToken,
}

impl Viewer {
    pub fn new(
        rx: watch::Receiver<LiveState>,
        last_event_id: Option<u64>,
        shutdown: CancellationToken,
    ) -> Self {
        let mut v = Self {
            rx,
            seen: HashMap::new(),
            floor: last_event_id.unwrap_or(0),
            queue: VecDeque::new(),
            shutdown,
        };
        v.fill();
        v
    }

    /// Queue every snapshot newer than what the viewer has, oldest change first, so event ids
    /// in one stream only increase and a resume from any of them loses nothing.
    fn fill(&mut self) {
        let state = self.rx.borrow_and_update().clone();
        let mut fresh: Vec<_> = state
            .envs
            .into_iter()
            .filter(|env| {
                env.seq
                    > self
                        .seen
                        .get(env.name.as_str())
                        .copied()
                        .unwrap_or(self.floor)
            })
            .collect();
        fresh.sort_by_key(|env| env.seq);
        for env in fresh {
            self.seen.insert(env.name.to_string(), env.seq);
            self.queue.push_back(env);
        }
    }

    /// The next snapshot to send; waits for a change. `None` when the server shuts down.
    pub async fn next(&mut self) -> Option<Arc<Published>> {
        loop {
            if let Some(env) = self.queue.pop_front() {
                return Some(env);
            }
            tokio::select! {
                changed = self.rx.changed() => changed.ok()?,
                () = self.shutdown.cancelled() => return None,
            }
            self.fill();
        }
    }
}
