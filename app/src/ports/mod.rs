//! The traits opsdeck needs from the outside world, one per external system. The application owns
//! them; adapters in the `server` crate implement them. Every port returns [`PortError`].

mod actions;
mod audit;
mod clock;
mod cloud;
mod database;
mod demo;
mod deploys;
mod error;
pub mod incidents;
mod live;
pub mod logs;
mod people;
mod probe;
pub mod routines;
mod samples;
mod terraform;
mod wall_tokens;

pub use actions::{
    ActionExecutor, ActionRequests, ClaimedRequest, Execution, ExecutionContext, NewRequest,
};
pub use audit::Audit;
pub use clock::{Clock, SystemClock};
pub use cloud::{CloudReader, MetricReadings};
pub use database::DatabaseDiagnostics;
pub use demo::DemoControl;
pub use deploys::{DeploySource, DeployTarget, Dispatched, RollbackSpec, UserToken, UserTokens};
pub use error::PortError;
pub use live::LiveStatus;
pub use logs::{LogEvents, LogLines};
pub use people::People;
pub use probe::HealthProber;
pub use routines::Routines;
pub use samples::HealthSamples;
pub use terraform::TerraformLocks;
pub use wall_tokens::WallTokens;

use std::sync::Arc;

/// The adapters a request can reach, provided to pages and server functions as Leptos context.
#[derive(Clone)]
pub struct Services {
    pub live: Arc<dyn LiveStatus>,
    pub samples: Arc<dyn HealthSamples>,
    /// Present only in demo mode.
    pub demo: Option<Arc<dyn DemoControl>>,
    pub wall_tokens: Arc<dyn WallTokens>,
    pub people: Arc<dyn People>,
    /// The ways in besides the demo: (label, path that starts the sign-in).
    pub sign_in_with: Vec<(String, String)>,
    /// The ready-made people the demo's sign-in page offers (empty outside the demo).
    pub demo_users: Vec<crate::domain::DemoUser>,
    /// Each environment's deploys, where configured.
    pub deploys: Vec<(crate::domain::EnvName, DeployTarget)>,
    pub user_tokens: Arc<dyn UserTokens>,
    pub audit: Arc<dyn Audit>,
    pub actions: Arc<dyn ActionRequests>,
    pub executor: Arc<dyn ActionExecutor>,
    /// Change-control settings: policy per kind and the largest allowed task count.
    pub change: crate::domain::actions::ChangeSettings,
    pub incidents: Arc<dyn incidents::Incidents>,
    /// The escalation matrix, contacts, support and when opsdeck proposes incidents.
    pub incident: crate::domain::incident::IncidentSettings,
    /// The Terraform state lock table, where configured.
    pub terraform: Option<Arc<dyn TerraformLocks>>,
    pub clock: Arc<dyn Clock>,
    /// Change freezes and overrides.
    pub routines: Arc<dyn Routines>,
    /// What the pre-deploy checklist requires.
    pub gate: crate::domain::routines::GateSettings,
    /// When the routine checks are due, in the team's time zone.
    pub schedule: Arc<dyn routines::CheckSchedule>,
    /// Each environment's database diagnostics, where configured.
    pub databases: Vec<(crate::domain::EnvName, Arc<dyn DatabaseDiagnostics>)>,
    /// The log searches' newest lines, and which environments have a live tail.
    pub logs: Arc<dyn LogLines>,
}
