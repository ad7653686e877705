//! Reading the dashboard and one environment's detail.

use super::AppError;
use crate::domain::{Dashboard, EnvSnapshot, LatencyBucket, ProbeResult};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvDetail {
    pub snapshot: EnvSnapshot,
    /// Last 24 hours of the health endpoint, 15-minute buckets.
    pub history_24h: Vec<LatencyBucket>,
    /// Newest stored samples of all endpoints, newest first.
    pub recent: Vec<ProbeResult>,
    pub generated_at: DateTime<Utc>,
    /// Why stored history could not be read, if it could not: the live part still shows.
    pub history_error: Option<String>,
    pub demo: bool,
    /// The AWS and deploy panels, when the environment has them configured.
    pub cloud: Option<crate::domain::CloudSnapshot>,
    /// Every environment's health and key metrics now: the evidence beside a deploy review.
    pub evidence: Vec<crate::domain::evidence::EnvEvidence>,
    pub review: crate::domain::deploys::ReviewAbility,
}

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
