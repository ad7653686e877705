//! What the notifier reads and where it keeps its place: the audit events worth a message, after
//! the last one delivered, whose id is stored so a process that takes over continues from there
//! (not from the newest event). One process notifies at a time: it holds a session advisory lock
//! on a connection of its own for as long as it runs.

use app::domain::actions::RequestView;
use app::ports::PortError;
use sqlx::{Connection, PgConnection, PgPool};

const LOCK: i64 = 7_220_417_002;
const CURSOR: &str = "webhook";

/// The audit events that become messages.
const MESSAGES: &[&str] = &[
    "action.requested",
    "action.approved",
    "action.rejected",
    "action.succeeded",
    "action.failed",
    "action.outcome_unknown",
    "audit.head",
    "incident.declared",
    "incident.step_due",
    "incident.resolved",
    "env.down",
    "env.recovered",
    "backups.overdue",
    "deploy.gate.waiting",
    "deploy.gate.reminder",
    "deploy.watch.verdict",
    "deploy.watch.ended",
    "freeze.declared",
    "checks.morning.overdue",
    "override",
];

pub struct FeedEvent {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub environment: Option<String>,
    pub details: serde_json::Value,
}

/// The notifier's hold on the feed: dropping it releases the lock.
pub struct NotifyFeed {
    conn: PgConnection,
}

impl NotifyFeed {
    /// Take over notifying unless another process does; the feed and the last delivered id. The
    /// very first notifier starts after the newest event: history is not replayed.
    pub async fn take_over(pool: &PgPool) -> Result<Option<(Self, i64)>, sqlx::Error> {
        let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
        let mine: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK)
            .fetch_one(&mut conn)
            .await?;
        if !mine {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO notify_cursor (name, last_event_id)
             SELECT $1, coalesce(max(id), 0) FROM audit_events
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(CURSOR)
        .execute(&mut conn)
        .await?;
        let last: i64 =
            sqlx::query_scalar("SELECT last_event_id FROM notify_cursor WHERE name = $1")
                .bind(CURSOR)
                .fetch_one(&mut conn)
                .await?;
        Ok(Some((Self { conn }, last)))
    }

    /// The next events worth a message after `last`, oldest first.
    pub async fn after(&mut self, last: i64, limit: i64) -> Result<Vec<FeedEvent>, sqlx::Error> {
        let rows: Vec<(i64, String, String, Option<String>, serde_json::Value)> = sqlx::query_as(
            "SELECT id, actor, action, environment, details FROM audit_events
              WHERE id > $1 AND action = ANY($2) ORDER BY id LIMIT $3",
        )
        .bind(last)
        .bind(MESSAGES)
        .bind(limit)
        .fetch_all(&mut self.conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, actor, action, environment, details)| FeedEvent {
                id,
                actor,
                action,
                environment,
                details,
            })
            .collect())
    }

    /// `id` was delivered (or given up on): the next process starts after it.
    pub async fn delivered(&mut self, id: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE notify_cursor SET last_event_id = $2, updated_at = now() WHERE name = $1 AND last_event_id < $2",
        )
        .bind(CURSOR)
        .bind(id)
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    /// The request an event is about, for its message.
    pub async fn request(&mut self, id: i64) -> Result<Option<RequestView>, PortError> {
        super::actions::load(&mut self.conn, id).await
    }
}
