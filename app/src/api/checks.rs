//! The morning and weekly checks and restore drills: read by anyone signed in, signed off and
//! recorded by operators (checked on the server; the CSRF token by the guard).

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

#[server(prefix = "/api/fn", endpoint = "weekly_check", input = GetUrl)]
pub async fn get_weekly_check() -> Result<crate::domain::routines::WeeklyCheck, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::weekly::weekly_check(&super::services()?, &who)
        .await
        .map_err(super::respond)
}

/// `done` holds the indices of the manual items ticked (`done[0]=0&done[1]=2`).
#[server(prefix = "/api/fn", endpoint = "sign_off_weekly")]
pub async fn sign_off_weekly(
    note: String,
    done: Option<Vec<String>>,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    crate::usecases::weekly::sign_off_weekly(
        &super::services()?,
        &who,
        &note,
        &done.unwrap_or_default(),
    )
    .await
    .map_err(super::respond)
}

/// Mark a restore request a drill. A checkbox is present (any value) when ticked.
#[server(prefix = "/api/fn", endpoint = "record_drill")]
pub async fn record_drill(
    request_id: i64,
    restored: Option<String>,
    data_checked: Option<String>,
    cleaned_up: Option<String>,
    note: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let form = crate::usecases::weekly::DrillForm {
        restored: restored.is_some(),
        data_checked: data_checked.is_some(),
        cleaned_up: cleaned_up.is_some(),
        note,
    };
    crate::usecases::weekly::record_drill(&super::services()?, &who, request_id, form)
        .await
        .map_err(super::respond)
}
