//! The simulated nightly job: `conflicto-<env>-nightly-report`, started by a schedule at 02:00
//! UTC. It succeeds unless the demo (or a test) makes tonight's run fail; the run is reported
//! as ECS reports a stopped task.

use super::SimCloud;
use app::domain::cloud::TaskRun;
use chrono::{DateTime, Duration, DurationRound, Utc};

/// The last 02:00 UTC before `now`.
fn last_run_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.duration_trunc(Duration::days(1)).unwrap_or(now);
    let today = day + Duration::hours(2);
    if today <= now {
        today
    } else {
        today - Duration::days(1)
    }
}

pub(super) fn read(c: &SimCloud, families: &[String]) -> Vec<TaskRun> {
    let family = c.name("-nightly-report");
    if !families.contains(&family) {
        return vec![];
    }
    let now = Utc::now();
    let failed_at = *c.nightly_failed.lock().unwrap_or_else(|p| p.into_inner());
    let mut runs = Vec::new();
    let started = last_run_start(now);
    let stopped = started + Duration::minutes(4);
    if stopped <= now {
        runs.push(TaskRun {
            task_arn: format!(
                "arn:aws:ecs:us-east-1:123456789012:task/{}/{:x}",
                c.name("-cluster"),
                started.timestamp()
            ),
            family: family.clone(),
            started_at: Some(started),
            stopped_at: Some(stopped),
            exit_code: Some(0),
            stop_code: Some("EssentialContainerExited".into()),
            stopped_reason: Some("Essential container in task exited".into()),
        });
    }
    // A run made to fail: it stopped a minute after it was asked to.
    if let Some(at) = failed_at {
        runs.push(TaskRun {
            task_arn: format!(
                "arn:aws:ecs:us-east-1:123456789012:task/{}/{:x}f",
                c.name("-cluster"),
                at.timestamp()
            ),
            family,
            started_at: Some(at),
            stopped_at: Some(at + Duration::seconds(40)),
            exit_code: Some(1),
            stop_code: Some("EssentialContainerExited".into()),
            stopped_reason: Some(
                "Essential container in task exited: psycopg2.OperationalError: FATAL: remaining connection slots are reserved"
                    .into(),
            ),
        });
    }
    runs
}
