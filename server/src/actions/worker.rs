//! The actions worker. Every opsdeck process runs one; they share the work through Postgres:
//! an approved request is claimed with `FOR UPDATE SKIP LOCKED`, its executor takes a session
//! advisory lock on the request on a connection of its own, marks it executing and commits —
//! only then calls AWS or GitHub — and records the outcome. If the process dies mid-call, its
//! connection closes and the lock is released; a sweeper that can take the lock of a request
//! still marked executing knows its executor is gone and marks it "outcome unknown — verify".
//! Nothing is ever retried.

use crate::store::actions::{ledger, load, transition};
use app::domain::actions::{Action, State};
use app::domain::EnvName;
use app::ports::{ActionExecutor, UserTokens};
use chrono::Utc;
use sqlx::{Connection, PgConnection, PgPool};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Advisory lock namespace for executions (the second key is the request id).
const LOCK_SPACE: i32 = 72_204;
/// The longest a call to AWS or GitHub may take before it counts as failed.
const EXECUTION_BOUND: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct Worker {
    pub pool: PgPool,
    pub executor: Arc<dyn ActionExecutor>,
    pub tokens: Arc<dyn UserTokens>,
    /// Where the count of requests waiting for a decision is published.
    pub hub: Arc<crate::live::Hub>,
}

pub fn spawn(worker: Worker, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        loop {
            if let Err(e) = sweep(&worker.pool).await {
                tracing::warn!("checking for abandoned executions failed: {e}");
            }
            if let Err(e) = crate::store::actions::expire_old(&worker.pool, Utc::now()).await {
                tracing::warn!("expiring old requests failed: {e}");
            }
            loop {
                match run_one(&worker).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!("the actions worker could not claim work: {e}");
                        break;
                    }
                }
            }
            match sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM action_requests WHERE state = 'pending'",
            )
            .fetch_one(&worker.pool)
            .await
            {
                Ok(n) => worker.hub.set_inbox(u32::try_from(n).unwrap_or(u32::MAX)),
                Err(e) => tracing::warn!("counting waiting requests failed: {e}"),
            }
            // Approvals are people's clicks: looking once a second is soon enough.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// A connection of its own: the advisory lock lives exactly as long as it does.
async fn own_connection(pool: &PgPool) -> Result<PgConnection, sqlx::Error> {
    PgConnection::connect_with(&pool.connect_options()).await
}

/// Claim and execute one approved request; its id, or `None` when there is nothing to do.
pub async fn run_one(w: &Worker) -> Result<Option<i64>, sqlx::Error> {
    let mut conn = own_connection(&w.pool).await?;
    let mut tx = conn.begin().await?;
    let Some(id): Option<i64> = sqlx::query_scalar(
        "SELECT id FROM action_requests WHERE state = 'approved' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let Some(v) = load(&mut tx, id)
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?
    else {
        return Ok(None);
    };
    let decided = crate::store::actions::decisions(&mut tx, id).await?;
    let l = ledger(&v, &decided);
    if !l.executable(Utc::now()) {
        // Approved too late, or not by enough people: never executed.
        transition(
            &mut tx,
            id,
            &v.env,
            State::Expired,
            (None, "opsdeck"),
            serde_json::json!({"why": "not executable when claimed"}),
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(id));
    }
    sqlx::query("SELECT pg_advisory_lock($1, $2::int)")
        .bind(LOCK_SPACE)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE action_requests SET executing_since = now(), executions = executions + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    transition(
        &mut tx,
        id,
        &v.env,
        State::Executing,
        (None, "opsdeck"),
        serde_json::json!({"action": v.action}),
    )
    .await?;
    tx.commit().await?;

    // The approver whose decision made it executable acts on GitHub (a rollback is theirs).
    let token = match (&v.action, decided.iter().rev().find(|(_, d)| d.approve)) {
        (Action::Rollback { .. }, Some((user, _))) => w.tokens.token_for(*user).await.ok(),
        _ => None,
    };
    let env = EnvName::parse(&v.env).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let outcome =
        match tokio::time::timeout(EXECUTION_BOUND, w.executor.execute(&env, &v.action, token))
            .await
        {
            Ok(Ok(words)) => (State::Succeeded, words),
            Ok(Err(e)) => (State::Failed, e.detail().to_owned()),
            Err(_) => (
                State::OutcomeUnknown,
                "no answer within 5 minutes: verify the real state".to_owned(),
            ),
        };
    let mut tx = conn.begin().await?;
    sqlx::query("UPDATE action_requests SET finished_at = now(), result = $2 WHERE id = $1")
        .bind(id)
        .bind(&outcome.1)
        .execute(&mut *tx)
        .await?;
    transition(
        &mut tx,
        id,
        &v.env,
        outcome.0,
        (None, "opsdeck"),
        serde_json::json!({"result": outcome.1}),
    )
    .await?;
    if matches!(v.action, Action::StopWrites) && outcome.0 == State::Succeeded {
        // The runbook: "document exact time of incident". Writes stopped now; the incident starts.
        crate::store::actions::audit_in(
            &mut tx,
            None,
            "opsdeck",
            "incident.started",
            Some(&v.env),
            serde_json::json!({"request": id, "reason": v.reason, "at": Utc::now()}),
        )
        .await?;
    }
    tx.commit().await?;
    sqlx::query("SELECT pg_advisory_unlock($1, $2::int)")
        .bind(LOCK_SPACE)
        .bind(id)
        .execute(&mut conn)
        .await?;
    tracing::info!(request = id, state = outcome.0.as_str(), "action executed");
    Ok(Some(id))
}

/// Requests marked executing whose executor is gone become "outcome unknown".
pub async fn sweep(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let executing: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, environment FROM action_requests WHERE state = 'executing'")
            .fetch_all(pool)
            .await?;
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
            .await?;
        if !free {
            continue; // its executor is alive and still working
        }
        let mut tx = conn.begin().await?;
        let still: Option<String> =
            sqlx::query_scalar("SELECT state FROM action_requests WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if still.as_deref() == Some("executing") {
            let why = "the opsdeck process executing it stopped before recording the outcome: verify the real state";
            sqlx::query(
                "UPDATE action_requests SET finished_at = now(), result = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(why)
            .execute(&mut *tx)
            .await?;
            transition(
                &mut tx,
                id,
                &env,
                State::OutcomeUnknown,
                (None, "opsdeck"),
                serde_json::json!({"result": why}),
            )
            .await?;
            marked += 1;
        }
        tx.commit().await?;
        sqlx::query("SELECT pg_advisory_unlock($1, $2::int)")
            .bind(LOCK_SPACE)
            .bind(id)
            .execute(&mut conn)
            .await?;
    }
    Ok(marked)
}
