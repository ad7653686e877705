//! People's GitHub tokens, encrypted with the configured key before they reach the database.
//! Getting and refreshing them is the GitHub sign-in's job (`auth::github`); the pair they come
//! as is defined here, so storing them needs nothing from the sign-in flow.

use crate::auth::token_key::TokenKey;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::fmt;

/// A user token and when it (and its refresh token) expire; `None` for tokens that do not.
#[derive(Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

/// Tokens end up in log lines and panics through `{:?}`; only whether they are there is shown.
impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "[redacted]";
        f.debug_struct("Tokens")
            .field("access", &REDACTED)
            .field("refresh", &self.refresh.as_ref().map(|_| REDACTED))
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error(transparent)]
    Key(#[from] crate::auth::token_key::TokenKeyError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub async fn save<'e>(
    executor: impl sqlx::PgExecutor<'e>,
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
    .execute(executor)
    .await?;
    Ok(())
}

type Row = (
    Vec<u8>,
    Option<Vec<u8>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// The stored, decrypted tokens of `user_id`, or `None` when they have not connected GitHub.
pub async fn load(
    pool: &PgPool,
    key: &TokenKey,
    user_id: i64,
) -> Result<Option<Tokens>, TokenStoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT access_token, refresh_token, expires_at, refresh_expires_at FROM github_tokens WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    let Some((access, refresh, expires_at, refresh_expires_at)) = row else {
        return Ok(None);
    };
    Ok(Some(Tokens {
        access: key.open(&access)?,
        refresh: refresh.map(|r| key.open(&r)).transpose()?,
        expires_at,
        refresh_expires_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::Tokens;
    use chrono::Utc;

    #[test]
    fn debug_shows_no_token() {
        let t = Tokens {
            access: "ghu_SECRETaccess".into(),
            refresh: Some("ghr_SECRETrefresh".into()),
            expires_at: Some(Utc::now()),
            refresh_expires_at: None,
        };
        for shown in [format!("{t:?}"), format!("{t:#?}")] {
            assert!(!shown.contains("SECRET"), "{shown}");
            assert!(
                shown.contains("[redacted]") && shown.contains("expires_at"),
                "{shown}"
            );
        }
    }
}
