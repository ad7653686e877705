//! Postgres: the pool, the migrations, and the adapters that implement storage ports.

pub mod actions;
pub mod audit;
pub mod drills;
pub mod github_tokens;
pub mod incidents;
pub mod notify_feed;
pub mod people;
mod private_cluster;
pub mod replicas;
pub mod routines;
mod samples;
pub mod task_runs;
pub mod users;
pub mod wall_tokens;
pub mod watches;

pub use private_cluster::{ClusterError, PrivateCluster};
pub use samples::PgHealthSamples;

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot connect to Postgres at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("applying migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{pending} database migration(s) are not applied yet and this database role may not apply them ({source}): run `opsdeck migrate` as the role that owns opsdeck's tables, then start again")]
    NotOwner {
        pending: usize,
        source: sqlx::migrate::MigrateError,
    },
    #[error("reading which migrations are applied failed: {0}")]
    Read(#[from] sqlx::Error),
}

/// Connect (bounded: a database that does not answer fails startup instead of hanging it).
pub async fn connect(url: &SecretString, max_connections: u32) -> Result<PgPool, StoreError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url.expose_secret())
        .await
        .map_err(|source| StoreError::Connect {
            url: crate::config::redact(url),
            source,
        })
}

/// Apply the migrations not applied yet. With none pending nothing is run, so `opsdeck serve` may
/// use a role that does not own the tables (and so cannot switch off the audit log's triggers)
/// once the owner has run `opsdeck migrate`.
pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    let pending = pending_migrations(pool).await?;
    if pending == 0 {
        return Ok(());
    }
    match MIGRATOR.run(pool).await {
        Ok(()) => Ok(()),
        Err(e) if is_permission_denied(&e) => Err(StoreError::NotOwner { pending, source: e }),
        Err(e) => Err(e.into()),
    }
}

/// Migrations in this build that the database has not applied (all of them on a new database).
pub async fn pending_migrations(pool: &PgPool) -> Result<usize, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    let applied: Vec<i64> = if exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?
    } else {
        vec![]
    };
    Ok(MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
        .count())
}

fn is_permission_denied(e: &sqlx::migrate::MigrateError) -> bool {
    let text = e.to_string();
    // 42501 insufficient_privilege, 42P01 must be owner: surfaced in the message either way.
    text.contains("permission denied") || text.contains("must be owner")
}
