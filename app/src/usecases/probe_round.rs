//! One probe round of an environment: its three health endpoints and a DNS check, concurrently.

use crate::domain::{DnsCheck, Endpoint, ProbeResult};
use crate::ports::HealthProber;

/// Where an environment's health endpoints are.
#[derive(Clone, Debug)]
pub struct ProbeTarget {
    /// Host name for the DNS check (`None` when the URL holds an IP address).
    pub host: Option<String>,
    pub urls: Vec<(Endpoint, String)>,
}

#[tracing::instrument(skip_all, fields(host = target.host.as_deref().unwrap_or("-")))]
pub async fn probe_round(
    prober: &dyn HealthProber,
    target: &ProbeTarget,
) -> (Vec<ProbeResult>, Option<DnsCheck>) {
    let probes = futures::future::join_all(
        target
            .urls
            .iter()
            .map(|(endpoint, url)| prober.probe(*endpoint, url)),
    );
    let dns = async {
        match &target.host {
            Some(host) => Some(prober.dns(host).await),
            None => None,
        }
    };
    futures::join!(probes, dns)
}
