//! Overrides: an approver going ahead although the pre-deploy checklist or a change freeze says
//! no, with a reason. Like a break glass, each is recorded with the person and reviewed
//! afterwards by someone else, once.

use crate::domain::EnvName;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What was overridden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OverrideSubject {
    /// A deploy approved at the gate: the run and its commit.
    Deploy { run_id: u64, sha: String },
    /// A change-control request approved during a freeze.
    Request { id: i64 },
}

impl OverrideSubject {
    pub fn describe(&self) -> String {
        match self {
            OverrideSubject::Deploy { run_id, sha } => {
                format!("deploy run {run_id} ({})", sha.get(..7).unwrap_or(sha))
            }
            OverrideSubject::Request { id } => format!("request #{id}"),
        }
    }

    /// Where a person looks at it.
    pub fn href(&self, env: &EnvName) -> String {
        match self {
            OverrideSubject::Deploy { .. } => format!("/env/{env}#deploys"),
            OverrideSubject::Request { id } => format!("/requests/{id}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub id: i64,
    pub env: EnvName,
    pub subject: OverrideSubject,
    /// The items that failed, or the freeze, in words.
    pub what: Vec<String>,
    pub reason: String,
    pub by: String,
    pub by_id: i64,
    pub at: DateTime<Utc>,
    /// Who reviewed it afterwards, and when.
    pub reviewed: Option<(String, DateTime<Utc>)>,
}
