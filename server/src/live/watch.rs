//! The post-deploy watch, on the server: when an environment's deploys panel shows a newer
//! successful deploy that completed within the watch's duration, a watch starts (once, in
//! Postgres) with the baseline of the minutes before the deploy started; every second the open
//! watches are judged against the live figures, a worse verdict is recorded
//! (and so notified), and a watch whose time is up ends with the worst verdict it saw. The watches
//! are handed to the incident watcher, which publishes them with the incidents.

use super::Hub;
use crate::store::watches::{self, NewWatch, WatchRow};
use app::domain::routines::watch::{Baseline, DeployWatch, Reading, WatchSettings};
use app::domain::{EnvName, Level};
use app::ports::Clock;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::task::JoinSet;

/// The watches as last judged, shared with the incident watcher that publishes them.
pub type Watches = Arc<Mutex<Vec<DeployWatch>>>;

#[derive(Clone)]
pub struct DeployWatcher {
    pub hub: Arc<Hub>,
    pub pool: sqlx::PgPool,
    pub settings: WatchSettings,
    pub clock: Arc<dyn Clock>,
    pub out: Watches,
}

pub fn spawn(w: DeployWatcher, tasks: &mut JoinSet<()>) {
    tasks.spawn(async move { run(w).await });
}

async fn run(w: DeployWatcher) {
    // Once a second is soon enough for a 30-minute watch, and costs one query whatever the
    // number of environments' probe rounds in between.
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut started: HashSet<(EnvName, u64)> = HashSet::new();
    loop {
        tick.tick().await;
        let state = w.hub.current();
        if let Err(e) = round(&w, &state, &mut started, w.clock.now()).await {
            tracing::warn!("post-deploy watch: {e}");
        }
    }
}

fn level_of(state: &super::hub::LiveState, env: &str) -> Level {
    state
        .envs
        .iter()
        .find(|e| e.snapshot.name.as_str() == env)
        .map_or(Level::Unknown, |e| e.snapshot.level)
}

async fn round(
    w: &DeployWatcher,
    state: &super::hub::LiveState,
    started: &mut HashSet<(EnvName, u64)>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let duration = w.settings.duration();
    for c in &state.clouds {
        let c = &c.cloud;
        let Some(panel) = c.deploys.as_ref().and_then(|d| d.value.as_ref()) else {
            continue;
        };
        let Some(run) = panel.current() else { continue };
        let deployed_at = run.updated_at;
        let key = (c.name.clone(), run.id);
        if started.contains(&key) || now < deployed_at || now - deployed_at >= duration {
            continue;
        }
        let metrics = c.metrics.as_ref().and_then(|m| m.value.as_ref());
        let began = run.run_started_at.unwrap_or(run.created_at);
        let baseline = Baseline::before(metrics, began, duration, level_of(state, c.name.as_str()));
        let what = format!(
            "{} {}",
            run.short_sha(),
            run.message.clone().unwrap_or_default()
        );
        watches::start(
            &w.pool,
            NewWatch {
                env: c.name.as_str(),
                run_id: run.id,
                sha: &run.head_sha,
                what: what.trim(),
                deployed_at,
                ends_at: deployed_at + duration,
                baseline: &baseline,
            },
        )
        .await?;
        started.insert(key);
    }
    let mut out = Vec::new();
    for row in watches::recent(&w.pool, now - Duration::hours(24)).await? {
        out.push(judge(w, state, row, now).await?);
    }
    *w.out.lock().unwrap_or_else(|p| p.into_inner()) = out;
    Ok(())
}

/// Judge one watch now: record a worse verdict, end it when its time is up.
async fn judge(
    w: &DeployWatcher,
    state: &super::hub::LiveState,
    row: WatchRow,
    now: DateTime<Utc>,
) -> Result<DeployWatch, sqlx::Error> {
    let cloud = state
        .clouds
        .iter()
        .find(|c| c.cloud.name.as_str() == row.env)
        .map(|c| &c.cloud);
    let metrics = cloud.and_then(|c| c.metrics.as_ref()?.value.as_ref());
    let reading = Reading::now(metrics, level_of(state, &row.env));
    let mut worst = row.worst;
    let mut kept = row.reasons.clone();
    // An unknown health level (between probes, a restart) is not a verdict.
    let reading = if reading.health == Level::Unknown {
        Reading {
            health: row.baseline.health,
            ..reading
        }
    } else {
        reading
    };
    let (current, reasons) = reading.judge(&row.baseline, &w.settings);
    let mut ended = row.ended;
    if !row.ended {
        if current > row.worst && watches::worsen(&w.pool, &row, current, &reasons).await? {
            worst = current;
            kept = reasons.clone();
        }
        if now >= row.ends_at {
            watches::end(&w.pool, &row, now).await?;
            ended = true;
        }
    }
    let rollback_to = cloud
        .and_then(|c| c.deploys.as_ref()?.value.as_ref())
        .and_then(|p| {
            let good = p.last_known_good()?;
            // Only while the watched deploy is still what runs.
            (p.current()?.id == row.run_id).then(|| {
                (
                    good.head_sha.clone(),
                    format!(
                        "{} {}",
                        good.short_sha(),
                        good.message.clone().unwrap_or_default()
                    ),
                )
            })
        });
    Ok(DeployWatch {
        id: row.id,
        env: EnvName::parse(&row.env).unwrap_or_else(|_| EnvName::parse("unknown").expect("valid")),
        run_id: row.run_id,
        sha: row.sha,
        what: row.what,
        deployed_at: row.deployed_at,
        ends_at: row.ends_at,
        baseline: row.baseline,
        reading,
        current: if ended { worst } else { current },
        reasons: if ended { kept.clone() } else { reasons },
        worst,
        worst_reasons: kept,
        ended,
        rollback_to,
    })
}
