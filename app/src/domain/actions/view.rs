//! A request as pages show it: the action, the evidence at the time it was asked, the recorded
//! decisions, and its history as a timeline.

use super::action::Action;
use super::ledger::State;
use super::policy::Policy;
use crate::domain::evidence::EnvEvidence;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A decision as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
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
    pub env: String,
    pub action: Action,
    pub reason: String,
    pub requester: String,
    pub requester_id: i64,
    pub requested_at: DateTime<Utc>,
    pub policy: Policy,
    pub state: State,
    pub break_glass: bool,
    pub reviewed_by: Option<String>,
    /// Health and key metrics when it was requested.
    pub evidence: Vec<EnvEvidence>,
    pub decisions: Vec<DecisionView>,
    pub executing_since: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// AWS's or GitHub's answer, in words.
    pub result: Option<String>,
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
                "{} asked: {} ({})",
                self.requester,
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
            t.push((d.at, format!("{} {verb}{comment}", d.who)));
        }
        if let Some(at) = self.executing_since {
            t.push((at, "opsdeck started it".into()));
        }
        if let Some(at) = self.finished_at {
            t.push((
                at,
                format!(
                    "{}: {}",
                    self.state.words(),
                    self.result.clone().unwrap_or_default()
                ),
            ));
        }
        t.sort_by_key(|(at, _)| *at);
        t
    }
}
