//! A run waiting at the approval gate: what it would deploy, the pre-deploy checklist evaluated
//! live (Approve stays disabled until it passes, or an override reason is given), the evidence of
//! every environment now, and Approve / Reject as the signed-in approver.

use crate::api::ReviewDeploy;
use crate::components::live::use_live_feed;
use crate::domain::deploys::{Gate, ReviewAbility};
use crate::domain::evidence::EnvEvidence;
use crate::domain::routines::{CheckItem, CheckState, Checklist, GateFacts};
use crate::domain::{format, Level};
use leptos::prelude::*;

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

/// The pre-deploy checklist of one waiting run, evaluated live from the stream (health, open
/// incidents, the freeze) with what the panel knows (tested first, rollback target, migrations).
fn live_checklist(
    env: String,
    gate: &Gate,
    tested: Option<bool>,
    rollback: Option<String>,
    evidence: &[EnvEvidence],
    review: &ReviewAbility,
    ticked: RwSignal<bool>,
) -> Memo<Checklist> {
    let feed = use_live_feed();
    let base_level = evidence
        .iter()
        .find(|e| e.name == env)
        .map_or(Level::Unknown, |e| e.level);
    let (settings, first, files) = (
        review.gate.clone(),
        review.tested_first_in.clone(),
        gate.migration_files.clone(),
    );
    Memo::new(move |_| {
        let live = feed.incidents.get().unwrap_or_default();
        let level = feed
            .updates
            .get()
            .iter()
            .find(|u| u.name.as_str() == env)
            .map_or(base_level, |u| u.level);
        let facts = GateFacts {
            target: env.clone(),
            tested_first_in: first.clone(),
            tested_first: tested,
            open_incidents: live
                .open
                .iter()
                .filter(|l| l.incident.concerns(&env))
                .map(|l| (l.incident.id, l.incident.title.clone()))
                .collect(),
            freeze: live.freeze,
            target_level: level,
            rollback_target: rollback.clone(),
            migration_files: files.clone(),
            migrations_reviewed: ticked.get(),
        };
        Checklist::evaluate(&facts, &settings)
    })
}

fn check_item(i: &CheckItem) -> impl IntoView {
    let level = i.level();
    let word = match i.state {
        CheckState::Pass => "pass",
        CheckState::Fail if i.required => "fails",
        CheckState::Fail => "advisory",
        CheckState::NotApplicable => "n/a",
    };
    view! {
        <li class=format!("check {}", level.css()) data-check=i.key.clone() data-state=word>
            <span class="check-state"><span aria-hidden="true">{level.icon()}</span> " " {word}</span>
            <span class="check-label">{i.label.clone()}</span>
            <span class="check-evidence">{i.evidence.clone()}</span>
        </li>
    }
}

#[component]
pub(super) fn GateCard(
    env: String,
    gate: Gate,
    tested: Option<bool>,
    rollback: Option<String>,
    evidence: Vec<EnvEvidence>,
    review: ReviewAbility,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    let action = ServerAction::<ReviewDeploy>::new();
    let ticked = RwSignal::new(false);
    let override_reason = RwSignal::new(String::new());
    let checklist = live_checklist(
        env.clone(),
        &gate,
        tested,
        rollback,
        &evidence,
        &review,
        ticked,
    );
    let has_migrations = !gate.migration_files.is_empty();
    // Required items other than the migrations box fail: only an override lets Approve through.
    let needs_override = move || {
        checklist
            .get()
            .items
            .iter()
            .any(|i| i.key != "migrations" && i.required && i.state == CheckState::Fail)
    };
    let blocked = move || {
        let reason = override_reason.get();
        let reason = reason.trim();
        checklist
            .get()
            .admit_approval((!reason.is_empty()).then_some(reason))
            .is_err()
    };
    let items = move || checklist.get().items.iter().map(check_item).collect_view();
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
    let outcome = move || crate::components::outcome::outcome(action.value().get());
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
                    {has_migrations.then(|| view! {
                        <label class="tick">
                            <input type="checkbox" name="migrations_reviewed" value="on"
                                on:change=move |ev| ticked.set(event_target_checked(&ev)) />
                            " I read the migrations this deploy changes"
                        </label>
                    })}
                    {move || needs_override().then(|| view! {
                        <label class="override-reason">
                            "Override: approve although the checklist fails, because… (recorded, and reviewed by someone else)"
                            <input type="text" name="override_reason" maxlength="500"
                                prop:value=move || override_reason.get_untracked()
                                on:input=move |ev| override_reason.set(event_target_value(&ev)) />
                        </label>
                    })}
                    <label>"Comment (optional)" <input type="text" name="comment" maxlength="1000" /></label>
                    <button type="submit" class="btn btn-approve" data-review="approve" disabled=blocked>
                        {move || if needs_override() { "✔ Approve with override" } else { "✔ Approve deploy" }}
                    </button>
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
        <article class="gate" id=format!("gate-{}", run.id) data-run=run.id.to_string()>
            <header class="gate-head">
                <h3><span aria-hidden="true">"▲ "</span>"Waiting for approval"</h3>
                <a href=run.html_url.clone() target="_blank" rel="noopener noreferrer">{format!("run #{} on GitHub ↗", run.run_number)}</a>
            </header>
            <p class="gate-what">
                <span class="mono">{run.version_label()}</span> " " {run.message.clone().unwrap_or_default()}
                " — by " {run.actor.clone().unwrap_or_else(|| "?".into())}
                ", waiting " {format::age(run.created_at, now)}
            </p>
            <dl class="facts">
                <div><dt>"environment"</dt><dd>{environments}</dd></div>
                <div class="wide"><dt>"required reviewers"</dt><dd>{if reviewers.is_empty() { "–".to_owned() } else { reviewers }}</dd></div>
            </dl>
            <h4>"Before approving"</h4>
            <ul class="checklist" data-checklist="">{items}</ul>
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
