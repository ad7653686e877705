//! The append-only record of what people did through opsdeck.

use super::PortError;
use crate::domain::audit::{AuditEvent, AuditFilter};

#[async_trait::async_trait]
pub trait Audit: Send + Sync {
    /// Record `action` by a signed-in person with its details (parameters, the outside system's
    /// answer).
    async fn record(
        &self,
        user_id: i64,
        actor: &str,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), PortError>;

    /// Events matching `filter`, newest first.
    async fn search(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, PortError>;
}
