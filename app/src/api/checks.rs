//! The morning check: read by anyone signed in, signed off by operators (checked on the server;
//! the CSRF token by the guard).

use super::AppError;
use crate::domain::routines::morning::MorningCheck;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "morning_check", input = GetUrl)]
pub async fn get_morning_check() -> Result<MorningCheck, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::checks::morning_check(&super::services()?, &who)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "sign_off_morning")]
pub async fn sign_off_morning(
    note: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    crate::usecases::checks::sign_off_morning(&super::services()?, &who, &note)
        .await
        .map_err(super::respond)
}
