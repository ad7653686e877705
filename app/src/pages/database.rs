//! `/env/{name}/database`: what the environment's database is doing — migration version,
//! connections against `max_connections`, queries running long, locks not granted with the
//! sessions blocking them, size — read again every few seconds while the page is open (the server
//! reads at most once per its refresh interval, whoever looks). Query texts are shown as text.

use super::ErrorPanel;
use crate::api::get_database;
use crate::components::{live::use_live_feed, Age, Header, StatusBadge};
use crate::domain::cloud::ReadReplica;
use crate::domain::database::{bytes, BlockedLock, DatabasePage, DbDiagnostics, Session};
use crate::domain::Level;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DatabasePageView() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let tick = crate::components::refresh::use_refresh(std::time::Duration::from_secs(5));
    let data = Resource::new(move || (name(), tick.get()), |(n, _)| get_database(n));
    let feed = use_live_feed();
    view! {
        <Title text=move || super::env_title(&name(), "database") />
        <Header />
        <main class="page">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) => {
                            feed.sync_clock(page.generated_at);
                            view! { <Database page /> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Where sessions may be signalled: links to ask for "Cancel query" / "Terminate connection" of a
/// session, as change-control requests (filled in, still to be given a reason and approved).
#[derive(Clone)]
struct Signal {
    env: String,
}

impl Signal {
    fn links(&self, pid: i32) -> impl IntoView {
        let href = |kind: &str| {
            format!(
                "/actions?kind={kind}&env={}&pid={pid}#{}",
                self.env,
                kind.replace('_', "-")
            )
        };
        view! {
            <span class="session-actions">
                <a class="btn small" href=href("cancel_query") data-signal="cancel_query">"Cancel query…"</a>
                <a class="btn small danger" href=href("terminate_connection") data-signal="terminate_connection">"Terminate…"</a>
            </span>
        }
    }
}

/// One session as a line of facts and its query on its own line: readable on a phone, where a
/// seven-column table is not.
fn session(s: &Session, signal: Option<&Signal>) -> impl IntoView {
    let facts = [
        Some(format!("pid {}", s.pid)),
        s.user.clone(),
        s.application.clone().filter(|a| !a.is_empty()),
        s.state.clone(),
        s.wait.clone().map(|w| format!("waiting for {w}")),
        Some(format!("for {:.0} s", s.running_s)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <li class="session" data-pid=s.pid.to_string()>
            <span class="session-facts">{facts}</span>
            {signal.map(|g| g.links(s.pid))}
            <code class="query">{s.query.clone()}</code>
        </li>
    }
}

fn sessions(list: &[Session], signal: Option<&Signal>) -> impl IntoView {
    view! { <ul class="sessions">{list.iter().map(|s| session(s, signal)).collect_view()}</ul> }
}

fn blocked(b: &BlockedLock, signal: Option<&Signal>) -> impl IntoView {
    let what = format!(
        "pid {} waits {:.0} s for {} on {}",
        b.waiting.pid,
        b.waiting.running_s,
        b.mode,
        b.relation.clone().unwrap_or_else(|| b.lock_type.clone())
    );
    let blockers = if b.blockers.is_empty() {
        view! { <p class="muted">"The blocking session has already gone."</p> }.into_any()
    } else {
        view! { <p class="muted">"Blocked by:"</p> {sessions(&b.blockers, signal)} }.into_any()
    };
    view! {
        <article class="blocked" data-blocked=b.waiting.pid.to_string()>
            <h3><span aria-hidden="true">"▲ "</span>{what}</h3>
            <code class="query">{b.waiting.query.clone()}</code>
            {blockers}
        </article>
    }
}

fn figures(d: &DbDiagnostics) -> impl IntoView {
    let pct = d.connections_percent();
    let conn_level = d.connection_levels.evaluate(pct);
    let states = d
        .by_state
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let apps = d
        .by_application
        .iter()
        .map(|(a, n)| format!("{a} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let migration = match (&d.migration.error, d.migration.versions.is_empty()) {
        (Some(e), _) => view! { <span class="lvl-critical-text">{e.clone()}</span> }.into_any(),
        (None, true) => {
            view! { <span class="lvl-warning-text">"the table is empty"</span> }.into_any()
        }
        (None, false) => {
            view! { <span class="mono">{d.migration.versions.join(", ")}</span> }.into_any()
        }
    };
    view! {
        <dl class="facts db-facts">
            <div><dt>{format!("migration ({})", d.migration.table)}</dt><dd data-migration="">{migration}</dd></div>
            <div><dt>"connections"</dt><dd class=conn_level.css() data-connections="">{format!("{} of {} ({:.0} %)", d.connections(), d.max_connections, pct)}</dd></div>
            <div><dt>"size"</dt><dd>{bytes(d.size_bytes)}</dd></div>
            <div><dt>"server"</dt><dd class="mono">{format!("{} · {}", d.database, d.server_version)}</dd></div>
        </dl>
        <p class="wrap"><b>"By state: "</b>{states}</p>
        <p class="wrap"><b>"By application: "</b>{apps}</p>
    }
}

fn replicas(list: &[ReadReplica]) -> impl IntoView {
    let items = list
        .iter()
        .map(|r| {
            let level = r.level();
            let words = format!(
                "{}: {}, {}",
                r.id,
                r.status.clone().unwrap_or_else(|| "status unknown".into()),
                r.lag_s
                    .map(|l| format!("{l:.1} s behind"))
                    .unwrap_or_else(|| "no ReplicaLag point in the last 10 minutes".into())
            );
            view! {
                <li class=level.css() data-replica=r.id.clone()>
                    <span aria-hidden="true">{level.icon()}</span> {format!(" {words}")}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" data-panel="db-replicas">
            <h2>"Read replicas"</h2>
            <ul class="replicas">{items}</ul>
        </section>
    }
}

#[component]
fn Database(page: DatabasePage) -> impl IntoView {
    let env = page.env.clone();
    let signal = page
        .may_signal_sessions
        .then(|| Signal { env: env.clone() });
    let replica_list = (!page.replicas.is_empty()).then(|| replicas(&page.replicas));
    let Some(source) = page.reading else {
        return view! {
            <h1>{format!("{env} database")}</h1>
            <p class="muted">"No database connection is configured for this environment: add [environments.database] with url_env naming the variable that holds a monitoring role's URL."</p>
            {replica_list}
        }
        .into_any();
    };
    let level = source
        .value
        .as_ref()
        .map_or(Level::Unknown, DbDiagnostics::level);
    let stale_after = source.stale_after_ms();
    let error = source.error.clone().map(|e| {
        let kept = if source.value.is_some() { " Showing the last figures read." } else { "" };
        view! { <p class="problem source-error" role="alert"><span aria-hidden="true">"✖ "</span>{e}{kept}</p> }
    });
    let body = source.value.clone().map(|d| {
        let long = if d.long_running.is_empty() {
            view! { <p class="muted">{format!("No query has been running for more than {} s.", d.long_after_s)}</p> }.into_any()
        } else {
            sessions(&d.long_running, signal.as_ref()).into_any()
        };
        let locks = if d.blocked.is_empty() {
            view! { <p class="muted">"Every lock asked for is granted."</p> }.into_any()
        } else {
            d.blocked.iter().map(|b| blocked(b, signal.as_ref())).collect_view().into_any()
        };
        view! {
            <section class="panel" data-panel="db-figures">{figures(&d)}</section>
            <section class="panel" data-panel="db-locks">
                <h2>{format!("Locks not granted ({})", d.blocked.len())}</h2>
                {locks}
            </section>
            <section class="panel" data-panel="db-long">
                <h2>{format!("Running longer than {} s ({})", d.long_after_s, d.long_running.len())}</h2>
                {long}
            </section>
        }
    });
    view! {
        <section class="detail-head">
            <h1>{format!("{env} database")}</h1>
            <StatusBadge level large=true word=match level { Level::Ok => "Fine", Level::Warning => "Attention", Level::Critical => "Stuck", Level::Unknown => "Not read" } />
            <span>"Read " <Age at=source.fetched_at stale_after_ms=stale_after /></span>
            <a href=format!("/env/{env}")>{format!("← {env}")}</a>
        </section>
        {error}
        {match body {
            Some(b) => b.into_any(),
            None => view! { <p class="muted">"Not read yet."</p> }.into_any(),
        }}
        {replica_list}
    }
    .into_any()
}
