//! `/env/{name}/logs`: the runbook's log searches — matches in the last 15 minutes, the last hour
//! and overnight against their levels, a bar per five minutes, the newest matching lines — and the
//! live tail. The counts are the server's (read on its own schedule, through one call budget);
//! the page asks again every 10 s, which costs no call to AWS.

use super::ErrorPanel;
use crate::api::get_logs;
use crate::components::log_line::{CountBars, LogLineView};
use crate::components::log_tail::LogTail;
use crate::components::{live::use_live_feed, Age, Header, StatusBadge};
use crate::domain::logs::{LogsPage, SearchCounts, SearchLines};
use crate::domain::Level;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn LogsPageView() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let tick = crate::components::refresh::use_refresh(std::time::Duration::from_secs(10));
    let data = Resource::new(move || (name(), tick.get()), |(n, _)| get_logs(n));
    let feed = use_live_feed();
    // The tail lives outside the refreshing part: a refresh must not reopen its stream.
    let tail = Resource::new(name, get_logs);
    view! {
        <Title text=move || super::env_title(&name(), "logs") />
        <Header />
        <main class="page">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) => {
                            feed.sync_clock(page.generated_at);
                            view! { <Logs page /> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match tail.await {
                        Ok(page) if page.tail => view! { <LogTail env=page.env /> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn level_word(level: Level) -> &'static str {
    match level {
        Level::Ok => "within levels",
        Level::Warning => "above warning",
        Level::Critical => "above critical",
        Level::Unknown => "not counted",
    }
}

fn search(s: &SearchCounts, lines: Option<&SearchLines>) -> impl IntoView {
    let level = s.level();
    // Above a level: the number in its colour with the level's icon (never colour alone).
    let figure = |label: String, n: u64, l: Option<Level>| {
        let (css, icon) = match l {
            Some(Level::Warning) => ("lvl-warning-text", "▲ "),
            Some(Level::Critical) => ("lvl-critical-text", "✖ "),
            _ => ("", ""),
        };
        view! { <div><dt>{label}</dt><dd class=css><span aria-hidden="true">{icon}</span>{n.to_string()}</dd></div> }
    };
    let mut newest = lines.map(|l| l.lines.clone()).unwrap_or_default();
    // The newest line in view; the others one click away, so six searches fit a screen.
    let lines_view = if newest.is_empty() {
        view! { <p class="muted">"No matching line since the overnight start."</p> }.into_any()
    } else {
        let first = newest.remove(0);
        let more = (!newest.is_empty()).then(|| {
            view! {
                <details class="newest">
                    <summary>{format!("{} more matching lines", newest.len())}</summary>
                    <ul class="log-lines">
                        {newest.into_iter().map(|line| view! { <LogLineView line /> }).collect_view()}
                    </ul>
                </details>
            }
        });
        view! {
            <ul class="log-lines"><LogLineView line=first /></ul>
            {more}
        }
        .into_any()
    };
    view! {
        <article class=format!("panel log-search {}", level.css()) data-search=s.kind.key() data-level=level.as_str()>
            <header class="search-head">
                <h2>{s.kind.label()}</h2>
                <StatusBadge level word=level_word(level) />
                <CountBars counts=s.sparkline.clone() css=level.css() />
            </header>
            <dl class="facts search-facts">
                {figure("15 min".into(), s.last_15m, None)}
                {figure("hour".into(), s.last_hour, Some(s.hour_level()))}
                {figure("overnight".into(), s.overnight, Some(s.overnight_level()))}
            </dl>
            <p class="muted wrap">
                "Pattern " <code class="wrap">{s.pattern.clone()}</code>
                {format!(" · warning above {} / critical above {} an hour, {} / {} overnight",
                    s.hour_levels.warning(), s.hour_levels.critical(),
                    s.overnight_levels.warning(), s.overnight_levels.critical())}
                {(!s.complete).then_some(" · still reading back to the overnight start: counts will rise")}
            </p>
            {lines_view}
        </article>
    }
}

#[component]
fn Logs(page: LogsPage) -> impl IntoView {
    let env = page.env.clone();
    let Some(source) = page.summary else {
        return view! {
            <h1>{format!("{env} logs")}</h1>
            <p class="muted">"No log group is configured for this environment: set aws.log_group in its [[environments]] entry (the runbook's searches then run by themselves; [environments.logs] changes them)."</p>
        }
        .into_any();
    };
    let stale_after = source.stale_after_ms();
    let error = source.error.clone().map(|e| {
        let kept = if source.value.is_some() { " Showing the last counts read." } else { "" };
        view! { <p class="problem source-error" role="alert"><span aria-hidden="true">"✖ "</span>{e}{kept}</p> }
    });
    let body = source.value.clone().map(|summary| {
        let searches = summary
            .searches
            .iter()
            .map(|s| search(s, page.lines.iter().find(|l| l.kind == s.kind)))
            .collect_view();
        let overnight = format!(
            "since {} ({} the day before)",
            summary.overnight_since.format("%a %H:%M UTC"),
            summary.overnight_words
        );
        view! {
            <p class="muted wrap">{format!("Log group {} · times in UTC · overnight = {overnight}", summary.log_group)}</p>
            <div class="log-searches">{searches}</div>
        }
    });
    let level = source.value.as_ref().map_or(Level::Unknown, |s| s.level());
    view! {
        <section class="detail-head">
            <h1>{format!("{env} logs")}</h1>
            <StatusBadge level large=true word=level_word(level) />
            <span>"Counted " <Age at=source.fetched_at stale_after_ms=stale_after /></span>
            <a href=format!("/env/{env}")>{format!("← {env}")}</a>
        </section>
        {error}
        {match body {
            Some(b) => b.into_any(),
            None => view! { <p class="muted">"Not counted yet."</p> }.into_any(),
        }}
    }
    .into_any()
}
