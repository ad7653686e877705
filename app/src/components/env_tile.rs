//! One environment on the dashboard: status, versions, timings, uptime, sparkline and data age.

use super::{Age, Sparkline, StatusBadge, TimingBar};
use crate::domain::{format, Endpoint, EnvSnapshot, ProbeResult};
use leptos::prelude::*;

/// What went wrong with a probe, in words, or `None` when it succeeded.
pub fn problem(p: &ProbeResult) -> Option<String> {
    if let Some(f) = &p.failure {
        return Some(format!("{}: {}", f.kind.label(), f.message));
    }
    let status = p.body.as_ref().and_then(|b| b.status.as_deref())?;
    (p.body.as_ref()?.reported_level() != crate::domain::Level::Ok)
        .then(|| format!("App reports status {status:?}"))
}

#[component]
pub fn EnvTile(env: EnvSnapshot, cloud: Option<crate::domain::CloudSnapshot>) -> impl IntoView {
    let now = super::live::use_live_feed().now.get_untracked();
    let (version, app_version, last_seen) = env.versions();
    let version = version.unwrap_or("–").to_owned();
    let app_version = app_version.map(short_sha).unwrap_or_else(|| "–".into());
    let health = env.probe(Endpoint::Health).cloned();
    let total = health
        .as_ref()
        .and_then(|p| p.timings.total_ms)
        .map(format::millis)
        .unwrap_or_else(|| "–".into());
    let endpoints = Endpoint::ALL
        .into_iter()
        .map(|e| {
            let p = env.probe(e).cloned();
            let level = p.as_ref().map_or(crate::domain::Level::Unknown, |p| p.level(&env.latency));
            let detail = p.as_ref().map(|p| match problem(p) {
                Some(why) => why,
                None => format!(
                    "HTTP {} in {}",
                    p.http_status.unwrap_or(0),
                    p.timings.total_ms.map(format::millis).unwrap_or_default()
                ),
            });
            view! {
                <li class=format!("endpoint {}", level.css())>
                    <span class="ep-icon" aria-hidden="true">{level.icon()}</span>
                    <span class="ep-name">{e.as_str()}</span>
                    <span class="ep-detail">{detail.unwrap_or_else(|| "not probed yet".into())}</span>
                </li>
            }
        })
        .collect_view();
    let href = format!("/env/{}", env.name);
    view! {
        <article class=format!("tile {}", env.level.css()) data-env=env.name.to_string()>
            <header class="tile-head">
                <h2>
                    <a href=href>{env.label.clone()}</a>
                    <span class="env-name">{env.name.to_string()}</span>
                </h2>
                <StatusBadge level=env.level />
            </header>
            <p class="tile-url">{env.base_url.clone()}</p>
            <dl class="facts">
                <div>
                    <dt>"version"</dt>
                    <dd class="mono">
                        {version}
                        {last_seen.map(|at| view! { <span class="was" title=format!("last reported at {}", format::datetime(at))>" (last seen)"</span> })}
                    </dd>
                </div>
                <div><dt>"app_version"</dt><dd class="mono">{app_version}</dd></div>
                <div><dt>"health"</dt><dd>{total}</dd></div>
                <div><dt>"uptime 1 h"</dt><dd>{format::percent(env.uptime_1h.percent())}</dd></div>
                <div><dt>"uptime 24 h"</dt><dd>{format::percent(env.uptime_24h.percent())}</dd></div>
            </dl>
            <ul class="endpoints">{endpoints}</ul>
            // A failed probe has no complete timeline; its failure is shown in words above.
            {health.filter(|p| p.timings.total_ms.is_some()).map(|p| view! { <TimingBar timings=p.timings legend=true /> })}
            {cloud.map(|c| view! { <super::cloud::CloudSummary cloud=c now /> })}
            <div class="spark-wrap">
                <Sparkline buckets=env.history.clone() thresholds=env.latency />
                <span class="spark-caption">"health latency, last hour"</span>
            </div>
            <footer class="tile-foot">
                "Updated " <Age at=env.updated_at stale_after_ms=env.stale_after_ms() />
            </footer>
        </article>
    }
}

pub fn short_sha(s: &str) -> String {
    s.chars().take(12).collect()
}
