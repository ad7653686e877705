//! The live hub: pollers write one snapshot per environment; pages read the current state and
//! `/api/v1/live` streams changes. Upstream calls depend on the number of environments and the
//! interval, never on the number of viewers.

pub mod check_due;
mod cloud;
mod ends;
pub mod gate_notice;
mod hub;
pub mod incidents;
mod poller;
pub mod replica;
pub mod routine_sources;
mod slots;
mod viewer;
pub mod watch;

pub use cloud::{initial_clouds, spawn_cloud_pollers, spawn_deploy_pollers, THROTTLE_BACKOFF};
pub use ends::{StreamEnds, Watching};
pub use hub::{Hub, LiveItem, LiveState, Published, PublishedCloud};
pub use poller::{empty_snapshot, spawn_pollers, spawn_retention, PollerDeps};
pub use slots::{Full, Slot, StreamSlots};
pub use viewer::Viewer;
