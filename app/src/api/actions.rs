//! Change control's server functions: request an action, decide on a request (approve, reject,
//! break glass), review a break-glass execution, verify an outcome nobody knows, and read them.
//! Roles are checked here on the server; the CSRF token by the guard before any of this runs.

// A request's form has one field per parameter of any action kind; the `#[server]` macro's
// generated functions take them one by one and cannot carry an attribute of their own.
#![allow(clippy::too_many_arguments)]

use super::AppError;
use crate::domain::actions::{ActionKind, RequestView};
use crate::domain::evidence::EnvEvidence;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestPage {
    pub request: RequestView,
    /// Every environment's health and key metrics now, beside those at the request.
    pub evidence_now: Vec<EnvEvidence>,
    pub viewer_id: i64,
    pub viewer_can_approve: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionsPage {
    pub requests: Vec<RequestView>,
    /// Environments actions can target.
    pub environments: Vec<String>,
    pub policies: Vec<(ActionKind, crate::domain::actions::Policy)>,
    pub max_tasks: u32,
    /// (environment, sha, description) of each environment's last known good deploy: the
    /// default version of a rollback.
    pub last_known_good: Vec<(String, String, String)>,
    pub viewer_id: i64,
    pub viewer_can_request: bool,
    pub viewer_can_approve: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(feature = "ssr")]
fn evidence_now(services: &crate::ports::Services) -> Vec<EnvEvidence> {
    crate::usecases::env_detail::evidence_now(&services.live.dashboard())
}

#[cfg(feature = "ssr")]
fn bad(m: String) -> AppError {
    super::respond(AppError::BadRequest(m))
}

#[server(prefix = "/api/fn", endpoint = "request_action")]
pub async fn request_action(
    env: String,
    kind: String,
    version: Option<String>,
    count: Option<String>,
    snapshot: Option<String>,
    new_instance: Option<String>,
    reason: String,
    csrf_token: Option<String>,
) -> Result<i64, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let services = super::services()?;
    let env = crate::domain::EnvName::parse(&env).map_err(|e| bad(e.to_string()))?;
    let dashboard = services.live.dashboard();
    if dashboard.env(env.as_str()).is_none() {
        return Err(super::respond(AppError::NotFound(format!(
            "no environment named {env}"
        ))));
    }
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(bad(
            "say why: the reason is required and goes into the audit log".into(),
        ));
    }
    if reason.chars().count() > 2000 {
        return Err(bad("the reason is longer than 2000 characters".into()));
    }
    let existing = services
        .change
        .databases
        .iter()
        .find(|(e, _)| e == env.as_str())
        .map(|(_, db)| db.as_str());
    let action = crate::domain::actions::Action::from_form(
        &kind,
        version.as_deref(),
        count.as_deref(),
        snapshot.as_deref(),
        new_instance.as_deref(),
        services.change.max_tasks,
        existing,
    )
    .map_err(bad)?;
    let policy = services.change.policy(action.kind());
    let id = services
        .actions
        .create(crate::ports::NewRequest {
            env: env.clone(),
            action,
            reason,
            requester_id: who.user_id,
            requester: who.display_name.clone(),
            policy,
            evidence: evidence_now(&services),
        })
        .await
        .map_err(|e| super::respond(e.into()))?;
    tracing::info!(request = id, %env, by = %who.display_name, "action requested");
    Ok(id)
}

/// `decision`: approve, reject, or break_glass (approve alone, where the policy allows, with a
/// reason in `comment`).
#[server(prefix = "/api/fn", endpoint = "decide_request")]
pub async fn decide_request(
    id: i64,
    decision: String,
    comment: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    let services = super::services()?;
    let (approve, break_glass) = match decision.as_str() {
        "approve" => (true, false),
        "reject" => (false, false),
        "break_glass" => (true, true),
        other => {
            return Err(bad(format!(
                "decision must be approve, reject or break_glass, not {other:?}"
            )))
        }
    };
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 2000 {
        return Err(bad("the comment is longer than 2000 characters".into()));
    }
    if !approve && comment.is_empty() {
        return Err(bad("say why you reject it".into()));
    }
    let state = services
        .actions
        .decide(
            id,
            &who.display_name,
            crate::domain::actions::Decision {
                user_id: who.user_id,
                approve,
                break_glass,
            },
            &comment,
        )
        .await
        .map_err(|e| super::respond(e.into()))?;
    Ok(format!("Recorded. The request is now {}.", state.words()))
}

#[server(prefix = "/api/fn", endpoint = "review_request")]
pub async fn review_request(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Approver)?;
    let services = super::services()?;
    services
        .actions
        .review(id, who.user_id, &who.display_name)
        .await
        .map_err(|e| super::respond(e.into()))?;
    Ok("Reviewed.".into())
}

/// Look at the real state of what an "outcome unknown" request did; recorded in the audit log.
#[server(prefix = "/api/fn", endpoint = "verify_request")]
pub async fn verify_request(id: i64, csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let services = super::services()?;
    let r = services
        .actions
        .get(id)
        .await
        .map_err(|e| super::respond(e.into()))?
        .ok_or_else(|| super::respond(AppError::NotFound(format!("no request {id}"))))?;
    let env = crate::domain::EnvName::parse(&r.env).map_err(|e| bad(e.to_string()))?;
    let found = services
        .executor
        .verify(&env, &r.action)
        .await
        .map_err(|e| super::respond(e.into()))?;
    let _ = services
        .audit
        .record(
            who.user_id,
            &who.display_name,
            "action.verify",
            serde_json::json!({"request": id, "found": found}),
        )
        .await;
    Ok(found)
}

#[server(prefix = "/api/fn", endpoint = "action_request", input = GetUrl)]
pub async fn get_request(id: i64) -> Result<RequestPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    let services = super::services()?;
    let request = services
        .actions
        .get(id)
        .await
        .map_err(|e| super::respond(e.into()))?
        .ok_or_else(|| super::respond(AppError::NotFound(format!("no request {id}"))))?;
    Ok(RequestPage {
        request,
        evidence_now: evidence_now(&services),
        viewer_id: who.user_id,
        viewer_can_approve: who.has(crate::domain::Role::Approver),
        generated_at: chrono::Utc::now(),
    })
}

#[server(prefix = "/api/fn", endpoint = "action_requests", input = GetUrl)]
pub async fn get_actions() -> Result<ActionsPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    let services = super::services()?;
    let requests = services
        .actions
        .list(100)
        .await
        .map_err(|e| super::respond(e.into()))?;
    let dashboard = services.live.dashboard();
    let last_known_good = dashboard
        .clouds
        .iter()
        .filter_map(|c| {
            let panel = c.deploys.as_ref()?.value.as_ref()?;
            let good = panel.last_known_good()?;
            Some((
                c.name.to_string(),
                good.head_sha.clone(),
                good.message.clone().unwrap_or_default(),
            ))
        })
        .collect();
    Ok(ActionsPage {
        last_known_good,
        requests,
        environments: services
            .live
            .dashboard()
            .environments
            .iter()
            .map(|e| e.name.to_string())
            .collect(),
        policies: services.change.policies.clone(),
        max_tasks: services.change.max_tasks,
        viewer_id: who.user_id,
        viewer_can_request: who.has(crate::domain::Role::Operator),
        viewer_can_approve: who.has(crate::domain::Role::Approver),
        generated_at: chrono::Utc::now(),
    })
}
