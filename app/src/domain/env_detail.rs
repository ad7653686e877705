//! One environment's detail page as it travels to the browser: the live snapshot, stored history,
//! its AWS and deploy panels, and the evidence beside a deploy review.

use super::{EnvSnapshot, LatencyBucket, ProbeResult};
use chrono::{DateTime, Utc};
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
    pub cloud: Option<super::CloudSnapshot>,
    /// Every environment's health and key metrics now: the evidence beside a deploy review.
    pub evidence: Vec<super::evidence::EnvEvidence>,
    pub review: super::deploys::ReviewAbility,
}
