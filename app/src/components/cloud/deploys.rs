//! Deploys through GitHub Actions: the last runs with status, commit, who and how long; the last
//! known good version; for prod, whether each commit was deployed to dev first; and runs waiting
//! at the approval gate with the live evidence beside Approve and Reject.

use super::gate::GateCard;
use super::SourceHead;
use crate::components::live::use_live_feed;
use crate::domain::deploys::{DeployRun, DeploysPanel, ReviewAbility};
use crate::domain::evidence::EnvEvidence;
use crate::domain::{format, Level, Sourced};
use leptos::prelude::*;

fn run_state(r: &DeployRun) -> impl IntoView {
    let level = r.level();
    view! {
        <span class=format!("run-state {}", level.css())>
            <span aria-hidden="true">{match level { Level::Unknown if r.status != "completed" => "◔", l => l.icon() }}</span>
            " " {r.state_words()}
        </span>
    }
}

#[component]
fn RunRow(
    run: DeployRun,
    tested: Option<bool>,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let duration = format::age(now - run.duration(now), now);
    view! {
        <tr data-run=run.id.to_string()>
            <td>{run_state(&run)}</td>
            <td><a href=run.html_url.clone() target="_blank" rel="noopener noreferrer">{format!("#{}", run.run_number)}</a></td>
            <td class="mono" title=run.head_sha.clone()>{run.version_label()}</td>
            <td class="run-message">{run.message.clone().unwrap_or_default()}</td>
            <td>{run.actor.clone().unwrap_or_else(|| "–".into())}</td>
            <td title=format::datetime(run.created_at)>{format!("{} ago", format::age(run.created_at, now))}</td>
            <td>{duration}</td>
            {tested.map(|t| view! {
                <td class=if t { "lvl-ok-text" } else { "lvl-warning-text" }>
                    {if t { "✔ dev first" } else { "▲ not in dev" }}
                </td>
            })}
        </tr>
    }
}

#[component]
pub fn DeploysCard(
    env: String,
    source: Memo<Option<Sourced<DeploysPanel>>>,
    evidence: Vec<EnvEvidence>,
    review: ReviewAbility,
) -> impl IntoView {
    let feed = use_live_feed();
    let panel = move || source.get().and_then(|s| s.value);
    // One card per waiting run, kept across polls (keyed by run id) so a comment being typed
    // survives every update of the panel around it.
    let gates = move || {
        panel()
            .map(|p| {
                p.gates
                    .iter()
                    .map(|g| {
                        let rollback = p.last_known_good().map(|r| {
                            format!(
                                "{} {}",
                                r.version_label(),
                                r.message.clone().unwrap_or_default()
                            )
                        });
                        (g.clone(), p.was_tested_in_dev(&g.run), rollback)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let head = move || {
        let s = source.get()?;
        let level = s.value.as_ref().map_or(Level::Unknown, DeploysPanel::level);
        let console = s.value.as_ref().map(|p| p.workflow_url.clone());
        Some(
            view! { <SourceHead title="Deploys (GitHub Actions)" source=s level console_url=console link_label="GitHub Actions ↗" /> },
        )
    };
    let class = move || {
        let level = panel().as_ref().map_or(Level::Unknown, DeploysPanel::level);
        format!("panel cloud-panel {}", level.css())
    };
    let body = move || {
        let now = feed.now.get_untracked();
        let Some(p) = panel() else {
            return view! { <p class="muted">"Waiting for the first answer from GitHub."</p> }
                .into_any();
        };
        let with_dev = p.tested_in_dev.is_some();
        let rows = p
            .runs
            .iter()
            .map(|r| view! { <RunRow run=r.clone() tested=p.was_tested_in_dev(r) now /> })
            .collect_view();
        let current = p.current().cloned();
        let good = p.last_known_good().cloned();
        let rate = p.rate.map(|r| {
            format!(
                "GitHub budget: {} of {} requests left this hour (resets at {})",
                r.remaining,
                r.limit,
                format::clock(r.reset_at)
            )
        });
        let describe = |r: &DeployRun| {
            format!(
                "{} ({})",
                r.version_label(),
                r.message.clone().unwrap_or_default()
            )
        };
        view! {
            <dl class="facts">
                <div><dt>"workflow"</dt><dd>{p.workflow.clone()}</dd></div>
                <div><dt>"deployed now"</dt><dd class="mono">{current.as_ref().map(describe).unwrap_or_else(|| "–".into())}</dd></div>
                <div><dt>"last known good"</dt><dd class="mono" data-last-known-good=good.as_ref().map(|r| r.head_sha.clone()).unwrap_or_default()>{good.as_ref().map(describe).unwrap_or_else(|| "–".into())}</dd></div>
            </dl>
            <div class="table-wrap">
                <table class="compact runs">
                    <thead><tr>
                        <th>"status"</th><th>"run"</th><th>"commit"</th><th>"message"</th><th>"by"</th><th>"started"</th><th>"took"</th>
                        {with_dev.then(|| view! { <th>"dev first"</th> })}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {rate.map(|r| view! { <p class="note">{r}</p> })}
        }
        .into_any()
    };
    view! {
        <section class=class data-panel="deploys">
            {head}
            <For
                each=gates
                key=|(g, _, _)| g.run.id
                children=move |(gate, tested, rollback)| {
                    let now = feed.now.get_untracked();
                    view! { <GateCard env=env.clone() gate tested rollback evidence=evidence.clone() review=review.clone() now /> }
                }
            />
            {body}
        </section>
    }
}
