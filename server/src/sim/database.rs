//! The demo's simulated database diagnostics, following the simulated application: the migration
//! version of the version it runs, a steady pool of connections, and under "slow" a report query
//! running long while a migration's `ALTER TABLE` waits for its lock — the runbook's stuck
//! migration. A 5xx fault fills the connection pool.

use super::SimConflicto;
use app::domain::actions::DbSession;
use app::domain::database::{BlockedLock, DbDiagnostics, MigrationVersion, Session};
use app::domain::{Fault, Sourced, Thresholds};
use app::ports::DatabaseDiagnostics;
use chrono::Utc;
use std::sync::{Arc, Mutex};

pub struct SimDatabase {
    env: String,
    app: Arc<SimConflicto>,
    levels: Thresholds,
    /// When the current fault was first seen, so waits grow while it lasts.
    since: Mutex<Option<(Fault, chrono::DateTime<Utc>)>>,
}

impl SimDatabase {
    pub fn new(env: &str, app: Arc<SimConflicto>, levels: Thresholds) -> Self {
        Self {
            env: env.to_owned(),
            app,
            levels,
            since: Mutex::new(None),
        }
    }
}

fn session(pid: i32, app: &str, state: &str, wait: Option<&str>, s: f64, query: &str) -> Session {
    Session {
        pid,
        user: Some("conflicto".into()),
        application: Some(app.into()),
        state: Some(state.into()),
        wait: wait.map(Into::into),
        running_s: s,
        query: query.into(),
    }
}

/// Under "slow": a report query holding a lock on `votes` (pid 4711) and the migration waiting
/// for it (pid 4802), `elapsed` seconds into the fault.
fn stuck_migration(elapsed: f64) -> [Session; 2] {
    [
        session(
            4711,
            "conflicto-report",
            "active",
            Some("IO: DataFileRead"),
            95.0 + elapsed,
            "SELECT p.id, count(v.*) FROM polls p JOIN votes v ON v.poll_id = p.id GROUP BY p.id ORDER BY 2 DESC",
        ),
        session(
            4802,
            "alembic",
            "active",
            Some("Lock: relation"),
            20.0 + elapsed,
            "ALTER TABLE votes ADD COLUMN presenter_note text",
        ),
    ]
}

/// The simulated session `pid` as change control reads it, while it exists (under "slow").
pub fn session_of(app: &SimConflicto, pid: i32) -> Option<DbSession> {
    if app.fault() != Fault::Slow {
        return None;
    }
    let s = stuck_migration(0.0).into_iter().find(|s| s.pid == pid)?;
    // A fixed start per pid, so a request's session stays "the same session" while the fault lasts.
    let connected_at = chrono::DateTime::<Utc>::from_timestamp(1_796_000_000 + i64::from(pid), 0)?;
    Some(DbSession {
        pid,
        connected_at,
        user: s.user,
        application: s.application,
        state: s.state,
        query: s.query,
    })
}

#[async_trait::async_trait]
impl DatabaseDiagnostics for SimDatabase {
    async fn read(&self) -> Sourced<DbDiagnostics> {
        let fault = self.app.fault();
        let now = Utc::now();
        let elapsed = {
            let mut since = self.since.lock().unwrap_or_else(|p| p.into_inner());
            let start = match *since {
                Some((f, at)) if f == fault => at,
                _ => {
                    *since = Some((fault, now));
                    now
                }
            };
            (now - start).num_milliseconds() as f64 / 1000.0
        };
        let version = self.app.version();
        let migration = if version.as_str() >= "1.4.3" {
            "0042_presenter_shortcuts"
        } else {
            "0041_votes_poll_id"
        };
        let (active, idle, max) = match fault {
            Fault::Error5xx => (78, 14, 100),
            Fault::Slow => (31, 22, 100),
            Fault::Down => (0, 0, 100),
            _ => (4, 26, 100),
        };
        let mut long_running = vec![];
        let mut blocked = vec![];
        if fault == Fault::Slow {
            let [report, migration_wait] = stuck_migration(elapsed);
            long_running = vec![report.clone(), migration_wait.clone()];
            blocked.push(BlockedLock {
                waiting: migration_wait,
                lock_type: "relation".into(),
                mode: "AccessExclusiveLock".into(),
                relation: Some("votes".into()),
                blockers: vec![report],
            });
        }
        let mut s = Sourced::new(5_000);
        if fault == Fault::Down {
            s.failed(
                "cannot reach the database: Connection refused (os error 111)".into(),
                now,
            );
            return s;
        }
        s.succeeded(
            DbDiagnostics {
                server_version: "16.4".into(),
                database: format!("conflicto_{}", self.env),
                size_bytes: 3_221_225_472,
                migration: MigrationVersion {
                    table: "alembic_version".into(),
                    versions: vec![migration.into()],
                    error: None,
                },
                max_connections: max,
                by_state: vec![("idle".into(), idle), ("active".into(), active)],
                by_application: vec![
                    ("conflicto-backend".into(), active + idle - 2),
                    ("conflicto-report".into(), 1),
                    ("alembic".into(), 1),
                ],
                long_running,
                long_after_s: 30,
                blocked,
                connection_levels: self.levels,
            },
            now,
        );
        s
    }
}
