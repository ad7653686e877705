//! How the actions worker's steps are held in Postgres. A claim is a transaction holding the
//! request's row (`FOR UPDATE SKIP LOCKED`, so two workers never claim the same request). An
//! execution holds a session advisory lock on the request id, taken on the claim's connection
//! before the request is marked executing; that connection is opsdeck's alone (not pooled), so the
//! lock lives exactly as long as the executing process. A request still marked executing whose
//! lock anyone can take was left by a process that died mid-call: it becomes "outcome unknown" and
//! is never retried.

use super::rows::{audit, db, load, transition};
use app::domain::actions::{Ledger, RequestView, State};
use app::ports::{ClaimedRequest, Execution, PortError};
use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, PgPool};

/// Advisory lock namespace for executions (the second key is the request id).
const LOCK_SPACE: i32 = 72_204;

/// A connection of its own: the advisory lock lives exactly as long as it does.
async fn own_connection(pool: &PgPool) -> Result<PgConnection, PortError> {
    PgConnection::connect_with(&pool.connect_options())
        .await
        .map_err(db)
}

/// The claim's transaction is begun and ended with plain SQL: the struct owns the connection, and
/// a borrowed `sqlx::Transaction` cannot live beside it. Dropping a claim closes the connection,
/// which rolls the transaction back.
async fn sql(conn: &mut PgConnection, statement: &'static str) -> Result<(), PortError> {
    sqlx::query(statement)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db)
}

struct Claim {
    conn: PgConnection,
    request: RequestView,
    ledger: Ledger,
    final_approver: Option<i64>,
}

struct Running {
    conn: PgConnection,
    id: i64,
    env: String,
    reason: String,
}

pub(super) async fn claim_next(
    pool: &PgPool,
) -> Result<Option<Box<dyn ClaimedRequest>>, PortError> {
    let mut conn = own_connection(pool).await?;
    sql(&mut conn, "BEGIN").await?;
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM action_requests WHERE state = 'approved' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(&mut conn)
    .await
    .map_err(db)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let Some(request) = load(&mut conn, id).await? else {
        return Ok(None);
    };
    let final_approver = request
        .decisions
        .iter()
        .rev()
        .find(|d| d.approve)
        .map(|d| d.user_id);
    Ok(Some(Box::new(Claim {
        ledger: request.ledger(),
        request,
        final_approver,
        conn,
    })))
}

#[async_trait::async_trait]
impl ClaimedRequest for Claim {
    fn request(&self) -> &RequestView {
        &self.request
    }

    fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    fn final_approver(&self) -> Option<i64> {
        self.final_approver
    }

    async fn expire(mut self: Box<Self>, why: &str) -> Result<(), PortError> {
        let (id, env) = (self.request.id, self.request.env.to_string());
        transition(
            &mut self.conn,
            id,
            &env,
            State::Expired,
            (None, "opsdeck"),
            serde_json::json!({ "why": why }),
        )
        .await
        .map_err(db)?;
        sql(&mut self.conn, "COMMIT").await
    }

    async fn mark_executing(mut self: Box<Self>) -> Result<Box<dyn Execution>, PortError> {
        let (id, env) = (self.request.id, self.request.env.to_string());
        let conn = &mut self.conn;
        sqlx::query("SELECT pg_advisory_lock($1, $2::int)")
            .bind(LOCK_SPACE)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query(
            "UPDATE action_requests SET executing_since = now(), executions = executions + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        let action = serde_json::to_value(&self.request.action).unwrap_or_default();
        transition(
            conn,
            id,
            &env,
            State::Executing,
            (None, "opsdeck"),
            serde_json::json!({ "action": action }),
        )
        .await
        .map_err(db)?;
        sql(conn, "COMMIT").await?;
        Ok(Box::new(Running {
            conn: self.conn,
            id,
            env,
            reason: self.request.reason.clone(),
        }))
    }
}

#[async_trait::async_trait]
impl Execution for Running {
    async fn finish(
        mut self: Box<Self>,
        state: State,
        result: &str,
        incident_started: bool,
    ) -> Result<(), PortError> {
        let mut tx = self.conn.begin().await.map_err(db)?;
        sqlx::query("UPDATE action_requests SET finished_at = now(), result = $2 WHERE id = $1")
            .bind(self.id)
            .bind(result)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        transition(
            &mut tx,
            self.id,
            &self.env,
            state,
            (None, "opsdeck"),
            serde_json::json!({ "result": result }),
        )
        .await
        .map_err(db)?;
        if incident_started {
            let details =
                serde_json::json!({"request": self.id, "reason": self.reason, "at": Utc::now()});
            audit(
                &mut tx,
                (None, "opsdeck"),
                "incident.started",
                &self.env,
                details,
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_unlock($1, $2::int)")
            .bind(LOCK_SPACE)
            .bind(self.id)
            .execute(&mut self.conn)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Requests marked executing whose executor is gone become "outcome unknown".
pub(super) async fn sweep_abandoned(pool: &PgPool) -> Result<u64, PortError> {
    let executing: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, environment FROM action_requests WHERE state = 'executing'")
            .fetch_all(pool)
            .await
            .map_err(db)?;
    if executing.is_empty() {
        return Ok(0);
    }
    let mut conn = own_connection(pool).await?;
    let mut marked = 0;
    for (id, env) in executing {
        let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2::int)")
            .bind(LOCK_SPACE)
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .map_err(db)?;
        if !free {
            continue; // its executor is alive and still working
        }
        let mut tx = conn.begin().await.map_err(db)?;
        let still: Option<String> =
            sqlx::query_scalar("SELECT state FROM action_requests WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if still.as_deref() == Some("executing") {
            let why = "the opsdeck process executing it stopped before recording the outcome: verify the real state";
            sqlx::query(
                "UPDATE action_requests SET finished_at = now(), result = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(why)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            transition(
                &mut tx,
                id,
                &env,
                State::OutcomeUnknown,
                (None, "opsdeck"),
                serde_json::json!({"result": why}),
            )
            .await
            .map_err(db)?;
            marked += 1;
        }
        tx.commit().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_unlock($1, $2::int)")
            .bind(LOCK_SPACE)
            .bind(id)
            .execute(&mut conn)
            .await
            .map_err(db)?;
    }
    Ok(marked)
}

/// Requests past their expiry that nobody approved in time.
pub(super) async fn expire_due(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, PortError> {
    expire(pool, now).await.map_err(db)
}

async fn expire(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, environment FROM action_requests
          WHERE state = 'pending' AND requested_at + make_interval(secs => (policy->>'expires_after_s')::double precision) <= $1
          FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    for (id, env) in &rows {
        transition(
            &mut tx,
            *id,
            env,
            State::Expired,
            (None, "opsdeck"),
            serde_json::json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

pub(super) async fn in_flight(
    pool: &PgPool,
) -> Result<Vec<app::domain::in_flight::OpenRequest>, PortError> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM action_requests WHERE state IN ('pending', 'approved', 'executing', 'outcome_unknown') ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(r) = load(&mut conn, id).await? {
            out.push(app::domain::in_flight::OpenRequest {
                id: r.id,
                env: r.env.clone(),
                what: r.action.describe(),
                state: r.state,
                since: r.executing_since.unwrap_or(r.requested_at),
            });
        }
    }
    Ok(out)
}
