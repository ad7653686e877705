//! The demo's change-control executor: actions change the simulated world the way the real ones
//! change production — stopping writes scales the service to 0 and takes the health checks down,
//! scaling changes the task count, a rollback dispatches the simulated rollback workflow (a new
//! run, then the version changes), a restore reports the new instance being created.

use super::SimWorld;
use app::domain::actions::Action;
use app::domain::actions::{DbSession, RestoreCopy};
use app::domain::{EnvName, Fault};
use app::ports::{
    ActionExecutor, DemoControl, DeploySource, ExecutionContext, PortError, UserToken,
};
use std::sync::Arc;

pub struct SimExecutor(pub Arc<SimWorld>);

impl SimExecutor {
    fn session(&self, env: &EnvName, pid: i32) -> Result<DbSession, PortError> {
        self.0.db_session(env, pid).ok_or_else(|| {
            PortError::Other(format!(
                "there is no session with pid {pid} in the environment's database (it may have ended)"
            ))
        })
    }
}

#[async_trait::async_trait]
impl ActionExecutor for SimExecutor {
    async fn prepare(&self, env: &EnvName, action: Action) -> Result<Action, PortError> {
        Ok(match action {
            Action::Restore {
                snapshot,
                new_instance,
                ..
            } => Action::Restore {
                snapshot,
                new_instance,
                // What the simulated database would give: its network and settings.
                copy: Some(RestoreCopy {
                    source_instance: format!("conflicto-{env}"),
                    subnet_group: Some(format!("conflicto-{env}-db")),
                    security_groups: vec![format!("sg-conflicto-{env}-db")],
                    parameter_group: Some("conflicto-postgres16".into()),
                    instance_class: Some("db.t3.medium".into()),
                    multi_az: env.as_str() == "prod",
                    storage_type: Some("gp3".into()),
                }),
            },
            Action::CancelQuery { pid, .. } => Action::CancelQuery {
                pid,
                session: Some(self.session(env, pid)?),
            },
            Action::TerminateConnection { pid, .. } => Action::TerminateConnection {
                pid,
                session: Some(self.session(env, pid)?),
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
        let token = ctx.token;
        let w = &self.0;
        let cloud = w
            .cloud(env)
            .ok_or_else(|| PortError::NotFound(format!("no simulated environment named {env}")))?;
        match action {
            Action::StopWrites => {
                cloud.set_desired(0);
                // No tasks, no traffic: the health checks go down.
                w.set_fault(env, Fault::Down).await?;
                Ok(format!(
                    "ECS accepted: conflicto-{env}-svc now wants 0 tasks"
                ))
            }
            Action::Scale { count } => {
                let n = i32::try_from(*count).unwrap_or(i32::MAX);
                cloud.set_desired(n);
                if w.faults()
                    .iter()
                    .any(|(e, f)| e == env && *f == Fault::Down)
                {
                    w.set_fault(env, Fault::None).await?;
                }
                Ok(format!(
                    "ECS accepted: conflicto-{env}-svc now wants {n} tasks"
                ))
            }
            Action::Restart => {
                cloud.note(format!(
                    "(service conflicto-{env}-svc) has started a new deployment (forced)."
                ));
                Ok(format!(
                    "ECS started a new deployment of conflicto-{env}-svc"
                ))
            }
            Action::Restore {
                snapshot,
                new_instance,
                ..
            } => Ok(format!(
                "RDS is restoring {snapshot} into {new_instance} (status creating)"
            )),
            // Freeing the stuck migration: the blocker goes (or the waiting migration gives up),
            // and the application is fast again.
            Action::CancelQuery { pid, session } | Action::TerminateConnection { pid, session } => {
                let asked = session.as_ref().map(|s| s.connected_at);
                let now = w.db_session(env, *pid).map(|s| s.connected_at);
                if asked.is_none() || asked != now {
                    return Err(PortError::Conflict(format!(
                        "session {pid} has already ended: nothing was sent"
                    )));
                }
                w.set_fault(env, Fault::None).await?;
                Ok(match action {
                    Action::CancelQuery { .. } => {
                        format!("PostgreSQL cancelled its query (pid {pid}, pg_cancel_backend)")
                    }
                    _ => format!("PostgreSQL ended the session (pid {pid}, pg_terminate_backend)"),
                })
            }
            Action::Rollback { version } => {
                let token = token.unwrap_or_else(|| UserToken("demo-opsdeck".into()));
                let inputs = vec![
                    ("environment".to_owned(), env.to_string()),
                    ("version".to_owned(), version.clone()),
                ];
                let d = w
                    .github
                    .dispatch(&token, "rollback.yml", "main", &inputs)
                    .await?;
                Ok(format!(
                    "GitHub started rollback.yml for {version}: {}",
                    d.html_url.unwrap_or_default()
                ))
            }
        }
    }

    async fn verify(&self, env: &EnvName, action: &Action) -> Result<String, PortError> {
        let w = &self.0;
        let cloud = w
            .cloud(env)
            .ok_or_else(|| PortError::NotFound(format!("no simulated environment named {env}")))?;
        Ok(match action {
            Action::Rollback { .. } => {
                let runs = w.github.runs("rollback.yml", 1).await?;
                match runs.first() {
                    Some(r) => format!(
                        "newest rollback.yml run: #{} {}",
                        r.run_number,
                        r.state_words()
                    ),
                    None => "no rollback.yml runs".into(),
                }
            }
            Action::CancelQuery { pid, .. } | Action::TerminateConnection { pid, .. } => {
                match w.db_session(env, *pid) {
                    Some(s) => format!(
                        "session {pid} is still connected, {}",
                        s.state.unwrap_or_default()
                    ),
                    None => format!("session {pid} has ended"),
                }
            }
            _ => format!("ECS now: {} desired", cloud.desired()),
        })
    }
}
