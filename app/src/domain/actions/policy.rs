//! How each action kind is approved: the policy per kind and the change-control settings that
//! hold the configured policies and the limits on parameters.

use super::action::ActionKind;
use serde::{Deserialize, Serialize};

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

/// Change-control configuration the application needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSettings {
    pub policies: Vec<(ActionKind, Policy)>,
    pub max_tasks: u32,
    /// (environment, its database): a restore may never target these.
    pub databases: Vec<(String, String)>,
    /// Environments whose database sessions may be cancelled or terminated: those with a
    /// connection allowed to signal them (absent: the actions are not offered).
    pub session_actions: Vec<String>,
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
            session_actions: vec![],
        }
    }
}

impl ChangeSettings {
    pub fn offers_session_actions(&self, env: &str) -> bool {
        self.session_actions.iter().any(|e| e == env)
    }

    pub fn policy(&self, kind: ActionKind) -> Policy {
        self.policies
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or_else(|| Policy::default_for(kind), |(_, p)| *p)
    }
}
