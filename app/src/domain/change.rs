//! Change control's pages as they travel to the browser: one request with the evidence then and
//! now, and the actions page (inbox, catalogue, history).

use super::actions::{ActionKind, Policy, RequestView};
pub use super::deploys::LastKnownGood;
use super::evidence::EnvEvidence;
use super::EnvName;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestPage {
    pub request: RequestView,
    /// Every environment's health and key metrics now, beside those at the request.
    pub evidence_now: Vec<EnvEvidence>,
    pub viewer_id: i64,
    pub viewer_can_approve: bool,
    pub generated_at: DateTime<Utc>,
    /// For a restore: the drill recorded for it.
    #[serde(default)]
    pub drill: Option<super::routines::RestoreDrill>,
    #[serde(default)]
    pub viewer_can_record_drill: bool,
    /// For a rollback: its version as "v1.4.1 · 3f2a9c1" when a deploy run knows the commit.
    #[serde(default)]
    pub version_label: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionsPage {
    pub requests: Vec<RequestView>,
    /// Environments actions can target.
    pub environments: Vec<EnvName>,
    /// Environments whose database sessions may be cancelled or terminated.
    #[serde(default)]
    pub session_actions: Vec<EnvName>,
    pub policies: Vec<(ActionKind, Policy)>,
    pub max_tasks: u32,
    pub last_known_good: Vec<LastKnownGood>,
    pub viewer_id: i64,
    pub viewer_can_request: bool,
    pub viewer_can_approve: bool,
    pub generated_at: DateTime<Utc>,
}

impl ActionsPage {
    /// The rollback version to offer for `env`: its last known good commit.
    pub fn last_known_good(&self, env: &str) -> Option<&LastKnownGood> {
        self.last_known_good.iter().find(|g| g.env.as_str() == env)
    }
}
