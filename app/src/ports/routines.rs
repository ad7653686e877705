//! Change freezes and overrides: the freeze in force (configured windows and declared ones),
//! declaring and ending freezes, and overrides recorded and reviewed — each with its audit event
//! in the same transaction.

use super::incidents::Actor;
use super::PortError;
use crate::domain::routines::morning::{RoutineItem, SignOff};
use crate::domain::routines::{ActiveFreeze, Override, OverrideSubject};
use crate::domain::EnvName;
use chrono::{DateTime, Utc};

/// A declared freeze that has not ended, for the page that can end it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeclaredFreeze {
    pub id: i64,
    pub reason: String,
    pub until: DateTime<Utc>,
    pub by: String,
}

pub struct NewOverride {
    pub env: EnvName,
    pub subject: OverrideSubject,
    pub what: Vec<String>,
    pub reason: String,
}

#[async_trait::async_trait]
pub trait Routines: Send + Sync {
    /// The freeze in force at `now`, if any: a configured window, else the declared freeze
    /// that ends last.
    async fn freeze_at(&self, now: DateTime<Utc>) -> Result<Option<ActiveFreeze>, PortError>;
    /// Declare a freeze from `now` until `until`; its id.
    async fn declare_freeze(
        &self,
        by: &Actor,
        reason: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, PortError>;
    /// End a declared freeze early (`NotFound` when it is not in force).
    async fn end_freeze(&self, by: &Actor, id: i64, now: DateTime<Utc>) -> Result<(), PortError>;
    /// Record an override, with its audit event, before what it allows is done.
    async fn record_override(&self, by: &Actor, o: NewOverride) -> Result<i64, PortError>;
    /// The newest overrides, unreviewed first.
    async fn overrides(&self, limit: i64) -> Result<Vec<Override>, PortError>;
    /// Someone other than the overrider marks it reviewed, once (`Conflict` after that).
    async fn review_override(&self, id: i64, by: &Actor) -> Result<(), PortError>;
    /// A person signs off a routine check (`morning`) with a note and the items as they stand.
    async fn sign_off(
        &self,
        by: &Actor,
        kind: &str,
        note: &str,
        items: &[RoutineItem],
        at: DateTime<Utc>,
    ) -> Result<i64, PortError>;
    /// The newest sign-offs of a check, newest first.
    async fn signoffs(&self, kind: &str, limit: i64) -> Result<Vec<SignOff>, PortError>;
}
