//! "Waiting for you": for approvers, on the dashboard, every change-control request waiting for a
//! decision and every deploy waiting at a gate, each one tap from the page with its Approve button
//! — two taps from `/` on a phone.

use crate::domain::actions::State;
use crate::domain::Dashboard;
use leptos::prelude::*;

/// (link, words, kind) of everything waiting for an approver's decision.
fn waiting(d: &Dashboard) -> Vec<(String, String, &'static str)> {
    let mut items: Vec<_> = d
        .in_flight
        .iter()
        .filter(|r| r.state == State::Pending)
        .map(|r| {
            (
                format!("/requests/{}", r.id),
                format!("{} · request {}: {}", r.env, r.id, r.what),
                "request",
            )
        })
        .collect();
    for c in &d.clouds {
        let Some(p) = c.deploys.as_ref().and_then(|s| s.value.as_ref()) else {
            continue;
        };
        for g in &p.gates {
            items.push((
                format!("/env/{}#gate-{}", c.name, g.run.id),
                format!(
                    "{} · deploy {} {}",
                    c.name,
                    g.run.version_label(),
                    g.run.message.clone().unwrap_or_default()
                ),
                "gate",
            ));
        }
    }
    items
}

#[component]
pub fn WaitingForYou(dash: Memo<Dashboard>) -> impl IntoView {
    // Rebuilt only when what waits changes, not on every probe: a link must not move under a finger.
    let items = Memo::new(move |_| waiting(&dash.get()));
    let approver = move || {
        super::session::current_session()
            .is_some_and(|s| s.principal.has(crate::domain::Role::Approver))
    };
    move || {
        let list = items.get();
        (approver() && !list.is_empty()).then(|| {
            view! {
                <section class="waiting" data-panel="waiting-for-you">
                    <h2><span aria-hidden="true">"▲ "</span>{format!("Waiting for you ({})", list.len())}</h2>
                    <ul>
                        {list.into_iter().map(|(href, words, kind)| view! {
                            <li><a class="waiting-item" href=href data-waiting=kind>{words} <span aria-hidden="true">" →"</span></a></li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
