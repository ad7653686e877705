//! The escalation clock: the runbook's matrix as steps that fall due a set time after the incident
//! started, each with what to do and whom to contact. A step not marked done by its time is
//! overdue; the first step not done is the current one.

use crate::domain::actions::Signed;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One step: due `due_after_s` after the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    pub due_after_s: i64,
    pub words: String,
    /// Contacts this step needs, by their role or name (`[[contacts]]`).
    pub contacts: Vec<String>,
    /// Support links this step needs, by name (`[[support]]`).
    pub support: Vec<String>,
}

impl EscalationStep {
    fn new(minutes: i64, words: &str, contacts: &[&str], support: &[&str]) -> Self {
        Self {
            due_after_s: minutes * 60,
            words: words.into(),
            contacts: contacts.iter().map(|c| (*c).to_owned()).collect(),
            support: support.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The runbook's "Production down" escalation and its escalation matrix.
    pub fn runbook() -> Vec<Self> {
        vec![
            Self::new(
                2,
                "Confirm the outage and check recent changes (deploys, actions, infrastructure commits).",
                &[],
                &[],
            ),
            Self::new(5, "Roll back if there was a recent deploy.", &[], &[]),
            Self::new(
                10,
                "Contact the repository owner if the rollback did not resolve it (level 1).",
                &["Repository owner"],
                &["GitHub Support"],
            ),
            Self::new(
                15,
                "Engage AWS support if it is an infrastructure issue; escalate to the technical lead (level 2).",
                &["Technical lead"],
                &["AWS Support", "DNS provider"],
            ),
            Self::new(30, "Escalate to management (level 3).", &["Management"], &[]),
        ]
    }
}

/// Someone to call, from `[[contacts]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub slack: Option<String>,
    pub email: Option<String>,
}

impl Contact {
    /// The runbook's primary contact.
    pub fn runbook() -> Vec<Self> {
        vec![Contact {
            name: "@tristanl-slalom".into(),
            role: "Repository owner".into(),
            phone: None,
            slack: None,
            email: None,
        }]
    }
}

/// Outside help, from `[[support]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportLink {
    pub name: String,
    pub url: String,
}

impl SupportLink {
    /// The runbook's external support list.
    pub fn runbook() -> Vec<Self> {
        vec![
            SupportLink {
                name: "AWS Support".into(),
                url: "https://console.aws.amazon.com/support/home".into(),
            },
            SupportLink {
                name: "GitHub Support".into(),
                url: "https://www.githubstatus.com/".into(),
            },
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not due yet.
    Upcoming,
    /// Its time passed and nobody marked it done.
    Overdue,
    Done,
}

/// A step as the room shows it now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub index: usize,
    pub step: EscalationStep,
    pub due_at: DateTime<Utc>,
    pub state: StepState,
    pub done: Option<Signed>,
    /// The first step not done.
    pub current: bool,
    /// The contacts and links it names, as configured (a name with nothing configured is kept,
    /// so the room says who is missing).
    pub contacts: Vec<Result<Contact, String>>,
    pub support: Vec<Result<SupportLink, String>>,
}

/// Each step's state at `now`, for an incident that started at `started_at`.
pub fn steps_at(
    steps: &[EscalationStep],
    started_at: DateTime<Utc>,
    done: &[(usize, Signed)],
    contacts: &[Contact],
    support: &[SupportLink],
    now: DateTime<Utc>,
) -> Vec<StepView> {
    let mut current_seen = false;
    steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let due_at = started_at + Duration::seconds(step.due_after_s);
            let done = done
                .iter()
                .find(|(i, _)| *i == index)
                .map(|(_, s)| s.clone());
            let state = match (&done, now >= due_at) {
                (Some(_), _) => StepState::Done,
                (None, true) => StepState::Overdue,
                (None, false) => StepState::Upcoming,
            };
            let current = done.is_none() && !current_seen;
            current_seen |= current;
            let find_contact = |want: &String| {
                contacts
                    .iter()
                    .find(|c| {
                        c.role.eq_ignore_ascii_case(want) || c.name.eq_ignore_ascii_case(want)
                    })
                    .cloned()
                    .ok_or_else(|| want.clone())
            };
            let find_link = |want: &String| {
                support
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(want))
                    .cloned()
                    .ok_or_else(|| want.clone())
            };
            StepView {
                index,
                due_at,
                state,
                current,
                contacts: step.contacts.iter().map(find_contact).collect(),
                support: step.support.iter().map(find_link).collect(),
                step: step.clone(),
                done,
            }
        })
        .collect()
}

/// Steps that fell due between `after` (exclusive) and `now` (inclusive), not done: what the
/// timer announces once.
pub fn fell_due(
    steps: &[EscalationStep],
    started_at: DateTime<Utc>,
    done: &[(usize, Signed)],
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<usize> {
    steps
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            let due = started_at + Duration::seconds(s.due_after_s);
            due > after && due <= now && !done.iter().any(|(d, _)| d == i)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(who: &str, at: DateTime<Utc>) -> Signed {
        Signed {
            user_id: 1,
            who: who.into(),
            at,
        }
    }

    #[test]
    fn steps_fall_due_turn_overdue_and_the_first_open_one_is_current() {
        let start = Utc::now();
        let steps = EscalationStep::runbook();
        let contacts = Contact::runbook();
        let support = SupportLink::runbook();
        let at = |m: i64| start + Duration::minutes(m);
        let v = steps_at(&steps, start, &[], &contacts, &support, at(1));
        assert!(v.iter().all(|s| s.state == StepState::Upcoming));
        assert!(v[0].current && !v[1].current);
        let done = vec![(0, signed("Alice", at(1)))];
        let v = steps_at(&steps, start, &done, &contacts, &support, at(6));
        assert_eq!(v[0].state, StepState::Done);
        assert_eq!(v[1].state, StepState::Overdue, "5 min passed, not done");
        assert!(v[1].current);
        assert_eq!(v[2].state, StepState::Upcoming);
        assert_eq!(
            v[2].contacts,
            vec![Ok(contacts[0].clone())],
            "the repository owner, by role"
        );
        assert_eq!(
            v[3].contacts,
            vec![Err("Technical lead".to_owned())],
            "nobody configured: said so"
        );
        assert_eq!(fell_due(&steps, start, &done, at(4), at(11)), vec![1, 2]);
        assert_eq!(
            fell_due(&steps, start, &done, at(11), at(12)),
            Vec::<usize>::new()
        );
    }
}
