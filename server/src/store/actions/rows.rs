//! Reading stored requests (a request and its decisions as the pages and the state machine see
//! them) and the one way a request's state changes: with its audit event, in the caller's
//! transaction.

use crate::store::audit::{self, Event};
use app::domain::actions::{Action, DecisionView, Ledger, Policy, RequestView, State};
use app::domain::evidence::EnvEvidence;
use app::ports::PortError;
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
     break_glass, reviewed_by, evidence, executing_since, finished_at, result";

/// The decisions on a request, oldest first, with the deciding user's id.
pub(super) async fn decisions(
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

pub(crate) async fn load(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<RequestView>, PortError> {
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
pub(super) fn ledger(v: &RequestView, decided: &[(i64, DecisionView)]) -> Ledger {
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
