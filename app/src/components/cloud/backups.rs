//! RDS backups: the newest automated snapshots with their age, an overdue state, the latest
//! restorable time, and manual snapshots listed apart.

use super::SourceHead;
use crate::components::live::use_live_feed;
use crate::domain::cloud::{BackupsPanel, DbSnapshot, Sourced};
use crate::domain::{format, Level};
use leptos::prelude::*;

fn rows(snaps: &[DbSnapshot], now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    snaps
        .iter()
        .map(|s| {
            let cls = match s.status.as_str() {
                "available" => "lvl-ok-text",
                "failed" => "lvl-critical-text",
                _ => "lvl-warning-text",
            };
            let progress = (s.status == "creating")
                .then(|| s.progress_percent.map(|p| format!(" {p} %")))
                .flatten();
            view! {
                <tr>
                    <td class="mono">{s.id.clone()}</td>
                    <td class=cls>{s.status.clone()}{progress}</td>
                    <td title=s.created_at.map(format::datetime).unwrap_or_default()>{s.created_at.map(format::datetime).unwrap_or_else(|| "–".into())}</td>
                    <td>{s.created_at.map(|at| format::age(at, now)).unwrap_or_else(|| "–".into())}</td>
                    <td>{s.allocated_gib.map(|g| format!("{g} GiB")).unwrap_or_else(|| "–".into())}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn BackupsCard(source: Sourced<BackupsPanel>) -> impl IntoView {
    let feed = use_live_feed();
    let now = feed.now.get_untracked();
    let level = source
        .value
        .as_ref()
        .map_or(Level::Unknown, |b| b.level(now));
    let console = source.value.as_ref().map(|p| p.snapshots_url.clone());
    let body = source.value.clone().map(|p| {
        let newest = p.newest_completed().cloned();
        let overdue = p.overdue(now);
        let limit_h = p.overdue_after_s / 3600;
        let verdict = match (&newest, overdue) {
            (None, _) => view! { <p class="verdict lvl-critical-text"><span aria-hidden="true">"✖ "</span>"Overdue: no completed automated snapshot."</p> }.into_any(),
            (Some(s), true) => view! { <p class="verdict lvl-critical-text"><span aria-hidden="true">"✖ "</span>{format!("Overdue: the newest completed automated snapshot is {} old (limit {limit_h} h).", s.created_at.map(|at| format::age(at, now)).unwrap_or_default())}</p> }.into_any(),
            (Some(s), false) => view! { <p class="verdict lvl-ok-text"><span aria-hidden="true">"✔ "</span>{format!("Newest completed automated snapshot {} old (limit {limit_h} h).", s.created_at.map(|at| format::age(at, now)).unwrap_or_default())}</p> }.into_any(),
        };
        let no_manual = p.manual.is_empty();
        view! {
            {verdict}
            <dl class="facts">
                <div><dt>"instance"</dt><dd class="mono"><a href=p.console_url.clone() target="_blank" rel="noopener noreferrer">{p.instance.clone()}</a></dd></div>
                <div><dt>"status"</dt><dd>{p.instance_status.clone().unwrap_or_else(|| "–".into())}</dd></div>
                <div><dt>"class"</dt><dd class="mono">{p.instance_class.clone().unwrap_or_else(|| "–".into())}</dd></div>
                <div><dt>"latest restorable"</dt><dd title=p.latest_restorable.map(format::datetime).unwrap_or_default()>{p.latest_restorable.map(|at| format!("{} ago", format::age(at, now))).unwrap_or_else(|| "–".into())}</dd></div>
                <div><dt>"retention"</dt><dd>{p.retention_days.map(|d| format!("{d} days")).unwrap_or_else(|| "–".into())}</dd></div>
            </dl>
            <h3>"Automated snapshots"</h3>
            <div class="table-wrap">
                <table class="compact">
                    <thead><tr><th>"snapshot"</th><th>"status"</th><th>"created"</th><th>"age"</th><th>"size"</th></tr></thead>
                    <tbody>{rows(&p.automated, now)}</tbody>
                </table>
            </div>
            <h3>"Manual snapshots"</h3>
            {if no_manual {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="compact">
                            <thead><tr><th>"snapshot"</th><th>"status"</th><th>"created"</th><th>"age"</th><th>"size"</th></tr></thead>
                            <tbody>{rows(&p.manual, now)}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        }
    });
    view! {
        <section class=format!("panel cloud-panel {}", level.css()) data-panel="backups">
            <SourceHead title="Backups (RDS)" source=source.clone() level console_url=console />
            {match body {
                Some(b) => b.into_any(),
                None => view! { <p class="muted">"Waiting for the first answer from RDS."</p> }.into_any(),
            }}
        </section>
    }
}
