//! The logs page: an environment's log searches with their newest lines, for operators and
//! approvers (lines may carry what clients sent, so viewers and wall screens get only the counts,
//! on the dashboard). Everything comes from what the server already read: no call per viewer.

use crate::domain::logs::LogsPage;
use crate::domain::{AppError, Principal, Role};
use crate::ports::Services;

pub async fn logs_page(
    services: &Services,
    who: &Principal,
    env: &str,
) -> Result<LogsPage, AppError> {
    if !(who.has(Role::Operator) || who.has(Role::Approver)) {
        return Err(AppError::Forbidden(
            "log lines may carry what clients sent: the logs page needs the operator or approver role".into(),
        ));
    }
    let dashboard = services.live.dashboard();
    if !dashboard
        .environments
        .iter()
        .any(|e| e.name.as_str() == env)
    {
        return Err(AppError::NotFound(format!("no environment named {env:?}")));
    }
    Ok(LogsPage {
        env: env.to_owned(),
        summary: dashboard
            .clouds
            .iter()
            .find(|c| c.name.as_str() == env)
            .and_then(|c| c.logs.clone()),
        lines: services.logs.lines(env).unwrap_or_default(),
        tail: services.logs.has_tail(env),
        generated_at: services.clock.now(),
    })
}
