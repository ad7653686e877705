//! Reviewing a deploy waiting at GitHub's approval gate, as the signed-in approver with their own
//! GitHub token: GitHub records the real reviewer and applies its own rules. Every review, and
//! GitHub's answer to it, is recorded in opsdeck's audit log.

use super::AppError;
use leptos::prelude::*;

/// `csrf_token` is checked by the server's guard before this runs; `decision` is `approve` or
/// `reject`.
#[server(prefix = "/api/fn", endpoint = "review_deploy")]
pub async fn review_deploy(
    env: String,
    run_id: u64,
    decision: String,
    comment: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    let services = super::services()?;
    let bad = |m: String| super::respond(AppError::BadRequest(m));
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(bad(format!(
                "decision must be approve or reject, not {other:?}"
            )))
        }
    };
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 1000 {
        return Err(bad("the comment is longer than 1000 characters".into()));
    }
    if !approve && comment.is_empty() {
        return Err(bad(
            "say why you reject the deploy (the comment goes to GitHub)".into(),
        ));
    }
    let env = crate::domain::EnvName::parse(&env).map_err(|e| bad(e.to_string()))?;
    let target = services
        .deploys
        .iter()
        .find(|(n, _)| n == &env)
        .map(|(_, t)| t.clone())
        .ok_or_else(|| {
            super::respond(AppError::NotFound(format!(
                "{env} has no deploys configured"
            )))
        })?;
    let pending = target
        .source
        .pending(run_id)
        .await
        .map_err(|e| super::respond(e.into()))?;
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
        return Err(bad(format!(
            "run {run_id} is not waiting for approval (any more)"
        )));
    }
    let token = services
        .user_tokens
        .token_for(who.user_id)
        .await
        .map_err(|e| super::respond(e.into()))?;
    let answer = target
        .source
        .review(&token, run_id, &ids, approve, &comment)
        .await;
    let details = serde_json::json!({
        "env": env.as_str(),
        "repository": target.repository,
        "run_id": run_id,
        "decision": decision,
        "comment": comment,
        "environment_ids": ids,
        "github": match &answer { Ok(()) => "accepted".to_owned(), Err(e) => e.detail().to_owned() },
    });
    if let Err(e) = services
        .audit
        .record(who.user_id, &who.display_name, "deploy.review", details)
        .await
    {
        tracing::error!("recording a deploy review in the audit log failed: {e}");
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
        Err(e) => Err(super::respond(AppError::Forbidden(format!(
            "GitHub did not accept the review: {}",
            e.detail()
        )))),
    }
}
