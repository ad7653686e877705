//! `[aws]`: how often each AWS source is polled, and the limits on every AWS call.

use std::time::Duration;

/// How often each AWS source is polled and how every call is bounded.
#[derive(Debug, Clone)]
pub struct CloudSettings {
    pub ecs_interval: Duration,
    pub metrics_interval: Duration,
    pub load_balancer_interval: Duration,
    pub backups_interval: Duration,
    /// How often the scheduled task families' stopped tasks are read.
    pub scheduled_tasks_interval: Duration,
    /// The newest completed automated snapshot may be at most this old.
    pub backup_overdue_after: Duration,
    /// CloudWatch statistic for TargetResponseTime: Average, Maximum or a percentile like p95.
    pub response_time_statistic: String,
    pub limits: CallLimits,
}

impl Default for CloudSettings {
    fn default() -> Self {
        Self {
            ecs_interval: Duration::from_secs(30),
            metrics_interval: Duration::from_secs(60),
            load_balancer_interval: Duration::from_secs(60),
            backups_interval: Duration::from_secs(300),
            scheduled_tasks_interval: Duration::from_secs(300),
            backup_overdue_after: Duration::from_secs(26 * 3600),
            response_time_statistic: "p95".into(),
            limits: CallLimits::default(),
        }
    }
}

/// Time limits and retries for every AWS call.
#[derive(Clone, Copy, Debug)]
pub struct CallLimits {
    pub connect: Duration,
    pub read: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub max_attempts: u32,
}

impl Default for CallLimits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(5),
            attempt: Duration::from_secs(5),
            operation: Duration::from_secs(10),
            max_attempts: 3,
        }
    }
}
