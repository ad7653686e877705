//! Reading the dashboard and one environment's detail.

use super::AppError;
use crate::domain::{Dashboard, EnvDetail};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "dashboard", input = GetUrl)]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let mut dashboard = super::services()?.live.dashboard();
    // The overview shows the latest figures; hours of series belong to the detail page.
    for cloud in &mut dashboard.clouds {
        *cloud = cloud.summary();
    }
    Ok(dashboard)
}

#[server(prefix = "/api/fn", endpoint = "env", input = GetUrl)]
pub async fn get_env_detail(name: String) -> Result<EnvDetail, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    let services = super::services()?;
    let result = crate::usecases::env_detail::env_detail(&services, &name, &who).await;
    if let Err(AppError::NotFound(_)) = &result {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    result
}
