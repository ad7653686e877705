//! Deciding on a request (approve, reject, break glass), the second person's review of a
//! break-glass execution, and looking at the real state when an outcome is unknown.

use crate::domain::actions::Decision;
use crate::domain::decision::{DecisionForm, Verdict};
use crate::domain::routines::freeze::{allowed_during_freeze, parse_reason};
use crate::domain::routines::OverrideSubject;
use crate::domain::{AppError, Principal};
use crate::ports::incidents::Actor;
use crate::ports::routines::NewOverride;
use crate::ports::Services;

#[tracing::instrument(skip(services, who, comment, override_reason))]
pub async fn decide(
    services: &Services,
    who: &Principal,
    id: i64,
    decision: &str,
    comment: &str,
    override_reason: &str,
) -> Result<String, AppError> {
    let form = DecisionForm::parse(decision, comment, true).map_err(AppError::BadRequest)?;
    if form.approves() {
        freeze_check(services, who, id, override_reason).await?;
    }
    let state = services
        .actions
        .decide(
            id,
            &who.display_name,
            Decision {
                user_id: who.user_id,
                approve: form.approves(),
                break_glass: form.verdict == Verdict::BreakGlass,
            },
            &form.comment,
        )
        .await?;
    if form.verdict == Verdict::BreakGlass {
        // One approver alone in an emergency: that is an incident (proposed, or declared).
        if let Some(r) = services.actions.get(id).await? {
            let why = format!("break glass on request {id}: {}", form.comment);
            let proposed = crate::usecases::incident::propose_or_declare(
                services.incidents.as_ref(),
                services.incident.auto_declare,
                &r.env,
                services.clock.now(),
                why,
                crate::domain::incident::Severity::Critical,
            )
            .await;
            if let Err(e) = proposed {
                tracing::warn!(request = id, "proposing an incident failed: {e}");
            }
        }
    }
    Ok(format!("Recorded. The request is now {}.", state.words()))
}

/// During a change freeze only the emergency steps (roll back, stop all writes) are approved
/// without more; anything else needs an approver's override reason, recorded before the approval
/// and reviewed afterwards by someone else.
async fn freeze_check(
    services: &Services,
    who: &Principal,
    id: i64,
    override_reason: &str,
) -> Result<(), AppError> {
    let Some(freeze) = services.routines.freeze_at(services.clock.now()).await? else {
        return Ok(());
    };
    let r = services
        .actions
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no request {id}")))?;
    if allowed_during_freeze(r.action.kind()) {
        return Ok(());
    }
    if override_reason.trim().is_empty() {
        return Err(AppError::Conflict(
            freeze.refusal(&format!("Approving \"{}\"", r.action.describe())),
        ));
    }
    let reason = parse_reason(override_reason, "an override").map_err(AppError::BadRequest)?;
    services
        .routines
        .record_override(
            &Actor::from(who),
            NewOverride {
                env: r.env.clone(),
                subject: OverrideSubject::Request { id },
                what: vec![freeze.words()],
                reason,
            },
        )
        .await?;
    Ok(())
}

#[tracing::instrument(skip(services, who))]
pub async fn review(services: &Services, who: &Principal, id: i64) -> Result<String, AppError> {
    services
        .actions
        .review(id, who.user_id, &who.display_name)
        .await?;
    Ok("Reviewed.".into())
}

/// Ask the executor what is true now about what request `id` did; recorded in the audit log.
#[tracing::instrument(skip(services, who))]
pub async fn verify(services: &Services, who: &Principal, id: i64) -> Result<String, AppError> {
    let r = services
        .actions
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no request {id}")))?;
    let found = services.executor.verify(&r.env, &r.action).await?;
    // What was found is only shown once it is on record.
    services
        .audit
        .record(
            who.user_id,
            &who.display_name,
            "action.verify",
            serde_json::json!({"request": id, "found": found}),
        )
        .await
        .map_err(|e| {
            AppError::Unavailable(format!(
                "the verification could not be recorded in the audit log: {}",
                e.detail()
            ))
        })?;
    Ok(found)
}

/// A person's verdict on an "outcome unknown" request: `outcome` is `done` (it happened) or
/// `failed`, with what they found; recorded with them in the audit log.
#[tracing::instrument(skip(services, who, reason))]
pub async fn resolve(
    services: &Services,
    who: &Principal,
    id: i64,
    outcome: &str,
    reason: &str,
) -> Result<String, AppError> {
    let done = match outcome {
        "done" => true,
        "failed" => false,
        other => {
            return Err(AppError::BadRequest(format!(
                "outcome must be done or failed, not {other:?}"
            )))
        }
    };
    if reason.trim().is_empty() {
        return Err(AppError::BadRequest(
            "say what you found: the reason is required and goes into the audit log".into(),
        ));
    }
    if reason.chars().count() > crate::domain::decision::MAX_COMMENT {
        return Err(AppError::BadRequest(format!(
            "the reason is longer than {} characters",
            crate::domain::decision::MAX_COMMENT
        )));
    }
    let state = services
        .actions
        .resolve(id, who.user_id, &who.display_name, done, reason)
        .await?;
    Ok(format!("Recorded. The request is now {}.", state.words()))
}
