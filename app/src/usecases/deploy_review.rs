//! Reviewing a deploy waiting at GitHub's approval gate, as the signed-in approver with their own
//! GitHub token: GitHub records the real reviewer and applies its own rules. Every review is
//! recorded in opsdeck's audit log before it is sent, and GitHub's answer after.

use crate::domain::decision::DecisionForm;
use crate::domain::{AppError, EnvName, Principal};
use crate::ports::Services;

#[tracing::instrument(skip(services, who, comment))]
pub async fn review_deploy(
    services: &Services,
    who: &Principal,
    env: &str,
    run_id: u64,
    decision: &str,
    comment: &str,
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
