//! The ECS service: running against desired, rollouts, the last service events, the tasks and
//! the task definition revision with its image tag.

use super::SourceHead;
use crate::components::live::use_live_feed;
use crate::domain::cloud::{EcsPanel, Sourced};
use crate::domain::{format, Level};
use leptos::prelude::*;

fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(format::datetime).unwrap_or_else(|| "–".into())
}

#[component]
pub fn EcsCard(source: Sourced<EcsPanel>) -> impl IntoView {
    let feed = use_live_feed();
    let level = source
        .value
        .as_ref()
        .map_or(Level::Unknown, EcsPanel::level);
    let console = source.value.as_ref().map(|p| p.console_url.clone());
    let body = source.value.clone().map(|p| {
        let td = p.task_definition.clone();
        let rolling = p.rolling_out();
        let deployments = p
            .deployments
            .iter()
            .map(|d| {
                let state = d.rollout_state.clone().unwrap_or_else(|| "–".into());
                let cls = match state.as_str() {
                    "FAILED" => "lvl-critical-text",
                    "IN_PROGRESS" => "lvl-warning-text",
                    _ => "",
                };
                view! {
                    <tr>
                        <td>{d.status.clone()}</td>
                        <td class=cls title=d.rollout_reason.clone().unwrap_or_default()>{state}</td>
                        <td class="mono">{d.task_definition.clone()}</td>
                        <td>{format!("{}/{}", d.running, d.desired)}{(d.pending > 0).then(|| format!(" ({} pending)", d.pending))}{(d.failed > 0).then(|| format!(" · {} failed", d.failed))}</td>
                        <td title=when(d.updated_at)>{d.updated_at.or(d.created_at).map(|at| format::age(at, feed.now.get_untracked()) + " ago").unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        let tasks = p
            .tasks
            .iter()
            .map(|t| {
                let health = t.health.clone().unwrap_or_else(|| "–".into());
                let hcls = match health.as_str() {
                    "UNHEALTHY" => "lvl-critical-text",
                    "HEALTHY" => "lvl-ok-text",
                    _ => "",
                };
                let short: String = t.id.chars().take(8).collect();
                view! {
                    <tr>
                        <td class="mono"><a href=t.console_url.clone() target="_blank" rel="noopener noreferrer" title=t.id.clone()>{short}</a></td>
                        <td>{t.last_status.clone()}{(t.desired_status != t.last_status).then(|| format!(" → {}", t.desired_status))}</td>
                        <td class=hcls>{health}</td>
                        <td title=when(t.started_at)>{t.started_at.map(format::clock).unwrap_or_else(|| "–".into())}</td>
                        <td class="mono">{t.task_definition.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        let events = p
            .events
            .iter()
            .map(|e| {
                view! {
                    <li>
                        <time class="mono" title=when(e.at)>{e.at.map(format::clock).unwrap_or_default()}</time>
                        " " <span>{e.message.clone()}</span>
                    </li>
                }
            })
            .collect_view();
        let no_tasks = p.tasks.is_empty();
        let no_events = p.events.is_empty();
        view! {
            <dl class="facts">
                <div><dt>"service"</dt><dd class="mono">{p.service.clone()}</dd></div>
                <div><dt>"status"</dt><dd>{p.status.clone()}</dd></div>
                <div><dt>"running / desired"</dt><dd class="big-figure">{format!("{} / {}", p.running, p.desired)}</dd></div>
                <div><dt>"pending"</dt><dd>{p.pending}</dd></div>
                <div>
                    <dt>"task definition"</dt>
                    <dd class="mono">{td.as_ref().map(|t| view! {
                        <a href=t.console_url.clone() target="_blank" rel="noopener noreferrer">{format!("{}:{}", t.family, t.revision)}</a>
                    })}</dd>
                </div>
                <div><dt>"image tag"</dt><dd class="mono">{td.as_ref().and_then(|t| t.image_tag().map(str::to_owned)).unwrap_or_else(|| "–".into())}</dd></div>
            </dl>
            {rolling.then(|| view! { <p class="note"><span aria-hidden="true">"↻ "</span>"A rollout is in progress."</p> })}
            <h3>"Deployments"</h3>
            <div class="table-wrap">
                <table class="compact">
                    <thead><tr><th>"status"</th><th>"rollout"</th><th>"task definition"</th><th>"running"</th><th>"updated"</th></tr></thead>
                    <tbody>{deployments}</tbody>
                </table>
            </div>
            <h3>"Tasks"</h3>
            {if no_tasks {
                view! { <p class="muted">"No tasks."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="compact">
                            <thead><tr><th>"task"</th><th>"last status"</th><th>"health"</th><th>"started"</th><th>"revision"</th></tr></thead>
                            <tbody>{tasks}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h3>"Last service events"</h3>
            {if no_events {
                view! { <p class="muted">"No events."</p> }.into_any()
            } else {
                view! { <ul class="events">{events}</ul> }.into_any()
            }}
        }
    });
    view! {
        <section class=format!("panel cloud-panel {}", level.css()) data-panel="ecs">
            <SourceHead title="ECS service" source=source.clone() level console_url=console />
            {match body {
                Some(b) => b.into_any(),
                None => view! { <p class="muted">"Waiting for the first answer from ECS."</p> }.into_any(),
            }}
        </section>
    }
}
