//! opsdeck's own health: `/healthz` (the process answers), `/readyz` (and its database does),
//! `/metrics` (Prometheus text).

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use std::time::Duration;

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let check = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(&state.pool),
    )
    .await;
    match check {
        Ok(Ok(_)) => (StatusCode::OK, "ready: database reachable\n".to_owned()),
        Ok(Err(e)) => {
            // The details (hosts, users) go to the log, not to whoever asks.
            tracing::warn!("readiness check: database error: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not ready: database error (details in opsdeck's log)\n".to_owned(),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: database did not answer within 2 s\n".to_owned(),
        ),
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
}
