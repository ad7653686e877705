//! Change control's server functions: request an action, decide on a request (approve, reject,
//! break glass), review a break-glass execution, verify an outcome nobody knows, and read them.
//! Each checks the role on the server and calls a use case (`usecases::change`); the CSRF token is
//! checked by the guard before any of this runs.

// A request's form has one field per parameter of any action kind; the `#[server]` macro's
// generated functions take them one by one and cannot carry an attribute of their own.
#![allow(clippy::too_many_arguments)]

use super::AppError;
pub use crate::domain::change::{ActionsPage, RequestPage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "request_action")]
pub async fn request_action(
    env: String,
    kind: String,
    version: Option<String>,
    count: Option<String>,
    snapshot: Option<String>,
    new_instance: Option<String>,
    /// The database session of a "Cancel query" or "Terminate connection".
    pid: Option<String>,
    reason: String,
    csrf_token: Option<String>,
) -> Result<i64, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let form = crate::usecases::change::RequestForm {
        env,
        kind,
        version,
        count,
        snapshot,
        new_instance,
        pid,
        reason,
    };
    crate::usecases::change::request(&super::services()?, &who, form)
        .await
        .map_err(super::respond)
}

/// `decision`: approve, reject, or break_glass (approve alone, where the policy allows, with a
/// reason in `comment`).
#[server(prefix = "/api/fn", endpoint = "decide_request")]
pub async fn decide_request(
    id: i64,
    decision: String,
    comment: String,
    /// Approving during a change freeze, and why (only asked for then).
    override_reason: Option<String>,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::change::decide(
        &super::services()?,
        &who,
        id,
        &decision,
        &comment,
        override_reason.as_deref().unwrap_or_default(),
    )
    .await
    .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "review_request")]
pub async fn review_request(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::change::review(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

/// Look at the real state of what an "outcome unknown" request did; recorded in the audit log.
#[server(prefix = "/api/fn", endpoint = "verify_request")]
pub async fn verify_request(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    crate::usecases::change::verify(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

/// Close an "outcome unknown" request after looking at the real state: `outcome` is `done` or
/// `failed`; `reason` says what was found.
#[server(prefix = "/api/fn", endpoint = "resolve_request")]
pub async fn resolve_request(
    id: i64,
    outcome: String,
    reason: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    crate::usecases::change::resolve(&super::services()?, &who, id, &outcome, &reason)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "action_request", input = GetUrl)]
pub async fn get_request(id: i64) -> Result<RequestPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::change::request_page(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "action_requests", input = GetUrl)]
pub async fn get_actions() -> Result<ActionsPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::change::actions_page(&super::services()?, &who)
        .await
        .map_err(super::respond)
}
