//! The incident room's server functions: the list, one room, declaring (also from a proposal),
//! dismissing a proposal, and changing an incident. Operators declare and change; everyone who may
//! look reads. The CSRF token is checked by the guard before any of this runs.

use super::AppError;
use crate::domain::incident::{IncidentPage, IncidentsPage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api/fn", endpoint = "incidents", input = GetUrl)]
pub async fn get_incidents() -> Result<IncidentsPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::incident::incidents_page(&super::services()?, &who)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "incident", input = GetUrl)]
pub async fn get_incident(id: i64) -> Result<IncidentPage, AppError> {
    let who = super::require(crate::domain::Role::Viewer)?;
    crate::usecases::incident::room(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

/// `environments`: comma-separated; `proposal`: declare opsdeck's proposal as it stands (title and
/// severity may then be left empty).
#[server(prefix = "/api/fn", endpoint = "declare_incident")]
pub async fn declare_incident(
    title: String,
    severity: String,
    environments: String,
    proposal: Option<i64>,
    csrf_token: Option<String>,
) -> Result<i64, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let form = crate::usecases::incident::DeclareForm {
        title,
        severity,
        environments: vec![environments],
        proposal,
    };
    crate::usecases::incident::declare(&super::services()?, &who, form)
        .await
        .map_err(super::respond)
}

#[server(prefix = "/api/fn", endpoint = "dismiss_proposal")]
pub async fn dismiss_proposal(id: i64, csrf_token: Option<String>) -> Result<(), AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    crate::usecases::incident::dismiss(&super::services()?, &who, id)
        .await
        .map_err(super::respond)
}

/// `what`: `lead` (`value`: the lead's person id the page showed, empty for none), `status`,
/// `severity`, `note`, `step` (`value`: the step's number, from 1), `resolve` (`value`: summary).
#[server(prefix = "/api/fn", endpoint = "change_incident")]
pub async fn change_incident(
    id: i64,
    what: String,
    value: String,
    csrf_token: Option<String>,
) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    use crate::usecases::incident::ChangeForm;
    let bad = |m: String| super::respond(AppError::BadRequest(m));
    let form = match what.as_str() {
        "lead" => ChangeForm::TakeLead {
            expected: match value.trim() {
                "" => None,
                v => Some(
                    v.parse()
                        .map_err(|_| bad(format!("{v:?} is not a person id")))?,
                ),
            },
        },
        "status" => ChangeForm::Status(value),
        "severity" => ChangeForm::Severity(value),
        "note" => ChangeForm::Note(value),
        "step" => ChangeForm::StepDone(
            value
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| bad(format!("{value:?} is not a step number")))?,
        ),
        "resolve" => ChangeForm::Resolve(value),
        other => {
            return Err(bad(format!(
                "{other:?} is not a change: lead, status, severity, note, step or resolve"
            )))
        }
    };
    crate::usecases::incident::change(&super::services()?, &who, id, form)
        .await
        .map_err(super::respond)
}
