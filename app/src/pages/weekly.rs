//! `/checks/weekly`: the maintenance window, the weekly items opsdeck judges itself (the week's
//! error rate and response time against the week before, the backup history, a recent restore
//! drill), the ones a person ticks, this week's sign-off or the form, the drills and the history.

use super::checks::{history, item_row};
use super::ErrorPanel;
use crate::api::{get_weekly_check, SignOffWeekly};
use crate::components::{live::use_live_feed, Header};
use crate::domain::format;
use crate::domain::routines::WeeklyCheck;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WeeklyCheckPage() -> impl IntoView {
    let sign = ServerAction::<SignOffWeekly>::new();
    let data = Resource::new(move || sign.version().get(), |_| get_weekly_check());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — weekly check" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page"><Weekly page sign /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Weekly(page: WeeklyCheck, sign: ServerAction<SignOffWeekly>) -> impl IntoView {
    let failing = page
        .items
        .iter()
        .filter(|i| i.level() == crate::domain::Level::Critical)
        .count();
    let status = match page.signed_this_week().cloned() {
        Some(s) => {
            let ticked = s.items.iter().filter(|i| i.key.starts_with("manual_")).filter(|i| i.word() == "pass").count();
            let manual = s.items.iter().filter(|i| i.key.starts_with("manual_")).count();
            view! {
                <p class="signed lvl-ok-text" data-signed-off="">
                    <span aria-hidden="true">"✔ "</span>
                    {format!("Checked by {} on {} ({ticked} of {manual} manual items ticked)", s.by, s.at.format("%a %d %b %H:%M UTC"))}
                    {(!s.note.is_empty()).then(|| format!(" — {}", s.note))}
                </p>
            }
            .into_any()
        }
        None => view! {
            <p class="lvl-warning-text" data-signed-off="no"><span aria-hidden="true">"▲ "</span>"Nobody has signed off this week's check yet."</p>
        }
        .into_any(),
    };
    let boxes = page
        .manual
        .iter()
        .enumerate()
        .map(|(i, label)| {
            view! {
                <label class="tick">
                    <input type="checkbox" name=format!("done[{i}]") value=i.to_string() />
                    " " {label.clone()}
                </label>
            }
        })
        .collect_view();
    let form = page.viewer_can_sign.then(|| view! {
        <ActionForm action=sign attr:class="action-form signoff-form">
            <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
            <fieldset class="ticks"><legend>"Done this week"</legend>{boxes}</fieldset>
            <label class="wide">"Note (optional)"
                <input type="text" name="note" maxlength="500" />
            </label>
            <button type="submit" class="btn btn-approve" data-sign-off="weekly">"✔ Sign off the weekly check"</button>
        </ActionForm>
    });
    let outcome = move || {
        sign.value().get().and_then(Result::err).map(|e| {
            view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }
        })
    };
    let drills = if page.drills.is_empty() {
        view! { <p class="muted">"No restore drill recorded yet. After a restore through change control succeeds, mark it a drill on its request page."</p> }.into_any()
    } else {
        let rows = page
            .drills
            .iter()
            .map(|d| view! {
                <tr>
                    <td title=format::datetime(d.at)>{d.at.format("%Y-%m-%d").to_string()}</td>
                    <td><a href=format!("/requests/{}", d.request_id)>{format!("request {}", d.request_id)}</a> " " {d.env.clone()}</td>
                    <td>{d.by.clone()}</td>
                    <td class="wrap">{d.result_words()}</td>
                    <td class="run-message">{d.note.clone()}</td>
                </tr>
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="compact">
                    <thead><tr><th>"when"</th><th>"restore"</th><th>"who"</th><th>"result"</th><th>"note"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <h1>"Weekly check" <a class="h1-aside" href="/checks/morning">"Morning check →"</a></h1>
        <p class="maintenance" data-maintenance="">
            {match page.maintenance.clone() {
                Some(w) => format!("Maintenance window: {w}"),
                None => "No maintenance window configured ([checks] maintenance_window).".to_owned(),
            }}
        </p>
        <section class="panel" data-panel="weekly">
            <h2>{match failing { 0 => "Every item opsdeck can judge passes".to_owned(), 1 => "1 item fails".to_owned(), n => format!("{n} items fail") }}</h2>
            <ul class="checklist">{page.items.iter().map(item_row).collect_view()}</ul>
            <p class="note">{format!("Evaluated at {} from the live state and the recorded drills.", format::clock(page.generated_at))}</p>
        </section>
        <section class="panel">
            <h2>"Sign-off"</h2>
            {status}
            {form}
            {outcome}
        </section>
        <section class="panel" id="drills">
            <h2>"Restore drills"</h2>
            {drills}
        </section>
        {history(&page.signoffs)}
    }
}
