//! Each environment's health level whenever it changed.

use super::rows::db;
use app::domain::incident::LevelChange;
use app::domain::{EnvName, Level};
use app::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

pub(super) async fn changed(
    pool: &PgPool,
    env: &EnvName,
    at: DateTime<Utc>,
    level: Level,
    words: &str,
    announce: Option<&str>,
) -> Result<(), PortError> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query(
        "INSERT INTO level_changes (environment, at, level, words) VALUES ($1, $2, $3, $4)",
    )
    .bind(env.as_str())
    .bind(at)
    .bind(level.as_str())
    .bind(words)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if let Some(action) = announce {
        crate::store::audit::append(
            &mut *tx,
            crate::store::audit::Event {
                user_id: None,
                actor: "opsdeck",
                action,
                environment: Some(env.as_str()),
                details: serde_json::json!({"env": env.as_str(), "level": level.as_str(), "words": words, "at": at}),
            },
        )
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

/// When the newest run at `level` began, if the newest change is to `level`.
pub(super) async fn since(
    pool: &PgPool,
    env: &EnvName,
    level: Level,
) -> Result<Option<DateTime<Utc>>, PortError> {
    let newest: Option<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT level, at FROM level_changes WHERE environment = $1 ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(env.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(newest
        .filter(|(l, _)| l == level.as_str())
        .map(|(_, at)| at))
}

pub(super) async fn between(
    pool: &PgPool,
    envs: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LevelChange>, PortError> {
    let rows: Vec<(String, DateTime<Utc>, String, String)> = sqlx::query_as(
        "SELECT environment, at, level, words FROM level_changes
          WHERE environment = ANY($1) AND at BETWEEN $2 AND $3 ORDER BY at",
    )
    .bind(envs)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(env, at, level, words)| LevelChange {
            env,
            at,
            level: Level::parse(&level).unwrap_or(Level::Unknown),
            words,
        })
        .collect())
}
