//! The top bar: product name, navigation and whether the live feed is connected.

use super::live::use_live_feed;
use leptos::prelude::*;

#[component]
pub fn Header(#[prop(optional)] demo: bool) -> impl IntoView {
    let feed = use_live_feed();
    let live = move || {
        if feed.signed_out.get() {
            view! { <a class="live live-off" href="/signin">"✖ Signed out — sign in again"</a> }
                .into_any()
        } else if !feed.hydrated.get() {
            view! { <span class="live live-static" title="Rendered by the server; updates start once the page script loads">"◌ Snapshot"</span> }.into_any()
        } else if feed.connected.get() {
            view! { <span class="live live-on" title="Receiving live updates">"● Live"</span> }
                .into_any()
        } else {
            view! { <span class="live live-off" title="Live updates interrupted; retrying">"○ Reconnecting…"</span> }.into_any()
        }
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">"opsdeck"</a>
            <nav>
                <a href="/">"Dashboard"</a>
                <a href="/wall">"Wall"</a>
                <a href="/incidents">"Incidents"</a>
                <a href="/checks/morning">"Morning check"</a>
                <a href="/actions">
                    "Actions"
                    {move || feed.pending.get().filter(|n| *n > 0).map(|n| view! {
                        <span class="inbox-count" title="requests waiting for a decision" data-inbox=n.to_string()>{n}</span>
                    })}
                </a>
                {move || {
                    super::session::current_session()
                        .filter(|s| s.principal.has(crate::domain::Role::Approver))
                        .map(|_| view! { <a href="/audit">"Audit"</a> })
                }}
                {demo.then(|| view! { <a href="/demo">"Demo control"</a> })}
                {move || {
                    super::session::current_session()
                        .filter(|s| s.principal.has(crate::domain::Role::Admin))
                        .map(|_| view! { <a href="/admin/wall-tokens">"Wall tokens"</a> })
                }}
            </nav>
            <span class="spacer"></span>
            {live}
            <super::session::SessionBadge />
        </header>
        <super::incident::IncidentStrip />
        <super::freeze::FreezeBanner />
    }
}
