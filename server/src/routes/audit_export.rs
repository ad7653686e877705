//! `GET /api/v1/audit.csv` and `/api/v1/audit.json`: the audit log, filtered like the audit page
//! (`?person=&env=&action=&limit=`), for approvers and admins.

use crate::state::AppState;
use app::domain::audit::{to_csv, AuditFilter};
use app::domain::{Role, SessionInfo};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

async fn events(
    state: &AppState,
    info: &SessionInfo,
    filter: &AuditFilter,
) -> Result<Vec<app::domain::audit::AuditEvent>, Response> {
    if !info.principal.has(Role::Approver) {
        return Err((
            StatusCode::FORBIDDEN,
            "the audit log needs the approver role\n",
        )
            .into_response());
    }
    state
        .services
        .audit
        .search(filter)
        .await
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response())
}

pub async fn csv(
    State(state): State<AppState>,
    Extension(info): Extension<SessionInfo>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    match events(&state, &info, &filter).await {
        Ok(list) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"opsdeck-audit.csv\"",
                ),
            ],
            to_csv(&list),
        )
            .into_response(),
        Err(r) => r,
    }
}

pub async fn json(
    State(state): State<AppState>,
    Extension(info): Extension<SessionInfo>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    match events(&state, &info, &filter).await {
        Ok(list) => (
            [(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"opsdeck-audit.json\"",
            )],
            axum::Json(list),
        )
            .into_response(),
        Err(r) => r,
    }
}
