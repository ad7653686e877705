//! Asking for an action: the environment must exist, the reason is required, the parameters are
//! validated by the domain, the policy of its kind applies, and the evidence of the moment is kept.

use crate::domain::actions::{Action, ActionFields};
use crate::domain::{AppError, EnvName, Principal};
use crate::ports::{NewRequest, Services};

/// The longest reason a request carries (it is shown to approvers and kept in the audit log).
pub const MAX_REASON: usize = 2000;

/// A request as the form sends it: one field per parameter of any action kind.
pub struct RequestForm {
    pub env: String,
    pub kind: String,
    pub version: Option<String>,
    pub count: Option<String>,
    pub snapshot: Option<String>,
    pub new_instance: Option<String>,
    pub pid: Option<String>,
    pub reason: String,
}

#[tracing::instrument(skip(services, who, form), fields(env = %form.env, kind = %form.kind))]
pub async fn request(
    services: &Services,
    who: &Principal,
    form: RequestForm,
) -> Result<i64, AppError> {
    let env = EnvName::parse(&form.env).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if services.live.dashboard().env(env.as_str()).is_none() {
        return Err(AppError::NotFound(format!("no environment named {env}")));
    }
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::BadRequest(
            "say why: the reason is required and goes into the audit log".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::BadRequest(format!(
            "the reason is longer than {MAX_REASON} characters"
        )));
    }
    let existing = services
        .change
        .databases
        .iter()
        .find(|(e, _)| e == env.as_str())
        .map(|(_, db)| db.as_str());
    let fields = ActionFields {
        kind: &form.kind,
        version: form.version.as_deref(),
        count: form.count.as_deref(),
        snapshot: form.snapshot.as_deref(),
        new_instance: form.new_instance.as_deref(),
        pid: form.pid.as_deref(),
    };
    let action = Action::from_form(&fields, services.change.max_tasks, existing)
        .map_err(AppError::BadRequest)?;
    if action.kind().is_db_session() && !services.change.offers_session_actions(env.as_str()) {
        return Err(AppError::BadRequest(format!(
            "{} is not offered for {env}: it has no database connection that may signal sessions ([environments.database] admin_url_env)",
            action.kind().label()
        )));
    }
    // A restore copies the environment's database settings, a session action reads the session it
    // is aimed at: read now, shown to approvers, checked when sent.
    let action = services
        .executor
        .prepare(&env, action)
        .await
        .map_err(|e| match e {
            crate::ports::PortError::Conflict(m) | crate::ports::PortError::Other(m) => {
                AppError::BadRequest(m)
            }
            other => AppError::Unavailable(format!(
                "what the action needs from {env} could not be read: {}",
                other.detail()
            )),
        })?;
    let policy = services.change.policy(action.kind());
    let id = services
        .actions
        .create(NewRequest {
            env: env.clone(),
            action,
            reason,
            requester_id: who.user_id,
            requester: who.display_name.clone(),
            policy,
            evidence: super::evidence_now(services),
        })
        .await?;
    tracing::info!(request = id, by = %who.display_name, "action requested");
    Ok(id)
}
