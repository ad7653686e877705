//! The evidence beside an approve button: one environment's health and key metrics now, taken
//! from its health snapshot and its cloud snapshot. A change request records it when asked, and
//! approvers of an action or a deploy gate see it refreshed.

use super::cloud::{CloudSnapshot, MetricKind};
use super::dashboard::EnvSnapshot;
use super::Level;
use serde::{Deserialize, Serialize};

/// The live evidence beside an approve button: one environment's health and key metrics now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvEvidence {
    pub name: String,
    pub level: Level,
    /// (value in %, its level)
    pub error_rate: Option<(f64, Level)>,
    /// (value in ms, its level)
    pub response_time: Option<(f64, Level)>,
}

impl EnvEvidence {
    pub fn of(env: &EnvSnapshot, cloud: Option<&CloudSnapshot>) -> Self {
        let metric = |kind| {
            let s = cloud?.metrics.as_ref()?.value.as_ref()?.get(kind)?;
            Some((s.latest()?.value?, s.level()))
        };
        Self {
            name: env.name.to_string(),
            level: env.level,
            error_rate: metric(MetricKind::ErrorRate),
            response_time: metric(MetricKind::ResponseTime),
        }
    }
}
