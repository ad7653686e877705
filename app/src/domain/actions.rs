//! Change control: the runbook's risky steps as requests that other people approve, executed once
//! by the server. This module is the pure part — what an action is, which parameters are valid,
//! the policy per kind, and the request's state machine. Storage and execution live elsewhere.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// An action with its validated parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Dispatch the rollback workflow with this version (a tag or a sha).
    Rollback { version: String },
    /// Scale the ECS service to 0 — the runbook's data-corruption step. Marks the incident start.
    StopWrites,
    /// Scale the ECS service to `count` tasks.
    Scale { count: u32 },
    /// Force a new deployment of the ECS service.
    Restart,
    /// Restore the database from `snapshot` into a new instance `new_instance`.
    Restore {
        snapshot: String,
        new_instance: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Rollback,
    StopWrites,
    Scale,
    Restart,
    Restore,
}

impl ActionKind {
    pub const ALL: [ActionKind; 5] = [
        ActionKind::Rollback,
        ActionKind::StopWrites,
        ActionKind::Scale,
        ActionKind::Restart,
        ActionKind::Restore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Rollback => "rollback",
            ActionKind::StopWrites => "stop_writes",
            ActionKind::Scale => "scale",
            ActionKind::Restart => "restart",
            ActionKind::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Rollback => "Roll back",
            ActionKind::StopWrites => "Stop all writes",
            ActionKind::Scale => "Scale",
            ActionKind::Restart => "Restart",
            ActionKind::Restore => "Restore the database",
        }
    }

    /// What it does, in the runbook's terms.
    pub fn explains(self) -> &'static str {
        match self {
            ActionKind::Rollback => "Dispatch the rollback workflow with a version (default: last known good).",
            ActionKind::StopWrites => "Scale the ECS service to 0 tasks: no traffic, no writes. Records the incident start.",
            ActionKind::Scale => "Set the ECS service's desired task count.",
            ActionKind::Restart => "Force a new deployment of the ECS service (fresh tasks, same version).",
            ActionKind::Restore => "Restore an RDS snapshot into a NEW instance; the existing database is not touched.",
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Rollback { .. } => ActionKind::Rollback,
            Action::StopWrites => ActionKind::StopWrites,
            Action::Scale { .. } => ActionKind::Scale,
            Action::Restart => ActionKind::Restart,
            Action::Restore { .. } => ActionKind::Restore,
        }
    }

    /// One line a person reads: "Scale to 4 tasks".
    pub fn describe(&self) -> String {
        match self {
            Action::Rollback { version } => format!("Roll back to {version}"),
            Action::StopWrites => "Stop all writes (scale to 0)".into(),
            Action::Scale { count } => format!("Scale to {count} tasks"),
            Action::Restart => "Restart (force a new deployment)".into(),
            Action::Restore {
                snapshot,
                new_instance,
            } => {
                format!("Restore {snapshot} into a new instance {new_instance}")
            }
        }
    }

    /// Build and validate an action from form fields. `max_tasks` bounds scaling;
    /// `existing_instance` is the database that a restore must never overwrite.
    pub fn from_form(
        kind: &str,
        version: Option<&str>,
        count: Option<&str>,
        snapshot: Option<&str>,
        new_instance: Option<&str>,
        max_tasks: u32,
        existing_instance: Option<&str>,
    ) -> Result<Self, String> {
        let kind = ActionKind::parse(kind).ok_or_else(|| format!("{kind:?} is not an action"))?;
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 128
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        };
        Ok(match kind {
            ActionKind::Rollback => {
                let v = version.map(str::trim).unwrap_or_default();
                if !name_ok(v) {
                    return Err(format!("version {v:?} must be a tag or a commit sha"));
                }
                Action::Rollback {
                    version: v.to_owned(),
                }
            }
            ActionKind::StopWrites => Action::StopWrites,
            ActionKind::Restart => Action::Restart,
            ActionKind::Scale => {
                let raw = count.map(str::trim).unwrap_or_default();
                let n: u32 = raw
                    .parse()
                    .map_err(|_| format!("task count {raw:?} is not a whole number"))?;
                if n == 0 {
                    return Err(
                        "scaling to 0 is \"Stop all writes\", which has its own policy".into(),
                    );
                }
                if n > max_tasks {
                    return Err(format!(
                        "{n} tasks is more than the configured maximum of {max_tasks}"
                    ));
                }
                Action::Scale { count: n }
            }
            ActionKind::Restore => {
                let snap = snapshot.map(str::trim).unwrap_or_default();
                let new = new_instance.map(str::trim).unwrap_or_default();
                if !name_ok(snap) {
                    return Err(format!("snapshot {snap:?} is not a snapshot identifier"));
                }
                let ident_ok = new.len() <= 63
                    && new.starts_with(|c: char| c.is_ascii_lowercase())
                    && new
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !new.ends_with('-')
                    && !new.contains("--");
                if !ident_ok {
                    return Err(format!(
                        "new instance name {new:?} must be 1–63 lowercase letters, digits or single hyphens, starting with a letter"
                    ));
                }
                if existing_instance == Some(new) {
                    return Err(format!(
                        "{new} is the existing database: a restore always goes into a new instance"
                    ));
                }
                Action::Restore {
                    snapshot: snap.to_owned(),
                    new_instance: new.to_owned(),
                }
            }
        })
    }
}

/// How an action kind is approved.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Distinct approvals needed, from people other than the requester unless allowed.
    pub approvals: u32,
    pub requester_may_approve: bool,
    pub expires_after_s: i64,
    /// "Stop all writes": one approver may execute it alone with a reason; it is then flagged for
    /// review by a second person.
    pub break_glass: bool,
}

impl Policy {
    /// The defaults: one approval by someone else within 30 minutes; restores need two; stopping
    /// writes may be done alone in an emergency.
    pub fn default_for(kind: ActionKind) -> Self {
        Self {
            approvals: if kind == ActionKind::Restore { 2 } else { 1 },
            requester_may_approve: false,
            expires_after_s: 30 * 60,
            break_glass: kind == ActionKind::StopWrites,
        }
    }
}

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

    pub fn level(self) -> super::Level {
        use super::Level;
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

    #[test]
    fn parameters_are_validated() {
        let f = |k, v: Option<&str>, c: Option<&str>, s: Option<&str>, n: Option<&str>| {
            Action::from_form(k, v, c, s, n, 10, Some("conflicto-prod"))
        };
        assert_eq!(
            f("scale", None, Some("4"), None, None),
            Ok(Action::Scale { count: 4 })
        );
        assert!(f("scale", None, Some("11"), None, None)
            .unwrap_err()
            .contains("maximum of 10"));
        assert!(f("scale", None, Some("0"), None, None).is_err());
        assert!(f("scale", None, Some("four"), None, None).is_err());
        assert!(f("rollback", Some("v1.4.1; rm -rf /"), None, None, None).is_err());
        assert!(f(
            "restore",
            None,
            None,
            Some("rds:conflicto-prod-2026-11-27-03-00"),
            Some("conflicto-prod")
        )
        .unwrap_err()
        .contains("existing database"));
        assert!(f("restore", None, None, Some("rds:x"), Some("Recovery_1")).is_err());
        assert!(f(
            "restore",
            None,
            None,
            Some("rds:x"),
            Some("conflicto-prod-recovery")
        )
        .is_ok());
        assert!(f("format_disk", None, None, None, None).is_err());
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
    pub evidence: Vec<super::deploys::EnvEvidence>,
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

/// Change-control configuration the application needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSettings {
    pub policies: Vec<(ActionKind, Policy)>,
    pub max_tasks: u32,
    /// (environment, its database): a restore may never target these.
    pub databases: Vec<(String, String)>,
}

impl Default for ChangeSettings {
    fn default() -> Self {
        Self {
            policies: ActionKind::ALL
                .iter()
                .map(|k| (*k, Policy::default_for(*k)))
                .collect(),
            max_tasks: 10,
            databases: vec![],
        }
    }
}

impl ChangeSettings {
    pub fn policy(&self, kind: ActionKind) -> Policy {
        self.policies
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or_else(|| Policy::default_for(kind), |(_, p)| *p)
    }
}
