//! Pieces of the incident room shared by pages, the header and the wall: severity and status in
//! colour, icon and word; the strip every page shows while an incident is open or proposed.

use super::live::use_live_feed;
use crate::api::{DeclareIncident, DismissProposal};
use crate::domain::incident::{Incident, Severity, Status, StepState, StepView};
use crate::domain::{format, Level};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    let level = severity.level();
    view! {
        <span class=format!("badge {}", level.css()) data-severity=severity.as_str() title=severity.words()>
            <span aria-hidden="true">{level.icon()}</span> " " {severity.label()}
        </span>
    }
}

#[component]
pub fn IncidentStatus(status: Status) -> impl IntoView {
    let level = match status {
        Status::Resolved => Level::Ok,
        Status::Monitoring => Level::Warning,
        _ => Level::Critical,
    };
    view! {
        <span class=format!("badge {}", level.css()) data-status=status.as_str() title=status.words()>
            <span aria-hidden="true">{level.icon()}</span> " " {status.as_str()}
        </span>
    }
}

/// A step's state at `now` (the page's clock ticks between updates).
pub fn step_state(step: &StepView, now: DateTime<Utc>) -> StepState {
    match (&step.done, now >= step.due_at) {
        (Some(_), _) => StepState::Done,
        (None, true) => StepState::Overdue,
        (None, false) => StepState::Upcoming,
    }
}

/// Time since the incident started, as a running clock.
pub fn since_start(i: &Incident, now: DateTime<Utc>) -> String {
    format::elapsed((now - i.started_at).num_seconds())
}

/// "Declare an incident" for operators: opens `/incidents` with the environment chosen.
#[component]
pub fn DeclareLink(#[prop(optional, into)] env: Option<String>) -> impl IntoView {
    move || {
        super::session::current_session()
            .filter(|s| s.principal.has(crate::domain::Role::Operator))
            .map(|_| {
                let href = match &env {
                    Some(e) => format!("/incidents?env={e}#declare"),
                    None => "/incidents#declare".to_owned(),
                };
                view! {
                    <a class="declare-link" href=href data-declare-link="">
                        <span aria-hidden="true">"⚑ "</span>"Declare an incident"
                    </a>
                }
            })
    }
}

/// The strip's Declare / Dismiss actions, made once for the whole app. Each page renders its header
/// again whenever its data reloads; actions owned by a header would be disposed while the strip's
/// tick (every second) is still queued, and building a form on a disposed action panics.
#[derive(Clone, Copy)]
struct StripActions {
    declare: ServerAction<DeclareIncident>,
    dismiss: ServerAction<DismissProposal>,
}

/// Called once by the app's root, before any page.
pub fn provide_strip_actions() {
    provide_context(StripActions {
        declare: ServerAction::new(),
        dismiss: ServerAction::new(),
    });
}

/// Shown on every page while an incident is open or opsdeck proposes one: a link to each room, and
/// for operators Declare / Dismiss on each proposal.
#[component]
pub fn IncidentStrip() -> impl IntoView {
    let feed = use_live_feed();
    let StripActions { declare, dismiss } = use_context().unwrap_or_else(|| {
        provide_strip_actions();
        expect_context()
    });
    let can_act = move || {
        super::session::current_session()
            .is_some_and(|s| s.principal.has(crate::domain::Role::Operator))
    };
    move || {
        let live = feed.incidents.get()?;
        if live.open.is_empty() && live.proposals.is_empty() {
            return None;
        }
        // Only the running clocks follow `now`: rebuilding the forms every second would swallow clicks.
        let open = live
            .open
            .iter()
            .map(|l| {
                let i = l.incident.clone();
                let head = format!(
                    " Incident {} · {} · {} · ",
                    i.id,
                    i.severity.label(),
                    i.title
                );
                let (href, id) = (format!("/incidents/{}", i.id), i.id.to_string());
                view! {
                    <a class="incident-link" href=href data-incident=id>
                        <span aria-hidden="true">"⚑"</span>
                        {head}
                        {move || since_start(&i, feed.now.get())}
                    </a>
                }
            })
            .collect_view();
        let proposals = live
            .proposals
            .iter()
            .map(|p| {
                let (id1, id2) = (p.id, p.id);
                view! {
                    <div class="proposal" data-proposal=p.id.to_string()>
                        <span><span aria-hidden="true">"▲ "</span>{format!("{} {} — declare an incident?", p.env, p.why)}</span>
                        {can_act().then(|| view! {
                            <ActionForm action=declare attr:class="inline-form">
                                <input type="hidden" name="proposal" value=id1.to_string() />
                                <input type="hidden" name="title" value="" />
                                <input type="hidden" name="severity" value="" />
                                <input type="hidden" name="environments" value="" />
                                <input type="hidden" name="csrf_token" value=super::session::csrf_token() />
                                <button type="submit" class="btn btn-reject" data-declare-proposal="">"Declare"</button>
                            </ActionForm>
                            <ActionForm action=dismiss attr:class="inline-form">
                                <input type="hidden" name="id" value=id2.to_string() />
                                <input type="hidden" name="csrf_token" value=super::session::csrf_token() />
                                <button type="submit" class="btn" data-dismiss-proposal="">"Dismiss"</button>
                            </ActionForm>
                        })}
                    </div>
                }
            })
            .collect_view();
        let declared = move || {
            declare.value().try_get().flatten().map(|r| match r {
                Ok(id) => view! { <a class="incident-link" href=format!("/incidents/{id}")>{format!("Declared: open incident {id}")}</a> }.into_any(),
                Err(e) => view! { <span class="problem">{e.to_string()}</span> }.into_any(),
            })
        };
        Some(view! {
            <div class="incident-strip" role="status">{open}{proposals}{declared}</div>
        })
    }
}
