//! `GET /api/v1/live`: Server-Sent Events. On connect every environment is sent (or, after a
//! reconnect with `Last-Event-ID`, only what changed since); then each change as it happens.
//! A comment line every 15 s keeps proxies from closing an idle stream.

use crate::auth::WallSession;
use crate::live::Viewer;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use std::convert::Infallible;
use std::time::Duration;

/// The first bytes of every stream: how soon the browser retries if it drops, and a comment.
const HELLO: &[u8] = b"retry: 2000\n: opsdeck live\n\n";
/// Sent when nothing else was for [`KEEP_ALIVE`], so proxies do not close an idle stream.
const HEARTBEAT: &[u8] = b": heartbeat\n\n";
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Register a stream for ending with its session (and wall token), where people sign in.
pub(super) fn watch_session(
    state: &AppState,
    session: &tower_sessions::Session,
    wall: Option<i64>,
    stop: &tokio_util::sync::CancellationToken,
) -> Option<crate::live::Watching> {
    matches!(state.auth, crate::auth::Access::SignIn(_)).then(|| {
        state
            .stream_ends
            .watch(session.id().map(|id| id.to_string()), wall, stop.clone())
    })
}

/// The live feed as a raw `text/event-stream` body: each change's event was encoded once, whole,
/// when it was published, and every viewer's stream sends that same buffer (a reference count,
/// not a copy); a new viewer starts from the same shared buffers.
pub async fn stream(
    State(state): State<AppState>,
    wall: Option<Extension<WallSession>>,
    session: tower_sessions::Session,
    headers: HeaderMap,
) -> Result<Response, Response> {
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
    // Ends this stream: at shutdown, when its session ends or a wall screen's token is revoked.
    let stop = state.shutdown.child_token();
    let wall = wall.map(|Extension(WallSession(id))| id);
    let watching = watch_session(&state, &session, wall, &stop);
    let viewer = Viewer::new(state.hub.subscribe(), last_event_id, stop.clone());
    let guard = (state.metrics.viewer(), stop.drop_guard(), slot, watching);
    let updates = stream::unfold((viewer, guard), |(mut viewer, guard)| async move {
        let frame = match tokio::time::timeout(KEEP_ALIVE, viewer.next()).await {
            Ok(item) => item?.frame(),
            Err(_) => Bytes::from_static(HEARTBEAT),
        };
        Some((Ok::<_, Infallible>(frame), (viewer, guard)))
    });
    let body = stream::once(async { Ok(Bytes::from_static(HELLO)) }).chain(updates);
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
