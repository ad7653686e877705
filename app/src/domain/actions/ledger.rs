//! A request's state machine: its states, the decisions people make on it, why a decision is
//! refused, and when the worker may execute it.

use super::policy::Policy;
use crate::domain::Level;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for approvals.
    Pending,
    /// Enough approvals: the worker will execute it.
    Approved,
    /// A worker claimed it and called the outside system.
    Executing,
    Succeeded,
    Failed,
    /// The process died during the call: nobody knows whether it happened. Verify, never retry.
    OutcomeUnknown,
    Rejected,
    Expired,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Executing => "executing",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::OutcomeUnknown => "outcome_unknown",
            State::Rejected => "rejected",
            State::Expired => "expired",
            State::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            State::Pending,
            State::Approved,
            State::Executing,
            State::Succeeded,
            State::Failed,
            State::OutcomeUnknown,
            State::Rejected,
            State::Expired,
            State::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    pub fn words(self) -> &'static str {
        match self {
            State::Pending => "waiting for approval",
            State::Approved => "approved, about to run",
            State::Executing => "running",
            State::Succeeded => "done",
            State::Failed => "failed",
            State::OutcomeUnknown => "outcome unknown — verify",
            State::Rejected => "rejected",
            State::Expired => "expired",
            State::Cancelled => "cancelled",
        }
    }

    pub fn level(self) -> Level {
        match self {
            State::Succeeded => Level::Ok,
            State::Failed | State::OutcomeUnknown => Level::Critical,
            State::Pending | State::Approved | State::Executing => Level::Warning,
            State::Rejected | State::Expired | State::Cancelled => Level::Unknown,
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Succeeded | State::Failed | State::Rejected | State::Expired | State::Cancelled
        )
    }
}

/// A decision on a pending request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub user_id: i64,
    pub approve: bool,
    pub break_glass: bool,
}

/// Why a decision was refused, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("you asked for this: someone else must approve it")]
    SelfApproval,
    #[error("you already decided on this request")]
    AlreadyDecided,
    #[error("this request expired at {0}; ask again")]
    Expired(String),
    #[error("this request is {0}, not waiting for approval")]
    NotPending(&'static str),
    #[error("break glass is only for actions whose policy allows it (stop all writes)")]
    NoBreakGlass,
    #[error("break glass needs a reason")]
    BreakGlassReason,
    #[error("only break-glass executions are reviewed afterwards")]
    NotBreakGlass,
    #[error("a second person reviews a break-glass execution, not the people who asked for it or did it")]
    OwnBreakGlass,
    #[error("{0} already reviewed this break glass")]
    AlreadyReviewed(String),
    #[error(
        "only a request whose outcome is unknown is marked done or failed by hand; this one is {0}"
    )]
    OutcomeKnown(&'static str),
    #[error("say what you found: the reason is required and goes into the audit log")]
    ResolutionReason,
}

impl Refusal {
    /// A refusal because the thing was already done (by someone else, or earlier): a conflict with
    /// the request's state rather than a lack of permission.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Refusal::AlreadyReviewed(_) | Refusal::OutcomeKnown(_))
    }
}

/// What a request looks like to the state machine.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    pub state: State,
    pub requester: i64,
    pub requested_at: DateTime<Utc>,
    pub policy: Policy,
    /// Approvals so far, by user (distinct).
    pub approvers: Vec<i64>,
    pub rejected_by: Option<i64>,
    pub break_glass: bool,
}

/// The result of a decision: the new state and whether it was a break-glass approval.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub state: State,
    pub break_glass: bool,
}

impl Ledger {
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.requested_at + Duration::seconds(self.policy.expires_after_s)
    }

    /// Apply a decision made at `now` with `reason` (the comment). Rejects close the request;
    /// approvals move it to Approved once enough distinct people (other than the requester,
    /// unless the policy allows) approved — or at once for a break-glass approval.
    pub fn decide(
        &mut self,
        d: &Decision,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Outcome, Refusal> {
        if self.state != State::Pending {
            return Err(Refusal::NotPending(self.state.words()));
        }
        if now >= self.expires_at() {
            self.state = State::Expired;
            return Err(Refusal::Expired(
                self.expires_at().format("%H:%M:%S UTC").to_string(),
            ));
        }
        if self.approvers.contains(&d.user_id) {
            return Err(Refusal::AlreadyDecided);
        }
        if d.approve
            && d.user_id == self.requester
            && !self.policy.requester_may_approve
            && !d.break_glass
        {
            return Err(Refusal::SelfApproval);
        }
        if !d.approve {
            self.rejected_by = Some(d.user_id);
            self.state = State::Rejected;
            return Ok(Outcome {
                state: self.state,
                break_glass: false,
            });
        }
        if d.break_glass {
            if !self.policy.break_glass {
                return Err(Refusal::NoBreakGlass);
            }
            if reason.trim().is_empty() {
                return Err(Refusal::BreakGlassReason);
            }
            self.approvers.push(d.user_id);
            self.break_glass = true;
            self.state = State::Approved;
            return Ok(Outcome {
                state: self.state,
                break_glass: true,
            });
        }
        self.approvers.push(d.user_id);
        if self.approvers.len() as u32 >= self.policy.approvals {
            self.state = State::Approved;
        }
        Ok(Outcome {
            state: self.state,
            break_glass: false,
        })
    }

    /// May the worker execute this now? Only approved, unexpired requests with enough approvals
    /// by others (or a break-glass approval).
    pub fn executable(&self, now: DateTime<Utc>) -> bool {
        let others = self
            .approvers
            .iter()
            .filter(|a| self.policy.requester_may_approve || **a != self.requester)
            .count() as u32;
        self.state == State::Approved
            && now < self.expires_at() + Duration::minutes(5)
            && (others >= self.policy.approvals || self.break_glass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::actions::ActionKind;
    use proptest::prelude::*;

    fn ledger(kind: ActionKind) -> Ledger {
        Ledger {
            state: State::Pending,
            requester: 1,
            requested_at: Utc::now(),
            policy: Policy::default_for(kind),
            approvers: vec![],
            rejected_by: None,
            break_glass: false,
        }
    }

    #[test]
    fn one_other_person_approves_a_scale_two_approve_a_restore() {
        let now = Utc::now();
        let approve = |u| Decision {
            user_id: u,
            approve: true,
            break_glass: false,
        };
        let mut l = ledger(ActionKind::Scale);
        assert_eq!(l.decide(&approve(1), "", now), Err(Refusal::SelfApproval));
        assert_eq!(
            l.decide(&approve(2), "", now).map(|o| o.state),
            Ok(State::Approved)
        );
        assert!(l.executable(now));
        let mut r = ledger(ActionKind::Restore);
        assert_eq!(
            r.decide(&approve(2), "", now).map(|o| o.state),
            Ok(State::Pending)
        );
        assert_eq!(r.decide(&approve(2), "", now), Err(Refusal::AlreadyDecided));
        assert!(!r.executable(now));
        assert_eq!(
            r.decide(&approve(3), "", now).map(|o| o.state),
            Ok(State::Approved)
        );
    }

    #[test]
    fn expiry_rejection_and_break_glass() {
        let now = Utc::now();
        let mut l = ledger(ActionKind::Restart);
        let later = now + Duration::minutes(31);
        assert!(matches!(
            l.decide(
                &Decision {
                    user_id: 2,
                    approve: true,
                    break_glass: false
                },
                "",
                later
            ),
            Err(Refusal::Expired(_))
        ));
        assert_eq!(l.state, State::Expired);
        let mut s = ledger(ActionKind::StopWrites);
        let glass = Decision {
            user_id: 1,
            approve: true,
            break_glass: true,
        };
        assert_eq!(s.decide(&glass, " ", now), Err(Refusal::BreakGlassReason));
        assert_eq!(
            s.decide(&glass, "data corruption in orders", now)
                .map(|o| o.break_glass),
            Ok(true)
        );
        assert!(s.executable(now));
        let mut r = ledger(ActionKind::Rollback);
        assert_eq!(r.decide(&glass, "why not", now), Err(Refusal::NoBreakGlass));
    }

    fn decision() -> impl Strategy<Value = (i64, bool, bool, bool, i64)> {
        // (user 1..=4, approve, break glass, with reason, minutes later 0..40)
        (
            1i64..=4,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0i64..40,
        )
    }

    proptest! {
        /// Whatever people do, a request is executable only with enough approvals by others (or a
        /// break-glass approval with a reason, where allowed), and never after a rejection or
        /// expiry.
        #[test]
        fn nothing_executes_without_enough_approvals_by_others(
            kind in prop::sample::select(ActionKind::ALL.to_vec()),
            decisions in prop::collection::vec(decision(), 0..8),
        ) {
            let start = Utc::now();
            let mut l = ledger(kind);
            let mut rejected = false;
            let mut expired = false;
            for (user, approve, glass, reason, minutes) in decisions {
                let now = start + Duration::minutes(minutes);
                let reason = if reason { "because" } else { "" };
                let res = l.decide(&Decision { user_id: user, approve, break_glass: glass }, reason, now);
                if res.as_ref().is_ok_and(|o| o.state == State::Rejected) { rejected = true; }
                if matches!(res, Err(Refusal::Expired(_))) { expired = true; }
                let others: std::collections::BTreeSet<_> = l.approvers.iter().filter(|a| **a != l.requester).collect();
                if l.executable(now) {
                    prop_assert!(!rejected && !expired);
                    prop_assert!(others.len() as u32 >= l.policy.approvals || (l.break_glass && l.policy.break_glass));
                }
                if rejected { prop_assert_eq!(l.state, State::Rejected); }
            }
        }
    }
}
