//! Watching for incidents, and keeping the open ones moving. One task follows every environment's
//! health rounds: each level change is recorded (and, outside an incident, announced: down,
//! recovered); an environment Down for `[incident] propose_after_probes` rounds in a row makes a
//! proposal — or, with `auto_declare`, an incident — starting at the first bad round; backups that
//! turn overdue are announced. Another, every second, announces escalation steps as they fall due
//! (once each, by the injectable clock) and publishes the open incidents, proposals and the change
//! freeze in force to the live stream, so the wall switches within a second of a declaration.

use super::Hub;
use app::domain::incident::{
    fell_due, from_audit, merge, steps_at, Entry, IncidentSettings, IncidentsLive, LiveIncident,
    Severity,
};
use app::domain::{EnvName, EnvSnapshot, Level};
use app::ports::incidents::Incidents;
use app::ports::Clock;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

#[derive(Clone)]
pub struct IncidentWatch {
    pub hub: Arc<Hub>,
    pub incidents: Arc<dyn Incidents>,
    pub routines: Arc<dyn app::ports::Routines>,
    /// The post-deploy watches as the deploy watcher last judged them.
    pub watches: super::watch::Watches,
    /// Routine checks past their time, as the check watcher last saw them.
    pub checks_due: super::check_due::ChecksDue,
    pub pool: sqlx::PgPool,
    pub settings: IncidentSettings,
    pub clock: Arc<dyn Clock>,
}

pub fn spawn(w: IncidentWatch, tasks: &mut JoinSet<()>) {
    let levels = w.clone();
    tasks.spawn(async move { watch_levels(levels).await });
    tasks.spawn(async move { tick(w).await });
}

/// What the watcher remembers of one environment.
#[derive(Default)]
struct Seen {
    round: Option<DateTime<Utc>>,
    level: Option<Level>,
    down_rounds: u32,
    down_since: Option<DateTime<Utc>>,
    backups_overdue: bool,
}

/// The first problem of a round, in words.
fn words(s: &EnvSnapshot) -> String {
    s.probes
        .iter()
        .find_map(|p| {
            p.failure
                .as_ref()
                .map(|f| format!("{}: {}", p.endpoint.as_str(), f.message))
        })
        .unwrap_or_else(|| s.level.word().to_owned())
}

async fn watch_levels(w: IncidentWatch) {
    let mut rx = w.hub.subscribe();
    let mut seen: HashMap<EnvName, Seen> = HashMap::new();
    loop {
        let state = rx.borrow_and_update().clone();
        for env in &state.envs {
            let s = seen.entry(env.name.clone()).or_default();
            let Some(round) = env.updated_at else {
                continue;
            };
            if s.round == Some(round) {
                continue;
            }
            s.round = Some(round);
            level_round(&w, env, s, round).await;
        }
        let now = w.clock.now();
        for cloud in &state.clouds {
            let s = seen.entry(cloud.cloud.name.clone()).or_default();
            let overdue = cloud
                .cloud
                .backups
                .as_ref()
                .and_then(|b| b.value.as_ref())
                .is_some_and(|b| b.overdue(now));
            if overdue && !s.backups_overdue {
                let event = crate::store::audit::Event {
                    user_id: None,
                    actor: "opsdeck",
                    action: "backups.overdue",
                    environment: Some(cloud.cloud.name.as_str()),
                    details: serde_json::json!({"env": cloud.cloud.name.as_str(), "at": now}),
                };
                if let Err(e) = crate::store::audit::append(&w.pool, event).await {
                    tracing::warn!("recording overdue backups failed: {e}");
                }
            }
            s.backups_overdue = overdue;
        }
        if rx.changed().await.is_err() {
            return; // the hub is gone: shutting down
        }
    }
}

async fn level_round(w: &IncidentWatch, env: &EnvSnapshot, s: &mut Seen, round: DateTime<Utc>) {
    let level = env.level;
    if level == Level::Unknown {
        return; // not probed yet
    }
    if s.level != Some(level) {
        let open_incident = match w.incidents.list(20).await {
            Ok(all) => all
                .iter()
                .any(|i| i.is_open() && i.concerns(env.name.as_str())),
            Err(_) => false,
        };
        // Outside an incident, people who are not looking hear about it.
        let announce = match (s.level, level, open_incident) {
            (_, Level::Critical, false) => Some("env.down"),
            (Some(Level::Critical), l, false) if l != Level::Critical => Some("env.recovered"),
            _ => None,
        };
        if let Err(e) = w
            .incidents
            .level_changed(&env.name, round, level, &words(env), announce)
            .await
        {
            tracing::warn!(env = %env.name, "recording a level change failed: {e}");
        }
        s.level = Some(level);
    }
    if level == Level::Critical {
        s.down_rounds += 1;
        let since = *s.down_since.get_or_insert(round);
        if s.down_rounds == w.settings.propose_after_probes {
            let why = format!(
                "down since {} ({} probes): {}",
                since.format("%H:%M UTC"),
                s.down_rounds,
                words(env)
            );
            let r = app::usecases::incident::propose_or_declare(
                w.incidents.as_ref(),
                w.settings.auto_declare,
                &env.name,
                since,
                why,
                Severity::Critical,
            )
            .await;
            if let Err(e) = r {
                tracing::warn!(env = %env.name, "proposing an incident failed: {e}");
            }
        }
    } else {
        if s.down_rounds > 0 {
            if let Err(e) = w.incidents.withdraw(&env.name).await {
                tracing::warn!(env = %env.name, "withdrawing a proposal failed: {e}");
            }
        }
        s.down_rounds = 0;
        s.down_since = None;
    }
}

/// How many timeline entries travel with each open incident.
const LATEST: usize = 8;

async fn tick(w: IncidentWatch) {
    let mut last_check = w.clock.now();
    let mut last_published = String::new();
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let now = w.clock.now();
        match live(&w, last_check, now).await {
            Ok(live) => {
                let json = serde_json::to_string(&(
                    &live.open,
                    &live.proposals,
                    &live.freeze,
                    &live.watches,
                    &live.checks_due,
                ))
                .unwrap_or_default();
                if json != last_published {
                    w.hub.set_incidents(live);
                    last_published = json;
                }
                last_check = now;
            }
            Err(e) => tracing::warn!("following the open incidents failed: {e}"),
        }
    }
}

/// Announce what fell due since `after`, and gather the open incidents and proposals.
async fn live(
    w: &IncidentWatch,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<IncidentsLive, app::ports::PortError> {
    let s = &w.settings;
    let mut open = Vec::new();
    for incident in crate::store::incidents::open(&w.pool).await? {
        let due = fell_due(
            &s.escalation,
            incident.started_at,
            &incident.steps_done,
            after,
            now,
        );
        if !due.is_empty() {
            let steps: Vec<(usize, String)> = due
                .iter()
                .map(|i| (*i, s.escalation[*i].words.clone()))
                .collect();
            w.incidents.announce_due(incident.id, &steps).await?;
        }
        let (events, levels) = w
            .incidents
            .timeline_sources(&incident, incident.started_at - Duration::minutes(30), now)
            .await?;
        let mut entries: Vec<Entry> = events.iter().filter_map(from_audit).collect();
        entries.extend(levels.iter().map(Entry::from));
        let mut latest = merge(entries);
        latest.reverse();
        latest.truncate(LATEST);
        open.push(LiveIncident {
            steps: steps_at(
                &s.escalation,
                incident.started_at,
                &incident.steps_done,
                &s.contacts,
                &s.support,
                now,
            ),
            latest,
            incident,
        });
    }
    Ok(IncidentsLive {
        seq: 0,
        open,
        proposals: w.incidents.proposals().await?,
        freeze: w.routines.freeze_at(now).await?,
        watches: w.watches.lock().map(|v| v.clone()).unwrap_or_default(),
        checks_due: w.checks_due.lock().map(|v| v.clone()).unwrap_or_default(),
    })
}
