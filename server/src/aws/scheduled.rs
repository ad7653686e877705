//! Runs of the scheduled task families: `ListTasks` with `desiredStatus=STOPPED` per family, then
//! `DescribeTasks` for exit codes and stop reasons. An EventBridge schedule starts these tasks
//! outside any service; ECS reports a stopped task for about an hour, so the poller reads often
//! and opsdeck keeps what it saw (see `store::task_runs`).

use super::error::port_error;
use super::{chrono_time, AwsEnvironment};
use app::domain::cloud::TaskRun;
use app::ports::PortError;

/// DescribeTasks takes at most 100 tasks per call.
const DESCRIBE_BATCH: usize = 100;

pub(super) async fn read(
    r: &AwsEnvironment,
    families: &[String],
) -> Result<Vec<TaskRun>, PortError> {
    let Some(cluster) = r.cfg.cluster.as_deref() else {
        return Err(PortError::Unavailable(
            "no ECS cluster configured for the scheduled tasks".into(),
        ));
    };
    let mut arns = Vec::new();
    for family in families {
        let listed = r
            .ecs
            .list_tasks()
            .cluster(cluster)
            .family(family)
            .desired_status(aws_sdk_ecs::types::DesiredStatus::Stopped)
            .send()
            .await
            .map_err(|e| port_error("ecs:ListTasks", e))?;
        arns.extend(listed.task_arns().iter().cloned());
    }
    let mut runs = Vec::new();
    for batch in arns.chunks(DESCRIBE_BATCH) {
        let described = r
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| port_error("ecs:DescribeTasks", e))?;
        for t in described.tasks() {
            let family = app::domain::cloud::ecs::family_revision(
                t.task_definition_arn().unwrap_or_default(),
            )
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned();
            // The essential container's exit code; a task of one container has just that one.
            let exit_code = t
                .containers()
                .iter()
                .find(|c| c.exit_code().is_some_and(|code| code != 0))
                .or_else(|| t.containers().first())
                .and_then(|c| c.exit_code());
            runs.push(TaskRun {
                task_arn: t.task_arn().unwrap_or_default().to_owned(),
                family,
                started_at: t.started_at().and_then(chrono_time),
                stopped_at: t
                    .stopped_at()
                    .or(t.execution_stopped_at())
                    .and_then(chrono_time),
                exit_code,
                stop_code: t.stop_code().map(|c| c.as_str().to_owned()),
                stopped_reason: t.stopped_reason().map(str::to_owned),
            });
        }
    }
    Ok(runs)
}
