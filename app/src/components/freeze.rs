//! Change freezes on screen: the banner every page and the wall show while one is on, and the
//! approvers' panel on `/actions` — declare one, end a declared one early, and review other
//! people's overrides of a freeze or the pre-deploy checklist.

use super::live::use_live_feed;
use super::outcome::outcome;
use crate::api::{get_overrides, DeclareFreeze, EndFreeze, ReviewOverride};
use crate::domain::format;
use crate::domain::routines::{FreezeKind, Override};
use leptos::prelude::*;

/// "❄ Change freeze until Mon 07 Dec 07:00 UTC (weekend): …" — live, on every page.
#[component]
pub fn FreezeBanner() -> impl IntoView {
    let feed = use_live_feed();
    move || {
        let f = feed.incidents.get()?.freeze?;
        Some(view! {
            <div class="freeze-banner" role="status" data-freeze="">
                <span aria-hidden="true">"❄ "</span>{f.words()}
            </div>
        })
    }
}

/// For approvers: the freeze in force (and Stop for a declared one), a form to declare one, and
/// the overrides waiting for someone else's review.
#[component]
pub fn FreezePanel(viewer_id: i64) -> impl IntoView {
    let feed = use_live_feed();
    let declare = ServerAction::<DeclareFreeze>::new();
    let end = ServerAction::<EndFreeze>::new();
    let review = ServerAction::<ReviewOverride>::new();
    let overrides = Resource::new(move || review.version().get(), |_| get_overrides());
    let current = move || {
        let live = feed.incidents.get();
        match live.and_then(|l| l.freeze) {
            None => view! { <p class="muted" data-freeze-state="off">"No change freeze now."</p> }
                .into_any(),
            Some(f) => {
                let stop = match f.kind.clone() {
                    FreezeKind::Declared { id, .. } => Some(view! {
                        <ActionForm action=end attr:class="inline-form">
                            <input type="hidden" name="id" value=id.to_string() />
                            <input type="hidden" name="csrf_token" value=super::session::csrf_token() />
                            <button type="submit" class="btn" data-end-freeze="">"End the freeze now"</button>
                        </ActionForm>
                    }),
                    FreezeKind::Window { .. } => None,
                };
                view! {
                    <p class="freeze-now" data-freeze-state="on"><span aria-hidden="true">"❄ "</span>{f.words()}</p>
                    {stop}
                }
                .into_any()
            }
        }
    };
    let list = move || {
        Suspend::new(async move {
            match overrides.await {
                Ok(list) if list.is_empty() => {
                    view! { <p class="muted">"No overrides."</p> }.into_any()
                }
                Ok(list) => view! {
                    <ul class="overrides">
                        {list.into_iter().map(|o| view! { <OverrideRow o viewer_id review /> }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(e) => view! { <p class="problem">{e.to_string()}</p> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" id="freeze" data-panel="freeze">
            <h2>"Change freeze"</h2>
            {current}
            {move || outcome(end.value().get())}
            <details class="freeze-declare">
                <summary>"Declare a freeze…"</summary>
                <ActionForm action=declare attr:class="action-form">
                    <input type="hidden" name="csrf_token" value=super::session::csrf_token() />
                    <label class="wide">"Why (shown on every page and in refusals)"
                        <input type="text" name="reason" required maxlength="500" />
                    </label>
                    <label>"For"
                        <select name="hours">
                            <option value="1">"1 hour"</option>
                            <option value="4">"4 hours"</option>
                            <option value="12">"12 hours"</option>
                            <option value="24" selected>"24 hours"</option>
                            <option value="72">"3 days"</option>
                            <option value="168">"1 week"</option>
                        </select>
                    </label>
                    <button type="submit" class="btn" data-declare-freeze="">"❄ Freeze changes"</button>
                </ActionForm>
                {move || outcome(declare.value().get())}
            </details>
            <h3>"Overrides"</h3>
            <p class="note">"Approvals that went ahead against the pre-deploy checklist or a freeze. Someone other than the approver reviews each one."</p>
            {move || outcome(review.value().get())}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>{list}</Suspense>
        </section>
    }
}

#[component]
fn OverrideRow(o: Override, viewer_id: i64, review: ServerAction<ReviewOverride>) -> impl IntoView {
    let href = o.subject.href(&o.env);
    let state = match &o.reviewed {
        Some((who, at)) => view! {
            <span class="lvl-ok-text"><span aria-hidden="true">"✔ "</span>{format!("reviewed by {who} at {}", format::clock(*at))}</span>
        }
        .into_any(),
        None if o.by_id == viewer_id => view! {
            <span class="lvl-warning-text"><span aria-hidden="true">"▲ "</span>"waiting for someone else's review"</span>
        }
        .into_any(),
        None => view! {
            <ActionForm action=review attr:class="inline-form">
                <input type="hidden" name="id" value=o.id.to_string() />
                <input type="hidden" name="csrf_token" value=super::session::csrf_token() />
                <button type="submit" class="btn" data-review-override=o.id.to_string()>"Mark reviewed"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <li class="override" data-override=o.id.to_string()>
            <p>
                <b>{o.env.to_string()}</b> " · " <a href=href>{o.subject.describe()}</a>
                " · by " {o.by.clone()} <span class="muted">{format!(" (#{})", o.by_id)}</span>
                " at " {format::datetime(o.at)}
            </p>
            <p class="override-reason">"Reason: " {o.reason.clone()}</p>
            <ul class="override-what">{o.what.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
            {state}
        </li>
    }
}
