//! What opsdeck knows about the people who sign in, beyond their session.

use super::PortError;

#[async_trait::async_trait]
pub trait People: Send + Sync {
    /// The GitHub login connected to this user, if any.
    async fn github_login(&self, user_id: i64) -> Result<Option<String>, PortError>;
}
