//! Database diagnostics over a connection of their own: a monitoring role's URL from an
//! environment variable, one connection at most, every read in a READ ONLY transaction with a
//! short `statement_timeout`. Reads are shared: at most one per `refresh`, whoever asks (a read
//! in progress is waited for, not repeated). A failed read keeps the last figures and says why.

mod queries;
mod sessions;

pub use sessions::PgSessions;

use crate::config::DatabaseDiagSettings;
use app::domain::database::DbDiagnostics;
use app::domain::{Sourced, Thresholds};
use app::ports::DatabaseDiagnostics;
use chrono::Utc;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub struct PgDiagnostics {
    pool: Result<PgPool, String>,
    settings: DatabaseDiagSettings,
    connection_levels: Thresholds,
    last: Mutex<(Option<Instant>, Sourced<DbDiagnostics>)>,
}

impl PgDiagnostics {
    pub fn new(settings: DatabaseDiagSettings, connection_levels: Thresholds) -> Self {
        // Connecting waits for the first read: a database that is down must not stop opsdeck.
        let pool = PgConnectOptions::from_str(settings.url.expose_secret())
            .map(|o| o.application_name("opsdeck-diagnostics"))
            .map(|o| {
                PgPoolOptions::new()
                    .max_connections(1)
                    .min_connections(0)
                    .acquire_timeout(settings.statement_timeout + Duration::from_secs(3))
                    .idle_timeout(Duration::from_secs(60))
                    .connect_lazy_with(o)
            })
            // sqlx's message may quote the URL: say only that it is not one.
            .map_err(|_| "the database URL is not a valid PostgreSQL URL".to_owned());
        let interval_ms = u64::try_from(settings.refresh.as_millis()).unwrap_or(u64::MAX);
        Self {
            pool,
            settings,
            connection_levels,
            last: Mutex::new((None, Sourced::new(interval_ms))),
        }
    }
}

#[async_trait::async_trait]
impl DatabaseDiagnostics for PgDiagnostics {
    async fn read(&self) -> Sourced<DbDiagnostics> {
        let mut last = self.last.lock().await;
        if last
            .0
            .is_some_and(|at| at.elapsed() < self.settings.refresh)
        {
            return last.1.clone();
        }
        let outcome = match &self.pool {
            Err(e) => Err(e.clone()),
            Ok(pool) => {
                let bound = self.settings.statement_timeout * 4 + Duration::from_secs(3);
                match tokio::time::timeout(
                    bound,
                    queries::read(pool, &self.settings, self.connection_levels),
                )
                .await
                {
                    Ok(r) => r,
                    Err(_) => Err(format!(
                        "no answer from the database within {}",
                        humantime::format_duration(bound)
                    )),
                }
            }
        };
        let now = Utc::now();
        match outcome {
            Ok(d) => last.1.succeeded(d, now),
            Err(e) => {
                tracing::warn!("database diagnostics: {e}");
                last.1.failed(e, now);
            }
        }
        last.0 = Some(Instant::now());
        last.1.clone()
    }
}
