//! Steering the demo's simulated world. Only present when opsdeck runs as `opsdeck demo`.

use super::PortError;
use crate::domain::{EnvName, Fault};

#[async_trait::async_trait]
pub trait DemoControl: Send + Sync {
    async fn set_fault(&self, env: &EnvName, fault: Fault) -> Result<(), PortError>;
    fn faults(&self) -> Vec<(EnvName, Fault)>;
}
