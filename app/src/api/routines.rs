//! Change freezes and overrides: an approver declares or ends a freeze and reviews someone else's
//! override. Roles are checked here, on the server; the CSRF token by the guard.

use super::AppError;
use crate::domain::routines::Override;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// `hours`: how long from now (1 to 336).
#[server(prefix = "/api/fn", endpoint = "declare_freeze")]
pub async fn declare_freeze(
    reason: String,
    hours: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::routines::declare_freeze(&super::services()?, &who, &reason, &hours)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "end_freeze")]
pub async fn end_freeze(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::routines::end_freeze(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "review_override")]
pub async fn review_override(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::routines::review_override(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

/// The newest overrides, unreviewed first (approvers and admins).
#[server(prefix = "/api/fn", endpoint = "get_overrides", input = GetUrl)]
pub async fn get_overrides() -> Result<Vec<Override>, AppError> {
    super::require(crate::domain::Role::Approver)?;
    crate::usecases::routines::overrides(&super::services()?)
        .await
        .map_err(super::respond)
}
