//! opsdeck's proposals to declare an incident: one open per environment, declared or dismissed.

use super::rows::db;
use app::domain::incident::{Proposal, Severity};
use app::domain::EnvName;
use app::ports::incidents::{Actor, NewProposal};
use app::ports::PortError;
use sqlx::{PgConnection, PgPool};

pub(super) async fn open(pool: &PgPool) -> Result<Vec<Proposal>, PortError> {
    type Row = (
        i64,
        String,
        chrono::DateTime<chrono::Utc>,
        String,
        String,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, environment, since, why, title, severity FROM incident_proposals WHERE state = 'open' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, env, since, why, title, severity)| {
            Some(Proposal {
                id,
                env: EnvName::parse(&env).ok()?,
                since,
                why,
                title,
                severity: Severity::parse(&severity)?,
            })
        })
        .collect())
}

pub(super) async fn propose(pool: &PgPool, p: NewProposal) -> Result<Option<i64>, PortError> {
    sqlx::query_scalar(
        "INSERT INTO incident_proposals (environment, since, why, title, severity) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (environment) WHERE state = 'open' DO NOTHING RETURNING id",
    )
    .bind(p.env.as_str())
    .bind(p.since)
    .bind(&p.why)
    .bind(&p.title)
    .bind(p.severity.as_str())
    .fetch_optional(pool)
    .await
    .map_err(db)
}

pub(super) async fn close(
    conn: &mut PgConnection,
    id: i64,
    state: &str,
    incident: Option<i64>,
) -> Result<(), PortError> {
    sqlx::query(
        "UPDATE incident_proposals SET state = $2, incident_id = $3 WHERE id = $1 AND state = 'open'",
    )
    .bind(id)
    .bind(state)
    .bind(incident)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn absorb(
    conn: &mut PgConnection,
    envs: &[&str],
    incident: i64,
) -> Result<(), PortError> {
    sqlx::query(
        "UPDATE incident_proposals SET state = 'declared', incident_id = $2
         WHERE environment = ANY($1) AND state = 'open'",
    )
    .bind(envs)
    .bind(incident)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(super) async fn dismiss(pool: &PgPool, id: i64, by: &Actor) -> Result<(), PortError> {
    let mut tx = pool.begin().await.map_err(db)?;
    let env: Option<String> = sqlx::query_scalar(
        "SELECT environment FROM incident_proposals WHERE id = $1 AND state = 'open' FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some(env) = env else {
        return Err(PortError::Conflict(
            "this proposal was declared or dismissed already".into(),
        ));
    };
    close(&mut tx, id, "dismissed", None).await?;
    crate::store::audit::append(
        &mut *tx,
        crate::store::audit::Event {
            user_id: by.user_id,
            actor: &by.name,
            action: "incident.proposal_dismissed",
            environment: Some(&env),
            details: serde_json::json!({"proposal": id}),
        },
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub(super) async fn withdraw(pool: &PgPool, env: &EnvName) -> Result<(), PortError> {
    sqlx::query(
        "UPDATE incident_proposals SET state = 'recovered' WHERE environment = $1 AND state = 'open'",
    )
    .bind(env.as_str())
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}
