//! Terraform's state lock, read from its lock table (the S3 backend's DynamoDB table): whether a
//! run holds the lock, who, since when — the runbook's "terraform force-unlock" case.

use super::PortError;
use crate::domain::incident::TerraformLock;

#[async_trait::async_trait]
pub trait TerraformLocks: Send + Sync {
    /// The lock on the configured state, if one is held.
    async fn lock(&self) -> Result<Option<TerraformLock>, PortError>;
}
