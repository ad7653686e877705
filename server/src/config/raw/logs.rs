//! `[logs]` and `[environments.logs]` exactly as written.

use serde::Deserialize;

/// `[logs]`: the call budget and schedule every environment's log searches and tails share.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLogsGlobal {
    pub calls_per_second: Option<u32>,
    pub refresh: Option<String>,
    pub tail_every: Option<String>,
    pub tail_linger: Option<String>,
}

/// `[environments.logs]`: one environment's log searches (the group is `aws.log_group`).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawEnvLogs {
    pub time_zone: Option<String>,
    /// "18:00": overnight starts at this local time the day before.
    pub overnight_from: Option<String>,
    pub slow_request_ms: Option<u64>,
    /// By kind (`errors`, `exceptions`, …): checked by name so an unknown one is named.
    #[serde(default)]
    pub searches: std::collections::BTreeMap<String, RawSearch>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    pub enabled: Option<bool>,
    pub pattern: Option<String>,
    pub warning: Option<f64>,
    pub critical: Option<f64>,
    pub overnight_warning: Option<f64>,
    pub overnight_critical: Option<f64>,
}
