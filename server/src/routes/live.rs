//! `GET /api/v1/live`: Server-Sent Events. On connect every environment is sent (or, after a
//! reconnect with `Last-Event-ID`, only what changed since); then each change as it happens.
//! A comment line every 15 s keeps proxies from closing an idle stream.

use crate::startup::AppState;
use app::domain::EnvSnapshot;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

struct Viewer {
    rx: tokio::sync::watch::Receiver<crate::live::LiveState>,
    /// Highest sequence number this viewer has, per environment.
    seen: HashMap<String, u64>,
    floor: u64,
    queue: VecDeque<Arc<EnvSnapshot>>,
    first: bool,
    _guard: crate::metrics::ViewerGuard,
}

impl Viewer {
    fn fill(&mut self) {
        let state = self.rx.borrow_and_update().clone();
        for env in state.envs {
            let seen = self
                .seen
                .get(env.name.as_str())
                .copied()
                .unwrap_or(self.floor);
            if env.seq > seen {
                self.seen.insert(env.name.to_string(), env.seq);
                self.queue.push_back(env);
            }
        }
    }
}

fn event(env: &EnvSnapshot) -> Event {
    match serde_json::to_string(env) {
        Ok(json) => Event::default()
            .event("env")
            .id(env.seq.to_string())
            .data(json),
        Err(e) => Event::default().comment(format!("could not encode {}: {e}", env.name)),
    }
}

pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let floor = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let viewer = Viewer {
        rx: state.hub.subscribe(),
        seen: HashMap::new(),
        floor,
        queue: VecDeque::new(),
        first: true,
        _guard: state.metrics.viewer(),
    };
    let events = stream::unfold(viewer, |mut v| async move {
        loop {
            if v.first {
                v.first = false;
                v.fill();
                // Tell the browser how soon to retry if the stream drops.
                return Some((
                    Ok(Event::default()
                        .retry(Duration::from_secs(2))
                        .comment("opsdeck live")),
                    v,
                ));
            }
            if let Some(env) = v.queue.pop_front() {
                return Some((Ok(event(&env)), v));
            }
            if v.rx.changed().await.is_err() {
                return None; // the server is shutting down
            }
            v.fill();
        }
    });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    )
}
