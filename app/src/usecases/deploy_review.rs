//! Reviewing a deploy waiting at GitHub's approval gate, as the signed-in approver with their own
//! GitHub token: GitHub records the real reviewer and applies its own rules. Every review is
//! recorded in opsdeck's audit log before it is sent, and GitHub's answer after. An approval must
//! pass the pre-deploy checklist (tested first, no incident, no freeze, healthy, a rollback
//! target, migrations reviewed) or carry an override reason, recorded for someone else to review.

use crate::domain::decision::DecisionForm;
use crate::domain::routines::freeze::parse_reason;
use crate::domain::routines::OverrideSubject;
use crate::domain::{AppError, EnvName, Principal};
use crate::ports::incidents::Actor;
use crate::ports::routines::NewOverride;
use crate::ports::Services;

/// What the approver ticked and typed besides the decision.
#[derive(Clone, Debug, Default)]
pub struct GateForm {
    /// "Migrations reviewed" is ticked.
    pub migrations_reviewed: bool,
    /// Going ahead although required items fail, and why (empty: no override).
    pub override_reason: String,
}

#[tracing::instrument(skip(services, who, comment, gate_form))]
pub async fn review_deploy(
    services: &Services,
    who: &Principal,
    env: &str,
    run_id: u64,
    decision: &str,
    comment: &str,
    gate_form: &GateForm,
) -> Result<String, AppError> {
    let form = DecisionForm::parse(decision, comment, false).map_err(AppError::BadRequest)?;
    let approve = form.approves();
    let env = EnvName::parse(env).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let target = services
        .deploys
        .iter()
        .find(|(n, _)| n == &env)
        .map(|(_, t)| t.clone())
        .ok_or_else(|| AppError::NotFound(format!("{env} has no deploys configured")))?;
    let pending = target.source.pending(run_id).await?;
    let ids: Vec<u64> = pending
        .iter()
        .filter(|p| {
            target
                .approval_environment
                .as_deref()
                .is_none_or(|gate| p.environment == gate)
        })
        .map(|p| p.environment_id)
        .collect();
    if ids.is_empty() {
        return Err(AppError::BadRequest(format!(
            "run {run_id} is not waiting for approval (any more)"
        )));
    }
    // An approval passes the checklist, or is an override on record; a rejection is never held up.
    let mut checked = serde_json::Value::Null;
    let mut override_id = None;
    if approve {
        let (checklist, gate) =
            super::routines::gate_checklist(services, &env, run_id, gate_form.migrations_reviewed)
                .await?;
        let reason = match gate_form.override_reason.trim() {
            "" => None,
            r => Some(parse_reason(r, "an override").map_err(AppError::BadRequest)?),
        };
        checklist
            .admit_approval(reason.as_deref())
            .map_err(|r| AppError::Conflict(r.to_string()))?;
        let blocking = checklist.blocking();
        checked = serde_json::json!(checklist
            .items
            .iter()
            .map(|i| (i.key.clone(), i.state))
            .collect::<std::collections::BTreeMap<_, _>>());
        if let (Some(reason), false) = (reason, blocking.is_empty()) {
            let sha = gate.map(|g| g.run.head_sha).unwrap_or_default();
            override_id = Some(
                services
                    .routines
                    .record_override(
                        &Actor::from(who),
                        NewOverride {
                            env: env.clone(),
                            subject: OverrideSubject::Deploy { run_id, sha },
                            what: blocking,
                            reason,
                        },
                    )
                    .await
                    .map_err(|e| {
                        AppError::Unavailable(format!(
                            "the override could not be recorded, so nothing was sent to GitHub: {}",
                            e.detail()
                        ))
                    })?,
            );
        }
    }
    let token = services.user_tokens.token_for(who.user_id).await?;
    // The review is recorded before it is sent: if the audit log cannot be written, GitHub is
    // never asked. GitHub's answer follows as its own event.
    let intent = serde_json::json!({
        "env": env.as_str(),
        "repository": target.repository,
        "run_id": run_id,
        "decision": decision,
        "comment": form.comment,
        "environment_ids": ids,
        "checklist": checked,
        "override": override_id,
    });
    services
        .audit
        .record(who.user_id, &who.display_name, "deploy.review", intent)
        .await
        .map_err(|e| {
            AppError::Unavailable(format!(
                "the review could not be recorded in the audit log, so it was not sent to GitHub: {}",
                e.detail()
            ))
        })?;
    let answer = target
        .source
        .review(&token, run_id, &ids, approve, &form.comment)
        .await;
    let details = serde_json::json!({
        "env": env.as_str(),
        "run_id": run_id,
        "github": match &answer { Ok(()) => "accepted".to_owned(), Err(e) => e.detail().to_owned() },
    });
    if let Err(e) = services
        .audit
        .record(
            who.user_id,
            &who.display_name,
            "deploy.review.answer",
            details,
        )
        .await
    {
        tracing::error!("recording GitHub's answer to a deploy review failed: {e}");
    }
    match answer {
        Ok(()) => {
            tracing::info!(%env, run_id, approve, by = %who.display_name, "deploy reviewed");
            Ok(if approve {
                format!("Approved on GitHub as you: run {run_id} continues.")
            } else {
                format!("Rejected on GitHub as you: run {run_id} will not deploy.")
            })
        }
        Err(e @ crate::ports::PortError::OutcomeUnknown(_)) => Err(AppError::Unavailable(format!(
            "no definite answer from GitHub, so the review may or may not have been recorded: {} — look at the run before reviewing again",
            e.detail()
        ))),
        Err(e) => Err(AppError::Forbidden(format!(
            "GitHub did not accept the review: {}",
            e.detail()
        ))),
    }
}
