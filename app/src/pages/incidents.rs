//! `/incidents`: open incidents and opsdeck's proposals first, then past ones with their durations;
//! operators declare one here (a title, a severity, the environments: two taps on a phone).

use super::ErrorPanel;
use crate::api::{get_incidents, DeclareIncident};
use crate::components::incident::{IncidentStatus, SeverityBadge};
use crate::components::{live::use_live_feed, Header};
use crate::domain::format;
use crate::domain::incident::{Incident, IncidentsPage, Severity};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IncidentsPageView() -> impl IntoView {
    let declare = ServerAction::<DeclareIncident>::new();
    let data = Resource::new(move || declare.version().get(), |_| get_incidents());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — incidents" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        feed.sync_clock(page.generated_at);
                        view! { <Header /><main class="page"><Incidents page declare /></main> }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn rows(list: Vec<Incident>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="muted">"None."</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|i| {
            let d = i.durations();
            let took = d
                .to_resolve_s
                .map(|s| format!("resolved in {}", format::elapsed(s)))
                .unwrap_or_else(|| format!("detected after {}", format::elapsed(d.to_detect_s)));
            let envs = i
                .environments
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr data-incident=i.id.to_string()>
                    <td><a href=format!("/incidents/{}", i.id)>{format!("#{}", i.id)}</a></td>
                    <td class="wrap">{i.title.clone()}</td>
                    <td><SeverityBadge severity=i.severity /></td>
                    <td><IncidentStatus status=i.status /></td>
                    <td>{envs}</td>
                    <td title=format::datetime(i.started_at)>{format::datetime(i.started_at)}</td>
                    <td>{took}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="compact">
                <thead><tr><th>"#"</th><th>"what"</th><th>"severity"</th><th>"status"</th><th>"environments"</th><th>"started"</th><th>"took"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Incidents(page: IncidentsPage, declare: ServerAction<DeclareIncident>) -> impl IntoView {
    // `?env=prod` (from an environment's "Declare an incident") chooses it; otherwise the first.
    let chosen = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("env")
        .filter(|e| page.environments.iter().any(|x| x.as_str() == e));
    let declared = move || {
        declare.value().get().map(|r| match r {
            Ok(id) => view! { <p class="verdict lvl-critical-text" role="status">"⚑ Declared: " <a href=format!("/incidents/{id}")>{format!("open the room of incident {id}")}</a></p> }.into_any(),
            Err(e) => view! { <p class="problem" role="alert">"✖ " {e.to_string()}</p> }.into_any(),
        })
    };
    let form = page.viewer_can_declare.then(|| {
        let envs = page
            .environments
            .iter()
            .enumerate()
            .map(|(i, e)| {
                view! {
                    <label class="check"><input type="radio" name="environments" value=e.to_string() checked=chosen.as_deref().map_or(i == 0, |c| c == e.as_str()) />{e.to_string()}</label>
                }
            })
            .collect_view();
        let severities = Severity::ALL
            .into_iter()
            .map(|s| view! { <option value=s.as_str() selected=s == Severity::Critical>{s.label()}</option> })
            .collect_view();
        view! {
            <section class="panel" data-panel="declare" id="declare">
                <h2>"Declare an incident"</h2>
                <ActionForm action=declare attr:class="declare-form">
                    <input type="hidden" name="csrf_token" value=crate::components::session::csrf_token() />
                    <label class="wide">"What is wrong" <input type="text" name="title" required maxlength="120" placeholder="prod is down after 1.4.3" /></label>
                    <label>"Severity" <select name="severity">{severities}</select></label>
                    <fieldset class="env-choice"><legend>"Environment"</legend>{envs}</fieldset>
                    <button type="submit" class="btn btn-reject" data-declare="">"⚑ Declare"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <h1>"Incidents"</h1>
        {declared}
        {form}
        <section class="panel" data-list="open">
            <h2>{format!("Open ({})", page.open.len())}</h2>
            {rows(page.open)}
        </section>
        <section class="panel" data-list="past">
            <h2>"Past"</h2>
            {rows(page.past)}
        </section>
    }
}
