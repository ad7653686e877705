//! Changing an incident, one click each: take the lead, move the status, change the severity, add a
//! note, mark an escalation step done, resolve with a summary (the timeline is kept with it).

use super::bad;
use crate::domain::incident::{Severity, Status, MAX_NOTE, MAX_SUMMARY};
use crate::domain::{AppError, Principal};
use crate::ports::incidents::{Actor, Change};
use crate::ports::Services;

/// What a room's form sends.
pub enum ChangeForm {
    /// `expected`: the lead the person saw (none, or a person's id), so two people taking the lead
    /// at the same moment leave one lead and the other is told.
    TakeLead {
        expected: Option<i64>,
    },
    Status(String),
    Severity(String),
    Note(String),
    StepDone(usize),
    Resolve(String),
}

#[tracing::instrument(skip(services, who, form))]
pub async fn change(
    services: &Services,
    who: &Principal,
    id: i64,
    form: ChangeForm,
) -> Result<String, AppError> {
    let incident = services
        .incidents
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no incident {id}")))?;
    let (change, said) = match form {
        ChangeForm::TakeLead { expected } => (
            Change::TakeLead { expected },
            "You lead this incident.".to_owned(),
        ),
        ChangeForm::Status(s) => {
            let status = Status::parse(s.trim())
                .filter(|s| *s != Status::Resolved)
                .ok_or_else(|| {
                    bad(format!(
                        "status {s:?} is not one of investigating, identified, mitigating, monitoring (resolving needs a summary)"
                    ))
                })?;
            (
                Change::Status(status),
                format!("Status: {}.", status.words()),
            )
        }
        ChangeForm::Severity(s) => {
            let severity = Severity::parse(s.trim()).ok_or_else(|| {
                bad(format!(
                    "severity {s:?} is not one of critical, high, medium, low"
                ))
            })?;
            (
                Change::Severity(severity),
                format!("Severity: {}.", severity.label()),
            )
        }
        ChangeForm::Note(text) => {
            let text = text.trim().to_owned();
            if text.is_empty() {
                return Err(bad("the note is empty"));
            }
            if text.chars().count() > MAX_NOTE {
                return Err(bad(format!("a note is at most {MAX_NOTE} characters")));
            }
            (Change::Note(text), "Noted.".to_owned())
        }
        ChangeForm::StepDone(step) => {
            let words = services
                .incident
                .escalation
                .get(step)
                .map(|s| s.words.clone())
                .ok_or_else(|| bad(format!("there is no escalation step {}", step + 1)))?;
            (Change::StepDone { step, words }, "Marked done.".to_owned())
        }
        ChangeForm::Resolve(summary) => {
            let summary = summary.trim().to_owned();
            if summary.is_empty() {
                return Err(bad(
                    "say what happened and what fixed it: the summary is required to resolve",
                ));
            }
            if summary.chars().count() > MAX_SUMMARY {
                return Err(bad(format!(
                    "the summary is at most {MAX_SUMMARY} characters"
                )));
            }
            let timeline = super::timeline(services, &incident).await?;
            (
                Change::Resolve { summary, timeline },
                "Resolved.".to_owned(),
            )
        }
    };
    services
        .incidents
        .change(id, &Actor::from(who), change)
        .await?;
    Ok(said)
}
