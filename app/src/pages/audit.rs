//! `/audit`: the audit log, filtered by person, environment and action, with CSV and JSON exports
//! of exactly what is shown. Works without wasm (the filter is a plain GET form).

use super::ErrorPanel;
use crate::api::get_audit;
use crate::components::Header;
use crate::domain::audit::AuditFilter;
use crate::domain::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        AuditFilter {
            person: q.get("person"),
            env: q.get("env"),
            action: q.get("action"),
            limit: q.get("limit").and_then(|l| l.parse().ok()),
        }
    };
    let events = Resource::new(filter, get_audit);
    view! {
        <Title text="opsdeck — audit log" />
        <Header />
        <main class="page">
            <h1>"Audit log"</h1>
            {move || {
                let f = filter();
                let qs = serde_urlencoded::to_string([
                    ("person", f.person.clone().unwrap_or_default()),
                    ("env", f.env.clone().unwrap_or_default()),
                    ("action", f.action.clone().unwrap_or_default()),
                ])
                .unwrap_or_default();
                view! {
                    <form method="get" action="/audit" class="action-form audit-filter">
                        <label>"Person" <input type="text" name="person" value=f.person.clone().unwrap_or_default() /></label>
                        <label>"Environment" <input type="text" name="env" value=f.env.clone().unwrap_or_default() /></label>
                        <label>"Action" <input type="text" name="action" value=f.action.clone().unwrap_or_default() placeholder="e.g. action., sign_in" /></label>
                        <button type="submit" class="btn">"Filter"</button>
                        <a class="btn" href=format!("/api/v1/audit.csv?{qs}") data-export="csv">"Export CSV"</a>
                        <a class="btn" href=format!("/api/v1/audit.json?{qs}") data-export="json">"Export JSON"</a>
                    </form>
                }
            }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No events match."</p> }.into_any(),
                        Ok(list) => {
                            let rows = list
                                .into_iter()
                                .map(|e| view! {
                                    <tr data-event=e.id.to_string()>
                                        <td class="mono">{e.id}</td>
                                        <td class="mono" title=format::datetime(e.at)>{format::datetime(e.at)}</td>
                                        <td>{e.actor} {e.actor_user_id.map(|i| view! { <span class="muted mono">{format!(" #{i}")}</span> })}</td>
                                        <td class="mono">{e.action}</td>
                                        <td>{e.environment.unwrap_or_default()}</td>
                                        <td class="mono audit-details">{e.details.to_string()}</td>
                                        <td class="mono" title=e.hash.clone()>{e.hash.chars().take(10).collect::<String>()}</td>
                                    </tr>
                                })
                                .collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table class="compact audit">
                                        <thead><tr><th>"#"</th><th>"when"</th><th>"who"</th><th>"what"</th><th>"env"</th><th>"details"</th><th>"hash"</th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
