//! `GET /api/v1/live`: Server-Sent Events. On connect every environment is sent (or, after a
//! reconnect with `Last-Event-ID`, only what changed since); then each change as it happens.
//! A comment line every 15 s keeps proxies from closing an idle stream.

use crate::auth::WallSession;
use crate::live::{LiveItem, Viewer};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tower_sessions::session::Id;
use tower_sessions::SessionStore as _;

/// Cancel `stop` once the stream's session has ended (signed out, expired) or, for a wall
/// screen, its token was revoked — or when the stream ended some other way.
pub(super) async fn end_with_session(
    state: AppState,
    session: Option<Id>,
    wall: Option<i64>,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(if wall.is_some() { WALL_CHECK } else { SESSION_CHECK }) => {}
        }
        // A database that does not answer keeps the stream going: only a real end stops it.
        let revoked = match wall {
            Some(id) => !crate::store::wall_tokens::is_active(&state.pool, id)
                .await
                .unwrap_or(true),
            None => false,
        };
        let gone = match session {
            Some(id) => matches!(state.session_store.load(&id).await, Ok(None)),
            None => false,
        };
        if revoked || gone {
            tracing::info!(revoked, "session ended: closing its live stream");
            stop.cancel();
            return;
        }
    }
}

/// The snapshot's JSON was encoded once when it was published, not once per viewer.
fn event(item: &LiveItem) -> Event {
    Event::default()
        .event(item.event())
        .id(item.seq().to_string())
        .data(item.json())
}

/// How often a wall screen's stream checks its token: a revoked screen must go dark within seconds.
const WALL_CHECK: Duration = Duration::from_secs(2);
/// How often a person's stream checks their session: each check is a database read per viewer.
const SESSION_CHECK: Duration = Duration::from_secs(10);

pub async fn stream(
    State(state): State<AppState>,
    wall: Option<Extension<WallSession>>,
    session: tower_sessions::Session,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Response> {
    // One client cannot hold thousands of streams: 429 in words, and the page backs off.
    let slot = state
        .streams
        .take(session.id().map(|id| id.to_string()))
        .map_err(|full| {
            let mut r = (StatusCode::TOO_MANY_REQUESTS, format!("{full}\n")).into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            r
        })?;
    // A malformed Last-Event-ID is treated as none: the viewer gets everything.
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // Ends this stream: at shutdown, or when a wall screen's token is revoked. Dropped with the
    // stream, so the watcher below stops when the browser goes away.
    let stop = state.shutdown.child_token();
    let wall = wall.map(|Extension(WallSession(id))| id);
    if matches!(state.auth, crate::auth::Access::SignIn(_)) {
        tokio::spawn(end_with_session(
            state.clone(),
            session.id(),
            wall,
            stop.clone(),
        ));
    }
    let viewer = Viewer::new(state.hub.subscribe(), last_event_id, stop.clone());
    let guard = (state.metrics.viewer(), stop.drop_guard(), slot);
    // Tell the browser how soon to retry if the stream drops.
    let hello = Event::default()
        .retry(Duration::from_secs(2))
        .comment("opsdeck live");
    let updates = stream::unfold((viewer, guard), |(mut viewer, guard)| async move {
        let item = viewer.next().await?;
        Some((Ok(event(&item)), (viewer, guard)))
    });
    let events = stream::once(async move { Ok(hello) }).chain(updates);
    Ok(Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    ))
}
