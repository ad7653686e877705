//! The audit log: appending an event (the one INSERT into `audit_events`), checking the hash
//! chain — every event's hash must match its content and link to the event before it — and
//! searching it. The hash itself is defined once, in SQL (`audit_event_hash`, see the migration),
//! and computed by the database on insert.

use sqlx::PgPool;

/// One thing that happened, and who did it.
pub struct Event<'a> {
    /// `None` when nobody could be identified (a failed sign-in); `actor` then says what is known.
    pub user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub environment: Option<&'a str>,
    pub details: serde_json::Value,
}

/// An event by `by` (a person, or opsdeck itself) in the caller's transaction, as a port error.
pub async fn append_by(
    conn: &mut sqlx::PgConnection,
    by: &app::ports::incidents::Actor,
    action: &str,
    environment: Option<&str>,
    details: serde_json::Value,
) -> Result<(), app::ports::PortError> {
    let event = Event {
        user_id: by.user_id,
        actor: &by.name,
        action,
        environment,
        details,
    };
    append(conn, event)
        .await
        .map_err(|e| app::ports::PortError::Unavailable(format!("database: {e}")))
}

/// Append `event` — inside the caller's transaction when given one, so the change it records and
/// the record itself commit together or not at all.
pub async fn append<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (actor_user_id, actor, action, environment, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(event.user_id)
    .bind(event.actor)
    .bind(event.action)
    .bind(event.environment)
    .bind(event.details)
    .execute(executor)
    .await?;
    Ok(())
}

#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Every event fits. `head` is the newest event's hash: record it elsewhere to detect the
    /// removal of events at the end, which a chain alone cannot show.
    Intact { events: i64, head: Option<String> },
    Broken {
        id: i64,
        at: String,
        actor: String,
        action: String,
        reason: String,
    },
}

pub async fn verify(pool: &PgPool) -> Result<Verdict, sqlx::Error> {
    // For each event: the previous event's stored hash, and the hash its content gives now.
    let first_bad: Option<(i64, String, String, String, bool, bool)> = sqlx::query_as(
        "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', actor, action,
                prev_hash IS NOT DISTINCT FROM lag(hash) OVER (ORDER BY id) AS linked,
                hash = audit_event_hash(prev_hash, id, at, actor_user_id, actor, action, environment, details) AS sound
           FROM audit_events
          ORDER BY id",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .find(|(_, _, _, _, linked, sound)| !linked || !sound);
    if let Some((id, at, actor, action, linked, _)) = first_bad {
        let reason = if linked {
            "its content does not match its hash (changed after it was written)".to_owned()
        } else {
            "it does not link to the event before it (an event was removed, inserted or rewritten)"
                .to_owned()
        };
        return Ok(Verdict::Broken {
            id,
            at,
            actor,
            action,
            reason,
        });
    }
    let (events, head): (i64, Option<String>) = sqlx::query_as(
        "SELECT count(*), (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) FROM audit_events",
    )
    .fetch_one(pool)
    .await?;
    Ok(Verdict::Intact { events, head })
}

/// The newest event's id and hash — the head to record outside the database.
pub async fn head(pool: &PgPool) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
        .fetch_optional(pool)
        .await
}

/// Whether event `id` is still there with `hash`: what a head recorded earlier expects. `Err`
/// says in words what is wrong.
pub async fn check_head(
    pool: &PgPool,
    id: i64,
    hash: &str,
) -> Result<Result<(), String>, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(match found {
        None => Err(format!(
            "event {id} is missing: events were removed from the end of the log (or the head was not from this log)"
        )),
        Some(h) if h != hash => Err(format!(
            "event {id} has hash {h}, not the recorded {hash}: the log was rewritten"
        )),
        Some(_) => Ok(()),
    })
}

/// Record the head as an `audit.head` event (so the webhook posts it), unless nothing happened
/// since the last one; one process at a time. The head recorded, if one was.
pub async fn publish_head(pool: &PgPool) -> Result<Option<(i64, String)>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // One replica publishes; the others find the lock taken and skip this round.
    let mine: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7220417003)")
        .fetch_one(&mut *tx)
        .await?;
    if !mine {
        return Ok(None);
    }
    let newest: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, hash, action FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id, hash, action)) = newest else {
        return Ok(None);
    };
    if action == "audit.head" {
        return Ok(None); // nothing happened since the last head
    }
    append(
        &mut *tx,
        Event {
            user_id: None,
            actor: "opsdeck",
            action: "audit.head",
            environment: None,
            details: serde_json::json!({"id": id, "hash": hash}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some((id, hash)))
}

/// What an incident's timeline is made of, oldest first: events about the incident, and change
/// control, approval-gate reviews and stopped writes in its environments, between `from` and `to`.
pub async fn about(
    pool: &PgPool,
    incident: i64,
    envs: &[&str],
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<app::domain::audit::AuditEvent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor_user_id, actor, action, environment, details, hash FROM audit_events
          WHERE at BETWEEN $3 AND $4
            AND (details->>'incident' = $1::text
                 OR ((environment = ANY($2) OR details->>'env' = ANY($2))
                     AND (action LIKE 'action.%' OR action LIKE 'deploy.review%' OR action = 'incident.started')))
          ORDER BY id",
    )
    .bind(incident)
    .bind(envs)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(event).collect())
}

fn event(r: &sqlx::postgres::PgRow) -> app::domain::audit::AuditEvent {
    use sqlx::Row;
    app::domain::audit::AuditEvent {
        id: r.get("id"),
        at: r.get("at"),
        actor_user_id: r.get("actor_user_id"),
        actor: r.get("actor"),
        action: r.get("action"),
        environment: r.get("environment"),
        details: r.get("details"),
        hash: r.get("hash"),
    }
}

/// Events matching the filter, newest first (`person` and `action` match a part of the text).
pub async fn search(
    pool: &PgPool,
    f: &app::domain::audit::AuditFilter,
) -> Result<Vec<app::domain::audit::AuditEvent>, sqlx::Error> {
    use app::domain::audit::AuditFilter;
    let like = |v: Option<&str>| {
        v.map(|s| {
            format!(
                "%{}%",
                s.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
    };
    let rows = sqlx::query(
        "SELECT id, at, actor_user_id, actor, action, environment, details, hash FROM audit_events
          WHERE ($1::text IS NULL OR actor ILIKE $1)
            AND ($2::text IS NULL OR environment = $2 OR details->>'env' = $2)
            AND ($3::text IS NULL OR action ILIKE $3)
          ORDER BY id DESC LIMIT $4",
    )
    .bind(like(AuditFilter::field(&f.person)))
    .bind(AuditFilter::field(&f.env))
    .bind(like(AuditFilter::field(&f.action)))
    .bind(f.limit())
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(event).collect())
}
