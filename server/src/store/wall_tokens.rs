//! Wall-screen tokens: created (the secret is returned once), listed, revoked, and checked.
//! Only the SHA-256 of a token is stored, so the table cannot be used to open a wall.

use app::domain::WallToken;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Tokens start with this so they are recognisable in a URL or a secret scanner.
const PREFIX: &str = "odw_";

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[derive(Debug, thiserror::Error)]
pub enum WallTokenError {
    #[error("a wall token named {0:?} exists already")]
    NameTaken(String),
    #[error("a wall token name is 1–64 characters")]
    BadName,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Who changes wall tokens: a person (id and name) or the CLI's operating-system account.
pub struct By<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
}

/// Create a token with its audit event, in one transaction; returns the secret, which is never
/// shown again. If the audit log cannot be written, no token exists.
pub async fn create(pool: &PgPool, name: &str, by: By<'_>) -> Result<String, WallTokenError> {
    let mut tx = pool.begin().await?;
    let token = insert(&mut tx, name, by.name).await?;
    audit_change(&mut tx, &by, "wall_token_created", name.trim()).await?;
    tx.commit().await?;
    Ok(token)
}

async fn audit_change(
    conn: &mut sqlx::PgConnection,
    by: &By<'_>,
    action: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    super::audit::append(
        conn,
        super::audit::Event {
            user_id: by.user_id,
            actor: by.name,
            action,
            environment: None,
            details: serde_json::json!({ "name": name }),
        },
    )
    .await
}

async fn insert(
    conn: &mut sqlx::PgConnection,
    name: &str,
    created_by: &str,
) -> Result<String, WallTokenError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(WallTokenError::BadName);
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let inserted = sqlx::query("INSERT INTO wall_tokens (name, token_hash, created_by) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(hash(&token))
        .bind(created_by)
        .execute(conn)
        .await?;
    if inserted.rows_affected() == 0 {
        return Err(WallTokenError::NameTaken(name.to_owned()));
    }
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    created_by: String,
    created_at: chrono::DateTime<chrono::Utc>,
    last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(pool: &PgPool) -> Result<Vec<WallToken>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, created_by, created_at, last_used_at, revoked_at FROM wall_tokens ORDER BY created_at",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WallToken {
            id: r.id,
            name: r.name,
            created_by: r.created_by,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// Revoke by name, with its audit event, in one transaction; false when there is no such active
/// token.
pub async fn revoke(pool: &PgPool, name: &str, by: By<'_>) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE wall_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
    )
    .bind(name)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit_change(&mut tx, &by, "wall_token_revoked", name).await?;
    tx.commit().await?;
    Ok(true)
}

/// The active token's id and name, if `token` is one.
pub async fn verify(pool: &PgPool, token: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    sqlx::query_as("UPDATE wall_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, name")
        .bind(hash(token))
        .fetch_optional(pool)
        .await
}

pub async fn is_active(pool: &PgPool, id: i64) -> Result<bool, sqlx::Error> {
    let active: Option<bool> =
        sqlx::query_scalar("SELECT revoked_at IS NULL FROM wall_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(active.unwrap_or(false))
}

/// Of the wall tokens `ids`, those not revoked.
pub async fn active_among(pool: &PgPool, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM wall_tokens WHERE id = ANY($1) AND revoked_at IS NULL")
        .bind(ids)
        .fetch_all(pool)
        .await
}

/// The [`app::ports::WallTokens`] adapter, auditing every change.
pub struct PgWallTokens {
    pool: PgPool,
}

impl PgWallTokens {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn port_err(e: WallTokenError) -> app::ports::PortError {
    use app::ports::PortError;
    match e {
        WallTokenError::NameTaken(_) | WallTokenError::BadName => {
            PortError::Conflict(e.to_string())
        }
        WallTokenError::Db(e) => PortError::Unavailable(format!("database: {e}")),
    }
}

#[async_trait::async_trait]
impl app::ports::WallTokens for PgWallTokens {
    async fn list(&self) -> Result<Vec<WallToken>, app::ports::PortError> {
        list(&self.pool).await.map_err(|e| port_err(e.into()))
    }

    async fn create(
        &self,
        name: &str,
        by: &app::domain::Principal,
    ) -> Result<String, app::ports::PortError> {
        let by = By {
            user_id: Some(by.user_id),
            name: &by.display_name,
        };
        create(&self.pool, name, by).await.map_err(port_err)
    }

    async fn revoke(
        &self,
        name: &str,
        by: &app::domain::Principal,
    ) -> Result<(), app::ports::PortError> {
        let by = By {
            user_id: Some(by.user_id),
            name: &by.display_name,
        };
        if !revoke(&self.pool, name, by)
            .await
            .map_err(|e| port_err(e.into()))?
        {
            return Err(app::ports::PortError::NotFound(format!(
                "no active wall token named {name:?}"
            )));
        }
        Ok(())
    }
}
