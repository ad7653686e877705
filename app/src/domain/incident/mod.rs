//! Incidents: the runbook's "Production down" and escalation sections as a shared room — what is
//! happening, how bad, who leads, which escalation step is due, and a timeline that merges what
//! opsdeck saw with what people wrote. This module is the pure part: the values, the status and
//! severity words, the escalation clock, the timeline's shape and the durations at resolution.

mod escalation;
mod kinds;
mod room;
mod settings;
pub mod timeline;

pub use escalation::{
    fell_due, steps_at, Contact, EscalationStep, StepState, StepView, SupportLink,
};
pub use kinds::{Severity, Status};
pub use room::{
    Change, Durations, Incident, IncidentPage, IncidentsLive, IncidentsPage, InfraCommit,
    LiveIncident, Proposal, Recent, TerraformLock,
};
pub use settings::IncidentSettings;
pub use timeline::{from_audit, merge, Entry, EntryKind, LevelChange};

/// The longest note a person adds to a timeline (notes are shown on a wall from three metres).
pub const MAX_NOTE: usize = 500;
/// The longest title and summary.
pub const MAX_TITLE: usize = 120;
pub const MAX_SUMMARY: usize = 4000;
