//! What replicas share through Postgres: the pollers' lease (`leases`) and the newest live item
//! per key (`live_items`, announced with NOTIFY), and the sessions behind open live streams.

use sqlx::PgPool;
use std::time::Duration;

/// NOTIFY channel of new live items.
pub const CHANNEL: &str = "opsdeck_live";

/// Take or renew lease `name` for `holder` for `ttl`: whether `holder` holds it now.
pub async fn hold_lease(
    pool: &PgPool,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<bool, sqlx::Error> {
    let held: Option<String> = sqlx::query_scalar(
        "INSERT INTO leases (name, holder, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
          WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
         RETURNING holder",
    )
    .bind(name)
    .bind(holder)
    .bind(ttl.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    Ok(held.is_some())
}

/// Give lease `name` up, if `holder` has it.
pub async fn release_lease(pool: &PgPool, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Who holds lease `name` now (not expired).
pub async fn lease_holder(pool: &PgPool, name: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1 AND expires_at > now()")
        .bind(name)
        .fetch_optional(pool)
        .await
}

/// The newest live item's sequence number (0 when there is none).
pub async fn newest_live_seq(pool: &PgPool) -> Result<i64, sqlx::Error> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM live_items")
        .fetch_one(pool)
        .await?;
    Ok(newest.unwrap_or(0))
}

/// One live item as replicas exchange it.
pub struct LiveRow {
    pub key: String,
    pub seq: i64,
    pub payload: String,
}

/// Store `items` (never over a newer row: a leader that has just lost its lease may still write)
/// and announce them, in one transaction.
pub async fn write_live_items(pool: &PgPool, items: &[LiveRow]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for item in items {
        sqlx::query(
            "INSERT INTO live_items (key, seq, payload) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET seq = EXCLUDED.seq, payload = EXCLUDED.payload
              WHERE live_items.seq < EXCLUDED.seq",
        )
        .bind(&item.key)
        .bind(item.seq)
        .bind(&item.payload)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The live items newer than `after`, oldest first.
pub async fn live_items_after(pool: &PgPool, after: i64) -> Result<Vec<LiveRow>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT key, seq, payload FROM live_items WHERE seq > $1 ORDER BY seq")
            .bind(after)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(key, seq, payload)| LiveRow { key, seq, payload })
        .collect())
}

/// Of the sessions `ids`, those that still exist and have not expired (tower-sessions'
/// `PostgresStore` table, read as its `load` reads it).
pub async fn sessions_alive(pool: &PgPool, ids: &[String]) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM tower_sessions.session WHERE id = ANY($1) AND expiry_date > now()",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
}
