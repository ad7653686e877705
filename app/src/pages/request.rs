//! `/requests/{id}`: one action request — what, why, by whom; the evidence when it was asked and
//! now, side by side; its timeline; and, for approvers who did not ask, Approve / Reject (and
//! break glass where the policy allows). An outcome nobody knows gets "Verify the real state",
//! then "Mark done" / "Mark failed" with what the person found.

use super::actions::StateBadge;
use super::ErrorPanel;
use crate::api::{
    get_request, DecideRequest, RequestPage, ResolveRequest, ReviewRequest, VerifyRequest,
};
use crate::components::{live::use_live_feed, Header};
use crate::domain::actions::State;
use crate::domain::evidence::EnvEvidence;
use crate::domain::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn RequestPageView() -> impl IntoView {
    let params = use_params_map();
    let decide = ServerAction::<DecideRequest>::new();
    let review = ServerAction::<ReviewRequest>::new();
    let verify = ServerAction::<VerifyRequest>::new();
    let resolve = ServerAction::<ResolveRequest>::new();
    let drill = ServerAction::<crate::api::RecordDrill>::new();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let data = Resource::new(
        move || {
            (
                id(),
                decide.version().get(),
                review.version().get(),
                resolve.version().get(),
                drill.version().get(),
            )
        },
        |(id, _, _, _, _)| get_request(id),
    );
    let feed = use_live_feed();
    // While it is approved or running, look again every two seconds so everyone watching sees the
    // outcome. Not while it waits: the page would re-render under an approver typing a comment.
    #[cfg(feature = "hydrate")]
    {
        use leptos::leptos_dom::helpers::set_interval;
        set_interval(
            move || {
                if let Some(Ok(p)) = data.get_untracked() {
                    if matches!(p.request.state, State::Approved | State::Executing) {
                        data.refetch();
                    }
                }
            },
            std::time::Duration::from_secs(2),
        );
    }
    // The live stream says when a request changes state (approved elsewhere, executing, done):
    // look again at once instead of on the next two-second poll.
    Effect::new(move |_| {
        let Some(live) = feed.in_flight.get() else {
            return;
        };
        if let Some(Ok(p)) = data.get_untracked() {
            let shown = p.request.state;
            let differs = match live.iter().find(|r| r.id == p.request.id) {
                Some(r) => r.state != shown,
                // Gone from the stream: it ended, unless the page already says so.
                None => matches!(shown, State::Pending | State::Approved | State::Executing),
            };
            if differs {
                data.refetch();
            }
        }
    });
    view! {
        <Title text=move || format!("opsdeck — request {}", id()) />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page narrow"><Request page decide review verify resolve drill_action=drill /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn evidence_list(items: &[EnvEvidence]) -> impl IntoView {
    items
        .iter()
        .map(crate::components::cloud::evidence_item)
        .collect_view()
}

#[component]
fn Request(
    page: RequestPage,
    decide: ServerAction<DecideRequest>,
    review: ServerAction<ReviewRequest>,
    verify: ServerAction<VerifyRequest>,
    resolve: ServerAction<ResolveRequest>,
    drill_action: ServerAction<crate::api::RecordDrill>,
) -> impl IntoView {
    let r = page.request.clone();
    let id = r.id.to_string();
    let own = r.requester_id == page.viewer_id;
    let timeline = r
        .timeline()
        .into_iter()
        .map(|(at, what)| view! { <li><time class="mono" title=format::datetime(at)>{format::clock(at)}</time> " " {what}</li> })
        .collect_view();
    let can_decide = page.viewer_can_approve && r.state == State::Pending;
    // During a change freeze anything but an emergency step needs an override reason.
    let feed = crate::components::live::use_live_feed();
    let kind = r.action.kind();
    let frozen = move || {
        feed.incidents
            .get()
            .and_then(|l| l.freeze)
            .filter(|_| !crate::domain::routines::freeze::allowed_during_freeze(kind))
    };
    let decision_forms = can_decide.then(|| {
        let (i1, i2, i3) = (id.clone(), id.clone(), id.clone());
        let self_note = (own && !r.policy.requester_may_approve)
            .then(|| view! { <p class="note">"You asked for this: someone else must approve it."</p> });
        view! {
            <section class="panel decide">
                <h2>"Decide"</h2>
                {self_note}
                <div class="review-forms">
                    <ActionForm action=decide attr:class="review-approve">
                        <input type="hidden" name="id" value=i1 />
                        <input type="hidden" name="decision" value="approve" />
                        <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                        {move || frozen().map(|f| view! {
                            <p class="note lvl-warning-text"><span aria-hidden="true">"❄ "</span>{f.words()}</p>
                            <label class="override-reason">
                                "Override the freeze because… (recorded, and reviewed by someone else)"
                                <input type="text" name="override_reason" required maxlength="500" />
                            </label>
                        })}
                        <label>"Comment" <input type="text" name="comment" maxlength="1000" /></label>
                        <button type="submit" class="btn btn-approve" data-decide="approve">"✔ Approve"</button>
                    </ActionForm>
                    <details class="review-reject">
                        <summary>"Reject…"</summary>
                        <ActionForm action=decide>
                            <input type="hidden" name="id" value=i2 />
                            <input type="hidden" name="decision" value="reject" />
                            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                            <label>"Why" <input type="text" name="comment" required maxlength="1000" /></label>
                            <button type="submit" class="btn btn-reject" data-decide="reject">"✖ Reject"</button>
                        </ActionForm>
                    </details>
                    {r.policy.break_glass.then(|| view! {
                        <details class="review-reject">
                            <summary>"Break glass…"</summary>
                            <ActionForm action=decide>
                                <input type="hidden" name="id" value=i3.clone() />
                                <input type="hidden" name="decision" value="break_glass" />
                                <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                                <label>"Emergency reason (it will be reviewed)" <input type="text" name="comment" required maxlength="1000" /></label>
                                <button type="submit" class="btn btn-reject" data-decide="break_glass">"Execute now, alone"</button>
                            </ActionForm>
                        </details>
                    })}
                </div>
            </section>
        }
    });
    let reviewed = r.review.clone().map(|rv| {
        view! { <p class="note">{format!("Break glass reviewed by {} (#{}) at {}.", rv.who, rv.user_id, format::datetime(rv.at))}</p> }
    });
    let review_form = (r.break_glass && r.review.is_none() && page.viewer_can_approve).then(|| {
        let i = id.clone();
        view! {
            <section class="panel">
                <h2>"Needs a second person's review"</h2>
                <p>"This was executed by one approver alone (break glass). Someone who neither asked for it nor broke the glass reviews it, once."</p>
                <ActionForm action=review>
                    <input type="hidden" name="id" value=i />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <button type="submit" class="btn" data-review-request="">"Mark as reviewed"</button>
                </ActionForm>
            </section>
        }
    });
    let verify_form = (r.state == State::OutcomeUnknown).then(|| {
        let (i, i2) = (id.clone(), id.clone());
        view! {
            <section class="panel" data-panel="verify">
                <h2>"Outcome unknown — verify"</h2>
                <p>"Nobody knows whether this happened (the answer above says why). It is never retried: look at the real state, then say what you found."</p>
                <ActionForm action=verify>
                    <input type="hidden" name="id" value=i />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <button type="submit" class="btn" data-verify="">"Verify the real state"</button>
                </ActionForm>
                {move || verify.value().get().map(|r| match r {
                    Ok(found) => view! { <p class="verdict">{found}</p> }.into_any(),
                    Err(e) => view! { <p class="problem">{e.to_string()}</p> }.into_any(),
                })}
                <ActionForm action=resolve attr:class="resolve-form">
                    <input type="hidden" name="id" value=i2 />
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <label>"What you found (required, kept in the audit log)" <input type="text" name="reason" required maxlength="1000" /></label>
                    <div class="review-forms">
                        <button type="submit" class="btn btn-approve" name="outcome" value="done" data-resolve="done">"✔ It happened: mark done"</button>
                        <button type="submit" class="btn btn-reject" name="outcome" value="failed" data-resolve="failed">"✖ It did not: mark failed"</button>
                    </div>
                </ActionForm>
            </section>
        }
    });
    let outcome = move || {
        let answer = decide
            .value()
            .get()
            .or_else(|| review.value().get())
            .or_else(|| resolve.value().get());
        crate::components::outcome::outcome(answer)
    };
    let is_restore_done = r.state == State::Succeeded
        && matches!(r.action, crate::domain::actions::Action::Restore { .. });
    let checklist = is_restore_done.then(|| view! {
        <section class="panel">
            <h2>"Next steps (runbook)"</h2>
            <ol>
                <li>"Wait until the new instance is available."</li>
                <li>"Point the application at it (a configuration change, deployed)."</li>
                <li>"Verify the data: row counts, the latest records, the application's health."</li>
                <li>"Switch traffic over; keep the old instance until the new one is confirmed."</li>
            </ol>
        </section>
    });
    // A restore lists what it will send, so approvers approve exactly that.
    let restore_settings = match &r.action {
        crate::domain::actions::Action::Restore {
            copy: Some(copy), ..
        } => {
            let rows = copy
                .settings()
                .into_iter()
                .map(|(what, value)| view! { <dt>{what}</dt><dd class="mono wrap">{value}</dd> })
                .collect_view();
            Some(view! {
                <section class="panel" data-panel="restore-settings">
                    <h2>"What the new database gets"</h2>
                    <dl class="settings-list">{rows}</dl>
                </section>
            })
        }
        _ => None,
    };
    // A session action shows the session it reaches: only that one, connected at that moment.
    let session_facts = r.action.db_session().map(|session| {
        let rows = session
            .facts()
            .into_iter()
            .map(|(what, value)| view! { <dt>{what}</dt><dd class="mono wrap">{value}</dd> })
            .collect_view();
        view! {
            <section class="panel" data-panel="db-session">
                <h2>"The database session"</h2>
                <dl class="settings-list">{rows}</dl>
                <p class="note">"Sent only to this pid while it is the session that connected at that moment: if it has ended, nothing is sent."</p>
            </section>
        }
    });
    view! {
        <h1 class="wrap">{format!("Request {} — {}", r.id, match (&r.action, &page.version_label) {
            (crate::domain::actions::Action::Rollback { .. }, Some(label)) => format!("Roll back to {label}"),
            _ => r.action.describe(),
        })}</h1>
        <p class="request-head"><StateBadge state=r.state /> " on " <b>{r.env.to_string()}</b> " · asked by " {format!("{} (#{})", r.requester, r.requester_id)} " · " {format::datetime(r.requested_at)}</p>
        {outcome}
        <section class="panel">
            <h2>"Why"</h2>
            <p class="reason">{r.reason.clone()}</p>
            <p class="note">{format!(
                "{} of {} approval(s){}; expires at {}",
                r.approvals(),
                r.policy.approvals,
                if r.break_glass { " — executed by break glass" } else { "" },
                format::datetime(r.expires_at())
            )}</p>
            {r.result.clone().map(|res| view! { <p class="verdict">{res}</p> })}
        </section>
        {restore_settings}
        {session_facts}
        {decision_forms}
        {verify_form}
        {reviewed}
        {review_form}
        {checklist}
        {is_restore_done.then(|| view! {
            <crate::components::drill::DrillPanel
                request_id=r.id
                drill=page.drill.clone()
                can_record=page.viewer_can_record_drill
                action=drill_action
            />
        })}
        <section class="panel evidence-compare">
            <div><h2>"When asked"</h2><ul class="evidence-list">{evidence_list(&r.evidence)}</ul></div>
            <div><h2>"Now"</h2><ul class="evidence-list">{evidence_list(&page.evidence_now)}</ul></div>
        </section>
        <section class="panel">
            <h2>"Timeline"</h2>
            <ul class="events">{timeline}</ul>
        </section>
    }
}
