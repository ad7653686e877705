//! The `[aws]` section: how often each AWS source is polled and how every call is bounded.

use super::super::raw::RawAwsGlobal;
use super::super::settings::CloudSettings;
use super::Validator;
use std::time::Duration;

impl Validator {
    pub(super) fn cloud(&mut self, a: RawAwsGlobal) -> CloudSettings {
        let d = CloudSettings::default();
        let every = |v: &mut Self, key: &str, raw: Option<String>, default: Duration| {
            v.duration(
                &format!("aws.{key}"),
                raw.as_deref(),
                default,
                Duration::from_secs(5),
            )
        };
        let ecs_interval = every(self, "ecs_interval", a.ecs_interval, d.ecs_interval);
        let metrics_interval = every(
            self,
            "metrics_interval",
            a.metrics_interval,
            d.metrics_interval,
        );
        let load_balancer_interval = every(
            self,
            "load_balancer_interval",
            a.load_balancer_interval,
            d.load_balancer_interval,
        );
        let backups_interval = every(
            self,
            "backups_interval",
            a.backups_interval,
            d.backups_interval,
        );
        let scheduled_tasks_interval = every(
            self,
            "scheduled_tasks_interval",
            a.scheduled_tasks_interval,
            d.scheduled_tasks_interval,
        );
        // ECS reports a stopped task for about an hour: a slower poll would miss runs.
        if scheduled_tasks_interval > Duration::from_secs(30 * 60) {
            self.issue(
                "aws.scheduled_tasks_interval",
                "must be 30 minutes or less: ECS reports a stopped task for only about an hour",
            );
        }
        let backup_overdue_after = self.duration(
            "aws.backup_overdue_after",
            a.backup_overdue_after.as_deref(),
            d.backup_overdue_after,
            Duration::from_secs(3600),
        );
        let response_time_statistic = match a.response_time_statistic {
            None => d.response_time_statistic,
            Some(s) if valid_statistic(&s) => s,
            Some(s) => {
                self.issue(
                    "aws.response_time_statistic",
                    format!("{s:?} is not a CloudWatch statistic: use Average, Maximum, Minimum or a percentile like p95 or p99.9"),
                );
                d.response_time_statistic
            }
        };
        let ms = Duration::from_millis(100);
        let mut limits = d.limits;
        limits.connect = self.duration(
            "aws.connect_timeout",
            a.connect_timeout.as_deref(),
            limits.connect,
            ms,
        );
        limits.attempt = self.duration(
            "aws.attempt_timeout",
            a.attempt_timeout.as_deref(),
            limits.attempt,
            ms,
        );
        limits.operation = self.duration(
            "aws.operation_timeout",
            a.operation_timeout.as_deref(),
            limits.operation,
            ms,
        );
        limits.read = limits.attempt;
        if limits.attempt > limits.operation {
            self.issue(
                "aws.attempt_timeout",
                "must not be longer than aws.operation_timeout",
            );
        }
        match a.max_attempts {
            None => {}
            Some(n @ 1..=10) => limits.max_attempts = n,
            Some(n) => self.issue("aws.max_attempts", format!("{n} is out of range: 1 to 10")),
        }
        CloudSettings {
            ecs_interval,
            metrics_interval,
            load_balancer_interval,
            backups_interval,
            scheduled_tasks_interval,
            backup_overdue_after,
            response_time_statistic,
            limits,
        }
    }
}

/// CloudWatch's statistics opsdeck accepts: the plain ones and percentiles `p0`–`p100`.
fn valid_statistic(s: &str) -> bool {
    matches!(s, "Average" | "Maximum" | "Minimum")
        || s.strip_prefix('p')
            .and_then(|n| n.parse::<f64>().ok())
            .is_some_and(|n| (0.0..=100.0).contains(&n))
}
