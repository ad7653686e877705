//! Telling approvers when a run starts waiting at an approval gate — with the pre-deploy
//! checklist's state and a link to the card — and reminding them while it waits. Each notice is
//! an audit event (the webhook sender posts it), written once per run whichever replica sees the
//! gate first (a row per run in `gate_notices`), reminders at most every `remind_every`.

use super::Hub;
use crate::store::audit::{self, Event};
use app::domain::routines::{Checklist, GateFacts, GateSettings};
use app::domain::{EnvName, Level};
use app::ports::{Clock, Routines};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::task::JoinSet;

#[derive(Clone)]
pub struct GateNotices {
    pub hub: Arc<Hub>,
    pub pool: sqlx::PgPool,
    pub routines: Arc<dyn Routines>,
    pub gate: GateSettings,
    /// Each environment's earlier environment (`tested_first_in`), by name.
    pub tested_first: Vec<(EnvName, String)>,
    pub remind_every: std::time::Duration,
    pub clock: Arc<dyn Clock>,
}

pub fn spawn(g: GateNotices, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move { run(g).await });
}

async fn run(g: GateNotices) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = round(&g, g.clock.now()).await {
            tracing::warn!("telling approvers about waiting deploys: {e}");
        }
    }
}

async fn round(g: &GateNotices, now: DateTime<Utc>) -> Result<(), Box<dyn std::error::Error>> {
    let state = g.hub.current();
    for cloud in &state.clouds {
        let c = &cloud.cloud;
        let Some(panel) = c.deploys.as_ref().and_then(|d| d.value.as_ref()) else {
            continue;
        };
        let level = state
            .envs
            .iter()
            .find(|e| e.snapshot.name == c.name)
            .map_or(Level::Unknown, |e| e.snapshot.level);
        if level == Level::Unknown {
            continue; // not probed yet: the checklist would say nothing true about its health
        }
        for gate in &panel.gates {
            let told: Option<bool> = sqlx::query_scalar(
                "INSERT INTO gate_notices (environment, run_id, told_at, reminded_at)
                 VALUES ($1, $2, $3, $3)
                 ON CONFLICT (environment, run_id) DO UPDATE
                   SET reminded_at = $3, reminders = gate_notices.reminders + 1
                   WHERE gate_notices.reminded_at <= $4
                 RETURNING reminders = 0",
            )
            .bind(c.name.as_str())
            .bind(gate.run.id as i64)
            .bind(now)
            .bind(now - chrono::Duration::from_std(g.remind_every)?)
            .fetch_optional(&g.pool)
            .await?;
            let Some(first) = told else { continue };
            let open = crate::store::incidents::open(&g.pool).await?;
            let facts = GateFacts {
                target: c.name.to_string(),
                tested_first_in: g
                    .tested_first
                    .iter()
                    .find(|(n, _)| n == &c.name)
                    .map(|(_, e)| e.clone()),
                tested_first: panel.was_tested_in_dev(&gate.run),
                open_incidents: open
                    .iter()
                    .filter(|i| i.concerns(c.name.as_str()))
                    .map(|i| (i.id, i.title.clone()))
                    .collect(),
                freeze: g.routines.freeze_at(now).await?,
                target_level: level,
                rollback_target: panel.last_known_good().map(|r| r.short_sha().to_owned()),
                migration_files: gate.migration_files.clone(),
                migrations_reviewed: false,
            };
            let checklist = Checklist::evaluate(&facts, &g.gate);
            let details = serde_json::json!({
                "env": c.name.as_str(),
                "run_id": gate.run.id,
                "sha": gate.run.head_sha,
                "what": format!("{} {}", gate.run.short_sha(), gate.run.message.clone().unwrap_or_default()).trim(),
                "waiting_since": gate.run.created_at,
                "blocking": checklist.blocking(),
            });
            let action = if first {
                "deploy.gate.waiting"
            } else {
                "deploy.gate.reminder"
            };
            audit::append(
                &g.pool,
                Event {
                    user_id: None,
                    actor: "opsdeck",
                    action,
                    environment: Some(c.name.as_str()),
                    details,
                },
            )
            .await?;
        }
    }
    Ok(())
}
