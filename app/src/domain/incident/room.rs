//! An incident as stored and as the room shows it: the record, its durations, what changed
//! recently, proposals to declare one, and the pages.

use super::escalation::{Contact, StepView, SupportLink};
use super::kinds::{Severity, Status};
use super::timeline::Entry;
use crate::domain::deploys::LastKnownGood;
use crate::domain::{EnvName, Signed};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub environments: Vec<EnvName>,
    /// The first bad observation, not the click.
    pub started_at: DateTime<Utc>,
    pub declared: Signed,
    pub lead: Option<Signed>,
    /// When it first reached mitigating (or later).
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    /// Escalation steps marked done: (step index, by whom and when).
    pub steps_done: Vec<(usize, Signed)>,
}

/// How long it took, from the start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Durations {
    pub to_detect_s: i64,
    pub to_mitigate_s: Option<i64>,
    pub to_resolve_s: Option<i64>,
}

impl Incident {
    pub fn durations(&self) -> Durations {
        let since = |t: DateTime<Utc>| (t - self.started_at).num_seconds().max(0);
        Durations {
            to_detect_s: since(self.declared.at),
            to_mitigate_s: self.mitigated_at.map(since),
            to_resolve_s: self.resolved_at.map(since),
        }
    }

    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    pub fn concerns(&self, env: &str) -> bool {
        self.environments.iter().any(|e| e.as_str() == env)
    }
}

/// "prod has been down since 07:12 (4 probes) — declare an incident?"
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: i64,
    pub env: EnvName,
    /// The first bad observation: the incident's start if declared from this proposal.
    pub since: DateTime<Utc>,
    pub why: String,
    pub title: String,
    pub severity: Severity,
}

/// A recent change, for "what changed recently".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub env: Option<EnvName>,
    pub text: String,
    pub link: Option<String>,
}

/// What changed in the last 24 hours, and whether Terraform's state is locked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recent {
    pub deploys: Vec<Change>,
    pub actions: Vec<Change>,
    pub infrastructure: Vec<Change>,
    /// Why infrastructure commits could not be read, if they could not.
    pub infrastructure_error: Option<String>,
    /// The Terraform state lock, when one is held: who, since when, the lock id for
    /// `terraform force-unlock`.
    pub terraform_lock: Option<Change>,
    pub terraform_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub incident: Incident,
    pub steps: Vec<StepView>,
    pub timeline: Vec<Entry>,
    pub recent: Recent,
    pub contacts: Vec<Contact>,
    pub support: Vec<SupportLink>,
    /// The rollback the room offers, per environment of the incident.
    pub last_known_good: Vec<LastKnownGood>,
    pub viewer_id: i64,
    pub viewer_can_act: bool,
    pub generated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentsPage {
    pub open: Vec<Incident>,
    pub past: Vec<Incident>,
    pub proposals: Vec<Proposal>,
    pub environments: Vec<EnvName>,
    pub viewer_can_declare: bool,
    pub generated_at: DateTime<Utc>,
}

/// A commit to the infrastructure path, for "what changed recently".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InfraCommit {
    pub sha: String,
    /// The first line.
    pub message: String,
    pub author: String,
    pub at: Option<DateTime<Utc>>,
    pub url: Option<String>,
}

/// A Terraform state lock held in the lock table: the runbook's `terraform force-unlock` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TerraformLock {
    /// What `terraform force-unlock` takes.
    pub id: String,
    pub path: String,
    pub who: String,
    pub operation: String,
    pub created: Option<DateTime<Utc>>,
}

/// An open incident as the wall and every page's banner follow it, live.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveIncident {
    pub incident: Incident,
    /// Each step with its due time; the page works out "overdue" and the countdown with its clock.
    pub steps: Vec<StepView>,
    /// The newest timeline entries, newest first.
    pub latest: Vec<Entry>,
}

/// Everything about incidents that travels on the live stream (the `incidents` event), and the
/// change freeze in force, which every page's banner shows beside them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentsLive {
    pub seq: u64,
    pub open: Vec<LiveIncident>,
    pub proposals: Vec<Proposal>,
    #[serde(default)]
    pub freeze: Option<crate::domain::routines::ActiveFreeze>,
    /// Post-deploy watches running, and those that ended in the last 24 hours.
    #[serde(default)]
    pub watches: Vec<crate::domain::routines::DeployWatch>,
    /// Routine checks past their time and not signed off.
    #[serde(default)]
    pub checks_due: Vec<crate::domain::routines::CheckOverdue>,
}
