//! Signing in and out, and the session as JSON for scripts.

use super::{session, Access};
use crate::startup::AppState;
use crate::store::users;
use app::domain::{local_path, Principal, SessionInfo};
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct DemoSignIn {
    user: String,
    #[serde(default)]
    next: String,
}

/// `POST /signin/demo`: sign in as one of the demo's people. Exists only in demo mode (which
/// only listens on loopback).
pub async fn demo_sign_in(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<DemoSignIn>,
) -> Response {
    let Access::SignIn(settings) = &state.auth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((_, identity)) = settings.demo_users.iter().find(|(u, _)| u.key == form.user) else {
        let _ = users::audit(
            &state.pool,
            None,
            &format!("demo:{}", form.user),
            "sign_in_failed",
            serde_json::json!({"reason": "no such demo user"}),
        )
        .await;
        return (StatusCode::BAD_REQUEST, "no such demo user\n").into_response();
    };
    let user_id = match users::upsert_user(&state.pool, identity).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!("recording the user failed: {e}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "sign-in is unavailable: the database did not answer\n",
            )
                .into_response();
        }
    };
    let principal = Principal {
        user_id,
        display_name: identity.display_name.clone(),
        roles: settings.grants.roles_for(identity),
    };
    if let Err(e) = session::sign_in(&session, &principal).await {
        tracing::error!("starting the session failed: {e}");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "sign-in is unavailable: the session could not be stored\n",
        )
            .into_response();
    }
    let roles: Vec<&str> = principal.roles.iter().map(|r| r.as_str()).collect();
    if let Err(e) = users::audit(
        &state.pool,
        Some(user_id),
        &principal.display_name,
        "sign_in",
        serde_json::json!({"provider": "demo", "roles": roles}),
    )
    .await
    {
        tracing::warn!("auditing a sign-in failed: {e}");
    }
    Redirect::to(local_path(&form.next)).into_response()
}

/// `POST /signout`: end the session everywhere it is used (it is deleted from the store).
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    info: Option<Extension<SessionInfo>>,
) -> Response {
    if let Some(Extension(info)) = info.filter(|i| i.signed_in) {
        let p = &info.principal;
        if let Err(e) = users::audit(
            &state.pool,
            Some(p.user_id),
            &p.display_name,
            "sign_out",
            serde_json::json!({}),
        )
        .await
        {
            tracing::warn!("auditing a sign-out failed: {e}");
        }
    }
    session::sign_out(&session).await;
    Redirect::to("/signin").into_response()
}

/// `GET /api/v1/session`: who is signed in, their roles, and the CSRF token for scripts.
pub async fn current(Extension(info): Extension<SessionInfo>) -> Json<SessionInfo> {
    Json(info)
}
