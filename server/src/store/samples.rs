//! Health samples in Postgres: implements [`app::ports::HealthSamples`].

use app::domain::{
    Endpoint, EnvName, FailureKind, HealthBody, PhaseTimings, ProbeFailure, ProbeResult,
    SamplePoint, Thresholds,
};
use app::ports::{HealthSamples, PortError};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, QueryBuilder, Row};

#[derive(Clone)]
pub struct PgHealthSamples {
    pool: PgPool,
}

impl PgHealthSamples {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn db_err(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

#[derive(sqlx::FromRow)]
struct SampleRow {
    endpoint: String,
    taken_at: DateTime<Utc>,
    url: String,
    http_status: Option<i32>,
    namelookup_ms: Option<f64>,
    connect_ms: Option<f64>,
    appconnect_ms: Option<f64>,
    pretransfer_ms: Option<f64>,
    starttransfer_ms: Option<f64>,
    total_ms: Option<f64>,
    failure_kind: Option<String>,
    failure_message: Option<String>,
    body: Option<sqlx::types::Json<HealthBody>>,
    remote_addr: Option<String>,
}

impl SampleRow {
    fn into_result(self) -> Option<ProbeResult> {
        let failure = match self.failure_kind {
            Some(kind) => Some(ProbeFailure {
                kind: FailureKind::parse(&kind)?,
                message: self.failure_message.unwrap_or_default(),
            }),
            None => None,
        };
        Some(ProbeResult {
            endpoint: Endpoint::parse(&self.endpoint)?,
            url: self.url,
            at: self.taken_at,
            http_status: self.http_status.and_then(|s| u16::try_from(s).ok()),
            timings: PhaseTimings {
                namelookup_ms: self.namelookup_ms,
                connect_ms: self.connect_ms,
                appconnect_ms: self.appconnect_ms,
                pretransfer_ms: self.pretransfer_ms,
                starttransfer_ms: self.starttransfer_ms,
                total_ms: self.total_ms,
            },
            body: self.body.map(|b| b.0),
            failure,
            remote_addr: self.remote_addr,
            certificate: None,
        })
    }
}

#[async_trait::async_trait]
impl HealthSamples for PgHealthSamples {
    #[tracing::instrument(skip(self, results), fields(env = %env))]
    async fn record(
        &self,
        env: &EnvName,
        results: &[ProbeResult],
        latency: &Thresholds,
    ) -> Result<(), PortError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::new(
            "INSERT INTO health_samples (environment, endpoint, taken_at, url, ok, http_status, namelookup_ms, \
             connect_ms, appconnect_ms, pretransfer_ms, starttransfer_ms, total_ms, failure_kind, failure_message, \
             body, remote_addr) ",
        );
        q.push_values(results, |mut b, r| {
            b.push_bind(env.as_str())
                .push_bind(r.endpoint.as_str())
                .push_bind(r.at)
                .push_bind(&r.url)
                .push_bind(r.is_up(latency))
                .push_bind(r.http_status.map(i32::from))
                .push_bind(r.timings.namelookup_ms)
                .push_bind(r.timings.connect_ms)
                .push_bind(r.timings.appconnect_ms)
                .push_bind(r.timings.pretransfer_ms)
                .push_bind(r.timings.starttransfer_ms)
                .push_bind(r.timings.total_ms)
                .push_bind(r.failure.as_ref().map(|f| f.kind.as_str()))
                .push_bind(r.failure.as_ref().map(|f| f.message.as_str()))
                .push_bind(r.body.as_ref().map(sqlx::types::Json))
                .push_bind(r.remote_addr.as_deref());
        });
        q.build().execute(&self.pool).await.map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip(self), fields(env = %env))]
    async fn since(
        &self,
        env: &EnvName,
        endpoint: Endpoint,
        since: DateTime<Utc>,
    ) -> Result<Vec<SamplePoint>, PortError> {
        let rows = sqlx::query(
            "SELECT taken_at, ok, total_ms FROM health_samples \
             WHERE environment = $1 AND endpoint = $2 AND taken_at >= $3 ORDER BY taken_at",
        )
        .bind(env.as_str())
        .bind(endpoint.as_str())
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SamplePoint {
                    at: r.try_get("taken_at").map_err(db_err)?,
                    ok: r.try_get("ok").map_err(db_err)?,
                    total_ms: r.try_get("total_ms").map_err(db_err)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip(self), fields(env = %env))]
    async fn recent(&self, env: &EnvName, limit: u32) -> Result<Vec<ProbeResult>, PortError> {
        let rows: Vec<SampleRow> = sqlx::query_as(
            "SELECT endpoint, taken_at, url, http_status, namelookup_ms, connect_ms, appconnect_ms, pretransfer_ms, \
             starttransfer_ms, total_ms, failure_kind, failure_message, body, remote_addr \
             FROM health_samples WHERE environment = $1 ORDER BY taken_at DESC, id DESC LIMIT $2",
        )
        .bind(env.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        // A row written by a newer opsdeck with an unknown kind is skipped rather than failing the page.
        Ok(rows
            .into_iter()
            .filter_map(SampleRow::into_result)
            .collect())
    }

    #[tracing::instrument(skip(self))]
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, PortError> {
        let done = sqlx::query("DELETE FROM health_samples WHERE taken_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(done.rows_affected())
    }
}
