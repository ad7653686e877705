//! The database session a "Cancel query" or "Terminate connection" is aimed at: a pid, and what
//! that session was when the request was made — above all when it connected, because PostgreSQL
//! reuses pids and the action must only ever reach the session the approvers saw.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A session of the environment's database, read from `pg_stat_activity` when the request is made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbSession {
    pub pid: i32,
    /// `backend_start`: the action is sent only to the session with this pid that connected then.
    pub connected_at: DateTime<Utc>,
    pub user: Option<String>,
    pub application: Option<String>,
    pub state: Option<String>,
    /// Its statement's text when asked, cut short (shown to approvers as text).
    pub query: String,
}

impl DbSession {
    /// " (alembic, conflicto)": the session's application and user, where known.
    pub fn who(session: &Option<DbSession>) -> String {
        let parts: Vec<&str> = session
            .iter()
            .flat_map(|s| [s.application.as_deref(), s.user.as_deref()])
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }

    /// Each fact as (what, value), as the request page lists them before approval.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let or_none = |v: &Option<String>| match v.as_deref() {
            None | Some("") => "(none)".to_owned(),
            Some(s) => s.to_owned(),
        };
        vec![
            ("pid", self.pid.to_string()),
            (
                "Connected at",
                self.connected_at
                    .format("%Y-%m-%d %H:%M:%S UTC")
                    .to_string(),
            ),
            ("User", or_none(&self.user)),
            ("Application", or_none(&self.application)),
            ("State when asked", or_none(&self.state)),
            ("Query when asked", self.query.clone()),
        ]
    }
}

/// A pid as a form sends it: a positive whole number.
pub fn parse_pid(raw: Option<&str>) -> Result<i32, String> {
    let raw = raw.map(str::trim).unwrap_or_default();
    match raw.parse::<i32>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!(
            "pid {raw:?} is not a session's process id (a positive whole number)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_are_positive_whole_numbers() {
        assert_eq!(parse_pid(Some(" 4711 ")), Ok(4711));
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("-3"),
            Some("12; SELECT 1"),
            Some("99999999999"),
        ] {
            assert!(parse_pid(bad).unwrap_err().contains("pid"), "{bad:?}");
        }
    }
}
