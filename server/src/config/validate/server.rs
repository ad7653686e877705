//! The `[server]`, `[database]`, `[probe]` and `[thresholds]` sections.

use super::super::defaults::default_site_root;
use super::super::raw::{RawDatabase, RawLevels, RawProbe, RawServer, RawThresholds};
use super::super::settings::{public_without_sign_in, ProbeSettings, ThresholdSettings};
use super::Validator;
use app::domain::CertificateLimits;
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// The `[server]` section, validated.
pub(super) struct Server {
    pub(super) listen: SocketAddr,
    pub(super) public_url: Option<Url>,
    pub(super) site_root: PathBuf,
    pub(super) allow_public_without_sign_in: bool,
}

impl Validator {
    pub(super) fn server(&mut self, raw: RawServer) -> Server {
        let listen = match raw.listen.as_deref() {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(s) => s.parse().unwrap_or_else(|e| {
                self.issue(
                    "server.listen",
                    format!("{s:?} is not an address like 127.0.0.1:3000 ({e})"),
                );
                SocketAddr::from(([127, 0, 0, 1], 3000))
            }),
        };
        let public_url = raw.public_url.as_deref().and_then(|s| match Url::parse(s) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
            Ok(_) => {
                self.issue(
                    "server.public_url",
                    format!("{s:?} must be an http or https URL"),
                );
                None
            }
            Err(e) => {
                self.issue("server.public_url", format!("{s:?} is not a URL ({e})"));
                None
            }
        });
        let site_root = raw.site_root.unwrap_or_else(default_site_root);
        let allow_public_without_sign_in = raw.allow_public_without_sign_in.unwrap_or(false);
        if let Some(why) = public_without_sign_in(listen, allow_public_without_sign_in) {
            self.issue("server.listen", why);
        }
        Server {
            listen,
            public_url,
            site_root,
            allow_public_without_sign_in,
        }
    }

    /// The database URL (checked, never echoed) and the pool size.
    pub(super) fn database(&mut self, raw: RawDatabase) -> (Option<SecretString>, u32) {
        if let Some(url) = &raw.url {
            let s = url.expose_secret();
            if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
                self.issue(
                    "database.url",
                    "must start with postgres:// (value not shown: it may hold a password)",
                );
            }
        }
        let db_max_connections = raw.max_connections.unwrap_or(10);
        if db_max_connections == 0 {
            self.issue("database.max_connections", "must be at least 1");
        }
        (raw.url, db_max_connections.max(1))
    }

    pub(super) fn probe(&mut self, raw: RawProbe, base_dir: Option<&Path>) -> ProbeSettings {
        let interval = self.duration(
            "probe.interval",
            raw.interval.as_deref(),
            Duration::from_secs(10),
            Duration::from_secs(1),
        );
        let timeout = self.duration(
            "probe.timeout",
            raw.timeout.as_deref(),
            Duration::from_secs(5),
            Duration::from_millis(100),
        );
        let retention = self.duration(
            "probe.retention",
            raw.retention.as_deref(),
            Duration::from_secs(14 * 86_400),
            Duration::from_secs(86_400),
        );
        let ca_file = raw.ca_file.map(|p| resolve(base_dir, p));
        if let Some(p) = &ca_file {
            if !p.is_file() {
                self.issue(
                    "probe.ca_file",
                    format!("{} does not exist or is not a file", p.display()),
                );
            }
        }
        ProbeSettings {
            interval,
            timeout,
            ca_file,
            retention,
        }
    }

    pub(super) fn thresholds(&mut self, t: RawThresholds) -> ThresholdSettings {
        let d = ThresholdSettings::default();
        ThresholdSettings {
            response_time_ms: self.levels(
                "thresholds.response_time_ms",
                t.response_time_ms,
                d.response_time_ms,
            ),
            error_rate_percent: self.levels(
                "thresholds.error_rate_percent",
                t.error_rate_percent,
                d.error_rate_percent,
            ),
            cpu_percent: self.levels("thresholds.cpu_percent", t.cpu_percent, d.cpu_percent),
            memory_percent: self.levels(
                "thresholds.memory_percent",
                t.memory_percent,
                d.memory_percent,
            ),
            db_connections_percent: self.levels(
                "thresholds.db_connections_percent",
                t.db_connections_percent,
                d.db_connections_percent,
            ),
            storage_percent: self.levels(
                "thresholds.storage_percent",
                t.storage_percent,
                d.storage_percent,
            ),
            certificate_days_left: self
                .certificate_days(t.certificate_days_left, d.certificate_days_left),
        }
    }

    /// Days left on a certificate run the other way from every other threshold: fewer is worse.
    fn certificate_days(
        &mut self,
        raw: Option<RawLevels>,
        default: CertificateLimits,
    ) -> CertificateLimits {
        const PATH: &str = "thresholds.certificate_days_left";
        let Some(l) = raw else { return default };
        let whole = |v: f64| v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 3650.0;
        if !whole(l.warning) || !whole(l.critical) {
            self.issue(
                PATH,
                format!(
                    "days must be whole numbers from 0 to 3650 (got warning {}, critical {})",
                    l.warning, l.critical
                ),
            );
            return default;
        }
        if l.warning <= l.critical {
            self.issue(
                PATH,
                format!(
                    "fewer days left is worse, so warning ({}) must be above critical ({})",
                    l.warning, l.critical
                ),
            );
            return default;
        }
        CertificateLimits {
            warning_days: l.warning as u32,
            critical_days: l.critical as u32,
        }
    }
}

fn resolve(base: Option<&Path>, p: PathBuf) -> PathBuf {
    match base {
        Some(b) if p.is_relative() && !b.as_os_str().is_empty() => b.join(p),
        _ => p,
    }
}
