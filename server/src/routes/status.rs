//! `GET /api/v1/status`: the current snapshot as JSON, for scripts (`curl … | jq`).

use crate::state::AppState;
use app::ports::LiveStatus;
use axum::extract::State;
use axum::Json;

pub async fn status(State(state): State<AppState>) -> Json<app::domain::Dashboard> {
    Json(state.hub.dashboard())
}
