//! Pure domain types shared by the server and the browser. No I/O lives here.

pub mod actions;
pub mod audit;
pub mod auth;
pub mod certificate;
pub mod change;
pub mod cloud;
pub mod dashboard;
pub mod database;
pub mod decision;
pub mod deploys;
pub mod env_detail;
pub mod env_name;
pub mod error;
pub mod evidence;
pub mod fault;
pub mod format;
pub mod health;
pub mod history;
pub mod in_flight;
pub mod incident;
pub mod level;
pub mod logs;
pub mod routines;
pub mod thresholds;

pub use actions::Signed;
pub use auth::{
    local_path, DemoUser, Grantee, Identity, Principal, Role, RoleGrants, SessionInfo, WallToken,
};
pub use certificate::{CertificateLimits, PeerCertificate};
pub use cloud::{CloudSnapshot, Sourced};
pub use dashboard::{Dashboard, EnvSnapshot, KnownVersion, LatencyBucket, Uptime};
pub use env_detail::EnvDetail;
pub use env_name::EnvName;
pub use error::AppError;
pub use fault::Fault;
pub use health::{
    DnsCheck, Endpoint, FailureKind, HealthBody, PhaseTimings, ProbeFailure, ProbeResult,
};
pub use history::SamplePoint;
pub use level::Level;
pub use thresholds::{ThresholdError, Thresholds};
