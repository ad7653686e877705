//! The escalation steps: each with what to do, when it falls due (a live countdown), whom to
//! contact and where to get help, overdue when its time passed undone, and "Mark done".

use super::change_form;
use crate::api::ChangeIncident;
use crate::components::incident::step_state;
use crate::components::live::use_live_feed;
use crate::domain::format;
use crate::domain::incident::{
    Contact, IncidentPage, LiveIncident, StepState, StepView, SupportLink,
};
use leptos::prelude::*;

fn contact(c: &Result<Contact, String>) -> AnyView {
    match c {
        Ok(c) => {
            let reach = [
                c.phone.clone().map(|p| view! { <a href=format!("tel:{p}")>{format!("☎ {p}")}</a> }.into_any()),
                c.slack.clone().map(|s| view! { <span>{format!("Slack {s}")}</span> }.into_any()),
                c.email.clone().map(|e| view! { <a href=format!("mailto:{e}")>{format!("✉ {e}")}</a> }.into_any()),
            ];
            view! {
                <li class="contact"><b>{c.name.clone()}</b> <span class="muted">{format!(" ({})", c.role)}</span> " "
                    {reach.into_iter().flatten().collect_view()}
                </li>
            }
            .into_any()
        }
        Err(missing) => view! { <li class="contact muted">{format!("{missing}: nobody configured ([[contacts]])")}</li> }.into_any(),
    }
}

fn support(s: &Result<SupportLink, String>) -> AnyView {
    match s {
        Ok(l) => view! { <li><a href=l.url.clone() target="_blank" rel="noopener noreferrer">{format!("↗ {}", l.name)}</a></li> }.into_any(),
        Err(missing) => view! { <li class="muted">{format!("{missing}: no link configured ([[support]])")}</li> }.into_any(),
    }
}

fn look(state: StepState) -> (&'static str, &'static str, &'static str) {
    match state {
        StepState::Done => ("lvl-ok", "✔", "done"),
        StepState::Overdue => ("lvl-critical", "✖", "overdue"),
        StepState::Upcoming => ("lvl-unknown", "◷", "upcoming"),
    }
}

#[component]
pub fn Steps(
    page: IncidentPage,
    live: Memo<Option<LiveIncident>>,
    change: ServerAction<ChangeIncident>,
    can_act: bool,
) -> impl IntoView {
    let feed = use_live_feed();
    let first = page.steps.clone();
    let id = page.incident.id;
    let steps = Memo::new(move |_| live.get().map(|l| l.steps).unwrap_or_else(|| first.clone()));
    // The list is rebuilt when the steps change; only each step's state and countdown follow the
    // clock, so a "Mark done" button is never replaced under a finger.
    view! {
        <section class="panel" data-panel="escalation">
            <h2>"Escalation"</h2>
            <ol class="steps">
                {move || {
                    steps.get().into_iter().map(|s: StepView| {
                        let number = s.index + 1;
                        let (a, c) = (s.clone(), s.clone());
                        let state = Memo::new(move |_| step_state(&a, feed.now.get()));
                        let current = if s.current { " current" } else { "" };
                        let class = move || format!("step {}{current}", look(state.get()).0);
                        let when = move || match &c.done {
                            Some(d) => format!("done by {} at {}", d.who, format::clock(d.at)),
                            None => {
                                let now = feed.now.get();
                                format!("due {} ({})", format::clock(c.due_at), format::countdown(c.due_at, now))
                            }
                        };
                        let mark = (can_act && s.done.is_none()).then(|| change_form(change, id, "step", number.to_string(), "Mark done".into(), ""));
                        view! {
                            <li class=class data-step=number.to_string() data-state=move || look(state.get()).2>
                                <p class="step-head">
                                    <span aria-hidden="true">{move || look(state.get()).1}</span> " " <b>{move || look(state.get()).2}</b>
                                    " · " <span class="mono">{when}</span>
                                </p>
                                <p class="step-words">{s.step.words.clone()}</p>
                                <ul class="contacts">{s.contacts.iter().map(contact).collect_view()}{s.support.iter().map(support).collect_view()}</ul>
                                {mark}
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
        </section>
    }
}
