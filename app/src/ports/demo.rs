//! Steering the demo's simulated world. Only present when opsdeck runs as `opsdeck demo`.

use super::PortError;
use crate::domain::{EnvName, Fault};

#[async_trait::async_trait]
pub trait DemoControl: Send + Sync {
    async fn set_fault(&self, env: &EnvName, fault: Fault) -> Result<(), PortError>;
    fn faults(&self) -> Vec<(EnvName, Fault)>;
    /// Start the incident scenario: a bad deploy reaches prod, errors follow, then prod goes down.
    /// What will happen, in words.
    async fn incident_scenario(&self) -> Result<String, PortError>;
    /// Run prod's nightly scheduled job again and have it fail; what happened, in words.
    async fn fail_nightly_job(&self) -> Result<String, PortError>;
}
