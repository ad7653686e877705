//! Routine checks: the morning check evaluated from the live state, and signed off by a person
//! with a note (the items as they stood are kept with the sign-off).

use crate::domain::routines::morning::{evaluate, MorningCheck};
use crate::domain::{AppError, Principal, Role};
use crate::ports::incidents::Actor;
use crate::ports::Services;

/// The longest note a sign-off carries.
pub const MAX_NOTE: usize = 500;

pub async fn morning_check(services: &Services, who: &Principal) -> Result<MorningCheck, AppError> {
    let now = services.clock.now();
    let day_start = services.schedule.day_start(now);
    let signoffs = services.routines.signoffs("morning", 14).await?;
    let signed = signoffs.first().is_some_and(|s| s.at >= day_start);
    Ok(MorningCheck {
        items: evaluate(&services.live.dashboard(), now),
        signoffs,
        viewer_can_sign: who.has(Role::Operator),
        generated_at: now,
        day_start,
        due_words: services.schedule.morning_due_words(),
        overdue: !signed
            && services
                .schedule
                .morning_due(now)
                .is_some_and(|due| now >= due),
    })
}

#[tracing::instrument(skip(services, who, note))]
pub async fn sign_off_morning(
    services: &Services,
    who: &Principal,
    note: &str,
) -> Result<String, AppError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::BadRequest(format!(
            "the note is longer than {MAX_NOTE} characters"
        )));
    }
    // What is signed is what the check says now, on the server — not what a page showed.
    let now = services.clock.now();
    let items = evaluate(&services.live.dashboard(), now);
    services
        .routines
        .sign_off(&Actor::from(who), "morning", note, &items, now)
        .await?;
    Ok(format!(
        "Checked by {} at {}.",
        who.display_name,
        now.format("%H:%M UTC")
    ))
}
