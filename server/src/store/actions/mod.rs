//! Action requests in Postgres: creating them, deciding on them under a row lock (so fifty
//! simultaneous approvals are serialised and counted once each), and every transition written to
//! the audit log in the same transaction.

mod execution;
mod rows;

pub(crate) use rows::load;

use app::domain::actions::Refusal;
use app::domain::actions::{Decision, RequestView, State};
use app::ports::{ActionRequests, ClaimedRequest, NewRequest, PortError};
use chrono::{DateTime, Utc};
use rows::{audit, db, load_locked, transition};

/// The state machine's refusal in words: a conflict with what already happened, or a denial.
fn refused(r: Refusal) -> PortError {
    if r.is_conflict() {
        PortError::Conflict(r.to_string())
    } else {
        PortError::Denied(r.to_string())
    }
}
use sqlx::PgPool;

pub struct PgActions {
    pool: PgPool,
}

impl PgActions {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait::async_trait]
impl ActionRequests for PgActions {
    async fn create(&self, r: NewRequest) -> Result<i64, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let action =
            serde_json::to_value(&r.action).map_err(|e| PortError::Other(e.to_string()))?;
        let policy = serde_json::to_value(r.policy).map_err(|e| PortError::Other(e.to_string()))?;
        let evidence =
            serde_json::to_value(&r.evidence).map_err(|e| PortError::Other(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO action_requests (environment, kind, action, reason, requester_id, requester, policy, evidence)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(r.env.as_str())
        .bind(r.action.kind().as_str())
        .bind(&action)
        .bind(&r.reason)
        .bind(r.requester_id)
        .bind(&r.requester)
        .bind(&policy)
        .bind(&evidence)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        audit(
            &mut tx,
            (Some(r.requester_id), &r.requester),
            "action.requested",
            r.env.as_str(),
            serde_json::json!({"request": id, "action": action, "reason": r.reason, "policy": policy, "evidence": evidence}),
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn decide(
        &self,
        id: i64,
        who: &str,
        d: Decision,
        comment: &str,
    ) -> Result<State, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The row lock serialises every decision on this request, across connections and replicas.
        let v = load_locked(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no request {id}")))?;
        let mut l = v.ledger();
        let before = l.state;
        let outcome = match l.decide(&d, comment, Utc::now()) {
            Ok(o) => o,
            Err(refusal) => {
                if l.state == State::Expired && before != State::Expired {
                    // Expiry noticed now: record it, though the decision itself is refused.
                    transition(
                        &mut tx,
                        id,
                        v.env.as_str(),
                        State::Expired,
                        (None, "opsdeck"),
                        serde_json::json!({}),
                    )
                    .await
                    .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                }
                return Err(refused(refusal));
            }
        };
        sqlx::query(
            "INSERT INTO action_decisions (request_id, user_id, who, approve, break_glass, comment) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(d.user_id)
        .bind(who)
        .bind(d.approve)
        .bind(outcome.break_glass)
        .bind(comment)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if outcome.break_glass {
            sqlx::query("UPDATE action_requests SET break_glass = true WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        let what = if d.approve {
            if outcome.break_glass {
                "action.break_glass"
            } else {
                "action.approval"
            }
        } else {
            "action.rejection"
        };
        audit(
            &mut tx,
            (Some(d.user_id), who),
            what,
            v.env.as_str(),
            serde_json::json!({"request": id, "comment": comment, "approvals": l.approvers.len()}),
        )
        .await
        .map_err(db)?;
        if outcome.state != before {
            transition(
                &mut tx,
                id,
                v.env.as_str(),
                outcome.state,
                (Some(d.user_id), who),
                serde_json::json!({}),
            )
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(outcome.state)
    }

    async fn review(&self, id: i64, user_id: i64, who: &str) -> Result<(), PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Under the row lock: two people reviewing at once are recorded once, the other refused.
        let v = load_locked(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no request {id}")))?;
        v.check_review(user_id).map_err(refused)?;
        sqlx::query(
            "UPDATE action_requests SET reviewed_by = $2, reviewed_by_id = $3, reviewed_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(who)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        audit(
            &mut tx,
            (Some(user_id), who),
            "action.reviewed",
            v.env.as_str(),
            serde_json::json!({"request": id}),
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn resolve(
        &self,
        id: i64,
        user_id: i64,
        who: &str,
        done: bool,
        reason: &str,
    ) -> Result<State, PortError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let v = load_locked(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no request {id}")))?;
        let state = v.check_resolution(done, reason).map_err(refused)?;
        sqlx::query(
            "UPDATE action_requests SET resolved_by = $2, resolved_by_id = $3, resolved_at = now(), resolution = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(who)
        .bind(user_id)
        .bind(reason.trim())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        transition(
            &mut tx,
            id,
            v.env.as_str(),
            state,
            (Some(user_id), who),
            serde_json::json!({"resolved": true, "reason": reason.trim()}),
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(state)
    }

    async fn get(&self, id: i64) -> Result<Option<RequestView>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load(&mut conn, id).await
    }

    async fn list(&self, limit: i64) -> Result<Vec<RequestView>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM action_requests ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(v) = load(&mut conn, id).await? {
                out.push(v);
            }
        }
        Ok(out)
    }

    async fn claim_next(&self) -> Result<Option<Box<dyn ClaimedRequest>>, PortError> {
        execution::claim_next(&self.pool).await
    }

    async fn sweep_abandoned(&self) -> Result<u64, PortError> {
        execution::sweep_abandoned(&self.pool).await
    }

    async fn expire_due(&self, now: DateTime<Utc>) -> Result<u64, PortError> {
        execution::expire_due(&self.pool, now).await
    }

    async fn in_flight(&self) -> Result<Vec<app::domain::in_flight::OpenRequest>, PortError> {
        execution::in_flight(&self.pool).await
    }
}
