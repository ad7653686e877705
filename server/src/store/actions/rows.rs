//! Reading stored requests (a request and its decisions as the pages and the state machine see
//! them) and the one way a request's state changes: with its audit event, in the caller's
//! transaction.

use crate::store::audit::{self, Event};
use app::domain::actions::{Action, DecisionView, Policy, RequestView, Resolution, Signed, State};
use app::domain::evidence::EnvEvidence;
use app::domain::EnvName;
use app::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};

pub(super) fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

/// Append a change-control audit event inside the caller's transaction.
pub(super) async fn audit(
    conn: &mut PgConnection,
    actor: (Option<i64>, &str),
    action: &str,
    env: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit::append(
        conn,
        Event {
            user_id: actor.0,
            actor: actor.1,
            action,
            environment: Some(env),
            details,
        },
    )
    .await
}

const COLUMNS: &str =
    "id, environment, action, reason, requester, requester_id, requested_at, policy, state, \
     break_glass, reviewed_by, reviewed_by_id, reviewed_at, evidence, executing_since, finished_at, \
     result, resolved_by, resolved_by_id, resolved_at, resolution";

/// The decisions on a request, oldest first.
pub(super) async fn decisions(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Vec<DecisionView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT user_id, who, approve, break_glass, comment, at FROM action_decisions WHERE request_id = $1 ORDER BY at",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DecisionView {
            user_id: r.get("user_id"),
            who: r.get("who"),
            approve: r.get("approve"),
            break_glass: r.get("break_glass"),
            comment: r.get("comment"),
            at: r.get("at"),
        })
        .collect())
}

/// Who signed something, from three columns that are all set or all empty.
fn signed(r: &sqlx::postgres::PgRow, who: &str, id: &str, at: &str) -> Option<Signed> {
    Some(Signed {
        who: r.get::<Option<String>, _>(who)?,
        user_id: r.get::<Option<i64>, _>(id)?,
        at: r.get::<Option<DateTime<Utc>>, _>(at)?,
    })
}

fn view(r: &sqlx::postgres::PgRow, decisions: Vec<DecisionView>) -> Result<RequestView, PortError> {
    let parse =
        |e: serde_json::Error| PortError::Other(format!("a stored request could not be read: {e}"));
    let action: Action = serde_json::from_value(r.get("action")).map_err(parse)?;
    let policy: Policy = serde_json::from_value(r.get("policy")).map_err(parse)?;
    let evidence: Vec<EnvEvidence> = serde_json::from_value(r.get("evidence")).unwrap_or_default();
    let state: String = r.get("state");
    let env: String = r.get("environment");
    let env = EnvName::parse(&env)
        .map_err(|e| PortError::Other(format!("a stored request names no environment: {e}")))?;
    let resolution =
        signed(r, "resolved_by", "resolved_by_id", "resolved_at").map(|by| Resolution {
            by,
            reason: r.get::<Option<String>, _>("resolution").unwrap_or_default(),
        });
    Ok(RequestView {
        id: r.get("id"),
        env,
        action,
        reason: r.get("reason"),
        requester: r.get("requester"),
        requester_id: r.get("requester_id"),
        requested_at: r.get("requested_at"),
        policy,
        state: State::parse(&state).unwrap_or(State::OutcomeUnknown),
        break_glass: r.get("break_glass"),
        review: signed(r, "reviewed_by", "reviewed_by_id", "reviewed_at"),
        evidence,
        decisions,
        executing_since: r.get("executing_since"),
        finished_at: r.get("finished_at"),
        result: r.get("result"),
        resolution,
    })
}

/// Request `id` as pages and the state machine see it; `FOR UPDATE` when `lock` (the caller's
/// transaction then holds the row until it ends).
pub(crate) async fn load(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<RequestView>, PortError> {
    read(conn, id, false).await
}

pub(super) async fn load_locked(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<RequestView>, PortError> {
    read(conn, id, true).await
}

async fn read(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<RequestView>, PortError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let Some(row) = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM action_requests WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let d = decisions(conn, id).await.map_err(db)?;
    view(&row, d).map(Some)
}

/// Set a request's state with its audit event, inside the caller's transaction.
pub(super) async fn transition(
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
    audit(
        conn,
        actor,
        &format!("action.{}", state.as_str()),
        env,
        details,
    )
    .await
}
