//! The ECS service panel: what `aws ecs describe-services`, `list-tasks` and
//! `describe-task-definition` show in the runbook's "ECS service update failure" procedure.

use crate::domain::Level;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsPanel {
    pub cluster: String,
    pub service: String,
    /// ACTIVE, DRAINING or INACTIVE.
    pub status: String,
    pub running: i32,
    pub desired: i32,
    pub pending: i32,
    /// Newest first; the PRIMARY one is the rollout in charge.
    pub deployments: Vec<EcsDeployment>,
    /// The last service events, newest first (at most 10).
    pub events: Vec<EcsEvent>,
    pub tasks: Vec<EcsTask>,
    /// The task definition of the primary deployment.
    pub task_definition: Option<TaskDefinition>,
    pub console_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsDeployment {
    pub id: String,
    /// PRIMARY, ACTIVE or INACTIVE.
    pub status: String,
    /// COMPLETED, IN_PROGRESS or FAILED (absent on services without the deployment circuit breaker).
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    /// `family:revision`.
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed: i32,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsEvent {
    pub at: Option<DateTime<Utc>>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcsTask {
    pub id: String,
    pub last_status: String,
    pub desired_status: String,
    /// HEALTHY, UNHEALTHY or UNKNOWN (no container health check).
    pub health: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    /// `family:revision`.
    pub task_definition: String,
    pub console_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinition {
    pub family: String,
    pub revision: i32,
    /// The configured container's image, as written in the task definition.
    pub image: Option<String>,
    pub console_url: String,
}

impl TaskDefinition {
    /// The tag after the last ':' of the image (not a registry port), or the digest.
    pub fn image_tag(&self) -> Option<&str> {
        let image = self.image.as_deref()?;
        if let Some((_, digest)) = image.split_once('@') {
            return Some(digest);
        }
        let last = image.rsplit('/').next()?;
        last.split_once(':').map(|(_, tag)| tag)
    }
}

/// The `family:revision` tail of a task definition ARN.
pub fn family_revision(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The id at the end of a task ARN.
pub fn task_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl EcsPanel {
    /// Down when nothing runs that should, or the service is not active; degraded while fewer
    /// tasks run than desired, a rollout failed, or a task reports unhealthy.
    pub fn level(&self) -> Level {
        if self.status != "ACTIVE" || (self.desired > 0 && self.running == 0) {
            return Level::Critical;
        }
        let rollout_failed = self
            .deployments
            .iter()
            .any(|d| d.status == "PRIMARY" && d.rollout_state.as_deref() == Some("FAILED"));
        let unhealthy = self
            .tasks
            .iter()
            .any(|t| t.health.as_deref() == Some("UNHEALTHY"));
        if self.running < self.desired || rollout_failed || unhealthy {
            Level::Warning
        } else {
            Level::Ok
        }
    }

    /// A rollout is under way: more than one deployment, or the primary is still in progress.
    pub fn rolling_out(&self) -> bool {
        self.deployments.len() > 1
            || self
                .deployments
                .iter()
                .any(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(running: i32, desired: i32) -> EcsPanel {
        EcsPanel {
            cluster: "c".into(),
            service: "s".into(),
            status: "ACTIVE".into(),
            running,
            desired,
            pending: 0,
            deployments: vec![],
            events: vec![],
            tasks: vec![],
            task_definition: None,
            console_url: String::new(),
        }
    }

    #[test]
    fn levels_follow_running_against_desired() {
        assert_eq!(panel(2, 2).level(), Level::Ok);
        assert_eq!(panel(1, 2).level(), Level::Warning);
        assert_eq!(panel(0, 2).level(), Level::Critical);
        // Scaled to zero on purpose ("stop all writes") is not an ECS fault; health shows the outage.
        assert_eq!(panel(0, 0).level(), Level::Ok);
        let mut draining = panel(2, 2);
        draining.status = "DRAINING".into();
        assert_eq!(draining.level(), Level::Critical);
    }

    #[test]
    fn image_tags() {
        let td = |image: &str| TaskDefinition {
            family: "f".into(),
            revision: 1,
            image: Some(image.into()),
            console_url: String::new(),
        };
        assert_eq!(
            td("123.dkr.ecr.us-east-1.amazonaws.com/conflicto:v1.4.2").image_tag(),
            Some("v1.4.2")
        );
        assert_eq!(td("registry:5000/conflicto").image_tag(), None);
        assert_eq!(td("conflicto@sha256:abc").image_tag(), Some("sha256:abc"));
        assert_eq!(
            family_revision("arn:aws:ecs:us-east-1:1:task-definition/conflicto-prod:42"),
            "conflicto-prod:42"
        );
    }
}
