//! What an environment's database is doing, as the runbook's psql procedures ask: the
//! application's migration version, connections by state and by application against
//! `max_connections`, queries running long, locks not granted with the sessions blocking them, and
//! the database's size. Query texts come from the database and may hold anything a client sent:
//! shown as text only, cut short.

use super::{Level, Thresholds};
use serde::{Deserialize, Serialize};

/// The longest query text kept: enough to recognise a statement, never a whole payload.
pub const QUERY_CHARS: usize = 300;

/// Cut a query text to [`QUERY_CHARS`] characters, marking the cut.
pub fn cut(query: &str) -> String {
    let mut chars = query.chars();
    let head: String = chars.by_ref().take(QUERY_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// One session of `pg_stat_activity`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub pid: i32,
    pub user: Option<String>,
    pub application: Option<String>,
    pub state: Option<String>,
    /// "Lock: relation", "IO: DataFileRead", …
    pub wait: Option<String>,
    /// Since its current query (or transaction, when idle in one) started.
    pub running_s: f64,
    /// Cut to [`QUERY_CHARS`]; the statement's text only (bind parameters are never shown).
    pub query: String,
}

/// A lock a session waits for, and who holds it up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockedLock {
    pub waiting: Session,
    pub lock_type: String,
    pub mode: String,
    /// The table, when the lock is on one.
    pub relation: Option<String>,
    /// The sessions `pg_blocking_pids` names.
    pub blockers: Vec<Session>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MigrationVersion {
    /// The table read (`alembic_version` by default).
    pub table: String,
    pub versions: Vec<String>,
    /// Why it could not be read ("the table alembic_version does not exist").
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DbDiagnostics {
    pub server_version: String,
    pub database: String,
    pub size_bytes: i64,
    pub migration: MigrationVersion,
    pub max_connections: i64,
    /// Client sessions by state ("active", "idle", "idle in transaction", …), most first.
    pub by_state: Vec<(String, i64)>,
    /// Client sessions by application name, most first (the top ten).
    pub by_application: Vec<(String, i64)>,
    /// Non-idle sessions whose query started more than `long_after_s` ago, oldest first.
    pub long_running: Vec<Session>,
    pub long_after_s: u64,
    pub blocked: Vec<BlockedLock>,
    /// The share of `max_connections` in use is judged by these (the metrics' levels).
    pub connection_levels: Thresholds,
}

impl DbDiagnostics {
    pub fn connections(&self) -> i64 {
        self.by_state.iter().map(|(_, n)| n).sum()
    }

    pub fn connections_percent(&self) -> f64 {
        if self.max_connections <= 0 {
            return f64::NAN;
        }
        self.connections() as f64 / self.max_connections as f64 * 100.0
    }

    /// Locks not granted make it a warning (critical once one has waited a minute), as do
    /// connections above their levels.
    pub fn level(&self) -> Level {
        let locks = match self
            .blocked
            .iter()
            .map(|b| b.waiting.running_s)
            .reduce(f64::max)
        {
            None => Level::Ok,
            Some(s) if s >= 60.0 => Level::Critical,
            Some(_) => Level::Warning,
        };
        locks.max(self.connection_levels.evaluate(self.connections_percent()))
    }
}

/// "1.2 GiB", "340 MiB".
pub fn bytes(n: i64) -> String {
    let n = n.max(0) as f64;
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_query_texts_are_cut_and_marked() {
        assert_eq!(cut("SELECT 1"), "SELECT 1");
        let long = "x".repeat(QUERY_CHARS + 50);
        let c = cut(&long);
        assert_eq!(c.chars().count(), QUERY_CHARS + 1);
        assert!(c.ends_with('…'));
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(12), "12 B");
    }
}

/// `/env/{name}/database` as it travels to the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatabasePage {
    pub env: String,
    /// `None` when the environment has no `[environments.database]`.
    pub reading: Option<super::Sourced<DbDiagnostics>>,
    /// The RDS instance's read replicas, from the backups panel (RDS and CloudWatch).
    #[serde(default)]
    pub replicas: Vec<super::cloud::ReadReplica>,
    /// The viewer may ask to cancel or terminate a session here (an operator, and a connection
    /// that may signal sessions is configured).
    #[serde(default)]
    pub may_signal_sessions: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
}
