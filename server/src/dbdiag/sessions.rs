//! Cancelling a query or terminating a database session, for approved change-control requests,
//! over the environment's admin URL (a role with pg_signal_backend).
//!
//! Exactly once, and only the session the approvers saw: each step opens a connection of its own
//! (a pooled one could turn out dead only once the statement is sent), so a connection that cannot
//! be made means nothing was sent ("failed"); the signal is one statement that names the pid *and*
//! the session's `backend_start`, so a pid PostgreSQL has since given to another session is never
//! hit; and once the statement is sent, losing the connection is "outcome unknown", not "failed".

use app::domain::actions::{ActionKind, DbSession};
use app::domain::database::cut;
use app::ports::PortError;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{ConnectOptions, Connection, PgConnection, Row};
use std::str::FromStr;
use std::time::Duration;

pub struct PgSessions {
    options: Result<PgConnectOptions, String>,
    /// For each statement (and the connection): a signal is quick, a hang must not hold a worker.
    timeout: Duration,
}

/// How long connecting may take before the step counts as not sent.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl PgSessions {
    pub fn new(admin_url: &SecretString, statement_timeout: Duration) -> Self {
        let ms = statement_timeout.as_millis().max(1).to_string();
        let options = PgConnectOptions::from_str(admin_url.expose_secret())
            .map(|o| {
                o.application_name("opsdeck-actions")
                    .options([("statement_timeout", ms.as_str())])
                    .disable_statement_logging()
            })
            // sqlx's message may quote the URL: say only that it is not one.
            .map_err(|_| "the database admin URL is not a valid PostgreSQL URL".to_owned());
        Self {
            options,
            timeout: statement_timeout + Duration::from_secs(2),
        }
    }

    /// A connection of its own; failing here means nothing was sent.
    async fn connect(&self) -> Result<PgConnection, PortError> {
        let options = self.options.clone().map_err(PortError::Other)?;
        match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(PortError::Other(format!(
                "could not connect to the database with the admin URL, so nothing was sent: {}",
                words(&e)
            ))),
            Err(_) => Err(PortError::Other(format!(
                "no connection to the database within {} s, so nothing was sent",
                CONNECT_TIMEOUT.as_secs()
            ))),
        }
    }

    /// The client session `pid` of the database the admin URL names, as it is now.
    pub async fn session(&self, pid: i32) -> Result<DbSession, PortError> {
        let mut conn = self.connect().await?;
        let row = self
            .bounded(
                sqlx::query(
                    "SELECT pid, backend_start, backend_type, usename::text AS usr, \
                     application_name::text AS app, state::text AS st, query, \
                     current_database()::text AS db \
                     FROM pg_stat_activity WHERE pid = $1 AND datname = current_database()",
                )
                .bind(pid)
                .fetch_optional(&mut conn),
            )
            .await
            .map_err(|e| PortError::Unavailable(format!("reading the session failed: {e}")))?;
        let Some(row) = row else {
            return Err(PortError::Other(format!(
                "there is no session with pid {pid} in the environment's database (it may have ended)"
            )));
        };
        // Another role's session shows only its pid without pg_monitor (or pg_read_all_stats).
        let kind: Option<String> = row.try_get("backend_type").map_err(decode)?;
        match kind.as_deref() {
            Some("client backend") => {}
            None => {
                return Err(PortError::Other(format!(
                    "the admin role may not see session {pid}'s details: grant it pg_monitor"
                )))
            }
            Some(other) => {
                return Err(PortError::Other(format!(
                    "pid {pid} is PostgreSQL's own {other} process, not a client's session"
                )))
            }
        }
        target(&row)
    }

    /// Send the cancel or terminate signal to `session` — only while that pid is still the session
    /// that connected at `connected_at`. Once.
    pub async fn signal(&self, kind: ActionKind, session: &DbSession) -> Result<String, PortError> {
        let (function, done) = match kind {
            ActionKind::CancelQuery => ("pg_cancel_backend", "cancelled its query"),
            ActionKind::TerminateConnection => ("pg_terminate_backend", "ended the session"),
            other => {
                return Err(PortError::Other(format!(
                    "{} is not a database session action",
                    other.label()
                )))
            }
        };
        let pid = session.pid;
        let mut conn = self.connect().await?;
        // From here on the statement may have reached the server.
        let sent = self
            .bounded(
                sqlx::query_scalar::<_, bool>(&format!(
                    "SELECT {function}(pid) FROM pg_stat_activity \
                     WHERE pid = $1 AND backend_start = $2 AND datname = current_database()"
                ))
                .bind(pid)
                .bind(session.connected_at)
                .fetch_optional(&mut conn),
            )
            .await;
        match sent {
            Ok(Some(true)) => Ok(format!("PostgreSQL {done} (pid {pid}, {function})")),
            Ok(Some(false)) => Err(PortError::Other(format!(
                "PostgreSQL did not signal pid {pid}: {function} returned false (the process had gone)"
            ))),
            Ok(None) => Err(PortError::Conflict(format!(
                "session {pid} that connected at {} has already ended: nothing was sent",
                session.connected_at.format("%H:%M:%S UTC")
            ))),
            Err(Sent::Refused(m)) => Err(PortError::Denied(format!("PostgreSQL refused: {m}"))),
            Err(Sent::Unknown(m)) => Err(PortError::OutcomeUnknown(format!(
                "{function}({pid}) was sent but no answer came back ({m}): look at the database page before asking again"
            ))),
        }
    }

    /// What the session is doing now, for the request's "verify".
    pub async fn look(&self, session: &DbSession) -> Result<String, PortError> {
        let mut conn = self.connect().await?;
        let row = self
            .bounded(
                sqlx::query(
                    "SELECT state::text AS st, query FROM pg_stat_activity \
                     WHERE pid = $1 AND backend_start = $2",
                )
                .bind(session.pid)
                .bind(session.connected_at)
                .fetch_optional(&mut conn),
            )
            .await
            .map_err(|e| PortError::Unavailable(format!("reading the session failed: {e}")))?;
        let pid = session.pid;
        Ok(match row {
            None => format!("session {pid} has ended"),
            Some(r) => {
                let state: Option<String> = r.try_get("st").map_err(decode)?;
                let query: Option<String> = r.try_get("query").map_err(decode)?;
                format!(
                    "session {pid} is still connected, {}: {}",
                    state.unwrap_or_else(|| "state unknown".into()),
                    cut(query.as_deref().unwrap_or_default())
                )
            }
        })
    }

    /// Run `fut` within the step's time limit, telling a refusal by the server (nothing happened)
    /// from a lost answer (anything may have happened).
    async fn bounded<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, Sent> {
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(sqlx::Error::Database(d))) => {
                // PostgreSQL's detail often says what would be needed ("… pg_signal_backend").
                let detail = d
                    .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                    .and_then(|p| p.detail())
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default();
                Err(Sent::Refused(format!("{}{detail}", d.message())))
            }
            Ok(Err(e)) => Err(Sent::Unknown(words(&e))),
            Err(_) => Err(Sent::Unknown(format!(
                "no answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }
}

/// How a sent statement ended, when it did not answer.
enum Sent {
    /// The server answered with an error: the statement did nothing.
    Refused(String),
    /// The connection broke or the time ran out: it may or may not have run.
    Unknown(String),
}

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sent::Refused(m) => write!(f, "the database refused: {m}"),
            Sent::Unknown(m) => f.write_str(m),
        }
    }
}

fn decode(e: sqlx::Error) -> PortError {
    PortError::Other(format!("an unexpected answer from the database: {e}"))
}

fn target(row: &PgRow) -> Result<DbSession, PortError> {
    let query: Option<String> = row.try_get("query").map_err(decode)?;
    let connected_at: Option<DateTime<Utc>> = row.try_get("backend_start").map_err(decode)?;
    Ok(DbSession {
        pid: row.try_get("pid").map_err(decode)?,
        connected_at: connected_at.ok_or_else(|| {
            PortError::Other(
                "the session has no connection time, so it cannot be told apart from a later one"
                    .into(),
            )
        })?,
        user: row.try_get("usr").map_err(decode)?,
        application: row.try_get("app").map_err(decode)?,
        state: row.try_get("st").map_err(decode)?,
        query: cut(query.as_deref().unwrap_or_default()),
    })
}

/// An error in words, never with the URL.
fn words(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Tls(t) => format!("TLS failed: {t}"),
        sqlx::Error::Protocol(p) => format!("protocol error: {p}"),
        other => other.to_string(),
    }
}
