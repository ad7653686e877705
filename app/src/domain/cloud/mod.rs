//! What the AWS panels show for one environment: the ECS service, CloudWatch metrics against
//! thresholds, RDS backups and the load balancer. Each panel comes from its own source, polled on
//! its own interval, and keeps its last value (marked stale, with the error) when a poll fails.

pub mod backups;
pub mod console;
pub mod ecs;
pub mod load_balancer;
pub mod metrics;
pub mod tasks;
pub mod trend;

pub use backups::{BackupsPanel, DbSnapshot, ReadReplica};
pub use ecs::{EcsDeployment, EcsEvent, EcsPanel, EcsTask};
pub use load_balancer::{LoadBalancerPanel, TargetGroupHealth};
pub use metrics::{MetricKind, MetricPoint, MetricSeries, MetricsPanel};
pub use tasks::{ScheduledTasksPanel, TaskRun};
pub use trend::{TrendRules, WeeklyTrend};

use super::{EnvName, Level};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One panel's data as last fetched, with its age and the last failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sourced<T> {
    /// The last value fetched successfully; kept while later polls fail.
    pub value: Option<T>,
    pub fetched_at: Option<DateTime<Utc>>,
    /// The last poll's failure in words, `None` once a poll succeeds again.
    pub error: Option<String>,
    pub error_at: Option<DateTime<Utc>>,
    /// The source's poll interval, so a page can tell when data is overdue.
    pub interval_ms: u64,
}

impl<T> Sourced<T> {
    pub fn new(interval_ms: u64) -> Self {
        Self {
            value: None,
            fetched_at: None,
            error: None,
            error_at: None,
            interval_ms,
        }
    }

    pub fn succeeded(&mut self, value: T, at: DateTime<Utc>) {
        self.value = Some(value);
        self.fetched_at = Some(at);
        self.error = None;
        self.error_at = None;
    }

    /// Keep the last value; record why this poll failed.
    pub fn failed(&mut self, error: String, at: DateTime<Utc>) {
        self.error = Some(error);
        self.error_at = Some(at);
    }

    /// Data older than two intervals (and at least 30 s, for a slow call) is overdue.
    pub fn stale_after_ms(&self) -> u64 {
        (self.interval_ms * 2).max(30_000)
    }

    /// Stale: the last poll failed, or nothing arrived for too long.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.error.is_some()
            || match self.fetched_at {
                None => true,
                Some(at) => (now - at).num_milliseconds() > self.stale_after_ms() as i64,
            }
    }
}

/// Everything the AWS sources know about one environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloudSnapshot {
    pub name: EnvName,
    /// Increases with every change; SSE event ids are built from it.
    pub seq: u64,
    pub region: String,
    /// `None` for a panel the environment's configuration does not ask for.
    pub ecs: Option<Sourced<EcsPanel>>,
    pub metrics: Option<Sourced<MetricsPanel>>,
    pub backups: Option<Sourced<BackupsPanel>>,
    pub load_balancer: Option<Sourced<LoadBalancerPanel>>,
    /// GitHub Actions deploys (from GitHub, not AWS, but polled and shown the same way).
    #[serde(default)]
    pub deploys: Option<Sourced<super::deploys::DeploysPanel>>,
    /// Runs of the scheduled task families seen in the last day.
    #[serde(default)]
    pub tasks: Option<Sourced<ScheduledTasksPanel>>,
    /// The last seven days against the seven before, for the weekly check.
    #[serde(default)]
    pub trend: Option<Sourced<WeeklyTrend>>,
    /// The log searches' counts (their lines stay on the server, for the logs page).
    #[serde(default)]
    pub logs: Option<Sourced<super::logs::LogsSummary>>,
}

impl CloudSnapshot {
    pub fn new(name: EnvName, region: String) -> Self {
        Self {
            name,
            seq: 0,
            region,
            ecs: None,
            metrics: None,
            backups: None,
            load_balancer: None,
            deploys: None,
            tasks: None,
            trend: None,
            logs: None,
        }
    }

    /// What the dashboard and the wall need: every panel, but of the metric series only the last
    /// few minutes (their chips show the latest value). The detail page gets the whole snapshot.
    pub fn summary(&self) -> Self {
        let mut s = self.clone();
        if let Some(panel) = s.metrics.as_mut().and_then(|m| m.value.as_mut()) {
            for series in &mut panel.series {
                series.day.clear();
                let keep = series.hour.len().saturating_sub(5);
                series.hour.drain(..keep);
            }
        }
        s
    }

    /// The worst level of the panels that have data; unknown when none has.
    pub fn level(&self, now: DateTime<Utc>) -> Level {
        let levels = [
            self.ecs
                .as_ref()
                .and_then(|s| s.value.as_ref().map(EcsPanel::level)),
            self.metrics
                .as_ref()
                .and_then(|s| s.value.as_ref().map(MetricsPanel::level)),
            self.backups
                .as_ref()
                .and_then(|s| s.value.as_ref().map(|b| b.level(now))),
            self.load_balancer
                .as_ref()
                .and_then(|s| s.value.as_ref().map(LoadBalancerPanel::level)),
        ];
        levels.into_iter().flatten().max().unwrap_or(Level::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_failed_poll_keeps_the_value_and_marks_it_stale() {
        let t0 = Utc::now();
        let mut s = Sourced::new(30_000);
        assert!(s.is_stale(t0), "nothing fetched yet");
        s.succeeded(7, t0);
        assert!(!s.is_stale(t0 + Duration::seconds(10)));
        s.failed(
            "AccessDenied: ecs:DescribeServices".into(),
            t0 + Duration::seconds(30),
        );
        assert_eq!(s.value, Some(7));
        assert!(s.is_stale(t0 + Duration::seconds(31)));
        s.succeeded(8, t0 + Duration::seconds(60));
        assert!(s.error.is_none() && !s.is_stale(t0 + Duration::seconds(61)));
        assert!(
            s.is_stale(t0 + Duration::seconds(60 + 61)),
            "overdue after two intervals"
        );
    }
}
