//! Stored health samples: the history that survives restarts.

use super::PortError;
use crate::domain::{Endpoint, EnvName, ProbeResult, SamplePoint, Thresholds};
use chrono::{DateTime, Utc};

#[async_trait::async_trait]
pub trait HealthSamples: Send + Sync {
    /// Store one round. `latency` decides whether each probe counts as up (see `ProbeResult::is_up`).
    async fn record(
        &self,
        env: &EnvName,
        results: &[ProbeResult],
        latency: &Thresholds,
    ) -> Result<(), PortError>;

    /// Compact points of one endpoint of `env` taken at or after `since`, oldest first.
    async fn since(
        &self,
        env: &EnvName,
        endpoint: Endpoint,
        since: DateTime<Utc>,
    ) -> Result<Vec<SamplePoint>, PortError>;

    /// The newest `limit` samples of `env` (all endpoints), newest first.
    async fn recent(&self, env: &EnvName, limit: u32) -> Result<Vec<ProbeResult>, PortError>;

    /// Delete samples older than `before`; returns how many went.
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, PortError>;
}
