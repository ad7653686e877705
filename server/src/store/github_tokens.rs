//! People's GitHub tokens, encrypted with the configured key before they reach the database.

use crate::auth::github::{GithubError, GithubSignIn, Tokens};
use crate::auth::token_key::TokenKey;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error("{0} has not connected GitHub")]
    NotConnected(String),
    #[error("the GitHub connection has expired; sign in with GitHub again")]
    Expired,
    #[error(transparent)]
    Key(#[from] crate::auth::token_key::TokenKeyError),
    #[error(transparent)]
    Github(#[from] GithubError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub async fn save(
    pool: &PgPool,
    key: &TokenKey,
    user_id: i64,
    t: &Tokens,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO github_tokens (user_id, access_token, refresh_token, expires_at, refresh_expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET access_token = EXCLUDED.access_token, \
         refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at, \
         refresh_expires_at = EXCLUDED.refresh_expires_at, updated_at = now()",
    )
    .bind(user_id)
    .bind(key.seal(&t.access))
    .bind(t.refresh.as_deref().map(|r| key.seal(r)))
    .bind(t.expires_at)
    .bind(t.refresh_expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

type Row = (
    Vec<u8>,
    Option<Vec<u8>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A usable token for `user_id`: the stored one, or a refreshed one when it expires within a
/// minute (the new pair is stored).
pub async fn usable_token(
    pool: &PgPool,
    github: &GithubSignIn,
    user_id: i64,
    who: &str,
) -> Result<String, TokenStoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT access_token, refresh_token, expires_at, refresh_expires_at FROM github_tokens WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some((access, refresh, expires_at, refresh_expires_at)) = row else {
        return Err(TokenStoreError::NotConnected(who.to_owned()));
    };
    let key = github.token_key();
    if expires_at.is_none_or(|at| at > Utc::now() + Duration::minutes(1)) {
        return Ok(key.open(&access)?);
    }
    let refresh = match (refresh, refresh_expires_at) {
        (Some(r), at) if at.is_none_or(|at| at > Utc::now()) => key.open(&r)?,
        _ => return Err(TokenStoreError::Expired),
    };
    let fresh = github.refresh(&refresh).await?;
    save(pool, key, user_id, &fresh).await?;
    Ok(fresh.access)
}
