//! Probing an application's health endpoints over HTTP(S) and resolving its host name.

use crate::domain::{DnsCheck, Endpoint, ProbeResult};

#[async_trait::async_trait]
pub trait HealthProber: Send + Sync {
    /// GET `url` on a fresh connection and report status, body and phase timings.
    /// Never fails: every problem is described in the result's `failure`.
    async fn probe(&self, endpoint: Endpoint, url: &str) -> ProbeResult;

    /// Resolve `host` the way `nslookup` would, timing the lookup.
    async fn dns(&self, host: &str) -> DnsCheck;
}
