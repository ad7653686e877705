//! Action requests in Postgres: creating them, deciding on them under a row lock (so fifty
//! simultaneous approvals are serialised and counted once each), and every transition written to
//! the audit log in the same transaction.

use app::domain::actions::{Action, Decision, DecisionView, Ledger, Policy, RequestView, State};
use app::domain::evidence::EnvEvidence;
use app::ports::{ActionRequests, NewRequest, PortError};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

pub struct PgActions {
    pool: PgPool,
}

impl PgActions {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

/// Append an audit event inside the caller's transaction.
pub async fn audit_in(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    actor: &str,
    action: &str,
    environment: Option<&str>,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (actor_user_id, actor, action, environment, details) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(actor)
    .bind(action)
    .bind(environment)
    .bind(details)
    .execute(conn)
    .await?;
    Ok(())
}

const COLUMNS: &str =
    "id, environment, action, reason, requester, requester_id, requested_at, policy, state, \
     break_glass, reviewed_by, evidence, executing_since, finished_at, result";

/// The decisions on a request, oldest first, with the deciding user's id.
pub async fn decisions(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Vec<(i64, DecisionView)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT user_id, who, approve, break_glass, comment, at FROM action_decisions WHERE request_id = $1 ORDER BY at",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.get("user_id"),
                DecisionView {
                    who: r.get("who"),
                    approve: r.get("approve"),
                    break_glass: r.get("break_glass"),
                    comment: r.get("comment"),
                    at: r.get("at"),
                },
            )
        })
        .collect())
}

fn view(r: &sqlx::postgres::PgRow, decisions: Vec<DecisionView>) -> Result<RequestView, PortError> {
    let parse =
        |e: serde_json::Error| PortError::Other(format!("a stored request could not be read: {e}"));
    let action: Action = serde_json::from_value(r.get("action")).map_err(parse)?;
    let policy: Policy = serde_json::from_value(r.get("policy")).map_err(parse)?;
    let evidence: Vec<EnvEvidence> = serde_json::from_value(r.get("evidence")).unwrap_or_default();
    let state: String = r.get("state");
    Ok(RequestView {
        id: r.get("id"),
        env: r.get("environment"),
        action,
        reason: r.get("reason"),
        requester: r.get("requester"),
        requester_id: r.get("requester_id"),
        requested_at: r.get("requested_at"),
        policy,
        state: State::parse(&state).unwrap_or(State::OutcomeUnknown),
        break_glass: r.get("break_glass"),
        reviewed_by: r.get("reviewed_by"),
        evidence,
        decisions,
        executing_since: r.get("executing_since"),
        finished_at: r.get("finished_at"),
        result: r.get("result"),
    })
}

pub async fn load(conn: &mut PgConnection, id: i64) -> Result<Option<RequestView>, PortError> {
    let Some(row) = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM action_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let d = decisions(conn, id).await.map_err(db)?;
    view(&row, d.into_iter().map(|(_, v)| v).collect()).map(Some)
}

/// The state machine's view of a stored request.
pub fn ledger(v: &RequestView, decided: &[(i64, DecisionView)]) -> Ledger {
    Ledger {
        state: v.state,
        requester: v.requester_id,
        requested_at: v.requested_at,
        policy: v.policy,
        approvers: decided
            .iter()
            .filter(|(_, d)| d.approve)
            .map(|(u, _)| *u)
            .collect(),
        rejected_by: decided.iter().find(|(_, d)| !d.approve).map(|(u, _)| *u),
        break_glass: v.break_glass,
    }
}

/// Set a request's state with its audit event, inside the caller's transaction.
pub async fn transition(
    conn: &mut PgConnection,
    id: i64,
    env: &str,
    state: State,
    actor: (Option<i64>, &str),
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE action_requests SET state = $2 WHERE id = $1")
        .bind(id)
        .bind(state.as_str())
        .execute(&mut *conn)
        .await?;
    let mut details = details;
    if let Some(o) = details.as_object_mut() {
        o.insert("request".into(), id.into());
        o.insert("state".into(), state.as_str().into());
    }
    audit_in(
        conn,
        actor.0,
        actor.1,
        &format!("action.{}", state.as_str()),
        Some(env),
        details,
    )
    .await
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
        audit_in(
            &mut tx,
            Some(r.requester_id),
            &r.requester,
            "action.requested",
            Some(r.env.as_str()),
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
        let locked: Option<i64> =
            sqlx::query_scalar("SELECT id FROM action_requests WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if locked.is_none() {
            return Err(PortError::NotFound(format!("no request {id}")));
        }
        let v = load(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no request {id}")))?;
        let decided = decisions(&mut tx, id).await.map_err(db)?;
        let mut l = ledger(&v, &decided);
        let before = l.state;
        let outcome = match l.decide(&d, comment, Utc::now()) {
            Ok(o) => o,
            Err(refusal) => {
                if l.state == State::Expired && before != State::Expired {
                    // Expiry noticed now: record it, though the decision itself is refused.
                    transition(
                        &mut tx,
                        id,
                        &v.env,
                        State::Expired,
                        (None, "opsdeck"),
                        serde_json::json!({}),
                    )
                    .await
                    .map_err(db)?;
                    tx.commit().await.map_err(db)?;
                }
                return Err(PortError::Denied(refusal.to_string()));
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
        audit_in(
            &mut tx,
            Some(d.user_id),
            who,
            what,
            Some(&v.env),
            serde_json::json!({"request": id, "comment": comment, "approvals": l.approvers.len()}),
        )
        .await
        .map_err(db)?;
        if outcome.state != before {
            transition(
                &mut tx,
                id,
                &v.env,
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
        let v = load(&mut tx, id)
            .await?
            .ok_or_else(|| PortError::NotFound(format!("no request {id}")))?;
        if !v.break_glass {
            return Err(PortError::Conflict(
                "only break-glass executions are reviewed afterwards".into(),
            ));
        }
        if v.decisions.iter().any(|d| d.break_glass && d.who == who) || v.requester_id == user_id {
            return Err(PortError::Denied(
                "a second person reviews a break-glass execution, not the people who did it".into(),
            ));
        }
        sqlx::query("UPDATE action_requests SET reviewed_by = $2 WHERE id = $1")
            .bind(id)
            .bind(who)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit_in(
            &mut tx,
            Some(user_id),
            who,
            "action.reviewed",
            Some(&v.env),
            serde_json::json!({"request": id}),
        )
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
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
}

/// Requests past their expiry that nobody approved in time.
pub async fn expire_old(pool: &PgPool, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
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
