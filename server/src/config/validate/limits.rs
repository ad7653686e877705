//! The `[limits]` and `[audit]` sections.

use super::super::raw::{RawAudit, RawLimits};
use super::super::settings::{AuditSettings, Limits};
use super::Validator;
use std::time::Duration;

impl Validator {
    pub(super) fn limits(&mut self, raw: RawLimits) -> Limits {
        let d = Limits::default();
        let mut positive = |path: &str, v: Option<u32>, default: u32| match v {
            Some(0) => {
                self.issue(path, "must be at least 1");
                default
            }
            Some(n) => n,
            None => default,
        };
        let sign_in_attempts_per_minute = positive(
            "limits.sign_in_attempts_per_minute",
            raw.sign_in_attempts_per_minute,
            d.sign_in_attempts_per_minute,
        );
        let max_live_streams = positive(
            "limits.max_live_streams",
            raw.max_live_streams,
            d.max_live_streams,
        );
        let live_streams_per_session = positive(
            "limits.live_streams_per_session",
            raw.live_streams_per_session,
            d.live_streams_per_session,
        );
        Limits {
            sign_in_attempts_per_minute,
            trust_forwarded_for: raw.trust_forwarded_for.unwrap_or(d.trust_forwarded_for),
            max_live_streams,
            live_streams_per_session,
            failure_summary_every: self.duration(
                "limits.failure_summary_every",
                raw.failure_summary_every.as_deref(),
                d.failure_summary_every,
                Duration::from_secs(1),
            ),
            sweep_sessions_every: self.duration(
                "limits.sweep_sessions_every",
                raw.sweep_sessions_every.as_deref(),
                d.sweep_sessions_every,
                Duration::from_secs(10),
            ),
        }
    }

    pub(super) fn audit(&mut self, raw: RawAudit) -> AuditSettings {
        AuditSettings {
            publish_head_every: self.duration(
                "audit.publish_head_every",
                raw.publish_head_every.as_deref(),
                AuditSettings::default().publish_head_every,
                Duration::from_secs(10),
            ),
        }
    }
}
