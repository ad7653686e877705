//! An environment's log searches and their newest lines: operators and approvers (checked in the
//! use case).

use super::AppError;
use crate::domain::logs::LogsPage;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// A tail filter as CloudWatch would read it: refused in words before the tail is reopened.
#[server(prefix = "/api/fn", endpoint = "log_filter", input = GetUrl)]
pub async fn check_log_filter(filter: String) -> Result<(), AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::logs::check_filter(&super::services()?, &who, &filter).map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "logs", input = GetUrl)]
pub async fn get_logs(env: String) -> Result<LogsPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::logs::logs_page(&super::services()?, &who, &env)
        .await
        .map_err(super::respond)
}
