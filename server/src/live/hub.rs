//! The current snapshots of every environment — health, and what the AWS sources know — in a
//! `watch` channel. Each kind travels as its own SSE event so a health round does not resend
//! an hour of metrics.

use app::domain::in_flight::OpenRequest;
use app::domain::incident::IncidentsLive;
use app::domain::{CloudSnapshot, Dashboard, EnvName, EnvSnapshot};
use app::ports::LiveStatus;
mod remote;

use bytes::Bytes;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::watch;

/// One Server-Sent Event, whole: `event`, `id` and the JSON on one `data` line (serde_json escapes
/// every newline inside strings, so the JSON never breaks the frame). Built once per change and
/// shared by every viewer's stream (reference-counted, never copied per viewer).
fn frame(event: &str, seq: u64, json: &str) -> Bytes {
    Bytes::from(format!("event: {event}\nid: {seq}\ndata: {json}\n\n"))
}

/// Plain data as JSON: serializing it into a String cannot fail; an empty object is sent
/// rather than nothing.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

/// A snapshot as published: encoded once, sent to every viewer as is.
#[derive(Debug)]
pub struct Published {
    pub snapshot: EnvSnapshot,
    pub frame: Bytes,
}

impl Published {
    fn new(snapshot: EnvSnapshot) -> Self {
        let frame = frame("env", snapshot.seq, &json(&snapshot));
        Self { snapshot, frame }
    }
}

impl std::ops::Deref for Published {
    type Target = EnvSnapshot;
    fn deref(&self) -> &EnvSnapshot {
        &self.snapshot
    }
}

/// A cloud snapshot as published, encoded once.
#[derive(Debug)]
pub struct PublishedCloud {
    pub cloud: CloudSnapshot,
    pub frame: Bytes,
}

impl PublishedCloud {
    fn new(cloud: CloudSnapshot) -> Self {
        let frame = frame("cloud", cloud.seq, &json(&cloud));
        Self { cloud, frame }
    }
}

/// How many action requests wait for a decision — the count in everyone's header — and those in
/// flight (waiting, running, outcome unknown) for the wall's strip.
#[derive(Debug)]
pub struct PublishedInbox {
    pub seq: u64,
    pub pending: u32,
    pub open: Vec<OpenRequest>,
    pub frame: Bytes,
}

/// The open incidents and proposals, encoded once.
#[derive(Debug)]
pub struct PublishedIncidents {
    pub live: IncidentsLive,
    pub frame: Bytes,
}

/// One thing a viewer may be sent.
#[derive(Clone, Debug)]
pub enum LiveItem {
    Env(Arc<Published>),
    Cloud(Arc<PublishedCloud>),
    Inbox(Arc<PublishedInbox>),
    Incidents(Arc<PublishedIncidents>),
}

impl LiveItem {
    pub fn seq(&self) -> u64 {
        match self {
            LiveItem::Env(e) => e.seq,
            LiveItem::Cloud(c) => c.cloud.seq,
            LiveItem::Inbox(i) => i.seq,
            LiveItem::Incidents(i) => i.live.seq,
        }
    }

    /// The whole SSE event, shared: cloning it copies a pointer, not the bytes.
    pub fn frame(&self) -> Bytes {
        match self {
            LiveItem::Env(e) => e.frame.clone(),
            LiveItem::Cloud(c) => c.frame.clone(),
            LiveItem::Inbox(i) => i.frame.clone(),
            LiveItem::Incidents(i) => i.frame.clone(),
        }
    }

    /// What a newer item replaces: one per kind and environment.
    pub fn key(&self) -> (&'static str, &str) {
        match self {
            LiveItem::Env(e) => ("env", e.name.as_str()),
            LiveItem::Cloud(c) => ("cloud", c.cloud.name.as_str()),
            LiveItem::Inbox(_) => ("inbox", ""),
            LiveItem::Incidents(_) => ("incidents", ""),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct LiveState {
    /// In configuration order.
    pub envs: Vec<Arc<Published>>,
    /// Environments with AWS resources configured, in configuration order.
    pub clouds: Vec<Arc<PublishedCloud>>,
    /// Set once the actions worker has counted the requests waiting for a decision.
    pub inbox: Option<Arc<PublishedInbox>>,
    /// Set once the incident watcher has looked.
    pub incidents: Option<Arc<PublishedIncidents>>,
}

impl LiveState {
    pub fn items(&self) -> impl Iterator<Item = LiveItem> + '_ {
        self.envs
            .iter()
            .cloned()
            .map(LiveItem::Env)
            .chain(self.clouds.iter().cloned().map(LiveItem::Cloud))
            .chain(self.inbox.iter().cloned().map(LiveItem::Inbox))
            .chain(self.incidents.iter().cloned().map(LiveItem::Incidents))
    }

    fn max_seq(&self) -> u64 {
        self.items().map(|i| i.seq()).max().unwrap_or(0)
    }
}

pub struct Hub {
    tx: watch::Sender<LiveState>,
    demo: bool,
    /// Whether this replica leads: only then do its own pollers and watchers change what viewers
    /// see; otherwise only what the leader published ([`Hub::apply_remote`]) does.
    leading: std::sync::atomic::AtomicBool,
}

/// Sequence numbers are microseconds since the epoch (made strictly increasing), so they keep
/// increasing across restarts and replicas and a reconnecting browser's Last-Event-ID stays
/// meaningful on any replica. The placeholders a hub starts with are numbered 1, 2, 3…: anything
/// published replaces them.
fn next_seq(prev: u64) -> u64 {
    let now = u64::try_from(Utc::now().timestamp_micros()).unwrap_or(0);
    now.max(prev + 1)
}

impl Hub {
    pub fn new(initial: Vec<EnvSnapshot>, clouds: Vec<CloudSnapshot>, demo: bool) -> Self {
        let mut last = 0;
        let envs = initial
            .into_iter()
            .map(|mut e| {
                last += 1;
                e.seq = last;
                Arc::new(Published::new(e))
            })
            .collect();
        let clouds = clouds
            .into_iter()
            .map(|mut c| {
                last += 1;
                c.seq = last;
                Arc::new(PublishedCloud::new(c))
            })
            .collect();
        let (tx, _) = watch::channel(LiveState {
            envs,
            clouds,
            inbox: None,
            incidents: None,
        });
        Self {
            tx,
            demo,
            leading: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Lead (this replica's pollers publish) or follow (only the leader's items are applied).
    pub fn set_leading(&self, leading: bool) {
        self.leading
            .store(leading, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_leading(&self) -> bool {
        self.leading.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Change one environment's cloud snapshot (one panel at a time) and wake every viewer.
    /// An environment without AWS configured has no cloud snapshot; the change is dropped.
    pub fn update_cloud(&self, name: &EnvName, change: impl FnOnce(&mut CloudSnapshot)) {
        if !self.is_leading() {
            return;
        }
        self.tx.send_if_modified(|state| {
            let seq = next_seq(state.max_seq());
            let Some(slot) = state.clouds.iter_mut().find(|c| &c.cloud.name == name) else {
                return false;
            };
            let mut cloud = slot.cloud.clone();
            change(&mut cloud);
            cloud.seq = seq;
            *slot = Arc::new(PublishedCloud::new(cloud));
            true
        });
    }

    /// Publish the requests in flight (and how many wait for a decision), when they changed.
    pub fn set_inbox(&self, open: Vec<OpenRequest>) {
        let pending = u32::try_from(
            open.iter()
                .filter(|r| r.state == app::domain::actions::State::Pending)
                .count(),
        )
        .unwrap_or(u32::MAX);
        if !self.is_leading() {
            return;
        }
        self.tx.send_if_modified(|state| {
            if state
                .inbox
                .as_ref()
                .is_some_and(|i| i.pending == pending && i.open == open)
            {
                return false;
            }
            let seq = next_seq(state.max_seq());
            let body = serde_json::json!({ "pending": pending, "open": open }).to_string();
            state.inbox = Some(Arc::new(PublishedInbox {
                seq,
                pending,
                open,
                frame: frame("inbox", seq, &body),
            }));
            true
        });
    }

    /// Publish the open incidents and proposals (the watcher calls this when they changed).
    pub fn set_incidents(&self, mut live: IncidentsLive) {
        if !self.is_leading() {
            return;
        }
        self.tx.send_modify(|state| {
            live.seq = next_seq(state.max_seq());
            let frame = frame("incidents", live.seq, &json(&live));
            state.incidents = Some(Arc::new(PublishedIncidents { live, frame }));
        });
    }

    pub fn cloud(&self, name: &str) -> Option<Arc<PublishedCloud>> {
        self.tx
            .borrow()
            .clouds
            .iter()
            .find(|c| c.cloud.name.as_str() == name)
            .cloned()
    }

    /// Replace one environment's snapshot and wake every viewer.
    pub fn publish(&self, mut snap: EnvSnapshot) {
        if !self.is_leading() {
            return;
        }
        self.tx.send_modify(|state| {
            snap.seq = next_seq(state.max_seq());
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
        let state = self.current();
        Dashboard {
            environments: state.envs.iter().map(|e| e.snapshot.clone()).collect(),
            clouds: state.clouds.iter().map(|c| c.cloud.clone()).collect(),
            incidents: state
                .incidents
                .as_ref()
                .map(|i| i.live.clone())
                .unwrap_or_default(),
            in_flight: state
                .inbox
                .as_ref()
                .map(|i| i.open.clone())
                .unwrap_or_default(),
            generated_at: Some(Utc::now()),
            demo: self.demo,
        }
    }
}
