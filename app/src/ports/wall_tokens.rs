//! Wall-screen tokens: what the admin page manages.

use super::PortError;
use crate::domain::{Principal, WallToken};

#[async_trait::async_trait]
pub trait WallTokens: Send + Sync {
    async fn list(&self) -> Result<Vec<WallToken>, PortError>;
    /// Create a token named `name` for `by`; returns the secret, shown once.
    async fn create(&self, name: &str, by: &Principal) -> Result<String, PortError>;
    /// Revoke the active token `name`; `NotFound` when there is none.
    async fn revoke(&self, name: &str, by: &Principal) -> Result<(), PortError>;
}
