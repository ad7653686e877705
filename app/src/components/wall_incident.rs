//! The wall during an incident, readable from three metres: the clock since the start, severity
//! and title, the lead, the step due now with its countdown and contacts, the next one, every
//! environment's health, what is in flight, and the newest timeline entries. No controls.

use super::in_flight::InFlight;
use super::incident::{since_start, step_state};
use crate::domain::format;
use crate::domain::incident::{LiveIncident, StepState};
use crate::domain::Dashboard;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn IncidentWall(live: LiveIncident, dash: Dashboard, now: DateTime<Utc>) -> impl IntoView {
    let i = &live.incident;
    let level = i.severity.level();
    let current = live.steps.iter().find(|s| s.current);
    let next = current.and_then(|c| live.steps.get(c.index + 1));
    let step = current.map(|s| {
        let overdue = step_state(s, now) == StepState::Overdue;
        let contacts = s
            .contacts
            .iter()
            .map(|c| match c {
                Ok(c) => {
                    let how = c.phone.clone().or(c.slack.clone()).or(c.email.clone()).unwrap_or_default();
                    format!("{} ({}) {how}", c.name, c.role)
                }
                Err(missing) => format!("{missing}: nobody configured"),
            })
            .chain(s.support.iter().map(|l| match l {
                Ok(l) => format!("{} ↗ {}", l.name, l.url),
                Err(missing) => format!("{missing}: no link"),
            }))
            .collect::<Vec<_>>();
        view! {
            <div class=format!("wall-step {}", if overdue { "lvl-critical" } else { "lvl-warning" }) data-step-now="">
                <p class="wall-label">{format!("Step {} · {}", s.index + 1, format::countdown(s.due_at, now))}</p>
                <p class="wall-step-words">{s.step.words.clone()}</p>
                {(!contacts.is_empty()).then(|| view! { <p class="wall-contacts">{contacts.join(" · ")}</p> })}
            </div>
        }
    });
    let next = next.map(|n| {
        view! { <p class="wall-next" data-step-next="">{format!("Next: {} — {}", format::countdown(n.due_at, now), n.step.words)}</p> }
    });
    let health = dash
        .environments
        .iter()
        .map(|e| {
            view! {
                <span class=format!("wall-env {}", e.level.css()) data-env=e.name.to_string()>
                    <span aria-hidden="true">{e.level.icon()}</span>{format!(" {} {}", e.name, e.level.word())}
                </span>
            }
        })
        .collect_view();
    let latest = live
        .latest
        .iter()
        .take(5)
        .map(|e| view! { <li><span class="mono">{format::clock(e.at)}</span> " " <span aria-hidden="true">{e.kind.icon()}</span> " " {e.text.clone()}</li> })
        .collect_view();
    view! {
        <section class=format!("wall-incident {}", level.css()) data-incident=i.id.to_string()>
            <div class="wall-incident-head">
                <p class="wall-incident-clock" data-clock="">{since_start(i, now)}</p>
                <div>
                    <p class="wall-incident-sev"><span aria-hidden="true">{level.icon()}</span>{format!(" {} · {}", i.severity.label(), i.status.as_str())}</p>
                    <h2 class="wall-incident-title">{i.title.clone()}</h2>
                    <p class="wall-lead">{match &i.lead {
                        Some(l) => format!("★ Lead: {}", l.who),
                        None => "No lead yet".into(),
                    }}</p>
                </div>
            </div>
            <div class="wall-incident-body">
                <div class="wall-steps">{step}{next}</div>
                <InFlight dash=dash.clone() now />
            </div>
            <div class="wall-health">{health}</div>
            <ul class="wall-latest">{latest}</ul>
        </section>
    }
}
