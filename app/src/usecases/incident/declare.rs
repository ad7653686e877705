//! Declaring an incident: a title, a severity, its environments. Its start is the first bad
//! observation — the proposal's, or when an environment turned Down — not the click.

use super::bad;
use crate::domain::incident::{Severity, MAX_TITLE};
use crate::domain::{AppError, EnvName, Level, Principal};
use crate::ports::incidents::{Actor, NewIncident};
use crate::ports::Services;

/// What the declare form sends: a title, a severity, environments (comma-separated, or one per
/// field), or a proposal to declare as it stands.
pub struct DeclareForm {
    pub title: String,
    pub severity: String,
    pub environments: Vec<String>,
    pub proposal: Option<i64>,
}

#[tracing::instrument(skip(services, who, form))]
pub async fn declare(
    services: &Services,
    who: &Principal,
    form: DeclareForm,
) -> Result<i64, AppError> {
    declare_as(services, Actor::from(who), form).await
}

/// Declare as `by` (a person, or opsdeck itself when `[incident] auto_declare` is on).
pub async fn declare_as(
    services: &Services,
    by: Actor,
    form: DeclareForm,
) -> Result<i64, AppError> {
    let proposal = match form.proposal {
        Some(id) => Some(
            services
                .incidents
                .proposals()
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| {
                    AppError::Conflict(format!("proposal {id} was declared or dismissed already"))
                })?,
        ),
        None => None,
    };
    let title = form.title.trim();
    let title = match (&proposal, title.is_empty()) {
        (Some(p), true) => p.title.clone(),
        (_, true) => {
            return Err(bad(
                "give the incident a title: what is wrong, in a few words",
            ))
        }
        (_, false) => title.to_owned(),
    };
    if title.chars().count() > MAX_TITLE {
        return Err(bad(format!(
            "the title is longer than {MAX_TITLE} characters"
        )));
    }
    let severity = match (&proposal, form.severity.trim()) {
        (Some(p), "") => p.severity,
        (_, s) => Severity::parse(s).ok_or_else(|| {
            bad(format!(
                "severity {s:?} is not one of critical, high, medium, low"
            ))
        })?,
    };
    let dashboard = services.live.dashboard();
    let mut environments = Vec::new();
    for raw in form
        .environments
        .iter()
        .flat_map(|e| e.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let env = EnvName::parse(raw).map_err(|e| bad(e.to_string()))?;
        if dashboard.env(env.as_str()).is_none() {
            return Err(AppError::NotFound(format!("no environment named {env}")));
        }
        if !environments.contains(&env) {
            environments.push(env);
        }
    }
    if let Some(p) = &proposal {
        if !environments.contains(&p.env) {
            environments.insert(0, p.env.clone());
        }
    }
    if environments.is_empty() {
        return Err(bad("say which environments are affected"));
    }
    // The start: the proposal's first bad observation, else when an affected environment went
    // Down (if it is down now), else now.
    let mut started_at = proposal.as_ref().map(|p| p.since);
    if started_at.is_none() {
        for env in &environments {
            if let Some(since) = services.incidents.level_since(env, Level::Critical).await? {
                started_at =
                    Some(started_at.map_or(since, |s: chrono::DateTime<chrono::Utc>| s.min(since)));
            }
        }
    }
    let now = services.clock.now();
    let id = services
        .incidents
        .declare(NewIncident {
            title,
            severity,
            environments,
            started_at: started_at.unwrap_or(now).min(now),
            declared_by: by,
            proposal: proposal.map(|p| p.id),
        })
        .await?;
    tracing::info!(incident = id, "incident declared");
    Ok(id)
}

pub async fn dismiss(services: &Services, who: &Principal, proposal: i64) -> Result<(), AppError> {
    services
        .incidents
        .dismiss(proposal, &Actor::from(who))
        .await?;
    Ok(())
}

/// opsdeck noticed something that makes an incident (an environment Down for a while, writes
/// stopped, a break glass): propose it — or, with `[incident] auto_declare`, declare it — unless an
/// open incident already covers the environment. Its start is `since`, the first bad observation.
pub async fn propose_or_declare(
    incidents: &dyn crate::ports::incidents::Incidents,
    auto_declare: bool,
    env: &EnvName,
    since: chrono::DateTime<chrono::Utc>,
    why: String,
    severity: Severity,
) -> Result<(), AppError> {
    let covered = incidents
        .list(50)
        .await?
        .iter()
        .any(|i| i.is_open() && i.concerns(env.as_str()));
    if covered {
        return Ok(());
    }
    let title = format!("{env}: {why}");
    if auto_declare {
        let id = incidents
            .declare(NewIncident {
                title,
                severity,
                environments: vec![env.clone()],
                started_at: since,
                declared_by: Actor::opsdeck(),
                proposal: None,
            })
            .await?;
        tracing::warn!(incident = id, %env, "incident declared by opsdeck: {why}");
    } else if let Some(id) = incidents
        .propose(crate::ports::incidents::NewProposal {
            env: env.clone(),
            since,
            why,
            title,
            severity,
        })
        .await?
    {
        tracing::warn!(proposal = id, %env, "opsdeck proposes an incident");
    }
    Ok(())
}
