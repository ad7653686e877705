//! `/checks/morning`: the runbook's morning check, each item with its evidence and where it comes
//! from, today's sign-off ("checked by Alice at 08:57") or the form to sign it, and the history.

use super::ErrorPanel;
use crate::api::{get_morning_check, SignOffMorning};
use crate::components::{live::use_live_feed, Header};
use crate::domain::format;
use crate::domain::routines::morning::{MorningCheck, RoutineItem, SignOff};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MorningCheckPage() -> impl IntoView {
    let sign = ServerAction::<SignOffMorning>::new();
    let data = Resource::new(move || sign.version().get(), |_| get_morning_check());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — morning check" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page"><Morning page sign /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub(super) fn item_row(i: &RoutineItem) -> impl IntoView {
    let level = i.level();
    view! {
        <li class=format!("check {}", level.css()) data-item=i.key.clone() data-state=i.word()>
            <span class="check-state"><span aria-hidden="true">{level.icon()}</span> " " {i.word()}</span>
            <a class="check-label" href=i.href.clone()>{i.label.clone()}</a>
            <span class="check-evidence">{i.evidence.clone()}</span>
        </li>
    }
}

#[component]
fn Morning(page: MorningCheck, sign: ServerAction<SignOffMorning>) -> impl IntoView {
    let failing = page
        .items
        .iter()
        .filter(|i| i.level() == crate::domain::Level::Critical)
        .count();
    let today = page.signed_today().cloned();
    let status = match &today {
        Some(s) => view! {
            <p class="signed lvl-ok-text" data-signed-off="">
                <span aria-hidden="true">"✔ "</span>
                {format!("Checked by {} at {}", s.by, format::clock(s.at))}
                {(!s.note.is_empty()).then(|| format!(" — {}", s.note))}
            </p>
        }
        .into_any(),
        None => {
            let due = page
                .due_words
                .clone()
                .map(|d| {
                    format!(
                        " It is due by {d}{}.",
                        if page.overdue {
                            " — that time has passed"
                        } else {
                            ""
                        }
                    )
                })
                .unwrap_or_default();
            view! {
                <p class="lvl-warning-text" data-signed-off="no" data-overdue=page.overdue.to_string()>
                    <span aria-hidden="true">"▲ "</span>"Nobody has signed off today's morning check yet." {due}
                </p>
            }
            .into_any()
        }
    };
    let form = page.viewer_can_sign.then(|| view! {
        <ActionForm action=sign attr:class="action-form signoff-form">
            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
            <label class="wide">"Note (optional: what you looked at, what you did about a failing item)"
                <input type="text" name="note" maxlength="500" />
            </label>
            <button type="submit" class="btn btn-approve" data-sign-off="morning">"✔ Sign off the morning check"</button>
        </ActionForm>
    });
    // A sign-off reloads the page, which then says who checked: only a refusal needs saying.
    let outcome = move || {
        sign.value().get().and_then(Result::err).map(|e| {
            view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }
        })
    };
    let history = history(&page.signoffs);
    view! {
        <h1>"Morning check" <a class="h1-aside" href="/checks/weekly">"Weekly check →"</a></h1>
        <section class="panel" data-panel="morning">
            <h2>{match failing { 0 => "Every item that opsdeck can evaluate passes".to_owned(), 1 => "1 item fails".to_owned(), n => format!("{n} items fail") }}</h2>
            <ul class="checklist">{page.items.iter().map(item_row).collect_view()}</ul>
            <p class="note">{format!("Evaluated at {} from the live state.", format::clock(page.generated_at))}</p>
        </section>
        <section class="panel">
            <h2>"Sign-off"</h2>
            {status}
            {form}
            {outcome}
        </section>
        {history}
    }
}

/// Who signed a check off, when, how many items failed then, and their note.
pub(super) fn history(signoffs: &[SignOff]) -> impl IntoView {
    let rows = signoffs
        .iter()
        .map(|s| view! {
            <tr>
                <td title=format::datetime(s.at)>{s.at.format("%a %d %b %H:%M UTC").to_string()}</td>
                <td>{s.by.clone()} <span class="muted">{format!(" (#{})", s.by_id)}</span></td>
                <td>{match s.failing() { 0 => "all passing".to_owned(), 1 => "1 failing".to_owned(), n => format!("{n} failing") }}</td>
                <td class="run-message">{s.note.clone()}</td>
            </tr>
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>"History"</h2>
            <div class="table-wrap">
                <table class="compact">
                    <thead><tr><th>"when"</th><th>"who"</th><th>"items"</th><th>"note"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
