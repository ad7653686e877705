//! `[logs]` and `[environments.logs]`: the log searches of each environment and the one call
//! budget every search and tail shares.

use app::domain::logs::SearchKind;
use app::domain::Thresholds;
use std::time::Duration;

/// How opsdeck reads CloudWatch Logs, for every environment.
#[derive(Debug, Clone)]
pub struct LogsSettings {
    /// Calls per second per account and Region, shared by every search and tail (FilterLogEvents
    /// allows 5 per second per account and Region, for everyone using it).
    pub calls_per_second: u32,
    /// How often the searches are read again.
    pub refresh: Duration,
    /// How often an open tail reads new lines.
    pub tail_every: Duration,
    /// How long a tail keeps reading after its last viewer left.
    pub tail_linger: Duration,
}

impl Default for LogsSettings {
    fn default() -> Self {
        Self {
            calls_per_second: 2,
            refresh: Duration::from_secs(60),
            tail_every: Duration::from_secs(2),
            tail_linger: Duration::from_secs(60),
        }
    }
}

/// One environment's log searches.
#[derive(Debug, Clone)]
pub struct EnvLogsSettings {
    /// From `[environments.aws] log_group`.
    pub group: String,
    pub time_zone: chrono_tz::Tz,
    /// "Overnight" starts at this local time the day before.
    pub overnight_from: chrono::NaiveTime,
    pub searches: Vec<SearchSettings>,
}

#[derive(Debug, Clone)]
pub struct SearchSettings {
    pub kind: SearchKind,
    pub pattern: String,
    /// Matches in the last hour.
    pub hour: Thresholds,
    /// Matches since the overnight start.
    pub overnight: Thresholds,
}

/// The runbook's searches: its patterns, and levels an SRE would start from.
pub fn default_search(kind: SearchKind, slow_ms: u64) -> SearchSettings {
    let access = |status: &str, time: &str| {
        format!("[timestamp, request_id, method, path, status_code{status}, response_time{time}]")
    };
    let (pattern, hour, overnight) = match kind {
        SearchKind::Errors => ("ERROR".to_owned(), (10.0, 50.0), (50.0, 200.0)),
        SearchKind::Exceptions => ("Exception".to_owned(), (5.0, 25.0), (25.0, 100.0)),
        SearchKind::ServerErrors => (access(" = 5*", ""), (10.0, 50.0), (50.0, 200.0)),
        SearchKind::ClientErrors => (access(" = 4*", ""), (200.0, 1000.0), (2000.0, 10000.0)),
        SearchKind::AuthFailures => (
            "\"authentication failed\"".to_owned(),
            (20.0, 100.0),
            (100.0, 500.0),
        ),
        SearchKind::SlowRequests => (
            access("", &format!(" > {slow_ms}")),
            (20.0, 100.0),
            (100.0, 500.0),
        ),
    };
    let levels = |(w, c): (f64, f64)| {
        Thresholds::new(w, c).unwrap_or_else(|_| unreachable!("the default levels are ordered"))
    };
    SearchSettings {
        kind,
        pattern,
        hour: levels(hour),
        overnight: levels(overnight),
    }
}

impl EnvLogsSettings {
    /// The runbook's searches over `group`, overnight from 18:00 in `time_zone`.
    pub fn runbook(group: String, time_zone: chrono_tz::Tz) -> Self {
        Self {
            group,
            time_zone,
            overnight_from: chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            searches: SearchKind::ALL
                .into_iter()
                .map(|k| default_search(k, 2000))
                .collect(),
        }
    }
}
