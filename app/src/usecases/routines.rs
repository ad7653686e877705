//! Routines and deploy safety: the pre-deploy checklist of a waiting run (evaluated from the same
//! live data the gate card shows, plus the incidents and the freeze in force), change freezes
//! declared and ended by approvers, and overrides reviewed by someone else.

use crate::domain::deploys::Gate;
use crate::domain::routines::freeze::parse_reason;
use crate::domain::routines::{Checklist, GateFacts, Override};
use crate::domain::{AppError, EnvName, Level, Principal};
use crate::ports::incidents::Actor;
use crate::ports::Services;
use chrono::Duration;

/// The checklist for run `run_id` of `env`, and the gate it waits at as opsdeck last saw it.
pub async fn gate_checklist(
    services: &Services,
    env: &EnvName,
    run_id: u64,
    migrations_reviewed: bool,
) -> Result<(Checklist, Option<Gate>), AppError> {
    let dashboard = services.live.dashboard();
    let panel = dashboard
        .clouds
        .iter()
        .find(|c| &c.name == env)
        .and_then(|c| c.deploys.as_ref()?.value.clone());
    let gate = panel
        .as_ref()
        .and_then(|p| p.gates.iter().find(|g| g.run.id == run_id).cloned());
    let tested_first_in = services
        .deploys
        .iter()
        .find(|(n, _)| n == env)
        .and_then(|(_, t)| t.tested_first_name.clone());
    let open_incidents = services
        .incidents
        .list(50)
        .await?
        .into_iter()
        .filter(|i| i.is_open() && i.concerns(env.as_str()))
        .map(|i| (i.id, i.title))
        .collect();
    let facts = GateFacts {
        target: env.to_string(),
        tested_first_in,
        tested_first: match (&panel, &gate) {
            (Some(p), Some(g)) => p.was_tested_in_dev(&g.run),
            _ => None,
        },
        open_incidents,
        freeze: services.routines.freeze_at(services.clock.now()).await?,
        target_level: dashboard
            .env(env.as_str())
            .map_or(Level::Unknown, |e| e.level),
        rollback_target: panel.as_ref().and_then(|p| {
            p.last_known_good().map(|r| {
                format!(
                    "{} {}",
                    r.version_label(),
                    r.message.clone().unwrap_or_default()
                )
            })
        }),
        migration_files: gate
            .as_ref()
            .map(|g| g.migration_files.clone())
            .unwrap_or_default(),
        migrations_reviewed,
    };
    Ok((Checklist::evaluate(&facts, &services.gate), gate))
}

/// The longest freeze a person may declare: two weeks.
const MAX_FREEZE_HOURS: i64 = 24 * 14;

#[tracing::instrument(skip(services, who, reason))]
pub async fn declare_freeze(
    services: &Services,
    who: &Principal,
    reason: &str,
    hours: &str,
) -> Result<String, AppError> {
    let reason = parse_reason(reason, "a freeze").map_err(AppError::BadRequest)?;
    let hours: i64 = hours
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(format!("{hours:?} is not a number of hours")))?;
    if !(1..=MAX_FREEZE_HOURS).contains(&hours) {
        return Err(AppError::BadRequest(format!(
            "a freeze lasts 1 to {MAX_FREEZE_HOURS} hours, not {hours}"
        )));
    }
    let now = services.clock.now();
    let until = now + Duration::hours(hours);
    services
        .routines
        .declare_freeze(&Actor::from(who), &reason, now, until)
        .await?;
    Ok(format!(
        "Change freeze on until {}.",
        crate::domain::format::day_clock(until)
    ))
}

#[tracing::instrument(skip(services, who))]
pub async fn end_freeze(services: &Services, who: &Principal, id: i64) -> Result<String, AppError> {
    services
        .routines
        .end_freeze(&Actor::from(who), id, services.clock.now())
        .await?;
    Ok("The freeze is over.".into())
}

pub async fn overrides(services: &Services) -> Result<Vec<Override>, AppError> {
    Ok(services.routines.overrides(50).await?)
}

#[tracing::instrument(skip(services, who))]
pub async fn review_override(
    services: &Services,
    who: &Principal,
    id: i64,
) -> Result<String, AppError> {
    services
        .routines
        .review_override(id, &Actor::from(who))
        .await?;
    Ok("Reviewed.".into())
}
