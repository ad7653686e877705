//! Change freezes and overrides in Postgres, with the configured freeze windows: the freeze in
//! force, declaring and ending one, and overrides recorded and reviewed — every change with its
//! audit event in the same transaction (reviews under the override's row lock, so one review
//! wins).

use super::audit;
use crate::config::FreezeWindow;
use crate::routines::windows;
use app::domain::routines::morning::{RoutineItem, SignOff};
use app::domain::routines::{ActiveFreeze, FreezeKind, Override, OverrideSubject, RestoreDrill};
use app::domain::EnvName;
use app::ports::incidents::Actor;
use app::ports::routines::{NewDrill, NewOverride, Routines};
use app::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

pub struct PgRoutines {
    pool: PgPool,
    windows: Vec<FreezeWindow>,
}

impl PgRoutines {
    pub fn new(pool: PgPool, windows: Vec<FreezeWindow>) -> Self {
        Self { pool, windows }
    }
}

fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

use audit::append_by as record;

#[async_trait::async_trait]
impl Routines for PgRoutines {
    async fn freeze_at(&self, now: DateTime<Utc>) -> Result<Option<ActiveFreeze>, PortError> {
        if let Some((w, (since, until))) = self
            .windows
            .iter()
            .find_map(|w| windows::on_at(w, now).map(|s| (w, s)))
        {
            return Ok(Some(ActiveFreeze {
                kind: FreezeKind::Window {
                    name: w.name.clone(),
                },
                reason: w.reason.clone(),
                since,
                until,
            }));
        }
        let row = sqlx::query(
            "SELECT id, reason, starts_at, ends_at, declared_by FROM freezes
              WHERE ended_at IS NULL AND starts_at <= $1 AND ends_at > $1
              ORDER BY ends_at DESC LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(|r| ActiveFreeze {
            kind: FreezeKind::Declared {
                id: r.get("id"),
                by: r.get("declared_by"),
            },
            reason: r.get("reason"),
            since: r.get("starts_at"),
            until: r.get("ends_at"),
        }))
    }

    async fn declare_freeze(
        &self,
        by: &Actor,
        reason: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<i64, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO freezes (reason, starts_at, ends_at, declared_by, declared_by_id)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(reason)
        .bind(now)
        .bind(until)
        .bind(&by.name)
        .bind(by.user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let details =
            serde_json::json!({"freeze": id, "reason": reason, "from": now, "until": until});
        record(&mut tx, by, "freeze.declared", None, details).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn end_freeze(&self, by: &Actor, id: i64, now: DateTime<Utc>) -> Result<(), PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let ended = sqlx::query(
            "UPDATE freezes SET ended_at = $2, ended_by = $3, ended_by_id = $4
              WHERE id = $1 AND ended_at IS NULL AND ends_at > $2",
        )
        .bind(id)
        .bind(now)
        .bind(&by.name)
        .bind(by.user_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if ended.rows_affected() == 0 {
            return Err(PortError::NotFound(format!("freeze {id} is not in force")));
        }
        record(
            &mut tx,
            by,
            "freeze.ended",
            None,
            serde_json::json!({"freeze": id, "at": now}),
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn record_override(&self, by: &Actor, o: NewOverride) -> Result<i64, PortError> {
        let user_id = by
            .user_id
            .ok_or_else(|| PortError::Other("only a person may override".into()))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let subject =
            serde_json::to_value(&o.subject).map_err(|e| PortError::Other(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO overrides (environment, subject, what, reason, by_name, by_id)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(o.env.as_str())
        .bind(&subject)
        .bind(serde_json::json!(o.what))
        .bind(&o.reason)
        .bind(&by.name)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let details = serde_json::json!({
            "override": id, "env": o.env.as_str(), "subject": subject,
            "what": o.what, "reason": o.reason,
        });
        record(&mut tx, by, "override", Some(o.env.as_str()), details).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn overrides(&self, limit: i64) -> Result<Vec<Override>, PortError> {
        let rows = sqlx::query(
            "SELECT id, environment, subject, what, reason, by_name, by_id, at, reviewed_by, reviewed_at
               FROM overrides ORDER BY (reviewed_at IS NULL) DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(read).collect()
    }

    async fn review_override(&self, id: i64, by: &Actor) -> Result<(), PortError> {
        let user_id = by
            .user_id
            .ok_or_else(|| PortError::Other("only a person may review".into()))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query(
            "SELECT id, environment, subject, what, reason, by_name, by_id, at, reviewed_by, reviewed_at
               FROM overrides WHERE id = $1 FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| PortError::NotFound(format!("no override {id}")))?;
        let o = read(&row)?;
        if let Some((who, at)) = &o.reviewed {
            return Err(PortError::Conflict(format!(
                "override {id} was reviewed already, by {who} at {}",
                at.format("%H:%M UTC")
            )));
        }
        if o.by_id == user_id {
            return Err(PortError::Denied(
                "someone other than the person who overrode must review it".into(),
            ));
        }
        sqlx::query(
            "UPDATE overrides SET reviewed_by = $2, reviewed_by_id = $3, reviewed_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(&by.name)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let details = serde_json::json!({"override": id, "by": o.by, "by_id": o.by_id});
        record(
            &mut tx,
            by,
            "override.reviewed",
            Some(o.env.as_str()),
            details,
        )
        .await?;
        tx.commit().await.map_err(db)
    }

    async fn sign_off(
        &self,
        by: &Actor,
        kind: &str,
        note: &str,
        items: &[RoutineItem],
        at: DateTime<Utc>,
    ) -> Result<i64, PortError> {
        let user_id = by
            .user_id
            .ok_or_else(|| PortError::Other("only a person may sign a check off".into()))?;
        let items = serde_json::to_value(items).map_err(|e| PortError::Other(e.to_string()))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO check_signoffs (kind, by_name, by_id, note, items, at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind)
        .bind(&by.name)
        .bind(user_id)
        .bind(note)
        .bind(&items)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let details =
            serde_json::json!({"signoff": id, "kind": kind, "note": note, "items": items});
        record(&mut tx, by, "check.signed_off", None, details).await?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn signoffs(&self, kind: &str, limit: i64) -> Result<Vec<SignOff>, PortError> {
        let rows = sqlx::query(
            "SELECT id, by_name, by_id, at, note, items FROM check_signoffs
              WHERE kind = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(kind)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| SignOff {
                id: r.get("id"),
                by: r.get("by_name"),
                by_id: r.get("by_id"),
                at: r.get("at"),
                note: r.get("note"),
                items: serde_json::from_value(r.get("items")).unwrap_or_default(),
            })
            .collect())
    }

    async fn record_drill(&self, by: &Actor, drill: NewDrill) -> Result<i64, PortError> {
        super::drills::record(&self.pool, by, drill).await
    }

    async fn drills(&self, limit: i64) -> Result<Vec<RestoreDrill>, PortError> {
        super::drills::newest(&self.pool, limit).await
    }

    async fn drill_for(&self, request_id: i64) -> Result<Option<RestoreDrill>, PortError> {
        super::drills::for_request(&self.pool, request_id).await
    }
}

fn read(r: &sqlx::postgres::PgRow) -> Result<Override, PortError> {
    let id: i64 = r.get("id");
    let bad = |what: &str| PortError::Other(format!("override {id} has an unreadable {what}"));
    let env: String = r.get("environment");
    let subject: serde_json::Value = r.get("subject");
    let what: serde_json::Value = r.get("what");
    Ok(Override {
        id,
        env: EnvName::parse(&env).map_err(|_| bad("environment"))?,
        subject: serde_json::from_value::<OverrideSubject>(subject).map_err(|_| bad("subject"))?,
        what: serde_json::from_value(what).map_err(|_| bad("list of items"))?,
        reason: r.get("reason"),
        by: r.get("by_name"),
        by_id: r.get("by_id"),
        at: r.get("at"),
        reviewed: match (
            r.get::<Option<String>, _>("reviewed_by"),
            r.get::<Option<DateTime<Utc>>, _>("reviewed_at"),
        ) {
            (Some(who), Some(at)) => Some((who, at)),
            _ => None,
        },
    })
}
