//! Scheduled tasks: the runs of the ECS task families the configuration names as scheduled
//! (an EventBridge schedule starts them; opsdeck reads the stopped tasks ECS reports). ECS keeps a
//! stopped task for about an hour, so opsdeck remembers every run it saw for a day: a nightly job
//! that failed at 02:00 is still on the 08:30 morning check.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One stopped task of a scheduled family. Every string came from ECS (and, through the stopped
/// reason, from the task itself): shown as text only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRun {
    pub task_arn: String,
    pub family: String,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// The essential container's exit code, when it ran at all.
    pub exit_code: Option<i32>,
    /// ECS's stop code: `EssentialContainerExited`, `TaskFailedToStart`, `UserInitiated`, …
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
}

impl TaskRun {
    /// Failed: a non-zero exit, or the task never started.
    pub fn failed(&self) -> bool {
        self.exit_code.is_some_and(|c| c != 0)
            || self.stop_code.as_deref() == Some("TaskFailedToStart")
    }

    /// The task's own id, the last part of its ARN.
    pub fn short_id(&self) -> &str {
        self.task_arn.rsplit('/').next().unwrap_or(&self.task_arn)
    }

    /// "exit 1: Essential container in task exited", "failed to start: …", "exit 0".
    pub fn outcome_words(&self) -> String {
        let reason = self.stopped_reason.as_deref().unwrap_or_default();
        let head = match (self.exit_code, self.stop_code.as_deref()) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some("TaskFailedToStart")) => "failed to start".to_owned(),
            (None, Some(code)) => format!("stopped ({code}) without an exit code"),
            (None, None) => "stopped without an exit code".to_owned(),
        };
        if reason.is_empty() {
            head
        } else {
            format!("{head}: {reason}")
        }
    }
}

/// The scheduled families' runs opsdeck has seen in the last day, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduledTasksPanel {
    pub families: Vec<String>,
    pub runs: Vec<TaskRun>,
}

impl ScheduledTasksPanel {
    /// Runs that failed after `since`.
    pub fn failed_since(&self, since: DateTime<Utc>) -> Vec<&TaskRun> {
        self.runs
            .iter()
            .filter(|r| r.failed() && r.stopped_at.is_none_or(|at| at >= since))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(exit: Option<i32>, stop: Option<&str>) -> TaskRun {
        TaskRun {
            task_arn: "arn:aws:ecs:eu-west-1:1:task/conflicto/abc123".into(),
            family: "conflicto-nightly".into(),
            started_at: None,
            stopped_at: None,
            exit_code: exit,
            stop_code: stop.map(Into::into),
            stopped_reason: Some("Essential container in task exited".into()),
        }
    }

    #[test]
    fn a_non_zero_exit_or_a_failed_start_is_a_failure() {
        assert!(!run(Some(0), Some("EssentialContainerExited")).failed());
        assert!(run(Some(1), Some("EssentialContainerExited")).failed());
        assert!(run(None, Some("TaskFailedToStart")).failed());
        assert!(!run(None, Some("UserInitiated")).failed());
        assert_eq!(run(Some(3), None).short_id(), "abc123");
        assert_eq!(
            run(Some(3), None).outcome_words(),
            "exit 3: Essential container in task exited"
        );
    }
}
