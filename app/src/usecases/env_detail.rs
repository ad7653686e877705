//! The detail of one environment: its live snapshot plus stored history.

use crate::api::{AppError, EnvDetail};
use crate::domain::{history, Endpoint, EnvName};
use crate::ports::Services;
use chrono::{Duration, Utc};

#[tracing::instrument(skip(services))]
pub async fn env_detail(services: &Services, name: &str) -> Result<EnvDetail, AppError> {
    let name = EnvName::parse(name).map_err(|e| AppError::NotFound(e.to_string()))?;
    let snapshot = services
        .live
        .dashboard()
        .env(name.as_str())
        .cloned()
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "no environment named {:?} is configured",
                name.as_str()
            ))
        })?;
    let now = Utc::now();
    let points = services
        .samples
        .since(&name, Endpoint::Health, now - Duration::hours(24))
        .await?;
    let recent = services.samples.recent(&name, 60).await?;
    Ok(EnvDetail {
        snapshot,
        history_24h: history::buckets(&points, now, Duration::minutes(15), 96),
        recent,
        generated_at: now,
    })
}
