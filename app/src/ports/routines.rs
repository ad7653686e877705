//! Change freezes and overrides: the freeze in force (configured windows and declared ones),
//! declaring and ending freezes, and overrides recorded and reviewed — each with its audit event
//! in the same transaction.

use super::incidents::Actor;
use super::PortError;
use crate::domain::routines::morning::{RoutineItem, SignOff};
use crate::domain::routines::{ActiveFreeze, Override, OverrideSubject, RestoreDrill};
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

/// When the routine checks are due, worked out by the server in the configured time zone (the
/// browser build carries no time-zone database).
pub trait CheckSchedule: Send + Sync {
    /// The start of the local day `now` falls in.
    fn day_start(&self, now: DateTime<Utc>) -> DateTime<Utc>;
    /// The start of the local week (Monday 00:00) `now` falls in.
    fn week_start(&self, now: DateTime<Utc>) -> DateTime<Utc>;
    /// When today's morning check is due: a working day with a time configured.
    fn morning_due(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>>;
    /// "09:30 Europe/Berlin on working days (Mon–Fri)", when a time is configured.
    fn morning_due_words(&self) -> Option<String>;
    /// The maintenance window in words, with when it is next on, if one is configured.
    fn maintenance(&self, now: DateTime<Utc>) -> Option<String>;
    /// How recent the last restore drill must be.
    fn drill_within_days(&self) -> i64;
    /// The weekly items a person ticks.
    fn weekly_manual(&self) -> Vec<String>;
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
    /// Mark a finished restore request a drill, once (`Conflict` after that), with its audit
    /// event.
    async fn record_drill(&self, by: &Actor, drill: NewDrill) -> Result<i64, PortError>;
    /// The newest drills, newest first.
    async fn drills(&self, limit: i64) -> Result<Vec<RestoreDrill>, PortError>;
    /// The drill recorded for one request.
    async fn drill_for(&self, request_id: i64) -> Result<Option<RestoreDrill>, PortError>;
}

/// What a person recorded about a restore drill.
pub struct NewDrill {
    pub request_id: i64,
    pub env: String,
    pub restored: bool,
    pub data_checked: bool,
    pub cleaned_up: bool,
    pub note: String,
    pub at: DateTime<Utc>,
}
