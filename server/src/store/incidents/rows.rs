//! Reading an incident (with its escalation steps done) and setting its status.

use app::domain::actions::Signed;
use app::domain::incident::{Incident, Severity, Status};
use app::domain::EnvName;
use app::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};

pub(super) fn db(e: sqlx::Error) -> PortError {
    PortError::Unavailable(format!("database: {e}"))
}

const COLUMNS: &str =
    "id, title, severity, status, environments, started_at, declared_at, declared_by, \
    declared_by_id, lead, lead_id, lead_at, mitigated_at, resolved_at, summary";

pub(crate) async fn load(conn: &mut PgConnection, id: i64) -> Result<Option<Incident>, PortError> {
    read(conn, id, "").await
}

pub(super) async fn load_locked(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<Incident>, PortError> {
    read(conn, id, " FOR UPDATE").await
}

async fn read(conn: &mut PgConnection, id: i64, lock: &str) -> Result<Option<Incident>, PortError> {
    let Some(r) = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let bad = |what: &str| PortError::Other(format!("incident {id} has an unreadable {what}"));
    let severity: String = r.get("severity");
    let status: String = r.get("status");
    let envs: Vec<String> = r.get("environments");
    let environments = envs
        .iter()
        .map(|e| EnvName::parse(e).map_err(|_| bad("environment")))
        .collect::<Result<Vec<_>, _>>()?;
    let lead = match (
        r.get::<Option<String>, _>("lead"),
        r.get::<Option<i64>, _>("lead_id"),
        r.get::<Option<DateTime<Utc>>, _>("lead_at"),
    ) {
        (Some(who), Some(user_id), Some(at)) => Some(Signed { user_id, who, at }),
        _ => None,
    };
    let steps: Vec<(i32, String, Option<i64>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT step, done_by, done_by_id, done_at FROM incident_steps
          WHERE incident_id = $1 AND done_at IS NOT NULL ORDER BY step",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    Ok(Some(Incident {
        id,
        title: r.get("title"),
        severity: Severity::parse(&severity).ok_or_else(|| bad("severity"))?,
        status: Status::parse(&status).ok_or_else(|| bad("status"))?,
        environments,
        started_at: r.get("started_at"),
        declared: Signed {
            user_id: r.get::<Option<i64>, _>("declared_by_id").unwrap_or(0),
            who: r.get("declared_by"),
            at: r.get("declared_at"),
        },
        lead,
        mitigated_at: r.get("mitigated_at"),
        resolved_at: r.get("resolved_at"),
        summary: r.get("summary"),
        steps_done: steps
            .into_iter()
            .map(|(step, who, user_id, at)| {
                (
                    usize::try_from(step).unwrap_or(usize::MAX),
                    Signed {
                        user_id: user_id.unwrap_or(0),
                        who,
                        at,
                    },
                )
            })
            .collect(),
    }))
}

/// Set an open incident's status; the first time it reaches mitigating or later, it counts as
/// mitigated from then.
pub(super) async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    status: Status,
    not_yet_mitigated: bool,
) -> Result<(), PortError> {
    if status == Status::Resolved {
        return Err(PortError::Other(
            "resolving needs a summary: use Resolve".into(),
        ));
    }
    let mitigated = not_yet_mitigated && status >= Status::Mitigating;
    sqlx::query(
        "UPDATE incidents SET status = $2, mitigated_at = CASE WHEN $3 THEN now() ELSE mitigated_at END WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(mitigated)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}
