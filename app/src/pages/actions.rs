//! `/actions`: the actions catalogue per environment (request with a reason) and the requests —
//! those waiting for approval first (the approvals inbox), then the history.

use super::ErrorPanel;
use crate::api::{get_actions, ActionsPage, RequestAction};
use crate::components::{live::use_live_feed, Header};
use crate::domain::actions::{ActionKind, RequestView, State};
use crate::domain::format;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActionsPageView() -> impl IntoView {
    let request = ServerAction::<RequestAction>::new();
    let data = Resource::new(move || request.version().get(), |_| get_actions());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — actions" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page"><Actions page request /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Actions(page: ActionsPage, request: ServerAction<RequestAction>) -> impl IntoView {
    let (waiting, done): (Vec<RequestView>, Vec<RequestView>) =
        page.requests.iter().cloned().partition(|r| {
            matches!(
                r.state,
                State::Pending | State::Approved | State::Executing | State::OutcomeUnknown
            )
        });
    let created = move || {
        request.value().get().map(|r| match r {
            Ok(id) => view! { <p class="verdict lvl-ok-text" role="status">"✔ Requested: " <a href=format!("/requests/{id}")>{format!("request {id}")}</a> " — waiting for an approver."</p> }.into_any(),
            Err(e) => view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }.into_any(),
        })
    };
    // A link from elsewhere (the incident room's "Roll back", the database page's "Terminate")
    // may fill a form in: `?kind=rollback&env=prod&version=…&reason=…`, `?kind=…&pid=…`.
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let asked = |kind: ActionKind, key: &str| {
        (query.get("kind").as_deref() == Some(kind.as_str()))
            .then(|| query.get(key))
            .flatten()
    };
    let catalogue = page.viewer_can_request.then(|| {
        let forms = ActionKind::ALL
            .into_iter()
            // Session actions only where a connection may signal sessions.
            .filter(|kind| !kind.is_db_session() || !page.session_actions.is_empty())
            .map(|kind| {
                let envs = if kind.is_db_session() {
                    page.session_actions.clone()
                } else {
                    page.environments.clone()
                };
                let policy = page.policies.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p).unwrap_or_else(|| crate::domain::actions::Policy::default_for(kind));
                let rule = format!(
                    "{} approval{} by someone else{}; expires after {} min",
                    policy.approvals,
                    if policy.approvals == 1 { "" } else { "s" },
                    if policy.break_glass { ", or one approver alone in an emergency (break glass)" } else { "" },
                    policy.expires_after_s / 60
                );
                let chosen_env = asked(kind, "env").filter(|e| envs.iter().any(|x| x.as_str() == e));
                let env_options = envs.iter().map(|e| {
                    let chosen = chosen_env.as_deref() == Some(e.as_str());
                    view! { <option value=e.to_string() selected=chosen>{e.to_string()}</option> }
                }).collect_view();
                let given_version = asked(kind, "version");
                let given_reason = asked(kind, "reason").unwrap_or_default();
                let goods = page
                    .last_known_good
                    .iter()
                    .map(|g| format!("{}: {} ({})", g.env, g.label, g.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                // The rollback's version follows the environment chosen (its last known good);
                // as an attribute, so it is there without wasm and stops following once edited.
                let selected = RwSignal::new(
                    chosen_env
                        .clone()
                        .or_else(|| envs.first().map(|e| e.to_string()))
                        .unwrap_or_default(),
                );
                let page_for_version = page.clone();
                let version = move || {
                    given_version.clone().unwrap_or_else(|| {
                        page_for_version
                            .last_known_good(&selected.get())
                            .map(|g| g.sha.clone())
                            .unwrap_or_default()
                    })
                };
                let extra = match kind {
                    ActionKind::Rollback => view! {
                        <label>"Version (tag or sha)" <input type="text" name="version" value=version required /></label>
                        {(!goods.is_empty()).then(|| view! { <p class="note wide">"Last known good — " {goods}</p> })}
                    }.into_any(),
                    ActionKind::Scale => view! { <label>{format!("Tasks (1–{})", page.max_tasks)} <input type="number" name="count" min="1" max=page.max_tasks.to_string() required /></label> }.into_any(),
                    ActionKind::Restore => view! {
                        <label>"Snapshot" <input type="text" name="snapshot" required /></label>
                        <label>"New instance name" <input type="text" name="new_instance" required /></label>
                    }.into_any(),
                    ActionKind::CancelQuery | ActionKind::TerminateConnection => view! {
                        <label>"Session (pid)" <input type="number" name="pid" min="1" required value=asked(kind, "pid").unwrap_or_default() /></label>
                        <p class="note wide">"The session's user, application, query and connection time are read when you ask, and shown to approvers; it is sent only to that session."</p>
                    }.into_any(),
                    _ => ().into_any(),
                };
                view! {
                    <article class="action-card" data-kind=kind.as_str() id=kind.as_str().replace('_', "-")>
                        <h3>{kind.label()}</h3>
                        <p class="muted">{kind.explains()}</p>
                        <p class="note">{rule}</p>
                        <ActionForm action=request attr:class="action-form">
                            <input type="hidden" name="kind" value=kind.as_str() />
                            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                            <label>"Environment" <select name="env" on:change=move |ev| selected.set(event_target_value(&ev))>{env_options}</select></label>
                            {extra}
                            <label class="wide">"Reason (required, kept in the audit log)" <input type="text" name="reason" required maxlength="2000" value=given_reason /></label>
                            <button type="submit" class="btn" data-request=kind.as_str()>"Request"</button>
                        </ActionForm>
                    </article>
                }
            })
            .collect_view();
        view! {
            <section class="panel">
                <h2>"Ask for an action"</h2>
                <div class="action-grid">{forms}</div>
            </section>
        }
    });
    let now = page.generated_at;
    view! {
        <h1>"Actions"</h1>
        {created}
        <section class="panel" data-list="inbox">
            <h2>{format!("Waiting or running ({})", waiting.len())}</h2>
            <RequestTable requests=waiting now />
        </section>
        {catalogue}
        {page.viewer_can_approve.then(|| view! { <crate::components::freeze::FreezePanel viewer_id=page.viewer_id /> })}
        <section class="panel" data-list="history">
            <h2>"History"</h2>
            <RequestTable requests=done now />
        </section>
    }
}

#[component]
pub fn RequestTable(
    requests: Vec<RequestView>,
    now: chrono::DateTime<chrono::Utc>,
) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p class="muted">"None."</p> }.into_any();
    }
    let rows = requests
        .into_iter()
        .map(|r| {
            let level = r.state.level();
            view! {
                <tr data-request=r.id.to_string()>
                    <td><a href=format!("/requests/{}", r.id)>{format!("#{}", r.id)}</a></td>
                    <td>{r.env.to_string()}</td>
                    <td>{r.action.describe()}</td>
                    <td class=level.css()><span aria-hidden="true">{level.icon()}</span> " " {r.state.words()}{r.break_glass.then_some(" · break glass")}</td>
                    <td>{r.requester.clone()} <span class="muted">{format!("(#{})", r.requester_id)}</span></td>
                    <td title=format::datetime(r.requested_at)>{format!("{} ago", format::age(r.requested_at, now))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="compact">
                <thead><tr><th>"request"</th><th>"env"</th><th>"action"</th><th>"state"</th><th>"asked by"</th><th>"when"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The state as a badge-like word with icon, for the request page.
#[component]
pub fn StateBadge(state: State) -> impl IntoView {
    let level = state.level();
    view! { <span class=format!("badge {}", level.css())><span aria-hidden="true">{level.icon()}</span> " " {state.words()}</span> }
}
