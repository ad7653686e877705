//! The [`UserTokens`] adapter: a person's own GitHub token, from their encrypted stored token
//! (refreshed when it expires), so GitHub records and checks the real reviewer.

use crate::auth::github::{GithubSignIn, TokenError};
use app::ports::{PortError, UserToken, UserTokens};
use std::sync::Arc;

pub enum StoredUserTokens {
    /// GitHub sign-in is configured: tokens were kept at sign-in or "Connect GitHub".
    Github {
        github: Arc<GithubSignIn>,
        pool: sqlx::PgPool,
    },
    /// The demo: every demo person has a token the simulated GitHub accepts.
    Demo,
    /// No GitHub sign-in: opsdeck cannot act as anyone on GitHub.
    Unconfigured,
}

#[async_trait::async_trait]
impl UserTokens for StoredUserTokens {
    async fn token_for(&self, user_id: i64) -> Result<UserToken, PortError> {
        match self {
            StoredUserTokens::Demo => Ok(UserToken(format!("demo-user-{user_id}"))),
            StoredUserTokens::Unconfigured => Err(PortError::Denied(
                "GitHub sign-in is not configured ([auth.github]), so opsdeck cannot act as you on GitHub".into(),
            )),
            StoredUserTokens::Github { github, pool } => {
                match github.usable_token(pool, user_id, "you").await {
                    Ok(t) => Ok(UserToken(t)),
                    Err(TokenError::NotConnected(_)) => Err(PortError::Denied(
                        "connect GitHub first (your profile → Connect GitHub): GitHub must see you approve".into(),
                    )),
                    Err(TokenError::Expired) => Err(PortError::Denied(
                        "your GitHub connection has expired: connect GitHub again on your profile".into(),
                    )),
                    Err(e) => Err(PortError::Unavailable(format!("your GitHub token: {e}"))),
                }
            }
        }
    }
}
