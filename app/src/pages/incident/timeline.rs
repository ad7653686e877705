//! The incident's timeline, newest first, with the note form on top. Entries are text people and
//! upstreams wrote: always shown as text. New entries arrive with the live stream.

use crate::api::ChangeIncident;
use crate::domain::format;
use crate::domain::incident::{Entry, IncidentPage, LiveIncident, MAX_NOTE};
use leptos::prelude::*;

#[component]
pub fn Timeline(
    page: IncidentPage,
    live: Memo<Option<LiveIncident>>,
    change: ServerAction<ChangeIncident>,
    can_act: bool,
) -> impl IntoView {
    let id = page.incident.id;
    let first = page.timeline.clone();
    // The page's timeline plus whatever the stream brought since (its newest entries).
    let entries = move || {
        let mut all = first.clone();
        if let Some(l) = live.get() {
            for e in l.latest {
                if !all
                    .iter()
                    .any(|x| x.at == e.at && x.kind == e.kind && x.text == e.text)
                {
                    all.push(e);
                }
            }
        }
        all.sort_by_key(|e| std::cmp::Reverse(e.at));
        all
    };
    let note = can_act.then(|| view! {
        <ActionForm action=change attr:class="note-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="what" value="note" />
            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
            <label class="wide">"Add a note" <input type="text" name="value" required maxlength=MAX_NOTE.to_string() placeholder="what you see, what you try" /></label>
            <button type="submit" class="btn" data-change="note">"✎ Add"</button>
        </ActionForm>
    });
    view! {
        <section class="panel" data-panel="timeline">
            <h2>"Timeline"</h2>
            {note}
            <ul class="events timeline">
                {move || entries().into_iter().map(|e: Entry| {
                    let level = e.level.map(|l| l.css()).unwrap_or("");
                    view! {
                        <li class=format!("entry {level}") data-kind=e.kind.as_str()>
                            <time class="mono" title=format::datetime(e.at)>{format::clock(e.at)}</time>
                            " " <span aria-hidden="true">{e.kind.icon()}</span> " "
                            {match e.link.clone() {
                                Some(href) if href.starts_with('/') || href.starts_with("https://") => view! { <a href=href class="wrap">{e.text.clone()}</a> }.into_any(),
                                _ => view! { <span class="wrap">{e.text.clone()}</span> }.into_any(),
                            }}
                            {e.who.map(|w| view! { <span class="muted">{format!(" — {} (#{})", w.who, w.user_id)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
