//! The runbook's log searches as opsdeck shows them: per environment, named searches (errors,
//! exceptions, 5xx, 4xx, authentication failures, slow requests) with their matches in the last 15
//! minutes, the last hour and since the overnight start, judged by warning and critical levels,
//! and the newest matching lines. Lines are attacker-controlled text, kept already cleaned
//! (no escape sequences, control characters visible) and always rendered as text.

use super::{Level, Thresholds};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The searches opsdeck knows, from the runbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Errors,
    Exceptions,
    ServerErrors,
    ClientErrors,
    AuthFailures,
    SlowRequests,
}

impl SearchKind {
    pub const ALL: [SearchKind; 6] = [
        SearchKind::Errors,
        SearchKind::Exceptions,
        SearchKind::ServerErrors,
        SearchKind::ClientErrors,
        SearchKind::AuthFailures,
        SearchKind::SlowRequests,
    ];

    /// The name in configuration: `[environments.logs.searches.<key>]`.
    pub fn key(self) -> &'static str {
        match self {
            SearchKind::Errors => "errors",
            SearchKind::Exceptions => "exceptions",
            SearchKind::ServerErrors => "server_errors",
            SearchKind::ClientErrors => "client_errors",
            SearchKind::AuthFailures => "auth_failures",
            SearchKind::SlowRequests => "slow_requests",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SearchKind::Errors => "Errors",
            SearchKind::Exceptions => "Exceptions",
            SearchKind::ServerErrors => "Server errors (5xx)",
            SearchKind::ClientErrors => "Client errors (4xx)",
            SearchKind::AuthFailures => "Authentication failures",
            SearchKind::SlowRequests => "Slow requests",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One log event as opsdeck keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// CloudWatch's event id.
    pub id: String,
    pub at: DateTime<Utc>,
    pub stream: String,
    /// The message: escape sequences removed, control characters shown as symbols, at most
    /// 16 KiB (see `cut`).
    pub text: String,
    /// The original length in characters, when the message was longer than what is kept.
    #[serde(default)]
    pub cut: Option<usize>,
    /// A message that is one JSON object, as its fields (name, value as text).
    #[serde(default)]
    pub fields: Vec<(String, String)>,
}

/// How much of a line shows before "show all".
pub const PREVIEW_CHARS: usize = 300;

impl LogLine {
    /// The first line, at most [`PREVIEW_CHARS`] characters, and whether anything is hidden.
    pub fn preview(&self) -> (String, bool) {
        let first = self.text.lines().next().unwrap_or_default();
        let shown: String = first.chars().take(PREVIEW_CHARS).collect();
        let more = shown.len() < self.text.len() || self.cut.is_some();
        (shown, more)
    }
}

/// One search's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchCounts {
    pub kind: SearchKind,
    /// The CloudWatch filter pattern, as configured.
    pub pattern: String,
    pub last_15m: u64,
    pub last_hour: u64,
    pub overnight: u64,
    /// Matches per hour: warning and critical levels for the last hour.
    pub hour_levels: Thresholds,
    /// Since the overnight start.
    pub overnight_levels: Thresholds,
    /// Matches in each five minutes of the last hour, oldest first.
    pub sparkline: Vec<u32>,
    /// False while opsdeck is still reading back to the overnight start (counts are too low).
    pub complete: bool,
}

impl SearchCounts {
    pub fn hour_level(&self) -> Level {
        self.hour_levels.evaluate(self.last_hour as f64)
    }

    pub fn overnight_level(&self) -> Level {
        self.overnight_levels.evaluate(self.overnight as f64)
    }

    pub fn level(&self) -> Level {
        self.hour_level().max(self.overnight_level())
    }
}

/// Every search of one environment: what the dashboard, the wall and the morning check read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogsSummary {
    pub log_group: String,
    /// The overnight start (e.g. 18:00 the day before, in the configured time zone).
    pub overnight_since: DateTime<Utc>,
    /// "18:00 Europe/Berlin".
    pub overnight_words: String,
    pub searches: Vec<SearchCounts>,
}

impl LogsSummary {
    pub fn search(&self, kind: SearchKind) -> Option<&SearchCounts> {
        self.searches.iter().find(|s| s.kind == kind)
    }

    pub fn level(&self) -> Level {
        self.searches
            .iter()
            .map(SearchCounts::level)
            .max()
            .unwrap_or(Level::Unknown)
    }

    /// What the compact chip shows: the errors search, or the first one configured.
    pub fn headline(&self) -> Option<&SearchCounts> {
        self.search(SearchKind::Errors).or(self.searches.first())
    }
}

/// The newest matching lines of one search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchLines {
    pub kind: SearchKind,
    /// Newest first.
    pub lines: Vec<LogLine>,
}

/// `/env/{name}/logs` as it travels to the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogsPage {
    pub env: String,
    /// `None` when the environment has no log group (or no log searches) configured.
    pub summary: Option<super::Sourced<LogsSummary>>,
    pub lines: Vec<SearchLines>,
    /// The live tail can be opened (a log group is configured).
    pub tail: bool,
    pub generated_at: DateTime<Utc>,
}

/// What one tail event carries: lines in order, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TailBatch {
    pub lines: Vec<LogLine>,
    /// Set when the tail could not read (throttled, denied): said on the page, the tail goes on.
    #[serde(default)]
    pub error: Option<String>,
}

/// The newest lines a tail keeps, and a page shows.
pub const TAIL_LINES: usize = 500;
