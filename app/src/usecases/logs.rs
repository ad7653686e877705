//! The logs page: an environment's log searches with their newest lines, for operators and
//! approvers (lines may carry what clients sent, so viewers and wall screens get only the counts,
//! on the dashboard). Everything comes from what the server already read: no call per viewer.

use crate::domain::logs::LogsPage;
use crate::domain::{AppError, Principal};
use crate::ports::Services;

/// Log lines carry what clients sent: `what` is for operators and approvers.
pub fn require_reader(who: &Principal, what: &str) -> Result<(), AppError> {
    if who.may_read_client_text() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "log lines may carry what clients sent: {what} needs the operator or approver role"
        )))
    }
}

/// A live tail's filter as CloudWatch would read it, refused in words before the tail reopens.
pub fn check_filter(services: &Services, who: &Principal, filter: &str) -> Result<(), AppError> {
    require_reader(who, "the live tail")?;
    services.logs.check_pattern(filter).map_err(|e| {
        AppError::BadRequest(format!(
            "the filter {filter:?} is not a pattern CloudWatch reads: {e}"
        ))
    })
}

pub async fn logs_page(
    services: &Services,
    who: &Principal,
    env: &str,
) -> Result<LogsPage, AppError> {
    require_reader(who, "the logs page")?;
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
