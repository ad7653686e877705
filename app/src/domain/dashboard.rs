//! What the dashboard shows: one snapshot per environment, built by the server's live hub
//! and sent to browsers over Server-Sent Events.

use super::{DnsCheck, Endpoint, Level, ProbeResult, Thresholds};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One minute of the health endpoint's history, for the sparkline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyBucket {
    pub start: DateTime<Utc>,
    /// Slowest successful total time in the minute, if any probe succeeded.
    pub max_total_ms: Option<f64>,
    pub probes: u32,
    pub failures: u32,
}

/// Share of successful health probes over a window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Uptime {
    pub probes: u32,
    pub successes: u32,
}

impl Uptime {
    pub fn percent(&self) -> Option<f64> {
        (self.probes > 0).then(|| f64::from(self.successes) * 100.0 / f64::from(self.probes))
    }
}

/// The version an environment last reported, kept while its health endpoint is failing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownVersion {
    pub version: Option<String>,
    pub app_version: Option<String>,
    pub seen_at: DateTime<Utc>,
}

impl KnownVersion {
    /// From a health probe whose body names a version.
    pub fn from_probe(p: &ProbeResult) -> Option<Self> {
        let body = p.body.as_ref()?;
        (body.version.is_some() || body.app_version.is_some()).then(|| Self {
            version: body.version.clone(),
            app_version: body.app_version.clone(),
            seen_at: p.at,
        })
    }
}

/// A snapshot that replaces an older one of the same environment (live updates of either kind).
pub trait Versioned {
    fn env(&self) -> &super::EnvName;
    fn seq(&self) -> u64;
}

impl Versioned for EnvSnapshot {
    fn env(&self) -> &super::EnvName {
        &self.name
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl Versioned for super::CloudSnapshot {
    fn env(&self) -> &super::EnvName {
        &self.name
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// Put `update` in place of its environment's older snapshot (a stale update is dropped), or
/// append it.
pub fn upsert<T: Versioned>(all: &mut Vec<T>, update: T) {
    match all.iter_mut().find(|s| s.env() == update.env()) {
        Some(slot) if slot.seq() <= update.seq() => *slot = update,
        Some(_) => {}
        None => all.push(update),
    }
}

/// Everything known about one environment right now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvSnapshot {
    pub name: super::EnvName,
    pub label: String,
    pub base_url: String,
    /// Increases with every change; SSE event ids are built from it.
    pub seq: u64,
    pub level: Level,
    /// Latest probe of each endpoint, in `Endpoint::ALL` order (missing before the first probe).
    pub probes: Vec<ProbeResult>,
    pub dns: Option<DnsCheck>,
    /// The newest version the health endpoint reported (possibly in an earlier round).
    pub known_version: Option<KnownVersion>,
    pub latency: Thresholds,
    /// How close to expiry the host's TLS certificate may get before it is shown as a warning.
    #[serde(default)]
    pub certificate_limits: super::CertificateLimits,
    pub uptime_1h: Uptime,
    pub uptime_24h: Uptime,
    /// Last hour, oldest first, one bucket a minute.
    pub history: Vec<LatencyBucket>,
    /// When the last probe round finished.
    pub updated_at: Option<DateTime<Utc>>,
    /// Expected time between probe rounds, so a page can tell when data is overdue.
    pub interval_ms: u64,
}

impl EnvSnapshot {
    pub fn probe(&self, endpoint: Endpoint) -> Option<&ProbeResult> {
        self.probes.iter().find(|p| p.endpoint == endpoint)
    }

    /// Whether the environment is served over TLS, so a certificate is expected.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The certificate the latest round's handshakes saw (every endpoint shares the host).
    pub fn certificate(&self) -> Option<&super::PeerCertificate> {
        self.probes.iter().find_map(|p| p.certificate.as_ref())
    }

    /// The certificate's level now, `None` when none was read.
    pub fn certificate_level(&self, now: DateTime<Utc>) -> Option<Level> {
        self.certificate()
            .map(|c| self.certificate_limits.evaluate(c, now))
    }

    /// Level of the environment: the worst of its endpoints, unknown before any probe.
    pub fn evaluate(probes: &[ProbeResult], latency: &Thresholds) -> Level {
        probes
            .iter()
            .map(|p| p.level(latency))
            .max()
            .unwrap_or(Level::Unknown)
    }

    /// The version and app_version to show, and when they were last reported if that was not
    /// in the latest round (the app is failing and this is what it ran when last seen).
    pub fn versions(&self) -> (Option<&str>, Option<&str>, Option<DateTime<Utc>>) {
        match &self.known_version {
            None => (None, None, None),
            Some(k) => {
                let old = self
                    .probe(Endpoint::Health)
                    .is_some_and(|p| p.at > k.seen_at);
                (
                    k.version.as_deref(),
                    k.app_version.as_deref(),
                    old.then_some(k.seen_at),
                )
            }
        }
    }

    /// Data older than three probe intervals (and at least 5 s, for a round's own duration) is
    /// stale: the prober itself may be stuck.
    pub fn stale_after_ms(&self) -> u64 {
        (self.interval_ms * 3).max(5_000)
    }

    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        match self.updated_at {
            None => true,
            Some(at) => (now - at).num_milliseconds() > self.stale_after_ms() as i64,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Dashboard {
    pub environments: Vec<EnvSnapshot>,
    /// What the AWS sources know, for environments that have AWS configured.
    #[serde(default)]
    pub clouds: Vec<super::CloudSnapshot>,
    pub generated_at: Option<DateTime<Utc>>,
    /// True when opsdeck runs its simulated world (`opsdeck demo`).
    pub demo: bool,
    /// Open incidents and opsdeck's proposals to declare one.
    #[serde(default)]
    pub incidents: super::incident::IncidentsLive,
    /// Change-control requests waiting, running or with an unknown outcome.
    #[serde(default)]
    pub in_flight: Vec<super::in_flight::OpenRequest>,
}

impl Dashboard {
    pub fn env(&self, name: &str) -> Option<&EnvSnapshot> {
        self.environments.iter().find(|e| e.name.as_str() == name)
    }

    pub fn cloud(&self, name: &str) -> Option<&super::CloudSnapshot> {
        self.clouds.iter().find(|c| c.name.as_str() == name)
    }

    /// Replace one environment's cloud snapshot (a live update).
    pub fn apply_cloud(&mut self, update: super::CloudSnapshot) {
        upsert(&mut self.clouds, update);
    }

    /// Replace one environment's snapshot (a live update), keeping the order.
    pub fn apply(&mut self, update: EnvSnapshot) {
        upsert(&mut self.environments, update);
    }

    pub fn level(&self) -> Level {
        self.environments
            .iter()
            .map(|e| e.level)
            .max()
            .unwrap_or(Level::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EnvName;

    fn snap(name: &str, seq: u64, level: Level) -> EnvSnapshot {
        EnvSnapshot {
            name: EnvName::parse(name).unwrap(),
            label: name.into(),
            base_url: "http://x".into(),
            seq,
            level,
            probes: vec![],
            dns: None,
            known_version: None,
            latency: Thresholds::new(2000.0, 5000.0).unwrap(),
            certificate_limits: Default::default(),
            uptime_1h: Uptime::default(),
            uptime_24h: Uptime::default(),
            history: vec![],
            updated_at: None,
            interval_ms: 10_000,
        }
    }

    #[test]
    fn live_updates_replace_in_place_and_ignore_older_ones() {
        let mut d = Dashboard {
            environments: vec![snap("prod", 1, Level::Ok), snap("dev", 1, Level::Ok)],
            ..Default::default()
        };
        d.apply(snap("prod", 2, Level::Critical));
        assert_eq!(d.environments[0].level, Level::Critical);
        assert_eq!(d.level(), Level::Critical);
        d.apply(snap("prod", 1, Level::Ok));
        assert_eq!(d.environments[0].seq, 2, "an older update must not win");
        assert_eq!(d.environments[1].name.as_str(), "dev");
    }

    #[test]
    fn a_failing_app_keeps_its_last_known_version_marked_as_such() {
        use crate::domain::{FailureKind, HealthBody, PhaseTimings, ProbeFailure};
        let t0 = Utc::now() - chrono::Duration::seconds(30);
        let probe = |at, body: Option<HealthBody>, failed: bool| ProbeResult {
            endpoint: Endpoint::Health,
            url: "http://x/api/v1/health/".into(),
            at,
            http_status: None,
            timings: PhaseTimings::default(),
            body,
            failure: failed.then(|| ProbeFailure {
                kind: FailureKind::Refused,
                message: String::new(),
            }),
            remote_addr: None,
            certificate: None,
        };
        let good = probe(
            t0,
            Some(HealthBody {
                version: Some("1.4.2".into()),
                ..Default::default()
            }),
            false,
        );
        let mut s = snap("prod", 1, Level::Ok);
        s.known_version = KnownVersion::from_probe(&good);
        s.probes = vec![good];
        assert_eq!(
            s.versions(),
            (Some("1.4.2"), None, None),
            "current: no 'last seen' mark"
        );
        s.probes = vec![probe(Utc::now(), None, true)];
        assert_eq!(
            s.versions(),
            (Some("1.4.2"), None, Some(t0)),
            "failing: last seen at t0"
        );
    }

    #[test]
    fn uptime_and_staleness() {
        assert_eq!(
            Uptime {
                probes: 4,
                successes: 3
            }
            .percent(),
            Some(75.0)
        );
        assert_eq!(Uptime::default().percent(), None);
        let mut s = snap("prod", 1, Level::Ok);
        let now = Utc::now();
        assert!(s.is_stale(now), "never probed is stale");
        s.updated_at = Some(now - chrono::Duration::seconds(25));
        assert!(!s.is_stale(now));
        s.updated_at = Some(now - chrono::Duration::seconds(31));
        assert!(s.is_stale(now));
    }
}
