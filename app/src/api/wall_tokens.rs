//! Managing wall-screen tokens: admins only.

use super::AppError;
use crate::domain::WallToken;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "wall_tokens", input = GetUrl)]
pub async fn list_wall_tokens() -> Result<Vec<WallToken>, AppError> {
    super::require(crate::domain::Role::Admin)?;
    super::services()?
        .wall_tokens
        .list()
        .await
        .map_err(|e| super::respond(e.into()))
}

/// Returns the new token's secret: the only time it is shown.
#[server(prefix = "/api/fn", endpoint = "wall_token_create")]
pub async fn create_wall_token(
    name: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token; // checked by the server's guard
    let admin = super::require(crate::domain::Role::Admin)?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 64 {
        let why = "a wall token needs a name of 1–64 characters".to_owned();
        return Err(super::respond(AppError::BadRequest(why)));
    }
    super::services()?
        .wall_tokens
        .create(&name, &admin)
        .await
        .map_err(|e| super::respond(e.into()))
}

#[server(prefix = "/api/fn", endpoint = "wall_token_revoke")]
pub async fn revoke_wall_token(name: String, csrf_token: Option<String>) -> Result<(), AppError> {
    let _ = csrf_token; // checked by the server's guard
    let admin = super::require(crate::domain::Role::Admin)?;
    super::services()?
        .wall_tokens
        .revoke(&name, &admin)
        .await
        .map_err(|e| super::respond(e.into()))
}
