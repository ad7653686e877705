//! "Cancel query" and "Terminate connection" on environments with a database admin URL: these
//! are carried out on the real database whichever executor serves the rest (the demo's
//! simulation, a test's recorder, AWS and GitHub), so the environment's configuration decides.

use crate::dbdiag::PgSessions;
use app::domain::actions::Action;
use app::domain::EnvName;
use app::ports::{ActionExecutor, ExecutionContext, PortError};
use std::sync::Arc;

pub struct WithDbSessions {
    pub sessions: Vec<(EnvName, Arc<PgSessions>)>,
    pub inner: Arc<dyn ActionExecutor>,
}

impl WithDbSessions {
    /// The admin connection for `action` on `env`, when it is a session action there.
    fn admin(&self, env: &EnvName, action: &Action) -> Option<&PgSessions> {
        if !action.kind().is_db_session() {
            return None;
        }
        self.sessions
            .iter()
            .find(|(n, _)| n == env)
            .map(|(_, s)| s.as_ref())
    }
}

/// The session of a request asked before it was read: refused rather than sent to a bare pid.
fn unread() -> PortError {
    PortError::Other(
        "this request does not say which session (when it connected): ask again".into(),
    )
}

#[async_trait::async_trait]
impl ActionExecutor for WithDbSessions {
    async fn prepare(&self, env: &EnvName, action: Action) -> Result<Action, PortError> {
        let Some(admin) = self.admin(env, &action) else {
            return self.inner.prepare(env, action).await;
        };
        Ok(match action {
            Action::CancelQuery { pid, .. } => Action::CancelQuery {
                pid,
                session: Some(admin.session(pid).await?),
            },
            Action::TerminateConnection { pid, .. } => Action::TerminateConnection {
                pid,
                session: Some(admin.session(pid).await?),
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
        match self.admin(env, action) {
            Some(admin) => {
                let session = action.db_session().ok_or_else(unread)?;
                admin.signal(action.kind(), session).await
            }
            None => self.inner.execute(env, action, ctx).await,
        }
    }

    async fn verify(&self, env: &EnvName, action: &Action) -> Result<String, PortError> {
        match self.admin(env, action) {
            Some(admin) => admin.look(action.db_session().ok_or_else(unread)?).await,
            None => self.inner.verify(env, action).await,
        }
    }
}
