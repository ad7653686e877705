//! What an action is and which parameters are valid: the runbook's risky steps as values, built
//! from a form and checked before anyone is asked to approve them.

use super::session::{parse_pid, DbSession};
use serde::{Deserialize, Serialize};

/// An action with its validated parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Dispatch the rollback workflow with this version (a tag or a sha).
    Rollback { version: String },
    /// Scale the ECS service to 0 — the runbook's data-corruption step. Marks the incident start.
    StopWrites,
    /// Scale the ECS service to `count` tasks.
    Scale { count: u32 },
    /// Force a new deployment of the ECS service.
    Restart,
    /// Restore the database from `snapshot` into a new instance `new_instance`, copying the
    /// existing database's network and settings (`copy`, read when the request is made, so what
    /// approvers see is what is sent).
    Restore {
        snapshot: String,
        new_instance: String,
        #[serde(default)]
        copy: Option<RestoreCopy>,
    },
    /// `pg_cancel_backend`: stop the running query of one database session; it stays connected.
    /// `session` is read when the request is made (what approvers see, and what is checked).
    CancelQuery {
        pid: i32,
        #[serde(default)]
        session: Option<DbSession>,
    },
    /// `pg_terminate_backend`: end one database session, rolling back its open transaction and
    /// releasing its locks (the runbook's stuck migration).
    TerminateConnection {
        pid: i32,
        #[serde(default)]
        session: Option<DbSession>,
    },
}

/// A request form's fields, one per parameter of any action kind (absent where not sent).
#[derive(Clone, Debug, Default)]
pub struct ActionFields<'a> {
    pub kind: &'a str,
    pub version: Option<&'a str>,
    pub count: Option<&'a str>,
    pub snapshot: Option<&'a str>,
    pub new_instance: Option<&'a str>,
    pub pid: Option<&'a str>,
}

/// What a restore copies from the environment's database, so the new instance is reachable by the
/// application and not by the internet. Always sent besides: not publicly accessible, deletion
/// protection on, and tags naming the opsdeck request and its requester.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreCopy {
    /// The database it was read from.
    pub source_instance: String,
    pub subnet_group: Option<String>,
    pub security_groups: Vec<String>,
    pub parameter_group: Option<String>,
    pub instance_class: Option<String>,
    pub multi_az: bool,
    pub storage_type: Option<String>,
}

impl RestoreCopy {
    /// Each setting as (what, value), as the request page lists them before approval.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let or_default = |v: &Option<String>| v.clone().unwrap_or_else(|| "(AWS default)".into());
        vec![
            ("Copied from", self.source_instance.clone()),
            ("DB subnet group", or_default(&self.subnet_group)),
            (
                "VPC security groups",
                if self.security_groups.is_empty() {
                    "(AWS default)".into()
                } else {
                    self.security_groups.join(", ")
                },
            ),
            ("Parameter group", or_default(&self.parameter_group)),
            ("Instance class", or_default(&self.instance_class)),
            ("Multi-AZ", if self.multi_az { "yes" } else { "no" }.into()),
            ("Storage type", or_default(&self.storage_type)),
            ("Publicly accessible", "no".into()),
            ("Deletion protection", "on".into()),
            ("Tags", "opsdeck-request, opsdeck-requester".into()),
        ]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Rollback,
    StopWrites,
    Scale,
    Restart,
    Restore,
    CancelQuery,
    TerminateConnection,
}

impl ActionKind {
    pub const ALL: [ActionKind; 7] = [
        ActionKind::Rollback,
        ActionKind::StopWrites,
        ActionKind::Scale,
        ActionKind::Restart,
        ActionKind::Restore,
        ActionKind::CancelQuery,
        ActionKind::TerminateConnection,
    ];

    /// Aimed at one session of the environment's database (offered only where a connection that
    /// may signal sessions is configured).
    pub fn is_db_session(self) -> bool {
        matches!(
            self,
            ActionKind::CancelQuery | ActionKind::TerminateConnection
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Rollback => "rollback",
            ActionKind::StopWrites => "stop_writes",
            ActionKind::Scale => "scale",
            ActionKind::Restart => "restart",
            ActionKind::Restore => "restore",
            ActionKind::CancelQuery => "cancel_query",
            ActionKind::TerminateConnection => "terminate_connection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Rollback => "Roll back",
            ActionKind::StopWrites => "Stop all writes",
            ActionKind::Scale => "Scale",
            ActionKind::Restart => "Restart",
            ActionKind::Restore => "Restore the database",
            ActionKind::CancelQuery => "Cancel a query",
            ActionKind::TerminateConnection => "Terminate a connection",
        }
    }

    /// What it does, in the runbook's terms.
    pub fn explains(self) -> &'static str {
        match self {
            ActionKind::Rollback => "Dispatch the rollback workflow with a version (default: last known good).",
            ActionKind::StopWrites => "Scale the ECS service to 0 tasks: no traffic, no writes. Records the incident start.",
            ActionKind::Scale => "Set the ECS service's desired task count.",
            ActionKind::Restart => "Force a new deployment of the ECS service (fresh tasks, same version).",
            ActionKind::Restore => "Restore an RDS snapshot into a NEW instance; the existing database is not touched.",
            ActionKind::CancelQuery => "pg_cancel_backend: stop one database session's running query; the session stays connected.",
            ActionKind::TerminateConnection => "pg_terminate_backend: end one database session, rolling back its transaction and releasing its locks.",
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Rollback { .. } => ActionKind::Rollback,
            Action::StopWrites => ActionKind::StopWrites,
            Action::Scale { .. } => ActionKind::Scale,
            Action::Restart => ActionKind::Restart,
            Action::Restore { .. } => ActionKind::Restore,
            Action::CancelQuery { .. } => ActionKind::CancelQuery,
            Action::TerminateConnection { .. } => ActionKind::TerminateConnection,
        }
    }

    /// One line a person reads: "Scale to 4 tasks".
    pub fn describe(&self) -> String {
        match self {
            Action::Rollback { version } => format!("Roll back to {version}"),
            Action::StopWrites => "Stop all writes (scale to 0)".into(),
            Action::Scale { count } => format!("Scale to {count} tasks"),
            Action::Restart => "Restart (force a new deployment)".into(),
            Action::Restore {
                snapshot,
                new_instance,
                ..
            } => {
                format!("Restore {snapshot} into a new instance {new_instance}")
            }
            Action::CancelQuery { pid, session } => {
                format!(
                    "Cancel the query of database session {pid}{}",
                    DbSession::who(session)
                )
            }
            Action::TerminateConnection { pid, session } => {
                format!(
                    "Terminate database session {pid}{}",
                    DbSession::who(session)
                )
            }
        }
    }

    /// The database session it is aimed at, once read.
    pub fn db_session(&self) -> Option<&DbSession> {
        match self {
            Action::CancelQuery { session, .. } | Action::TerminateConnection { session, .. } => {
                session.as_ref()
            }
            _ => None,
        }
    }

    /// Build and validate an action from form fields. `max_tasks` bounds scaling;
    /// `existing_instance` is the database that a restore must never overwrite.
    pub fn from_form(
        fields: &ActionFields<'_>,
        max_tasks: u32,
        existing_instance: Option<&str>,
    ) -> Result<Self, String> {
        let ActionFields {
            kind,
            version,
            count,
            snapshot,
            new_instance,
            pid,
        } = *fields;
        let kind = ActionKind::parse(kind).ok_or_else(|| format!("{kind:?} is not an action"))?;
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 128
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
        };
        Ok(match kind {
            ActionKind::Rollback => {
                let v = version.map(str::trim).unwrap_or_default();
                if let Some(why) = super::git_ref::problem(v) {
                    return Err(why);
                }
                Action::Rollback {
                    version: v.to_owned(),
                }
            }
            ActionKind::StopWrites => Action::StopWrites,
            ActionKind::Restart => Action::Restart,
            ActionKind::Scale => {
                let raw = count.map(str::trim).unwrap_or_default();
                let n: u32 = raw
                    .parse()
                    .map_err(|_| format!("task count {raw:?} is not a whole number"))?;
                if n == 0 {
                    return Err(
                        "scaling to 0 is \"Stop all writes\", which has its own policy".into(),
                    );
                }
                if n > max_tasks {
                    return Err(format!(
                        "{n} tasks is more than the configured maximum of {max_tasks}"
                    ));
                }
                Action::Scale { count: n }
            }
            ActionKind::Restore => {
                let snap = snapshot.map(str::trim).unwrap_or_default();
                let new = new_instance.map(str::trim).unwrap_or_default();
                if !name_ok(snap) {
                    return Err(format!("snapshot {snap:?} is not a snapshot identifier"));
                }
                let ident_ok = new.len() <= 63
                    && new.starts_with(|c: char| c.is_ascii_lowercase())
                    && new
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !new.ends_with('-')
                    && !new.contains("--");
                if !ident_ok {
                    return Err(format!(
                        "new instance name {new:?} must be 1–63 lowercase letters, digits or single hyphens, starting with a letter"
                    ));
                }
                if existing_instance == Some(new) {
                    return Err(format!(
                        "{new} is the existing database: a restore always goes into a new instance"
                    ));
                }
                Action::Restore {
                    snapshot: snap.to_owned(),
                    new_instance: new.to_owned(),
                    copy: None,
                }
            }
            ActionKind::CancelQuery => Action::CancelQuery {
                pid: parse_pid(pid)?,
                session: None,
            },
            ActionKind::TerminateConnection => Action::TerminateConnection {
                pid: parse_pid(pid)?,
                session: None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_validated() {
        let f = |kind, version, count, snapshot, new_instance| {
            let fields = ActionFields {
                kind,
                version,
                count,
                snapshot,
                new_instance,
                pid: None,
            };
            Action::from_form(&fields, 10, Some("conflicto-prod"))
        };
        assert_eq!(
            f("scale", None, Some("4"), None, None),
            Ok(Action::Scale { count: 4 })
        );
        assert!(f("scale", None, Some("11"), None, None)
            .unwrap_err()
            .contains("maximum of 10"));
        assert!(f("scale", None, Some("0"), None, None).is_err());
        assert!(f("scale", None, Some("four"), None, None).is_err());
        assert!(f("rollback", Some("v1.4.1; rm -rf /"), None, None, None).is_err());
        assert!(f("rollback", Some("--orphan"), None, None, None)
            .unwrap_err()
            .contains("option"));
        assert_eq!(
            f("rollback", Some(" v1.4.1 "), None, None, None),
            Ok(Action::Rollback {
                version: "v1.4.1".into()
            })
        );
        assert!(f(
            "restore",
            None,
            None,
            Some("rds:conflicto-prod-2026-11-27-03-00"),
            Some("conflicto-prod")
        )
        .unwrap_err()
        .contains("existing database"));
        assert!(f("restore", None, None, Some("rds:x"), Some("Recovery_1")).is_err());
        assert!(f(
            "restore",
            None,
            None,
            Some("rds:x"),
            Some("conflicto-prod-recovery")
        )
        .is_ok());
        assert!(f("format_disk", None, None, None, None).is_err());
        let pid = |kind, pid| {
            let fields = ActionFields {
                kind,
                pid,
                ..Default::default()
            };
            Action::from_form(&fields, 10, None)
        };
        assert_eq!(
            pid("terminate_connection", Some("4711")),
            Ok(Action::TerminateConnection {
                pid: 4711,
                session: None
            })
        );
        assert!(pid("cancel_query", Some("pg_backend_pid()"))
            .unwrap_err()
            .contains("pid"));
        assert!(pid("cancel_query", None).is_err());
    }
}
