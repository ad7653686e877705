//! An environment's database diagnostics: operators and approvers (checked in the use case).

use super::AppError;
use crate::domain::database::DatabasePage;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "database", input = GetUrl)]
pub async fn get_database(env: String) -> Result<DatabasePage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::database::database_page(&super::services()?, &who, &env)
        .await
        .map_err(super::respond)
}
