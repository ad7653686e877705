//! The incident room and the list: the incident, its escalation steps now, its timeline, what
//! changed recently, whom to contact; proposals to declare one.

use crate::domain::change::LastKnownGood;
use crate::domain::incident::{
    from_audit, merge, steps_at, Change, Entry, EntryKind, Incident, IncidentPage, IncidentsPage,
    Recent,
};
use crate::domain::{AppError, Dashboard, Principal, Role};
use crate::ports::Services;
use chrono::{DateTime, Duration, Utc};

/// How far before the start the timeline looks (the deploy that caused it, the first alarms).
const BEFORE: i64 = 30;
/// "What changed recently": the last day.
const RECENT_HOURS: i64 = 24;

pub async fn room(services: &Services, who: &Principal, id: i64) -> Result<IncidentPage, AppError> {
    let incident = services
        .incidents
        .get(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no incident {id}")))?;
    let now = services.clock.now();
    let settings = &services.incident;
    let steps = steps_at(
        &settings.escalation,
        incident.started_at,
        &incident.steps_done,
        &settings.contacts,
        &settings.support,
        now,
    );
    let timeline = timeline(services, &incident).await?;
    let dashboard = services.live.dashboard();
    let recent = recent(services, &dashboard, now).await;
    let last_known_good = dashboard
        .clouds
        .iter()
        .filter(|c| incident.concerns(c.name.as_str()))
        .filter_map(|c| {
            let good = c.deploys.as_ref()?.value.as_ref()?.last_known_good()?;
            Some(LastKnownGood {
                env: c.name.clone(),
                sha: good.head_sha.clone(),
                message: good.message.clone().unwrap_or_default(),
                label: good.version_label(),
            })
        })
        .collect();
    Ok(IncidentPage {
        incident,
        steps,
        timeline,
        recent,
        contacts: settings.contacts.clone(),
        support: settings.support.clone(),
        last_known_good,
        viewer_id: who.user_id,
        viewer_can_act: who.has(Role::Operator),
        generated_at: now,
    })
}

/// Everything that happened to and around the incident, merged, oldest first.
pub async fn timeline(services: &Services, incident: &Incident) -> Result<Vec<Entry>, AppError> {
    let from = incident.started_at - Duration::minutes(BEFORE);
    let to = incident.resolved_at.unwrap_or_else(|| services.clock.now());
    let (events, levels) = services
        .incidents
        .timeline_sources(incident, from, to)
        .await?;
    let mut entries: Vec<Entry> = events.iter().filter_map(from_audit).collect();
    entries.extend(levels.iter().map(Entry::from));
    entries.extend(deploy_entries(
        &services.live.dashboard(),
        incident,
        from,
        to,
    ));
    Ok(merge(entries))
}

/// Deploy runs of the incident's environments that started or finished in the window.
fn deploy_entries(
    dashboard: &Dashboard,
    incident: &Incident,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for c in dashboard
        .clouds
        .iter()
        .filter(|c| incident.concerns(c.name.as_str()))
    {
        let Some(panel) = c.deploys.as_ref().and_then(|d| d.value.as_ref()) else {
            continue;
        };
        for r in &panel.runs {
            let what = format!(
                "{} #{} on {} ({} {})",
                panel.workflow,
                r.run_number,
                c.name,
                r.version_label(),
                r.message.clone().unwrap_or_default()
            );
            if r.created_at >= from && r.created_at <= to {
                out.push(Entry {
                    at: r.created_at,
                    kind: EntryKind::Deploy,
                    text: format!("{what} started"),
                    who: None,
                    link: Some(r.html_url.clone()),
                    level: None,
                });
            }
            if r.status == "completed" && r.updated_at >= from && r.updated_at <= to {
                out.push(Entry {
                    at: r.updated_at,
                    kind: EntryKind::Deploy,
                    text: format!("{what} {}", r.state_words()),
                    who: None,
                    link: Some(r.html_url.clone()),
                    level: Some(r.level()),
                });
            }
        }
    }
    out
}

/// Deploys and change-control actions of the last day, and the infrastructure's commits.
async fn recent(services: &Services, dashboard: &Dashboard, now: DateTime<Utc>) -> Recent {
    let since = now - Duration::hours(RECENT_HOURS);
    let mut deploys: Vec<Change> = dashboard
        .clouds
        .iter()
        .flat_map(|c| {
            let panel = c.deploys.as_ref().and_then(|d| d.value.as_ref());
            panel
                .into_iter()
                .flat_map(|p| p.runs.iter().map(move |r| (p, r)))
                .filter(|(_, r)| r.created_at >= since)
                .map(|(p, r)| Change {
                    at: r.created_at,
                    env: Some(c.name.clone()),
                    text: format!(
                        "{} #{}: {} {} — {}",
                        p.workflow,
                        r.run_number,
                        r.version_label(),
                        r.message.clone().unwrap_or_default(),
                        r.state_words()
                    ),
                    link: Some(r.html_url.clone()),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    deploys.sort_by_key(|c| std::cmp::Reverse(c.at));
    let actions = match services.actions.list(100).await {
        Ok(list) => list
            .into_iter()
            .filter(|r| r.requested_at >= since)
            .map(|r| Change {
                at: r.requested_at,
                env: Some(r.env.clone()),
                text: format!(
                    "{} — {} ({})",
                    r.action.describe(),
                    r.state.words(),
                    r.requester
                ),
                link: Some(format!("/requests/{}", r.id)),
            })
            .collect(),
        Err(e) => {
            tracing::warn!("recent actions unavailable: {e}");
            vec![]
        }
    };
    let mut recent = Recent {
        deploys,
        actions,
        ..Recent::default()
    };
    if let Some(path) = &services.incident.infrastructure_path {
        match services.deploys.first() {
            Some((_, target)) => match target.source.commits_touching(path, since).await {
                Ok(commits) => {
                    recent.infrastructure = commits
                        .into_iter()
                        .map(|c| Change {
                            at: c.at.unwrap_or(now),
                            env: None,
                            text: format!(
                                "{} {} ({})",
                                &c.sha.get(..7).unwrap_or(&c.sha),
                                c.message,
                                c.author
                            ),
                            link: c.url,
                        })
                        .collect()
                }
                Err(e) => recent.infrastructure_error = Some(e.detail().to_owned()),
            },
            None => {
                recent.infrastructure_error =
                    Some("no repository is configured to read infrastructure commits from".into())
            }
        }
    }
    if let Some(lock) = &services.terraform {
        match lock.lock().await {
            Ok(held) => {
                recent.terraform_lock = held.map(|l| Change {
                    at: l.created.unwrap_or(now),
                    env: None,
                    text: format!(
                        "Terraform state {} is locked by {} ({}), lock id {} — `terraform force-unlock {}` if that run is gone",
                        l.path, l.who, l.operation, l.id, l.id
                    ),
                    link: None,
                })
            }
            Err(e) => recent.terraform_error = Some(e.detail().to_owned()),
        }
    }
    recent
}

pub async fn incidents_page(
    services: &Services,
    who: &Principal,
) -> Result<IncidentsPage, AppError> {
    let all = services.incidents.list(100).await?;
    let (open, past) = all.into_iter().partition(|i: &Incident| i.is_open());
    Ok(IncidentsPage {
        open,
        past,
        proposals: services.incidents.proposals().await?,
        environments: services
            .live
            .dashboard()
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect(),
        viewer_can_declare: who.has(Role::Operator),
        generated_at: services.clock.now(),
    })
}
