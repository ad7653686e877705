//! `GET /api/v1/logs/tail?env=prod&filter=ERROR`: an environment's live log tail as Server-Sent
//! Events, for operators and approvers (log lines may carry what clients sent). The tail itself is
//! shared (`logs::tail`); the filter, a CloudWatch pattern, is applied here to lines already read.
//! Each `lines` event is `{"lines":[…],"error":…}` built from lines encoded once for everyone.

use crate::log_pattern::Pattern;
use crate::logs::tail::{keep, TailLine};
use crate::state::AppState;
use app::domain::SessionInfo;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

#[derive(serde::Deserialize)]
pub struct TailQuery {
    env: String,
    #[serde(default)]
    filter: Option<String>,
}

fn refuse(status: StatusCode, words: String) -> Response {
    (status, format!("{words}\n")).into_response()
}

/// One event from lines that pass the filter (their JSON already made) and an error, if any.
fn batch(lines: &[Arc<TailLine>], filter: Option<&Pattern>, error: Option<&str>) -> Option<Event> {
    let kept: Vec<&str> = lines
        .iter()
        .filter(|l| keep(filter, l))
        .map(|l| l.json.as_ref())
        .collect();
    if kept.is_empty() && error.is_none() {
        return None;
    }
    let error = serde_json::to_string(&error).unwrap_or_else(|_| "null".into());
    let data = format!("{{\"lines\":[{}],\"error\":{error}}}", kept.join(","));
    Some(Event::default().event("lines").data(data))
}

pub async fn stream(
    State(state): State<AppState>,
    Extension(info): Extension<SessionInfo>,
    session: tower_sessions::Session,
    Query(q): Query<TailQuery>,
) -> Response {
    if let Err(e) = app::usecases::logs::require_reader(&info.principal, "the live tail") {
        return refuse(StatusCode::FORBIDDEN, e.to_string());
    }
    let filter = match q.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(f) => match Pattern::parse(f) {
            Ok(p) => Some(p),
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("the filter {f:?} is not a pattern CloudWatch reads: {e}"),
                )
            }
        },
    };
    let slot = match state.streams.take(session.id().map(|id| id.to_string())) {
        Ok(s) => s,
        Err(full) => {
            let mut r = refuse(StatusCode::TOO_MANY_REQUESTS, full.to_string());
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            return r;
        }
    };
    let Some(sub) = state.logs.tails.subscribe(&q.env) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!(
                "no log group is configured for an environment named {:?}",
                q.env
            ),
        );
    };
    let stop = state.shutdown.child_token();
    let watching = super::live::watch_session(&state, &session, None, &stop);
    let hello = Event::default()
        .retry(Duration::from_secs(3))
        .comment("opsdeck tail");
    let backlog = batch(&sub.backlog, filter.as_ref(), None).unwrap_or_else(|| {
        Event::default()
            .event("lines")
            .data("{\"lines\":[],\"error\":null}")
    });
    let guard = (stop.clone().drop_guard(), slot, watching);
    let updates = stream::unfold(
        (sub.updates, filter, stop, guard),
        |(mut rx, filter, stop, guard)| async move {
            loop {
                let got = tokio::select! {
                    () = stop.cancelled() => return None,
                    got = rx.recv() => got,
                };
                let event = match got {
                    Ok(e) => batch(&e.lines, filter.as_ref(), e.error.as_deref()),
                    // Too slow a reader missed batches: say so rather than pretend.
                    Err(RecvError::Lagged(n)) => Some(Event::default().event("lines").data(format!(
                        "{{\"lines\":[],\"error\":\"this page fell behind and missed {n} batches of lines\"}}"
                    ))),
                    Err(RecvError::Closed) => return None,
                };
                if let Some(event) = event {
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (rx, filter, stop, guard),
                    ));
                }
            }
        },
    );
    let events = stream::iter([Ok(hello), Ok(backlog)]).chain(updates);
    Sse::new(events)
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(15))
                .text("heartbeat"),
        )
        .into_response()
}
