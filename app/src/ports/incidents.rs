//! The incident room's storage: incidents, their escalation steps, proposals to declare one, the
//! health level changes, and the audit events a timeline is made of. Every change is written with
//! its audit event, in one transaction.

use super::PortError;
use crate::domain::audit::AuditEvent;
use crate::domain::incident::timeline::LevelChange;
use crate::domain::incident::{Entry, Incident, Proposal, Severity, Status};
use crate::domain::{EnvName, Level};
use chrono::{DateTime, Utc};

/// Who acts: a person (id and name), or opsdeck itself (`user_id` none, name "opsdeck").
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl From<&crate::domain::Principal> for Actor {
    fn from(who: &crate::domain::Principal) -> Self {
        Self {
            user_id: Some(who.user_id),
            name: who.display_name.clone(),
        }
    }
}

impl Actor {
    pub fn opsdeck() -> Self {
        Self {
            user_id: None,
            name: "opsdeck".into(),
        }
    }
}

pub struct NewIncident {
    pub title: String,
    pub severity: Severity,
    pub environments: Vec<EnvName>,
    pub started_at: DateTime<Utc>,
    pub declared_by: Actor,
    /// Declared from this proposal (which is then closed).
    pub proposal: Option<i64>,
}

pub struct NewProposal {
    pub env: EnvName,
    pub since: DateTime<Utc>,
    pub why: String,
    pub title: String,
    pub severity: Severity,
}

/// A change of an incident, each an audit event with the person.
pub enum Change {
    /// Take the lead, if the lead is still `expected` (two people at once: one wins).
    TakeLead {
        expected: Option<i64>,
    },
    Status(Status),
    Severity(Severity),
    Note(String),
    StepDone {
        step: usize,
        words: String,
    },
    /// Summary, and the timeline kept for the post-incident draft.
    Resolve {
        summary: String,
        timeline: Vec<Entry>,
    },
}

#[async_trait::async_trait]
pub trait Incidents: Send + Sync {
    async fn declare(&self, n: NewIncident) -> Result<i64, PortError>;
    async fn get(&self, id: i64) -> Result<Option<Incident>, PortError>;
    /// Open ones first, then the newest resolved (at most `limit`).
    async fn list(&self, limit: i64) -> Result<Vec<Incident>, PortError>;
    async fn change(&self, id: i64, by: &Actor, change: Change) -> Result<(), PortError>;
    /// Record that `steps` fell due (each once: those already announced are skipped); the ones
    /// announced now.
    async fn announce_due(
        &self,
        id: i64,
        steps: &[(usize, String)],
    ) -> Result<Vec<usize>, PortError>;

    async fn proposals(&self) -> Result<Vec<Proposal>, PortError>;
    /// `None` when an open proposal for the environment exists already.
    async fn propose(&self, p: NewProposal) -> Result<Option<i64>, PortError>;
    async fn dismiss(&self, id: i64, by: &Actor) -> Result<(), PortError>;
    /// Close `env`'s open proposal because it is no longer down: nobody should declare an
    /// incident from a stale banner.
    async fn withdraw(&self, env: &EnvName) -> Result<(), PortError>;

    /// Record `env`'s level changing at `at`; with `announce` also an audit event (down,
    /// recovered) the webhook posts.
    async fn level_changed(
        &self,
        env: &EnvName,
        at: DateTime<Utc>,
        level: Level,
        words: &str,
        announce: Option<&str>,
    ) -> Result<(), PortError>;
    /// When `env`'s current run at `level` began, if it is at that level now.
    async fn level_since(
        &self,
        env: &EnvName,
        level: Level,
    ) -> Result<Option<DateTime<Utc>>, PortError>;

    /// What a timeline is made of, between `from` and `to`: the audit events about the incident or
    /// its environments, and their level changes.
    async fn timeline_sources(
        &self,
        incident: &Incident,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<AuditEvent>, Vec<LevelChange>), PortError>;
}
