//! Carrying actions out against the real systems: ECS (scale, stop writes, restart), RDS (restore
//! into a new instance) and GitHub (dispatch the rollback workflow as the approver).

use crate::aws::AwsEnvironment;
use app::domain::actions::Action;
use app::domain::EnvName;
use app::ports::DeployTarget;
use app::ports::{ActionExecutor, ExecutionContext, PortError, UserToken};
use std::sync::Arc;

pub struct RealExecutor {
    pub aws: Vec<(EnvName, Arc<AwsEnvironment>)>,
    pub deploys: Vec<(EnvName, DeployTarget)>,
}

impl RealExecutor {
    fn aws(&self, env: &EnvName) -> Result<&AwsEnvironment, PortError> {
        self.aws
            .iter()
            .find(|(n, _)| n == env)
            .map(|(_, a)| a.as_ref())
            .ok_or_else(|| PortError::Other(format!("{env} has no AWS resources configured")))
    }

    fn deploy(&self, env: &EnvName) -> Result<&DeployTarget, PortError> {
        self.deploys
            .iter()
            .find(|(n, _)| n == env)
            .map(|(_, t)| t)
            .ok_or_else(|| PortError::Other(format!("{env} has no deploys configured")))
    }
}

/// Session actions are carried out by [`super::db_sessions`] where an admin URL is configured.
fn no_admin(env: &EnvName) -> PortError {
    PortError::Other(format!(
        "{env} has no database connection that may signal sessions ([environments.database] admin_url_env)"
    ))
}

/// Dispatch the rollback workflow of `target` for `version`, as the token's owner.
pub async fn rollback(
    target: &DeployTarget,
    token: Option<UserToken>,
    version: &str,
) -> Result<String, PortError> {
    let spec = target
        .rollback
        .as_ref()
        .ok_or_else(|| PortError::Other("no rollback_workflow configured".into()))?;
    let token = token.ok_or_else(|| {
        PortError::Denied("the approver has no usable GitHub connection, so the rollback cannot be dispatched as them".into())
    })?;
    let inputs = vec![
        spec.environment_input.clone(),
        (spec.version_input.clone(), version.to_owned()),
    ];
    let d = target
        .source
        .dispatch(&token, &spec.workflow, &spec.git_ref, &inputs)
        .await?;
    Ok(match (d.run_id, d.html_url) {
        (_, Some(url)) => format!("GitHub started {} for {version}: {url}", spec.workflow),
        (Some(id), None) => format!("GitHub started {} for {version}: run {id}", spec.workflow),
        (None, None) => format!(
            "GitHub accepted the dispatch of {} for {version}",
            spec.workflow
        ),
    })
}

#[async_trait::async_trait]
impl ActionExecutor for RealExecutor {
    async fn prepare(&self, env: &EnvName, action: Action) -> Result<Action, PortError> {
        Ok(match action {
            Action::Restore {
                snapshot,
                new_instance,
                ..
            } => Action::Restore {
                copy: Some(self.aws(env)?.restore_copy().await?),
                snapshot,
                new_instance,
            },
            other => other,
        })
    }

    async fn execute(
        &self,
        env: &EnvName,
        action: &Action,
        ctx: ExecutionContext,
    ) -> Result<String, PortError> {
        let token = ctx.token.clone();
        match action {
            Action::StopWrites => self.aws(env)?.set_desired(0).await,
            Action::Scale { count } => {
                self.aws(env)?
                    .set_desired(i32::try_from(*count).unwrap_or(i32::MAX))
                    .await
            }
            Action::Restart => self.aws(env)?.force_new_deployment().await,
            Action::Restore {
                snapshot,
                new_instance,
                copy: Some(copy),
            } => {
                self.aws(env)?
                    .restore(snapshot, new_instance, copy, &ctx)
                    .await
            }
            // Asked before restores copied their settings: refused rather than restored into AWS's
            // defaults (possibly a public address).
            Action::Restore { copy: None, .. } => Err(PortError::Other(
                "this restore request does not say which network and settings to copy; ask again"
                    .into(),
            )),
            Action::Rollback { version } => rollback(self.deploy(env)?, token, version).await,
            Action::CancelQuery { .. } | Action::TerminateConnection { .. } => Err(no_admin(env)),
        }
    }

    async fn verify(&self, env: &EnvName, action: &Action) -> Result<String, PortError> {
        match action {
            Action::StopWrites | Action::Scale { .. } | Action::Restart => {
                let (desired, running) = self.aws(env)?.describe_counts().await?;
                Ok(format!("ECS now: {running} running, {desired} desired"))
            }
            Action::Restore { new_instance, .. } => {
                match self.aws(env)?.instance_status(new_instance).await {
                    Ok(status) => Ok(format!("{new_instance} exists (status {status})")),
                    Err(PortError::NotFound(_)) => Ok(format!(
                        "{new_instance} does not exist: the restore did not start"
                    )),
                    Err(e) => Err(e),
                }
            }
            Action::CancelQuery { .. } | Action::TerminateConnection { .. } => Err(no_admin(env)),
            Action::Rollback { .. } => {
                let t = self.deploy(env)?;
                let spec = t
                    .rollback
                    .as_ref()
                    .ok_or_else(|| PortError::Other("no rollback_workflow configured".into()))?;
                let runs = t.source.runs(&spec.workflow, 3).await?;
                Ok(match runs.first() {
                    Some(r) => format!(
                        "newest {} run: #{} {} ({})",
                        spec.workflow,
                        r.run_number,
                        r.state_words(),
                        r.html_url
                    ),
                    None => format!("no {} runs", spec.workflow),
                })
            }
        }
    }
}
