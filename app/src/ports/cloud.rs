//! Reading one environment's AWS resources: the ECS service, CloudWatch metrics, RDS backups and
//! the load balancer. One reader per environment, built from its configuration; every call is
//! bounded in time by the adapter and fails with a [`PortError`] that says what went wrong in words.

use super::PortError;
use crate::domain::cloud::{
    BackupsPanel, EcsPanel, LoadBalancerPanel, MetricKind, MetricPoint, TaskRun,
};
use chrono::{DateTime, Utc};

/// Raw CloudWatch figures for one window, already converted to the panel's units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricReadings {
    /// One series per metric the configuration covers, oldest point first.
    pub series: Vec<(MetricKind, Vec<MetricPoint>)>,
    /// What a figure is made of, per metric ("max_connections 112, derived from db.t3.micro").
    pub details: Vec<(MetricKind, String)>,
    /// Metrics that could not be computed, in words.
    pub notes: Vec<String>,
}

#[async_trait::async_trait]
pub trait CloudReader: Send + Sync {
    /// `aws ecs describe-services`, `list-tasks`, `describe-tasks`, `describe-task-definition`.
    async fn ecs(&self) -> Result<EcsPanel, PortError>;

    /// Every configured metric from `start` to `end` at `period_s` points, in as few
    /// GetMetricData calls as CloudWatch allows.
    async fn metrics(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        period_s: u32,
    ) -> Result<MetricReadings, PortError>;

    /// `aws rds describe-db-instances` and `describe-db-snapshots` (automated and manual).
    /// `overdue_after_s` is carried into the panel.
    async fn backups(&self, overdue_after_s: u64) -> Result<BackupsPanel, PortError>;

    /// `aws elbv2 describe-load-balancers`, `describe-target-groups`, `describe-target-health`.
    async fn load_balancer(&self) -> Result<LoadBalancerPanel, PortError>;

    /// The stopped tasks ECS still reports for each scheduled task family (`list-tasks
    /// --family F --desired-status STOPPED`, `describe-tasks`).
    async fn stopped_tasks(&self, families: &[String]) -> Result<Vec<TaskRun>, PortError>;
}
