//! `[limits]` and `[audit]`: what opsdeck allows per client and in all (so a flood of anonymous
//! attempts or live streams cannot wear it down), how often it tidies up, and how often it
//! publishes the audit log's head.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Sign-in attempts (demo sign-in, provider starts and callbacks, wall tokens) per client
    /// address and minute; more are answered 429 with Retry-After.
    pub sign_in_attempts_per_minute: u32,
    /// The client address is the last one in `X-Forwarded-For` (set by the proxy in front of
    /// opsdeck) instead of the connection's peer. Only behind a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Live streams open at once, in all and per session (tabs of one browser share a session).
    pub max_live_streams: u32,
    pub live_streams_per_session: u32,
    /// Failed anonymous attempts are counted and written to the audit log as one summary per
    /// kind this often, not one event each.
    pub failure_summary_every: Duration,
    /// Expired sessions (and sign-ins started but never finished) are deleted this often.
    pub sweep_sessions_every: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in_attempts_per_minute: 20,
            trust_forwarded_for: false,
            max_live_streams: 10_000,
            live_streams_per_session: 8,
            failure_summary_every: Duration::from_secs(60),
            sweep_sessions_every: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditSettings {
    /// How often the audit log's head (newest event's id and hash) is written to opsdeck's own
    /// log and, with `[notify]`, posted — recorded outside the database, so removing events from
    /// the end of the log shows (`opsdeck audit verify --expect-head ID:HASH`).
    pub publish_head_every: Duration,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            publish_head_every: Duration::from_secs(3600),
        }
    }
}
