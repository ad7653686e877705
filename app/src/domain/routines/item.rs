//! One item of a routine check (the morning and weekly checks): its state, the evidence it was
//! decided on and where that comes from.

use super::gate::CheckState;
use crate::domain::Level;
use serde::{Deserialize, Serialize};

/// One item of a routine check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutineItem {
    pub key: String,
    pub label: String,
    pub state: CheckState,
    /// What it was decided on, in words.
    pub evidence: String,
    /// Where the evidence comes from.
    pub href: String,
}

impl RoutineItem {
    pub fn level(&self) -> Level {
        match self.state {
            CheckState::Pass => Level::Ok,
            CheckState::Fail => Level::Critical,
            CheckState::NotApplicable => Level::Unknown,
        }
    }

    pub fn word(&self) -> &'static str {
        match self.state {
            CheckState::Pass => "pass",
            CheckState::Fail => "fails",
            CheckState::NotApplicable => "not configured",
        }
    }
}

pub(super) fn item(
    key: &str,
    label: &str,
    state: CheckState,
    evidence: String,
    href: &str,
) -> RoutineItem {
    RoutineItem {
        key: key.into(),
        label: label.into(),
        state,
        evidence,
        href: href.into(),
    }
}

pub(super) fn pass_if(ok: bool) -> CheckState {
    if ok {
        CheckState::Pass
    } else {
        CheckState::Fail
    }
}
