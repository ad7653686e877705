//! `[server]`, `[database]`, `[probe]` and `[thresholds]`: where opsdeck listens and keeps its
//! data, how environments are probed, and the levels metrics are judged by.

use app::domain::Thresholds;
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub interval: Duration,
    pub timeout: Duration,
    pub ca_file: Option<PathBuf>,
    pub retention: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct ThresholdSettings {
    pub response_time_ms: Thresholds,
    pub error_rate_percent: Thresholds,
    pub cpu_percent: Thresholds,
    pub memory_percent: Thresholds,
    pub db_connections_percent: Thresholds,
    /// Share of the database's allocated storage in use (not in the runbook: 80 % / 90 %).
    pub storage_percent: Thresholds,
    /// Days a host's TLS certificate has left: at or below `warning_days` is a warning.
    pub certificate_days_left: app::domain::CertificateLimits,
}

impl ThresholdSettings {
    /// The levels a metric is judged by.
    pub fn for_metric(&self, kind: app::domain::cloud::MetricKind) -> Thresholds {
        use app::domain::cloud::MetricKind as K;
        match kind {
            K::ResponseTime => self.response_time_ms,
            K::ErrorRate => self.error_rate_percent,
            K::EcsCpu | K::RdsCpu => self.cpu_percent,
            K::EcsMemory => self.memory_percent,
            K::DbConnections => self.db_connections_percent,
            K::RdsStorageUsed => self.storage_percent,
        }
    }
}

impl Default for ThresholdSettings {
    /// The runbook's "Critical Metrics Thresholds".
    fn default() -> Self {
        let t = |w, c| {
            Thresholds::new(w, c).unwrap_or_else(|_| unreachable!("runbook levels are ordered"))
        };
        Self {
            response_time_ms: t(2000.0, 5000.0),
            error_rate_percent: t(1.0, 5.0),
            cpu_percent: t(70.0, 90.0),
            memory_percent: t(80.0, 95.0),
            db_connections_percent: t(70.0, 90.0),
            storage_percent: t(80.0, 90.0),
            certificate_days_left: Default::default(),
        }
    }
}

/// Query parameters of a Postgres URL that carry secrets.
const SECRET_PARAMS: [&str; 3] = ["password", "sslpassword", "passfile"];

/// A database URL with the password (in the user part or the query) replaced, safe to print.
pub fn redact_url(url: &SecretString) -> String {
    let Ok(mut u) = Url::parse(url.expose_secret()) else {
        return "(unparseable URL, not shown)".into();
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("*****"));
    }
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let secret = SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str());
            (
                k.into_owned(),
                if secret {
                    "*****".to_owned()
                } else {
                    v.into_owned()
                },
            )
        })
        .collect();
    if !pairs.is_empty() {
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Whether `listen` is reachable from other machines while opsdeck has no sign-in.
pub fn public_without_sign_in(listen: std::net::SocketAddr, allowed: bool) -> Option<String> {
    (!listen.ip().is_loopback() && !allowed).then(|| {
        format!(
            "{listen} is reachable from other machines, and opsdeck has no sign-in yet: listen on \
             loopback behind an authenticating proxy, or set server.allow_public_without_sign_in = true"
        )
    })
}
