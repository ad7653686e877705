//! Incidents in Postgres: declared, changed (lead, status, severity, notes, steps, resolution) —
//! each change with its audit event in the same transaction, under the incident's row lock so two
//! people taking the lead at once leave one lead — and what a timeline is read from.

mod levels;
mod proposals;
mod rows;

use super::audit;
use app::domain::audit::AuditEvent;
use app::domain::incident::{Incident, LevelChange, Proposal};
use app::domain::{EnvName, Level};
use app::ports::incidents::{Actor, Change, Incidents, NewIncident, NewProposal};
use app::ports::PortError;
use chrono::{DateTime, Utc};
use rows::{db, load, load_locked};
use sqlx::{PgConnection, PgPool};

pub struct PgIncidents {
    pool: PgPool,
}

impl PgIncidents {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// An incident's audit event, in the caller's transaction.
async fn record(
    conn: &mut PgConnection,
    by: &Actor,
    action: &str,
    envs: &[EnvName],
    details: serde_json::Value,
) -> Result<(), PortError> {
    // One environment names it; all of them are in the details.
    audit::append_by(conn, by, action, envs.first().map(EnvName::as_str), details).await
}

#[async_trait::async_trait]
impl Incidents for PgIncidents {
    async fn declare(&self, n: NewIncident) -> Result<i64, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let envs: Vec<&str> = n.environments.iter().map(EnvName::as_str).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO incidents (title, severity, environments, started_at, declared_by, declared_by_id)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&n.title)
        .bind(n.severity.as_str())
        .bind(&envs)
        .bind(n.started_at)
        .bind(&n.declared_by.name)
        .bind(n.declared_by.user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if let Some(p) = n.proposal {
            proposals::close(&mut tx, p, "declared", Some(id)).await?;
        }
        // Any other open proposal for these environments is this incident now.
        proposals::absorb(&mut tx, &envs, id).await?;
        let details = serde_json::json!({
            "incident": id, "title": n.title, "severity": n.severity.as_str(),
            "environments": envs, "started_at": n.started_at,
        });
        record(
            &mut tx,
            &n.declared_by,
            "incident.declared",
            &n.environments,
            details,
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn get(&self, id: i64) -> Result<Option<Incident>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load(&mut conn, id).await
    }

    async fn list(&self, limit: i64) -> Result<Vec<Incident>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM incidents ORDER BY (status = 'resolved'), id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(i) = load(&mut conn, id).await? {
                out.push(i);
            }
        }
        Ok(out)
    }

    async fn change(&self, id: i64, by: &Actor, change: Change) -> Result<(), PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let i = load_locked(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no incident {id}")))?;
        if !i.is_open() {
            return Err(PortError::Conflict(format!("incident {id} is resolved")));
        }
        let envs = i.environments.clone();
        let (action, details) = match change {
            Change::TakeLead { expected } => {
                let current = i.lead.as_ref().map(|l| l.user_id);
                if current != expected {
                    let who = i.lead.map(|l| l.who).unwrap_or_else(|| "nobody".into());
                    return Err(PortError::Conflict(format!(
                        "{who} leads this incident now (it changed a moment ago); look again before taking over"
                    )));
                }
                sqlx::query(
                    "UPDATE incidents SET lead = $2, lead_id = $3, lead_at = now() WHERE id = $1",
                )
                .bind(id)
                .bind(&by.name)
                .bind(by.user_id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                ("incident.lead", serde_json::json!({"incident": id}))
            }
            Change::Status(status) => {
                rows::set_status(&mut tx, id, status, i.mitigated_at.is_none()).await?;
                (
                    "incident.status",
                    serde_json::json!({"incident": id, "status": status.as_str()}),
                )
            }
            Change::Severity(severity) => {
                sqlx::query("UPDATE incidents SET severity = $2 WHERE id = $1")
                    .bind(id)
                    .bind(severity.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                (
                    "incident.severity",
                    serde_json::json!({"incident": id, "severity": severity.as_str()}),
                )
            }
            Change::Note(text) => (
                "incident.note",
                serde_json::json!({"incident": id, "text": text}),
            ),
            Change::StepDone { step, words } => {
                let step_i = i32::try_from(step).unwrap_or(i32::MAX);
                let done = sqlx::query(
                    "INSERT INTO incident_steps (incident_id, step, done_by, done_by_id, done_at) VALUES ($1, $2, $3, $4, now())
                     ON CONFLICT (incident_id, step) DO UPDATE SET done_by = EXCLUDED.done_by, done_by_id = EXCLUDED.done_by_id, done_at = EXCLUDED.done_at
                     WHERE incident_steps.done_at IS NULL",
                )
                .bind(id)
                .bind(step_i)
                .bind(&by.name)
                .bind(by.user_id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                if done.rows_affected() == 0 {
                    return Err(PortError::Conflict(
                        "this step is marked done already".into(),
                    ));
                }
                (
                    "incident.step_done",
                    serde_json::json!({"incident": id, "step": step, "words": words}),
                )
            }
            Change::Resolve { summary, timeline } => {
                sqlx::query(
                    "UPDATE incidents SET status = 'resolved', resolved_at = now(), summary = $2, timeline = $3,
                            mitigated_at = coalesce(mitigated_at, now()) WHERE id = $1",
                )
                .bind(id)
                .bind(&summary)
                .bind(serde_json::to_value(&timeline).unwrap_or_default())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                (
                    "incident.resolved",
                    serde_json::json!({"incident": id, "summary": summary}),
                )
            }
        };
        record(&mut tx, by, action, &envs, details).await?;
        tx.commit().await.map_err(db)
    }

    async fn announce_due(
        &self,
        id: i64,
        steps: &[(usize, String)],
    ) -> Result<Vec<usize>, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let Some(i) = load_locked(&mut tx, id).await? else {
            return Ok(vec![]);
        };
        let mut announced = Vec::new();
        for (step, words) in steps {
            let new = sqlx::query(
                "INSERT INTO incident_steps (incident_id, step, announced_at) VALUES ($1, $2, now())
                 ON CONFLICT (incident_id, step) DO UPDATE SET announced_at = now()
                 WHERE incident_steps.announced_at IS NULL AND incident_steps.done_at IS NULL",
            )
            .bind(id)
            .bind(i32::try_from(*step).unwrap_or(i32::MAX))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            if new.rows_affected() == 1 {
                let details = serde_json::json!({"incident": id, "step": step, "words": words, "title": i.title});
                record(
                    &mut tx,
                    &Actor::opsdeck(),
                    "incident.step_due",
                    &i.environments,
                    details,
                )
                .await?;
                announced.push(*step);
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(announced)
    }

    async fn proposals(&self) -> Result<Vec<Proposal>, PortError> {
        proposals::open(&self.pool).await
    }

    async fn propose(&self, p: NewProposal) -> Result<Option<i64>, PortError> {
        proposals::propose(&self.pool, p).await
    }

    async fn dismiss(&self, id: i64, by: &Actor) -> Result<(), PortError> {
        proposals::dismiss(&self.pool, id, by).await
    }

    async fn withdraw(&self, env: &EnvName) -> Result<(), PortError> {
        proposals::withdraw(&self.pool, env).await
    }

    async fn level_changed(
        &self,
        env: &EnvName,
        at: DateTime<Utc>,
        level: Level,
        words: &str,
        announce: Option<&str>,
    ) -> Result<(), PortError> {
        levels::changed(&self.pool, env, at, level, words, announce).await
    }

    async fn level_since(
        &self,
        env: &EnvName,
        level: Level,
    ) -> Result<Option<DateTime<Utc>>, PortError> {
        levels::since(&self.pool, env, level).await
    }

    async fn timeline_sources(
        &self,
        incident: &Incident,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Vec<AuditEvent>, Vec<LevelChange>), PortError> {
        let envs: Vec<&str> = incident.environments.iter().map(EnvName::as_str).collect();
        let events = audit::about(&self.pool, incident.id, &envs, from, to)
            .await
            .map_err(db)?;
        let levels = levels::between(&self.pool, &envs, from, to).await?;
        Ok((events, levels))
    }
}

/// Incidents not resolved: what the timers and the wall look at.
pub async fn open(pool: &PgPool) -> Result<Vec<Incident>, PortError> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(i) = load(&mut conn, id).await? {
            out.push(i);
        }
    }
    Ok(out)
}
