//! A request as pages show it: the action, the evidence at the time it was asked, the recorded
//! decisions, and its history as a timeline.

use super::action::Action;
use super::ledger::State;
use super::policy::Policy;
use crate::domain::evidence::EnvEvidence;
use crate::domain::EnvName;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A decision as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    /// The person (a stable id: two people may choose the same display name).
    pub user_id: i64,
    pub who: String,
    pub approve: bool,
    pub break_glass: bool,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// A request as pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub env: EnvName,
    pub action: Action,
    pub reason: String,
    pub requester: String,
    pub requester_id: i64,
    pub requested_at: DateTime<Utc>,
    pub policy: Policy,
    pub state: State,
    pub break_glass: bool,
    /// The second person who reviewed a break-glass execution (once).
    pub review: Option<Signed>,
    /// Health and key metrics when it was requested.
    pub evidence: Vec<EnvEvidence>,
    pub decisions: Vec<DecisionView>,
    pub executing_since: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// AWS's or GitHub's answer, in words.
    pub result: Option<String>,
    /// How a person closed an outcome nobody knew ("done" or "failed"), and why.
    pub resolution: Option<Resolution>,
}

/// Who did something, by stable id and display name, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signed {
    pub user_id: i64,
    pub who: String,
    pub at: DateTime<Utc>,
}

/// A person's verdict on an "outcome unknown" request after looking at the real state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub by: Signed,
    /// What they found: the request is now succeeded or failed.
    pub reason: String,
}

impl RequestView {
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.requested_at + Duration::seconds(self.policy.expires_after_s)
    }

    pub fn approvals(&self) -> usize {
        self.decisions.iter().filter(|d| d.approve).count()
    }

    /// The request's history, oldest first: (when, what happened).
    pub fn timeline(&self) -> Vec<(DateTime<Utc>, String)> {
        let mut t = vec![(
            self.requested_at,
            format!(
                "{} (#{}) asked: {} ({})",
                self.requester,
                self.requester_id,
                self.action.describe(),
                self.reason
            ),
        )];
        for d in &self.decisions {
            let verb = match (d.approve, d.break_glass) {
                (true, true) => "broke the glass and approved alone",
                (true, false) => "approved",
                (false, _) => "rejected",
            };
            let comment = if d.comment.is_empty() {
                String::new()
            } else {
                format!(": {}", d.comment)
            };
            t.push((d.at, format!("{} (#{}) {verb}{comment}", d.who, d.user_id)));
        }
        if let Some(at) = self.executing_since {
            t.push((at, "opsdeck started it".into()));
        }
        if let Some(at) = self.finished_at {
            // Before a resolution, the state the execution ended in was "outcome unknown".
            let ended = if self.resolution.is_some() {
                super::State::OutcomeUnknown
            } else {
                self.state
            };
            t.push((
                at,
                format!(
                    "{}: {}",
                    ended.words(),
                    self.result.clone().unwrap_or_default()
                ),
            ));
        }
        if let Some(r) = &self.review {
            t.push((
                r.at,
                format!("{} (#{}) reviewed the break glass", r.who, r.user_id),
            ));
        }
        if let Some(r) = &self.resolution {
            t.push((
                r.by.at,
                format!(
                    "{} (#{}) looked at the real state and marked it {}: {}",
                    r.by.who,
                    r.by.user_id,
                    self.state.words(),
                    r.reason
                ),
            ));
        }
        t.sort_by_key(|(at, _)| *at);
        t
    }
}
