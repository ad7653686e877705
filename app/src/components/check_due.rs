//! "Nobody has signed off the morning check": on the dashboard, for the people who may sign it,
//! from the live stream, so it appears at the due time and goes when someone signs.

use super::live::use_live_feed;
use leptos::prelude::*;

#[component]
pub fn CheckDueNotice() -> impl IntoView {
    let feed = use_live_feed();
    let may_sign = move || {
        super::session::current_session()
            .is_some_and(|s| s.principal.has(crate::domain::Role::Operator))
    };
    move || {
        let due = feed
            .incidents
            .get()
            .map(|l| l.checks_due)
            .unwrap_or_default();
        (may_sign() && !due.is_empty()).then(|| {
            due.into_iter()
                .map(|c| {
                    view! {
                        <p class="check-due" role="status" data-check-due=c.kind.clone()>
                            <span aria-hidden="true">"▲ "</span>
                            {format!("Nobody has signed off today's {} check (due {}).", c.kind, c.due_words)}
                            " " <a href=c.href.clone()>{format!("Open the {} check →", c.kind)}</a>
                        </p>
                    }
                })
                .collect_view()
        })
    }
}
