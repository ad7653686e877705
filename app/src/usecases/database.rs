//! The database page: an environment's diagnostics, for operators and approvers (query texts may
//! carry what clients sent, so viewers and wall screens do not get them).

use crate::domain::database::DatabasePage;
use crate::domain::{AppError, Principal};
use crate::ports::Services;

pub async fn database_page(
    services: &Services,
    who: &Principal,
    env: &str,
) -> Result<DatabasePage, AppError> {
    if !who.may_read_client_text() {
        return Err(AppError::Forbidden(
            "the database page shows query texts: it needs the operator or approver role".into(),
        ));
    }
    let dashboard = services.live.dashboard();
    let known = dashboard
        .environments
        .iter()
        .any(|e| e.name.as_str() == env);
    if !known {
        return Err(AppError::NotFound(format!("no environment named {env:?}")));
    }
    let source = services
        .databases
        .iter()
        .find(|(n, _)| n.as_str() == env)
        .map(|(_, s)| s.clone());
    let reading = match source {
        Some(s) => Some(s.read().await),
        None => None,
    };
    let replicas = dashboard
        .clouds
        .iter()
        .find(|c| c.name.as_str() == env)
        .and_then(|c| c.backups.as_ref()?.value.as_ref())
        .map(|b| b.replicas.clone())
        .unwrap_or_default();
    Ok(DatabasePage {
        env: env.to_owned(),
        reading,
        replicas,
        may_signal_sessions: who.has(crate::domain::Role::Operator)
            && services.change.offers_session_actions(env),
        generated_at: services.clock.now(),
    })
}
