//! Scheduled task runs as opsdeck saw them (`scheduled_task_runs`): what ECS reports now is
//! added, and the panel is what was seen in the last day — ECS itself forgets a stopped task
//! after about an hour.

use app::domain::cloud::TaskRun;
use app::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

/// Longest stop reason kept: ECS caps it near 255, a hostile task could try more elsewhere.
const MAX_REASON: usize = 1024;

/// Remember `runs` (once per task) and return the runs seen since `since`, newest first.
pub async fn record_and_recent(
    pool: &PgPool,
    env: &str,
    runs: &[TaskRun],
    since: DateTime<Utc>,
) -> Result<Vec<TaskRun>, PortError> {
    for r in runs {
        sqlx::query(
            "INSERT INTO scheduled_task_runs
               (environment, task_arn, family, started_at, stopped_at, exit_code, stop_code, stopped_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (environment, task_arn) DO UPDATE
               SET stopped_at = EXCLUDED.stopped_at, exit_code = EXCLUDED.exit_code,
                   stop_code = EXCLUDED.stop_code, stopped_reason = EXCLUDED.stopped_reason",
        )
        .bind(env)
        .bind(&r.task_arn)
        .bind(&r.family)
        .bind(r.started_at)
        .bind(r.stopped_at)
        .bind(r.exit_code)
        .bind(&r.stop_code)
        .bind(
            r.stopped_reason
                .as_deref()
                .map(|s| s.chars().take(MAX_REASON).collect::<String>()),
        )
        .execute(pool)
        .await
        .map_err(db)?;
    }
    // A week is more than any check looks back.
    sqlx::query("DELETE FROM scheduled_task_runs WHERE environment = $1 AND seen_at < $2")
        .bind(env)
        .bind(since - chrono::Duration::days(6))
        .execute(pool)
        .await
        .map_err(db)?;
    let rows = sqlx::query(
        "SELECT task_arn, family, started_at, stopped_at, exit_code, stop_code, stopped_reason
           FROM scheduled_task_runs
          WHERE environment = $1 AND COALESCE(stopped_at, seen_at) >= $2
          ORDER BY COALESCE(stopped_at, seen_at) DESC
          LIMIT 200",
    )
    .bind(env)
    .bind(since)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok(TaskRun {
                task_arn: r.try_get("task_arn")?,
                family: r.try_get("family")?,
                started_at: r.try_get("started_at")?,
                stopped_at: r.try_get("stopped_at")?,
                exit_code: r.try_get("exit_code")?,
                stop_code: r.try_get("stop_code")?,
                stopped_reason: r.try_get("stopped_reason")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db)
}
