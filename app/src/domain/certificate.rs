//! The TLS certificate an environment's host presented to the probe's own handshake: who it names,
//! who issued it and when it expires, judged against how many days ahead the team wants warning.

use super::Level;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The server's end-entity certificate as read from the handshake. Every string in it came from
/// the remote host and is shown as text only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerCertificate {
    /// The subject, RFC 4514 style ("CN=conflicto.example.com").
    pub subject: String,
    pub issuer: String,
    /// The DNS names and IP addresses in subjectAltName.
    pub names: Vec<String>,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

impl PeerCertificate {
    /// Whole days until it expires; negative once it has.
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        (self.not_after - now).num_days()
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.not_after
    }

    /// "expires in 12 days (2026-12-19)", "expired 2 days ago (2026-12-05)".
    pub fn expiry_words(&self, now: DateTime<Utc>) -> String {
        let date = self.not_after.format("%Y-%m-%d");
        let days = self.days_left(now);
        if self.expired(now) {
            let ago = (now - self.not_after).num_days();
            match ago {
                0 => format!("expired today ({date})"),
                1 => format!("expired yesterday ({date})"),
                n => format!("expired {n} days ago ({date})"),
            }
        } else {
            match days {
                0 => format!("expires within a day ({date})"),
                1 => format!("expires in 1 day ({date})"),
                n => format!("expires in {n} days ({date})"),
            }
        }
    }
}

/// How many days before expiry a certificate is a warning, and critical. Expired is always
/// critical.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateLimits {
    pub warning_days: u32,
    pub critical_days: u32,
}

impl Default for CertificateLimits {
    /// Let's Encrypt renews 30 days ahead: three weeks left means renewal has failed for a week.
    fn default() -> Self {
        Self {
            warning_days: 21,
            critical_days: 7,
        }
    }
}

impl CertificateLimits {
    /// "Valid for more than N days" passes; N days or fewer is a warning; the critical limit or
    /// an expired certificate is critical.
    pub fn evaluate(&self, cert: &PeerCertificate, now: DateTime<Utc>) -> Level {
        let days = cert.days_left(now);
        if cert.expired(now) || days <= i64::from(self.critical_days) {
            Level::Critical
        } else if days <= i64::from(self.warning_days) {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn cert(days: i64, now: DateTime<Utc>) -> PeerCertificate {
        PeerCertificate {
            subject: "CN=app.example.com".into(),
            issuer: "CN=R11,O=Let's Encrypt,C=US".into(),
            names: vec!["app.example.com".into()],
            not_before: now - Duration::days(60),
            not_after: now + Duration::days(days) + Duration::hours(1),
        }
    }

    #[test]
    fn levels_follow_the_days_left() {
        let now = Utc::now();
        let limits = CertificateLimits::default();
        assert_eq!(limits.evaluate(&cert(60, now), now), Level::Ok);
        assert_eq!(limits.evaluate(&cert(22, now), now), Level::Ok);
        assert_eq!(limits.evaluate(&cert(21, now), now), Level::Warning);
        assert_eq!(limits.evaluate(&cert(8, now), now), Level::Warning);
        assert_eq!(limits.evaluate(&cert(7, now), now), Level::Critical);
        assert_eq!(limits.evaluate(&cert(-3, now), now), Level::Critical);
    }

    #[test]
    fn expiry_is_said_in_days_and_date() {
        let now = Utc::now();
        assert!(cert(12, now)
            .expiry_words(now)
            .starts_with("expires in 12 days ("));
        let gone = cert(-3, now);
        assert!(gone.expired(now));
        assert!(
            gone.expiry_words(now).starts_with("expired 2 days ago")
                || gone.expiry_words(now).starts_with("expired 3 days ago"),
            "{}",
            gone.expiry_words(now)
        );
    }
}
