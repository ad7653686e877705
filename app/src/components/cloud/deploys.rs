//! Deploys through GitHub Actions: the last runs with status, commit, who and how long; the last
//! known good version; for prod, whether each commit was deployed to dev first; and runs waiting
//! at the approval gate with the live evidence beside Approve and Reject.

use super::SourceHead;
use crate::api::ReviewDeploy;
use crate::components::live::use_live_feed;
use crate::domain::deploys::{DeployRun, DeploysPanel, Gate, ReviewAbility};
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
            <td class="mono" title=run.head_sha.clone()>{run.short_sha().to_owned()}</td>
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

/// One environment's health and key metrics, by icon and word (also used on a request's page).
pub fn evidence_item(e: &EnvEvidence) -> impl IntoView {
    let metric =
        |label: &'static str, m: Option<(f64, Level)>, fmt: fn(f64) -> String| {
            m.map(|(v, l)| view! {
            <span class=format!("ev-metric {}", l.css())>
                " · " {label} " " <b>{fmt(v)}</b> " " <span aria-hidden="true">{l.icon()}</span>
            </span>
        })
        };
    view! {
        <li class=format!("evidence {}", e.level.css()) data-env=e.name.clone()>
            <b>{e.name.clone()}</b> " "
            <span aria-hidden="true">{e.level.icon()}</span> " " {e.level.word()}
            {metric("error rate", e.error_rate, |v| format!("{v:.2} %"))}
            {metric("response", e.response_time, format::millis)}
        </li>
    }
}

#[component]
fn EvidenceList(base: Vec<EnvEvidence>) -> impl IntoView {
    let feed = use_live_feed();
    move || {
        let updates = feed.updates.get();
        let clouds = feed.clouds.get();
        base.iter()
            .map(|b| {
                // Live figures once the stream has them; the rendered ones until then.
                let e = match updates.iter().find(|u| u.name.as_str() == b.name) {
                    Some(env) => {
                        EnvEvidence::of(env, clouds.iter().find(|c| c.name.as_str() == b.name))
                    }
                    None => b.clone(),
                };
                evidence_item(&e)
            })
            .collect_view()
    }
}

#[component]
fn GateCard(
    env: String,
    gate: Gate,
    tested: Option<bool>,
    evidence: Vec<EnvEvidence>,
    review: ReviewAbility,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let action = ServerAction::<ReviewDeploy>::new();
    let run = gate.run.clone();
    let environments = gate
        .pending
        .iter()
        .map(|p| {
            let timer =
                (p.wait_timer_min > 0).then(|| format!(", wait timer {} min", p.wait_timer_min));
            format!("{}{}", p.environment, timer.unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("; ");
    let reviewers = gate
        .pending
        .iter()
        .flat_map(|p| p.reviewers.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let changes = gate
        .changes
        .iter()
        .map(|c| view! {
            <li><span class="mono">{c.sha.chars().take(7).collect::<String>()}</span> " " {c.message.clone()}
                {c.author.clone().map(|a| view! { <span class="muted">" — " {a}</span> })}</li>
        })
        .collect_view();
    let outcome = move || {
        action.value().get().map(|r| match r {
            Ok(message) => {
                view! { <p class="verdict lvl-ok-text" role="status">"✔ " {message}</p> }.into_any()
            }
            Err(e) => view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }.into_any(),
        })
    };
    let forms = if review.can_review {
        let (env_a, env_r) = (env.clone(), env.clone());
        let id = run.id.to_string();
        let id2 = id.clone();
        view! {
            <div class="review-forms">
                <ActionForm action attr:class="review-approve">
                    <input type="hidden" name="env" value=env_a />
                    <input type="hidden" name="run_id" value=id />
                    <input type="hidden" name="decision" value="approve" />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <label>"Comment (optional)" <input type="text" name="comment" maxlength="1000" /></label>
                    <button type="submit" class="btn btn-approve" data-review="approve">"✔ Approve deploy"</button>
                </ActionForm>
                <details class="review-reject">
                    <summary>"Reject…"</summary>
                    <ActionForm action>
                        <input type="hidden" name="env" value=env_r />
                        <input type="hidden" name="run_id" value=id2 />
                        <input type="hidden" name="decision" value="reject" />
                        <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                        <label>"Why (sent to GitHub)" <input type="text" name="comment" required maxlength="1000" /></label>
                        <button type="submit" class="btn btn-reject" data-review="reject">"✖ Reject deploy"</button>
                    </ActionForm>
                </details>
            </div>
        }
        .into_any()
    } else {
        view! {
            <p class="note">
                {review.why_not.clone().unwrap_or_default()} " "
                <a href="/profile">"Your profile"</a>
            </p>
        }
        .into_any()
    };
    view! {
        <article class="gate" data-run=run.id.to_string()>
            <header class="gate-head">
                <h3><span aria-hidden="true">"▲ "</span>"Waiting for approval"</h3>
                <a href=run.html_url.clone() target="_blank" rel="noopener noreferrer">{format!("run #{} on GitHub ↗", run.run_number)}</a>
            </header>
            <p class="gate-what">
                <span class="mono">{run.short_sha().to_owned()}</span> " " {run.message.clone().unwrap_or_default()}
                " — by " {run.actor.clone().unwrap_or_else(|| "?".into())}
                ", waiting " {format::age(run.created_at, now)}
            </p>
            <dl class="facts">
                <div><dt>"environment"</dt><dd>{environments}</dd></div>
                <div class="wide"><dt>"required reviewers"</dt><dd>{if reviewers.is_empty() { "–".to_owned() } else { reviewers }}</dd></div>
                {tested.map(|t| view! {
                    <div><dt>"tested in dev first"</dt><dd class=if t { "lvl-ok-text" } else { "lvl-critical-text" }>{if t { "✔ yes" } else { "✖ no" }}</dd></div>
                })}
            </dl>
            <h4>"Now"</h4>
            <ul class="evidence-list"><EvidenceList base=evidence /></ul>
            <h4>
                {match gate.changes.len() {
                    1 => "What changes (1 commit)".to_owned(),
                    n => format!("What changes ({n} commits)"),
                }}
                {gate.compare_url.clone().map(|u| view! { " " <a href=u target="_blank" rel="noopener noreferrer">"compare ↗"</a> })}
            </h4>
            <ul class="changes">{changes}</ul>
            {forms}
            {outcome}
        </article>
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
                    .map(|g| (g.clone(), p.was_tested_in_dev(&g.run)))
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
                r.short_sha(),
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
                key=|(g, _)| g.run.id
                children=move |(gate, tested)| {
                    let now = feed.now.get_untracked();
                    view! { <GateCard env=env.clone() gate tested evidence=evidence.clone() review=review.clone() now /> }
                }
            />
            {body}
        </section>
    }
}
