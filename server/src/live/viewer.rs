//! One live viewer's side of the hub: which snapshots it still needs, in the order they changed.
//! A viewer that reconnects with `Last-Event-ID` gets only what changed after that event.

use super::hub::LiveItem;
use super::LiveState;
use std::collections::{HashMap, VecDeque};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub struct Viewer {
    rx: watch::Receiver<LiveState>,
    /// Highest sequence number this viewer has, per kind and environment.
    seen: HashMap<(&'static str, String), u64>,
    /// Everything at or below this was delivered before a reconnect.
    floor: u64,
    queue: VecDeque<LiveItem>,
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
        let mut fresh: Vec<LiveItem> = state
            .items()
            .filter(|item| {
                let (kind, name) = item.key();
                item.seq()
                    > self
                        .seen
                        .get(&(kind, name.to_owned()))
                        .copied()
                        .unwrap_or(self.floor)
            })
            .collect();
        fresh.sort_by_key(LiveItem::seq);
        for item in fresh {
            let (kind, name) = item.key();
            self.seen.insert((kind, name.to_owned()), item.seq());
            self.queue.push_back(item);
        }
    }

    /// The next snapshot to send; waits for a change. `None` when the server shuts down.
    pub async fn next(&mut self) -> Option<LiveItem> {
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
