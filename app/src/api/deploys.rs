//! Reviewing a deploy waiting at GitHub's approval gate (see `usecases::deploy_review`): the
//! approver role is checked here, on the server; the CSRF token by the guard.

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
    /// The "migrations reviewed" box: present ("on") when ticked.
    migrations_reviewed: Option<String>,
    /// Approving although required checklist items fail, and why.
    override_reason: Option<String>,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let gate_form = crate::usecases::deploy_review::GateForm {
        migrations_reviewed: migrations_reviewed.is_some(),
        override_reason: override_reason.unwrap_or_default(),
    };
    let who = super::require(crate::domain::Role::Approver)?;
    crate::usecases::deploy_review::review_deploy(
        &super::services()?,
        &who,
        &env,
        run_id,
        &decision,
        &comment,
        &gate_form,
    )
    .await
    .map_err(super::respond)
}
