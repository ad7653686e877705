//! "What changed recently": deploys, change-control actions and infrastructure commits of the last
//! day, and Terraform's state lock when one is held (the runbook's `terraform force-unlock` case).

use crate::domain::format;
use crate::domain::incident::{Change, Recent};
use leptos::prelude::*;

fn list(title: &'static str, items: Vec<Change>, error: Option<String>) -> impl IntoView {
    let body = if items.is_empty() {
        view! { <p class="muted">{error.unwrap_or_else(|| "Nothing in the last 24 hours.".into())}</p> }.into_any()
    } else {
        let rows = items
            .into_iter()
            .map(|c| {
                let env = c.env.map(|e| format!("{e} · ")).unwrap_or_default();
                let text = match c.link {
                    Some(href) if href.starts_with('/') || href.starts_with("https://") => {
                        view! { <a href=href class="wrap">{c.text}</a> }.into_any()
                    }
                    _ => view! { <span class="wrap">{c.text}</span> }.into_any(),
                };
                view! { <li><time class="mono" title=format::datetime(c.at)>{format::clock(c.at)}</time> " " {env} {text}</li> }
            })
            .collect_view();
        view! { <ul class="events">{rows}</ul> }.into_any()
    };
    view! { <div><h3>{title}</h3>{body}</div> }
}

#[component]
pub fn RecentChanges(recent: Recent) -> impl IntoView {
    let lock = match (recent.terraform_lock, recent.terraform_error) {
        (Some(l), _) => Some(view! { <p class="lvl-critical-text" data-terraform-lock=""><span aria-hidden="true">"✖ "</span>{l.text}</p> }.into_any()),
        (None, Some(e)) => Some(view! { <p class="muted">{format!("Terraform lock: {e}")}</p> }.into_any()),
        (None, None) => None,
    };
    view! {
        <section class="panel" data-panel="recent">
            <h2>"What changed recently"</h2>
            {lock}
            {list("Deploys", recent.deploys, None)}
            {list("Change control", recent.actions, None)}
            {list("Infrastructure commits", recent.infrastructure, recent.infrastructure_error)}
        </section>
    }
}
