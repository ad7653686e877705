//! The runbook's routines as rules opsdeck evaluates: change freezes, the pre-deploy checklist
//! that gates Approve, overrides of either (recorded and reviewed by someone else), and the
//! post-deploy watch.

pub mod freeze;
pub mod gate;
pub mod item;
pub mod morning;
mod morning_sources;
pub mod overrides;
pub mod watch;
pub mod weekly;

pub use freeze::{ActiveFreeze, FreezeKind};
pub use gate::{CheckItem, CheckState, Checklist, GateFacts, GateSettings};
pub use morning::CheckOverdue;
pub use overrides::{Override, OverrideSubject};
pub use watch::{DeployWatch, Verdict, WatchSettings};
pub use weekly::{RestoreDrill, WeeklyCheck};
