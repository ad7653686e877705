//! What is in flight, with its age: deploys waiting at an approval gate, change-control requests
//! waiting, running or with an unknown outcome, deploys running, and each environment's last
//! deploy. On the wall beside the tiles, and in the wall's incident view.

use crate::domain::{format, Dashboard};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn InFlight(dash: Dashboard, now: DateTime<Utc>) -> impl IntoView {
    let mut items: Vec<(String, &'static str, String)> = Vec::new();
    for c in &dash.clouds {
        let Some(p) = c.deploys.as_ref().and_then(|d| d.value.as_ref()) else {
            continue;
        };
        for g in &p.gates {
            items.push((
                "lvl-warning".into(),
                "‖",
                format!(
                    "{} {} waits at the gate · {}",
                    c.name,
                    g.run.version_label(),
                    format::age(g.run.created_at, now)
                ),
            ));
        }
        for r in p.runs.iter().filter(|r| r.status == "in_progress") {
            items.push((
                "lvl-warning".into(),
                "⇪",
                format!(
                    "{} deploying {} · {}",
                    c.name,
                    r.version_label(),
                    format::age(r.created_at, now)
                ),
            ));
        }
    }
    for r in &dash.in_flight {
        let level = r.state.level();
        items.push((
            level.css().into(),
            level.icon(),
            format!(
                "#{} {} on {}: {} · {}",
                r.id,
                r.what,
                r.env,
                r.state.words(),
                format::age(r.since, now)
            ),
        ));
    }
    let last = dash
        .clouds
        .iter()
        .filter_map(|c| {
            let p = c.deploys.as_ref()?.value.as_ref()?;
            let r = p.runs.iter().find(|r| r.status == "completed")?;
            Some(format!(
                "{} last deploy: {} {} · {} ago",
                c.name,
                r.version_label(),
                r.state_words(),
                format::age(r.updated_at, now)
            ))
        })
        .collect::<Vec<_>>();
    let body = if items.is_empty() {
        view! { <li class="muted">"Nothing waiting or running."</li> }.into_any()
    } else {
        items
            .into_iter()
            .map(|(cls, icon, text)| view! { <li class=cls><span aria-hidden="true">{icon}</span> " " {text}</li> })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="in-flight" data-panel="in-flight">
            <p class="wall-label">"In flight"</p>
            <ul>{body}</ul>
            <p class="muted in-flight-last">{last.join(" · ")}</p>
        </div>
    }
}
