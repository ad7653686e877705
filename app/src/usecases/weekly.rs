//! The weekly check, evaluated from the live state and the recorded restore drills, signed off
//! with the manual items ticked; and recording a restore request as a drill.

use super::checks::MAX_NOTE;
use crate::domain::actions::{ActionKind, State};
use crate::domain::routines::weekly::{evaluate, manual_items};
use crate::domain::routines::WeeklyCheck;
use crate::domain::{AppError, Principal, Role};
use crate::ports::incidents::Actor;
use crate::ports::routines::NewDrill;
use crate::ports::Services;

fn note(raw: &str) -> Result<String, AppError> {
    let note = raw.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::BadRequest(format!(
            "the note is longer than {MAX_NOTE} characters"
        )));
    }
    Ok(note.to_owned())
}

pub async fn weekly_check(services: &Services, who: &Principal) -> Result<WeeklyCheck, AppError> {
    let now = services.clock.now();
    let drills = services.routines.drills(10).await?;
    Ok(WeeklyCheck {
        items: evaluate(
            &services.live.dashboard(),
            &drills,
            services.schedule.drill_within_days(),
            now,
        ),
        manual: services.schedule.weekly_manual(),
        maintenance: services.schedule.maintenance(now),
        drills,
        signoffs: services.routines.signoffs("weekly", 12).await?,
        viewer_can_sign: who.has(Role::Operator),
        generated_at: now,
        week_start: services.schedule.week_start(now),
    })
}

/// Sign the weekly check off: the automatic items as the server sees them now, and the manual
/// ones by the indices the form sent (anything else is refused in words).
#[tracing::instrument(skip(services, who, raw_note))]
pub async fn sign_off_weekly(
    services: &Services,
    who: &Principal,
    raw_note: &str,
    ticked: &[String],
) -> Result<String, AppError> {
    if !who.has(Role::Operator) {
        return Err(AppError::Forbidden(
            "signing a check off needs the operator role".into(),
        ));
    }
    let note = note(raw_note)?;
    let labels = services.schedule.weekly_manual();
    let mut indices = Vec::new();
    for t in ticked {
        match t.trim().parse::<usize>() {
            Ok(i) if i < labels.len() => indices.push(i),
            _ => {
                return Err(AppError::BadRequest(format!(
                    "{t:?} is not one of the weekly check's {} manual items",
                    labels.len()
                )))
            }
        }
    }
    let now = services.clock.now();
    let drills = services.routines.drills(10).await?;
    let mut items = evaluate(
        &services.live.dashboard(),
        &drills,
        services.schedule.drill_within_days(),
        now,
    );
    items.extend(manual_items(&labels, &indices, &who.display_name));
    services
        .routines
        .sign_off(&Actor::from(who), "weekly", &note, &items, now)
        .await?;
    Ok(format!(
        "Weekly check signed off by {} at {}.",
        who.display_name,
        now.format("%H:%M UTC")
    ))
}

/// What was checked in a restore drill.
pub struct DrillForm {
    pub restored: bool,
    pub data_checked: bool,
    pub cleaned_up: bool,
    pub note: String,
}

/// Mark a restore request that succeeded a drill, once.
#[tracing::instrument(skip(services, who, form))]
pub async fn record_drill(
    services: &Services,
    who: &Principal,
    request_id: i64,
    form: DrillForm,
) -> Result<String, AppError> {
    if !who.has(Role::Operator) {
        return Err(AppError::Forbidden(
            "recording a drill needs the operator role".into(),
        ));
    }
    let note = note(&form.note)?;
    let request = services
        .actions
        .get(request_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no request {request_id}")))?;
    if request.action.kind() != ActionKind::Restore {
        return Err(AppError::BadRequest(format!(
            "request {request_id} is not a restore: only a restore can be a restore drill"
        )));
    }
    if request.state != State::Succeeded {
        return Err(AppError::Conflict(format!(
            "request {request_id} is {}: a drill is recorded once the restore has succeeded",
            request.state.as_str()
        )));
    }
    let drill = NewDrill {
        request_id,
        env: request.env.to_string(),
        restored: form.restored,
        data_checked: form.data_checked,
        cleaned_up: form.cleaned_up,
        note,
        at: services.clock.now(),
    };
    services
        .routines
        .record_drill(&Actor::from(who), drill)
        .await?;
    Ok(format!(
        "Request {request_id} is recorded as a restore drill."
    ))
}
