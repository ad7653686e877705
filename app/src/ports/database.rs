//! Reading what an environment's database is doing, read-only and bounded in time. Reads are
//! shared: an adapter reads at most once per its refresh interval, whoever asks.

use crate::domain::database::DbDiagnostics;
use crate::domain::Sourced;

#[async_trait::async_trait]
pub trait DatabaseDiagnostics: Send + Sync {
    /// The newest reading: the last figures and when they were read, and the last failure in
    /// words (the figures then are the last ones read, marked stale). Never fails itself.
    async fn read(&self) -> Sourced<DbDiagnostics>;
}
