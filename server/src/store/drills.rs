//! Restore drills in Postgres (`restore_drills`): one per restore request, written with its
//! audit event in one transaction; the weekly and monthly checks read the newest.

use super::audit::append_by;
use app::domain::routines::RestoreDrill;
use app::ports::incidents::Actor;
use app::ports::routines::NewDrill;
use app::ports::PortError;
use sqlx::{PgPool, Row};

fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

pub async fn record(pool: &PgPool, by: &Actor, d: NewDrill) -> Result<i64, PortError> {
    let user_id = by
        .user_id
        .ok_or_else(|| PortError::Other("only a person may record a drill".into()))?;
    let mut tx = pool.begin().await.map_err(db)?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO restore_drills
           (request_id, environment, by_name, by_id, at, restored, data_checked, cleaned_up, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (request_id) DO NOTHING RETURNING id",
    )
    .bind(d.request_id)
    .bind(&d.env)
    .bind(&by.name)
    .bind(user_id)
    .bind(d.at)
    .bind(d.restored)
    .bind(d.data_checked)
    .bind(d.cleaned_up)
    .bind(&d.note)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let id = id.ok_or_else(|| {
        PortError::Conflict(format!(
            "request {} is already recorded as a drill",
            d.request_id
        ))
    })?;
    let details = serde_json::json!({
        "drill": id,
        "request_id": d.request_id,
        "restored": d.restored,
        "data_checked": d.data_checked,
        "cleaned_up": d.cleaned_up,
        "note": d.note,
    });
    append_by(&mut tx, by, "restore.drill_recorded", Some(&d.env), details).await?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

const COLUMNS: &str = "id, request_id, environment, by_name, by_id, at, restored, data_checked, \
                       cleaned_up, note";

fn read(r: &sqlx::postgres::PgRow) -> RestoreDrill {
    RestoreDrill {
        id: r.get("id"),
        request_id: r.get("request_id"),
        env: r.get("environment"),
        by: r.get("by_name"),
        by_id: r.get("by_id"),
        at: r.get("at"),
        restored: r.get("restored"),
        data_checked: r.get("data_checked"),
        cleaned_up: r.get("cleaned_up"),
        note: r.get("note"),
    }
}

pub async fn newest(pool: &PgPool, limit: i64) -> Result<Vec<RestoreDrill>, PortError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM restore_drills ORDER BY at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows.iter().map(read).collect())
}

pub async fn for_request(
    pool: &PgPool,
    request_id: i64,
) -> Result<Option<RestoreDrill>, PortError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM restore_drills WHERE request_id = $1"
    ))
    .bind(request_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(row.as_ref().map(read))
}
