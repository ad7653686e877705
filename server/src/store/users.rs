//! What the application asks about people (their GitHub login), the audit log behind its port,
//! and appending an audit event outside a transaction.

use sqlx::PgPool;

/// Append an audit event outside any transaction (see [`super::audit::append`]).
pub async fn audit(
    pool: &PgPool,
    actor_user_id: Option<i64>,
    actor: &str,
    action: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    super::audit::append(
        pool,
        super::audit::Event {
            user_id: actor_user_id,
            actor,
            action,
            environment: None,
            details,
        },
    )
    .await
}

/// The [`app::ports::People`] adapter.
pub struct PgPeople {
    pool: PgPool,
}

impl PgPeople {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait::async_trait]
impl app::ports::People for PgPeople {
    async fn github_login(&self, user_id: i64) -> Result<Option<String>, app::ports::PortError> {
        sqlx::query_scalar::<_, Option<String>>("SELECT github_login FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .map(Option::flatten)
            .map_err(|e| app::ports::PortError::Unavailable(format!("database: {e}")))
    }
}

#[async_trait::async_trait]
impl app::ports::Audit for PgPeople {
    async fn record(
        &self,
        user_id: i64,
        actor: &str,
        action: &str,
        details: serde_json::Value,
    ) -> Result<(), app::ports::PortError> {
        audit(&self.pool, Some(user_id), actor, action, details)
            .await
            .map_err(|e| app::ports::PortError::Unavailable(format!("database: {e}")))
    }

    async fn search(
        &self,
        filter: &app::domain::audit::AuditFilter,
    ) -> Result<Vec<app::domain::audit::AuditEvent>, app::ports::PortError> {
        crate::store::audit::search(&self.pool, filter)
            .await
            .map_err(|e| app::ports::PortError::Unavailable(format!("database: {e}")))
    }
}
