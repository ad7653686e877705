//! Reading a log group (CloudWatch Logs' FilterLogEvents, or the demo's simulation), and what the
//! server's log searches know for the logs page. Every read goes through one call budget per
//! account and Region on the server side; nothing here is called per viewer.

use super::PortError;
use crate::domain::logs::SearchLines;

/// One FilterLogEvents request.
#[derive(Clone, Debug, PartialEq)]
pub struct LogQuery {
    pub group: String,
    /// A CloudWatch filter pattern; `None` for every event.
    pub pattern: Option<String>,
    /// Milliseconds since the epoch; start inclusive, end exclusive.
    pub start_ms: i64,
    pub end_ms: i64,
    /// The previous page's token.
    pub next: Option<String>,
    /// At most this many events in one page.
    pub limit: u32,
}

/// One event as the log group returned it (the message not yet cleaned).
#[derive(Clone, Debug, PartialEq)]
pub struct RawLogEvent {
    pub id: String,
    pub at_ms: i64,
    pub stream: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogPage {
    pub events: Vec<RawLogEvent>,
    /// More to read with this token.
    pub next: Option<String>,
}

#[async_trait::async_trait]
pub trait LogEvents: Send + Sync {
    async fn filter(&self, query: &LogQuery) -> Result<LogPage, PortError>;
}

/// The newest matching lines of each search of an environment, as the server last read them.
pub trait LogLines: Send + Sync {
    /// `None` when the environment has no log searches.
    fn lines(&self, env: &str) -> Option<Vec<SearchLines>>;
    /// The environment has a log group a live tail can follow.
    fn has_tail(&self, env: &str) -> bool;
    /// Whether CloudWatch would read `pattern` as a filter pattern, and why not in words.
    fn check_pattern(&self, pattern: &str) -> Result<(), String>;
}
