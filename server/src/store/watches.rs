//! Post-deploy watches in Postgres: started once per (environment, run) whichever replica sees the
//! deploy first, worsened and ended with their audit events in the same transaction (each change
//! written by exactly one process: the UPDATE that changed the row writes the event).

use super::audit::{self, Event};
use app::domain::routines::watch::{Baseline, Verdict};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

/// A watch as stored.
pub struct WatchRow {
    pub id: i64,
    pub env: String,
    pub run_id: u64,
    pub sha: String,
    pub what: String,
    pub deployed_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub baseline: Baseline,
    pub worst: Verdict,
    pub reasons: Vec<String>,
    pub ended: bool,
}

pub struct NewWatch<'a> {
    pub env: &'a str,
    pub run_id: u64,
    pub sha: &'a str,
    pub what: &'a str,
    pub deployed_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub baseline: &'a Baseline,
}

fn opsdeck<'a>(action: &'a str, env: &'a str, details: serde_json::Value) -> Event<'a> {
    Event {
        user_id: None,
        actor: "opsdeck",
        action,
        environment: Some(env),
        details,
    }
}

/// Start the watch of a deploy unless one exists; its id when this call started it.
pub async fn start(pool: &PgPool, w: NewWatch<'_>) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let baseline = serde_json::to_value(w.baseline).unwrap_or_default();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO deploy_watches (environment, run_id, sha, what, deployed_at, ends_at, baseline)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (environment, run_id) DO NOTHING RETURNING id",
    )
    .bind(w.env)
    .bind(w.run_id as i64)
    .bind(w.sha)
    .bind(w.what)
    .bind(w.deployed_at)
    .bind(w.ends_at)
    .bind(&baseline)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        let details = serde_json::json!({
            "watch": id, "env": w.env, "run_id": w.run_id, "sha": w.sha, "what": w.what,
            "until": w.ends_at, "baseline": baseline,
        });
        audit::append(&mut *tx, opsdeck("deploy.watch.started", w.env, details)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Record a worse verdict than the stored one (no-op otherwise); whether this call recorded it.
pub async fn worsen(
    pool: &PgPool,
    w: &WatchRow,
    verdict: Verdict,
    reasons: &[String],
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let lower: Vec<&str> = [Verdict::Fine, Verdict::Worse]
        .into_iter()
        .filter(|v| *v < verdict)
        .map(Verdict::as_str)
        .collect();
    let changed = sqlx::query(
        "UPDATE deploy_watches SET worst = $2, reasons = $3
          WHERE id = $1 AND ended_at IS NULL AND worst = ANY($4)",
    )
    .bind(w.id)
    .bind(verdict.as_str())
    .bind(serde_json::json!(reasons))
    .bind(&lower)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        let details = serde_json::json!({
            "watch": w.id, "env": w.env, "run_id": w.run_id, "what": w.what,
            "verdict": verdict.as_str(), "reasons": reasons,
        });
        audit::append(&mut *tx, opsdeck("deploy.watch.verdict", &w.env, details)).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// End a watch whose time is up; whether this call ended it.
pub async fn end(pool: &PgPool, w: &WatchRow, at: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "UPDATE deploy_watches SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL
         RETURNING worst, reasons",
    )
    .bind(w.id)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(r) = &row {
        let details = serde_json::json!({
            "watch": w.id, "env": w.env, "run_id": w.run_id, "what": w.what,
            "verdict": r.get::<String, _>("worst"), "reasons": r.get::<serde_json::Value, _>("reasons"),
        });
        audit::append(&mut *tx, opsdeck("deploy.watch.ended", &w.env, details)).await?;
    }
    tx.commit().await?;
    Ok(row.is_some())
}

/// Watches still running, and those that ended after `since`, newest first.
pub async fn recent(pool: &PgPool, since: DateTime<Utc>) -> Result<Vec<WatchRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, environment, run_id, sha, what, deployed_at, ends_at, baseline, worst, reasons,
                ended_at IS NOT NULL AS ended
           FROM deploy_watches WHERE ended_at IS NULL OR ended_at > $1
          ORDER BY id DESC LIMIT 50",
    )
    .bind(since)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| WatchRow {
            id: r.get("id"),
            env: r.get("environment"),
            run_id: r.get::<i64, _>("run_id") as u64,
            sha: r.get("sha"),
            what: r.get("what"),
            deployed_at: r.get("deployed_at"),
            ends_at: r.get("ends_at"),
            baseline: serde_json::from_value(r.get("baseline")).unwrap_or_default(),
            worst: Verdict::parse(&r.get::<String, _>("worst")).unwrap_or(Verdict::Fine),
            reasons: serde_json::from_value(r.get("reasons")).unwrap_or_default(),
            ended: r.get("ended"),
        })
        .collect())
}
