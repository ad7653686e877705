//! Publishing the audit log's head: a hash chain shows any event changed or removed in the middle,
//! but not events removed from its end. So every `[audit] publish_head_every`, the newest event's
//! id and hash go to opsdeck's own log and into an `audit.head` event (which the webhook posts):
//! recorded outside the database, they let `opsdeck audit verify --expect-head ID:HASH` notice.

use sqlx::PgPool;
use std::time::Duration;
use tokio::task::JoinSet;

pub fn spawn(pool: PgPool, every: Duration, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            match crate::store::audit::publish_head(&pool).await {
                Ok(Some((id, hash))) => tracing::info!(
                    audit_head_id = id,
                    audit_head_hash = %hash,
                    "audit log head: event {id}, hash {hash} (check later with `opsdeck audit verify --expect-head {id}:{hash}`)"
                ),
                Ok(None) => {}
                Err(e) => tracing::warn!("publishing the audit log's head failed: {e}"),
            }
        }
    });
}
