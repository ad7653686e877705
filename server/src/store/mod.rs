//! Postgres: the pool, the migrations, and the adapters that implement storage ports.

pub mod actions;
pub mod audit;
pub mod github_tokens;
pub mod notify_feed;
pub mod people;
mod private_cluster;
mod samples;
pub mod users;
pub mod wall_tokens;

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

pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
