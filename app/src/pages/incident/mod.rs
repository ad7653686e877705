//! `/incidents/{id}`: the incident room. The incident (severity, status, lead, the clock since it
//! started), one-click changes for operators — take the lead, move the status, change the
//! severity, resolve with a summary, roll back to the last known good version — the escalation
//! steps with their countdowns and contacts, a live timeline with notes, and what changed recently.
//! Works on a 390 px phone; the parts that move follow the live stream.

mod recent;
mod steps;
mod timeline;

use super::ErrorPanel;
use crate::api::{get_incident, ChangeIncident};
use crate::components::incident::{since_start, IncidentStatus, SeverityBadge};
use crate::components::{live::use_live_feed, Header};
use crate::domain::format;
use crate::domain::incident::{Incident, IncidentPage, LiveIncident, Severity, Status};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn IncidentPageView() -> impl IntoView {
    let params = use_params_map();
    let change = ServerAction::<ChangeIncident>::new();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let data = Resource::new(
        move || (id(), change.version().get()),
        |(id, _)| get_incident(id),
    );
    let feed = use_live_feed();
    view! {
        <Title text=move || format!("opsdeck — incident {}", id()) />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page narrow incident-room"><Room page change /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One change form: a hidden `what`, a `value` field or fixed value, a button.
fn change_form(
    change: ServerAction<ChangeIncident>,
    id: i64,
    what: &'static str,
    value: String,
    label: String,
    class: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=change attr:class="inline-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="what" value=what />
            <input type="hidden" name="value" value=value />
            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
            <button type="submit" class=format!("btn {class}") data-change=what>{label}</button>
        </ActionForm>
    }
}

#[component]
fn Room(page: IncidentPage, change: ServerAction<ChangeIncident>) -> impl IntoView {
    let feed = use_live_feed();
    let id = page.incident.id;
    // The incident as the stream has it now, else as the page was rendered.
    let first = page.incident.clone();
    let live = Memo::new(move |_| {
        feed.incidents
            .get()
            .and_then(|l| l.open.into_iter().find(|x| x.incident.id == id))
    });
    let incident = Memo::new(move |_| {
        live.get()
            .map(|l: LiveIncident| l.incident)
            .unwrap_or_else(|| first.clone())
    });
    let now = move || feed.now.get();
    let outcome = move || crate::components::outcome::outcome(change.value().get());
    let can_act = page.viewer_can_act && page.incident.is_open();
    let viewer = page.viewer_id;
    let controls = can_act.then(|| controls(change, &page.incident, viewer, &page));
    let exports = view! {
        <p class="note">"Post-incident draft: "
            <a href=format!("/incidents/{id}/export.md")>"Markdown"</a> " · "
            <a href=format!("/incidents/{id}/export.json")>"JSON"</a>
        </p>
    };
    let resolved = page.incident.summary.clone().map(|summary| {
        let d = page.incident.durations();
        let dur = |s: Option<i64>| s.map(format::elapsed).unwrap_or_else(|| "–".into());
        view! {
            <section class="panel" data-panel="resolution">
                <h2>"Resolved"</h2>
                <p class="reason">{summary}</p>
                <dl class="settings-list">
                    <dt>"Time to detect"</dt><dd>{format::elapsed(d.to_detect_s)}</dd>
                    <dt>"Time to mitigate"</dt><dd>{dur(d.to_mitigate_s)}</dd>
                    <dt>"Time to resolve"</dt><dd>{dur(d.to_resolve_s)}</dd>
                </dl>
            </section>
        }
    });
    view! {
        <h1 class="wrap">{move || format!("⚑ Incident {} — {}", id, incident.get().title)}</h1>
        <p class="request-head">
            {move || view! { <SeverityBadge severity=incident.get().severity /> }}
            " "
            {move || view! { <IncidentStatus status=incident.get().status /> }}
            " · " {move || incident.get().environments.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ")}
        </p>
        <p class="incident-clock" data-clock="">
            <span class="big mono">{move || since_start(&incident.get(), now())}</span>
            <span class="muted">{move || {
                let i = incident.get();
                // The person's id beside the name: two people may choose the same display name.
                let by = if i.declared.user_id > 0 { format!("{} (#{})", i.declared.who, i.declared.user_id) } else { i.declared.who.clone() };
                format!(" since {} (first bad observation) · declared by {by}", format::clock(i.started_at))
            }}</span>
        </p>
        <p class="lead" data-lead="">{move || match incident.get().lead {
            Some(l) => format!("★ Led by {} (#{}) since {}", l.who, l.user_id, format::clock(l.at)),
            None => "No lead yet — someone take it.".into(),
        }}</p>
        {outcome}
        {controls}
        {resolved}
        <steps::Steps page=page.clone() live change can_act />
        <timeline::Timeline page=page.clone() live change can_act />
        <recent::RecentChanges recent=page.recent.clone() />
        {exports}
    }
}

fn controls(
    change: ServerAction<ChangeIncident>,
    i: &Incident,
    viewer: i64,
    page: &IncidentPage,
) -> impl IntoView {
    let id = i.id;
    let lead_id = i.lead.as_ref().map(|l| l.user_id);
    let take_lead = (lead_id != Some(viewer)).then(|| {
        let label = if lead_id.is_some() {
            "★ Take over the lead"
        } else {
            "★ Take the lead"
        };
        change_form(
            change,
            id,
            "lead",
            lead_id.map(|l| l.to_string()).unwrap_or_default(),
            label.into(),
            "btn-approve",
        )
    });
    let statuses = i
        .status
        .next()
        .into_iter()
        .map(|s: Status| {
            change_form(
                change,
                id,
                "status",
                s.as_str().into(),
                format!("➜ {}", s.as_str()),
                "",
            )
        })
        .collect_view();
    let severities = Severity::ALL
        .into_iter()
        .filter(|s| *s != i.severity)
        .map(|s| {
            change_form(
                change,
                id,
                "severity",
                s.as_str().into(),
                s.label().into(),
                "",
            )
        })
        .collect_view();
    let rollbacks = page
        .last_known_good
        .iter()
        .map(|g| {
            let reason = format!("Incident {id}: {}", i.title);
            let query = serde_urlencoded::to_string([
                ("kind", "rollback"),
                ("env", g.env.as_str()),
                ("version", g.sha.as_str()),
                ("reason", reason.as_str()),
            ])
            .unwrap_or_default();
            let href = format!("/actions?{query}#rollback");
            view! { <a class="btn btn-reject" href=href data-rollback=g.env.to_string()>{format!("⟲ Roll back {} to {} ({})", g.env, g.label, g.message)}</a> }
        })
        .collect_view();
    view! {
        <section class="panel incident-controls" data-panel="controls">
            <div class="button-row">{take_lead}{rollbacks}</div>
            <div class="button-row"><span class="muted">"Status: "</span>{statuses}</div>
            <details>
                <summary>"Severity…"</summary>
                <div class="button-row">{severities}</div>
            </details>
            <details class="resolve">
                <summary>"Resolve…"</summary>
                <ActionForm action=change>
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="what" value="resolve" />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <label>"What happened and what fixed it (required)" <textarea name="value" required maxlength="4000" rows="4"></textarea></label>
                    <button type="submit" class="btn btn-approve" data-change="resolve">"✔ Resolve"</button>
                </ActionForm>
            </details>
        </section>
    }
}
