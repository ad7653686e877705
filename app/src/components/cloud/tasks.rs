//! Scheduled tasks: the runs of the configured task families opsdeck saw in the last day, failed
//! ones first in colour, icon and word, each with ECS's stop reason (shown as text).

use super::SourceHead;
use crate::components::live::use_live_feed;
use crate::domain::cloud::{ScheduledTasksPanel, TaskRun};
use crate::domain::{format, Level, Sourced};
use leptos::prelude::*;

fn row(r: &TaskRun, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let (level, word) = if r.failed() {
        (Level::Critical, "failed")
    } else {
        (Level::Ok, "succeeded")
    };
    view! {
        <tr class=level.css() data-failed=r.failed().to_string()>
            <td><span aria-hidden="true">{level.icon()}</span> " " {word}</td>
            <td class="mono">{r.family.clone()}</td>
            <td class="mono wrap">{r.short_id().to_owned()}</td>
            <td title=r.stopped_at.map(format::datetime).unwrap_or_default()>
                {r.stopped_at.map(|at| format!("{} ago", format::age(at, now))).unwrap_or_else(|| "–".into())}
            </td>
            <td class="wrap">{r.outcome_words()}</td>
        </tr>
    }
}

#[component]
pub fn ScheduledTasksCard(source: Sourced<ScheduledTasksPanel>) -> impl IntoView {
    let now = use_live_feed().now.get_untracked();
    let since = now - chrono::Duration::hours(24);
    let level = source.value.as_ref().map_or(Level::Unknown, |p| {
        if p.failed_since(since).is_empty() {
            Level::Ok
        } else {
            Level::Critical
        }
    });
    let word = match level {
        Level::Ok => "no failed run",
        Level::Critical => "a run failed",
        _ => "not read yet",
    };
    let body = source.value.clone().map(|p| {
        let families = p.families.join(", ");
        if p.runs.is_empty() {
            return view! {
                <p class="muted">{format!("No run of {families} in the last 24 hours.")}</p>
            }
            .into_any();
        }
        view! {
            <p class="muted">{format!("Runs of {families} in the last 24 hours, as ECS reported them (it keeps a stopped task for about an hour; opsdeck remembers the day).")}</p>
            <div class="table-wrap">
                <table class="compact task-runs">
                    <thead><tr><th>"result"</th><th>"family"</th><th>"task"</th><th>"stopped"</th><th>"exit"</th></tr></thead>
                    <tbody>{p.runs.iter().map(|r| row(r, now)).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    });
    view! {
        <section class=format!("panel cloud-panel {}", level.css()) data-panel="scheduled" id="scheduled">
            <SourceHead title="Scheduled tasks (ECS)" source=source.clone() level console_url=None badge_word=word />
            {match body {
                Some(b) => b,
                None => view! { <p class="muted">"Waiting for the first answer from ECS."</p> }.into_any(),
            }}
        </section>
    }
}
