//! What the state machine says about a stored request, and what happens after its execution: the
//! second person's review of a break glass, and a person's verdict on an outcome nobody knew.

use super::ledger::{Ledger, Refusal, State};
use super::view::RequestView;

impl RequestView {
    /// The state machine's view of a stored request: its decisions by person.
    pub fn ledger(&self) -> Ledger {
        Ledger {
            state: self.state,
            requester: self.requester_id,
            requested_at: self.requested_at,
            policy: self.policy,
            approvers: self
                .decisions
                .iter()
                .filter(|d| d.approve)
                .map(|d| d.user_id)
                .collect(),
            rejected_by: self
                .decisions
                .iter()
                .find(|d| !d.approve)
                .map(|d| d.user_id),
            break_glass: self.break_glass,
        }
    }

    /// May `user_id` review this break-glass execution? Once, and only by a person who neither
    /// asked for it nor broke the glass (people compared by id, never by display name).
    pub fn check_review(&self, user_id: i64) -> Result<(), Refusal> {
        if !self.break_glass {
            return Err(Refusal::NotBreakGlass);
        }
        if let Some(r) = &self.review {
            return Err(Refusal::AlreadyReviewed(format!(
                "{} (#{})",
                r.who, r.user_id
            )));
        }
        let broke = self
            .decisions
            .iter()
            .any(|d| d.break_glass && d.user_id == user_id);
        if broke || self.requester_id == user_id {
            return Err(Refusal::OwnBreakGlass);
        }
        Ok(())
    }

    /// The state a person's verdict on an "outcome unknown" request moves it to: `done` after
    /// they saw it happen, failed otherwise. A reason is required.
    pub fn check_resolution(&self, done: bool, reason: &str) -> Result<State, Refusal> {
        if self.state != State::OutcomeUnknown {
            return Err(Refusal::OutcomeKnown(self.state.words()));
        }
        if reason.trim().is_empty() {
            return Err(Refusal::ResolutionReason);
        }
        Ok(if done {
            State::Succeeded
        } else {
            State::Failed
        })
    }
}
