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
    let steps = move || live.get().map(|l| l.steps).unwrap_or_else(|| first.clone());
    view! {
        <section class="panel" data-panel="escalation">
            <h2>"Escalation"</h2>
            <ol class="steps">
                {move || {
                    let now = feed.now.get();
                    steps().into_iter().map(|s: StepView| {
                        let state = step_state(&s, now);
                        let (cls, icon, word) = match state {
                            StepState::Done => ("lvl-ok", "✔", "done"),
                            StepState::Overdue => ("lvl-critical", "✖", "overdue"),
                            StepState::Upcoming => ("lvl-unknown", "◷", "upcoming"),
                        };
                        let when = match &s.done {
                            Some(d) => format!("done by {} at {}", d.who, format::clock(d.at)),
                            None => format!("due {} ({})", format::clock(s.due_at), format::countdown(s.due_at, now)),
                        };
                        let number = s.index + 1;
                        let mark = (can_act && s.done.is_none()).then(|| change_form(change, id, "step", number.to_string(), "Mark done".into(), ""));
                        view! {
                            <li class=format!("step {cls}{}", if s.current { " current" } else { "" }) data-step=number.to_string() data-state=word>
                                <p class="step-head"><span aria-hidden="true">{icon}</span> " " <b>{word}</b> " · " <span class="mono">{when}</span></p>
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
