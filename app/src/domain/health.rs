//! Results of probing an application's health endpoints, in the runbook's terms:
//! the JSON body it documents and the phase timings `curl -w` reports.

use super::{Level, Thresholds};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The three endpoints the runbook curls after every deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Health,
    Ready,
    Live,
}

impl Endpoint {
    pub const ALL: [Endpoint; 3] = [Endpoint::Health, Endpoint::Ready, Endpoint::Live];

    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Health => "health",
            Endpoint::Ready => "ready",
            Endpoint::Live => "live",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == raw)
    }
}

/// The body documented in the runbook's post-deployment verification. Fields the runbook does
/// not name are kept in `extra` so nothing the application reports is lost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct HealthBody {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub app_version: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl HealthBody {
    /// The level the application claims for itself through `status`.
    pub fn reported_level(&self) -> Level {
        match self
            .status
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None => Level::Ok,
            Some("healthy" | "ok" | "ready" | "alive" | "live" | "up" | "pass") => Level::Ok,
            Some("degraded" | "warn" | "warning") => Level::Warning,
            Some(_) => Level::Critical,
        }
    }
}

/// Cumulative phase timings in milliseconds from the start of the probe, exactly like
/// `curl -w` (each value includes the ones before it). `None` when the phase never happened.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct PhaseTimings {
    pub namelookup_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    /// TLS handshake done; `None` for plain HTTP.
    pub appconnect_ms: Option<f64>,
    pub pretransfer_ms: Option<f64>,
    pub starttransfer_ms: Option<f64>,
    pub total_ms: Option<f64>,
}

impl PhaseTimings {
    /// Durations of each phase (not cumulative), labelled, for the timing bar.
    pub fn phases(&self) -> Vec<(&'static str, f64)> {
        let marks = [
            ("DNS", self.namelookup_ms),
            ("connect", self.connect_ms),
            ("TLS", self.appconnect_ms),
            ("request", self.pretransfer_ms),
            ("wait", self.starttransfer_ms),
            ("download", self.total_ms),
        ];
        let mut last = 0.0;
        let mut out = Vec::new();
        for (label, mark) in marks {
            if let Some(at) = mark {
                out.push((label, (at - last).max(0.0)));
                last = at;
            }
        }
        out
    }
}

/// Why a probe did not produce a healthy answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    Dns,
    Refused,
    Connect,
    Tls,
    Timeout,
    HttpStatus,
    BadBody,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Dns => "dns",
            FailureKind::Refused => "refused",
            FailureKind::Connect => "connect",
            FailureKind::Tls => "tls",
            FailureKind::Timeout => "timeout",
            FailureKind::HttpStatus => "http_status",
            FailureKind::BadBody => "bad_body",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        use FailureKind::*;
        [Dns, Refused, Connect, Tls, Timeout, HttpStatus, BadBody]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Dns => "DNS lookup failed",
            FailureKind::Refused => "Connection refused",
            FailureKind::Connect => "Cannot connect",
            FailureKind::Tls => "TLS handshake failed",
            FailureKind::Timeout => "Timed out",
            FailureKind::HttpStatus => "Bad HTTP status",
            FailureKind::BadBody => "Unreadable body",
        }
    }

    /// A body that cannot be read is a finding about the app, not proof that it is down.
    pub fn level(self) -> Level {
        match self {
            FailureKind::BadBody => Level::Warning,
            _ => Level::Critical,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeFailure {
    pub kind: FailureKind,
    /// What happened, in words, e.g. "connection refused by 127.0.0.1:8443".
    pub message: String,
}

/// One probe of one endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub endpoint: Endpoint,
    pub url: String,
    pub at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub timings: PhaseTimings,
    pub body: Option<HealthBody>,
    pub failure: Option<ProbeFailure>,
    /// The address and port that answered (`203.0.113.7:443`), when a connection was made.
    pub remote_addr: Option<String>,
    /// The certificate the server presented, when the probe's TLS handshake succeeded.
    #[serde(default)]
    pub certificate: Option<super::PeerCertificate>,
}

impl ProbeResult {
    /// The level of this probe: failures first, then the app's own word, then latency.
    pub fn level(&self, latency: &Thresholds) -> Level {
        if let Some(f) = &self.failure {
            return f.kind.level();
        }
        let reported = self
            .body
            .as_ref()
            .map_or(Level::Ok, HealthBody::reported_level);
        let slow = self
            .timings
            .total_ms
            .map_or(Level::Unknown, |ms| latency.evaluate(ms));
        reported.max(slow)
    }

    /// Whether this probe counts as "up" for uptime: anything short of Down. A slow answer or
    /// an unreadable body is a degraded app, not an outage.
    pub fn is_up(&self, latency: &Thresholds) -> bool {
        self.level(latency) < Level::Critical
    }
}

/// The runbook's `nslookup` step: what the host resolves to and how long that took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsCheck {
    pub host: String,
    pub addresses: Vec<String>,
    pub lookup_ms: f64,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        total: Option<f64>,
        failure: Option<FailureKind>,
        status: Option<&str>,
    ) -> ProbeResult {
        ProbeResult {
            endpoint: Endpoint::Health,
            url: "https://conflicto.app/api/v1/health/".into(),
            at: Utc::now(),
            http_status: Some(200),
            timings: PhaseTimings {
                total_ms: total,
                ..Default::default()
            },
            body: Some(HealthBody {
                status: status.map(Into::into),
                ..Default::default()
            }),
            failure: failure.map(|kind| ProbeFailure {
                kind,
                message: String::new(),
            }),
            remote_addr: None,
            certificate: None,
        }
    }

    #[test]
    fn body_of_the_runbook_shape_keeps_unknown_fields() {
        let raw = r#"{"status":"healthy","timestamp":"2025-01-01T12:00:00Z","version":"0.1.0",
            "environment":"prod","app_version":"abc123","db":{"ok":true}}"#;
        let body: HealthBody = serde_json::from_str(raw).unwrap();
        assert_eq!(body.status.as_deref(), Some("healthy"));
        assert_eq!(body.app_version.as_deref(), Some("abc123"));
        assert_eq!(body.extra["db"]["ok"], serde_json::json!(true));
    }

    #[test]
    fn level_combines_failure_app_status_and_latency() {
        let t = Thresholds::new(2000.0, 5000.0).unwrap();
        assert_eq!(
            result(Some(120.0), None, Some("healthy")).level(&t),
            Level::Ok
        );
        assert_eq!(
            result(Some(2500.0), None, Some("healthy")).level(&t),
            Level::Warning
        );
        assert_eq!(
            result(Some(120.0), None, Some("degraded")).level(&t),
            Level::Warning
        );
        assert_eq!(
            result(Some(120.0), None, Some("unhealthy")).level(&t),
            Level::Critical
        );
        assert_eq!(
            result(None, Some(FailureKind::Refused), None).level(&t),
            Level::Critical
        );
        assert_eq!(
            result(Some(50.0), Some(FailureKind::BadBody), None).level(&t),
            Level::Warning
        );
    }

    #[test]
    fn phases_are_durations_between_curl_marks() {
        let t = PhaseTimings {
            namelookup_ms: Some(1.0),
            connect_ms: Some(3.0),
            appconnect_ms: None,
            pretransfer_ms: Some(3.5),
            starttransfer_ms: Some(10.0),
            total_ms: Some(12.0),
        };
        let p = t.phases();
        assert_eq!(
            p.iter().map(|x| x.0).collect::<Vec<_>>(),
            ["DNS", "connect", "request", "wait", "download"]
        );
        assert_eq!(p[1].1, 2.0);
        assert_eq!(p.iter().map(|x| x.1).sum::<f64>(), 12.0);
    }

    /// Every failure kind with the name it is stored under and the level it gives.
    const KINDS: [(FailureKind, &str, Level); 7] = [
        (FailureKind::Dns, "dns", Level::Critical),
        (FailureKind::Refused, "refused", Level::Critical),
        (FailureKind::Connect, "connect", Level::Critical),
        (FailureKind::Tls, "tls", Level::Critical),
        (FailureKind::Timeout, "timeout", Level::Critical),
        (FailureKind::HttpStatus, "http_status", Level::Critical),
        (FailureKind::BadBody, "bad_body", Level::Warning),
    ];

    /// No wildcard: a new kind stops this compiling until it is added to `KINDS` as well.
    fn _every_kind_is_in_kinds(kind: FailureKind) {
        match kind {
            FailureKind::Dns
            | FailureKind::Refused
            | FailureKind::Connect
            | FailureKind::Tls
            | FailureKind::Timeout
            | FailureKind::HttpStatus
            | FailureKind::BadBody => {}
        }
    }

    #[test]
    fn every_kind_round_trips_by_its_own_name() {
        for (kind, name, level) in KINDS {
            assert_eq!(kind.as_str(), name);
            assert_eq!(FailureKind::parse(name), Some(kind), "{name}");
            // The JSON name (status API, live events) is the stored name.
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<FailureKind>(name.into()).unwrap(),
                kind
            );
            assert_eq!(kind.level(), level, "{name}");
        }
        let labels: std::collections::BTreeSet<&str> =
            KINDS.iter().map(|(k, _, _)| k.label()).collect();
        assert_eq!(
            labels.len(),
            KINDS.len(),
            "every kind has a label of its own"
        );
        assert_eq!(FailureKind::parse("Timeout"), None, "names are exact");
        assert_eq!(FailureKind::parse(""), None);
    }
}
