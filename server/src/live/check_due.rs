//! The morning check's deadline: on a working day past `[checks] morning_by` with nobody's
//! sign-off since the local day began, every page says so (through the live stream) and the
//! webhook reminds once that day — a row per (check, day) decides which replica sends it, in the
//! same transaction as the audit event the webhook sender posts.

use super::Hub;
use crate::store::audit::{self, Event};
use app::domain::routines::morning::evaluate;
use app::domain::routines::CheckOverdue;
use app::ports::routines::CheckSchedule;
use app::ports::{Clock, Routines};
use std::sync::{Arc, Mutex};
use tokio::task::JoinSet;

/// What the incident watcher publishes beside the open incidents.
pub type ChecksDue = Arc<Mutex<Vec<CheckOverdue>>>;

#[derive(Clone)]
pub struct CheckWatch {
    pub hub: Arc<Hub>,
    pub pool: sqlx::PgPool,
    pub routines: Arc<dyn Routines>,
    pub schedule: Arc<dyn CheckSchedule>,
    pub clock: Arc<dyn Clock>,
    pub out: ChecksDue,
}

pub fn spawn(w: CheckWatch, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            match round(&w).await {
                Ok(due) => {
                    if let Ok(mut out) = w.out.lock() {
                        *out = due;
                    }
                }
                Err(e) => tracing::warn!("checking whether the morning check is overdue: {e}"),
            }
        }
    });
}

async fn round(w: &CheckWatch) -> Result<Vec<CheckOverdue>, Box<dyn std::error::Error>> {
    let now = w.clock.now();
    let Some(due_at) = w.schedule.morning_due(now).filter(|due| now >= *due) else {
        return Ok(vec![]);
    };
    let day_start = w.schedule.day_start(now);
    let signed = w
        .routines
        .signoffs("morning", 1)
        .await?
        .first()
        .is_some_and(|s| s.at >= day_start);
    if signed {
        return Ok(vec![]);
    }
    let due_words = w.schedule.morning_due_words().unwrap_or_default();
    let mut tx = w.pool.begin().await?;
    let first: Option<String> = sqlx::query_scalar(
        "INSERT INTO check_reminders (kind, day_start) VALUES ('morning', $1)
         ON CONFLICT DO NOTHING RETURNING kind",
    )
    .bind(day_start)
    .fetch_optional(&mut *tx)
    .await?;
    if first.is_some() {
        let failing = evaluate(&app::ports::LiveStatus::dashboard(w.hub.as_ref()), now)
            .iter()
            .filter(|i| i.state == app::domain::routines::CheckState::Fail)
            .count();
        audit::append(
            &mut *tx,
            Event {
                user_id: None,
                actor: "opsdeck",
                action: "checks.morning.overdue",
                environment: None,
                details: serde_json::json!({
                    "due": due_words,
                    "due_at": due_at,
                    "failing": failing,
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(vec![CheckOverdue {
        kind: "morning".into(),
        due_at,
        due_words,
        href: "/checks/morning".into(),
    }])
}
