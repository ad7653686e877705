//! `/env/{name}`: one environment in detail — every endpoint with its curl-style timings and
//! body, the DNS check, 24 hours of history and the latest stored samples.

use super::ErrorPanel;
use crate::api::{get_env_detail, EnvDetail};
use crate::components::{
    env_tile::problem, live::use_live_feed, Age, Header, Sparkline, StatusBadge, TimingBar,
};
use crate::domain::{format, Endpoint, EnvSnapshot, ProbeResult};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EnvPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let detail = Resource::new(name, get_env_detail);
    let feed = use_live_feed();
    view! {
        <Title text=move || super::env_title(&name(), "") />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let demo = d.demo;
                        feed.sync_clock(d.generated_at);
                        let cloud = d.cloud.clone();
                        let dns = d.snapshot.dns.clone();
                        let (evidence, review) = (d.evidence.clone(), d.review.clone());
                        view! {
                            <Header demo />
                            <main class="page">
                                <Detail detail=d feed_env=move |s| feed.env(s)>
                                    <CloudPanels base=cloud.clone() base_dns=dns.clone() evidence=evidence.clone() review=review.clone() />
                                </Detail>
                            </main>
                        }.into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(
    detail: EnvDetail,
    feed_env: impl Fn(EnvSnapshot) -> EnvSnapshot + Send + Sync + 'static,
    /// The AWS panels, shown after the health checks and before the history.
    children: ChildrenFn,
) -> impl IntoView {
    let base = detail.snapshot.clone();
    let env = Memo::new(move |_| feed_env(base.clone()));
    let latency = detail.snapshot.latency;
    let recent = detail.recent.clone();
    let watched = detail.snapshot.name.to_string();
    view! {
        <crate::components::watch::WatchStrip env=watched />
        {move || {
            let e = env.get();
            view! {
                <section class="detail-head">
                    <h1>{e.label.clone()} " " <span class="env-name">{e.name.to_string()}</span></h1>
                    <StatusBadge level=e.level large=true />
                    <span class="tile-url">{e.base_url.clone()}</span>
                    <span>"Updated " <Age at=e.updated_at stale_after_ms=e.stale_after_ms() /></span>
                    <crate::components::incident::DeclareLink env=e.name.to_string() />
                    <a href=format!("/env/{}/logs", e.name) data-logs-link="">"Logs →"</a>
                    <a href=format!("/env/{}/database", e.name) data-database-link="">"Database →"</a>
                </section>
                <section class="panel">
                    <h2>"Health endpoints"</h2>
                    <div class="probe-grid">
                        {Endpoint::ALL.into_iter().map(|ep| {
                            let p = e.probe(ep).cloned();
                            view! { <ProbeCard endpoint=ep probe=p thresholds=e.latency /> }
                        }).collect_view()}
                    </div>
                </section>
                <section class="panel">
                    <h2>"DNS"</h2>
                    {match e.dns.clone() {
                        None => view! { <p class="muted">"The URL names an IP address or no lookup has run yet."</p> }.into_any(),
                        Some(d) => view! {
                            <p>
                                <span class="mono">{d.host.clone()}</span>
                                " → "
                                {match d.error.clone() {
                                    Some(err) => view! { <span class="lvl-critical-text">{err}</span> }.into_any(),
                                    None => view! { <span class="mono">{d.addresses.join(", ")}</span> }.into_any(),
                                }}
                                " in " {format::millis(d.lookup_ms)}
                            </p>
                        }.into_any(),
                    }}
                </section>
                <crate::components::certificate::CertificatePanel env=e.clone() />
            }
        }}
        {children()}
        {move || {
            let e = env.get();
            view! {
                <section class="panel">
                    <h2>"Last hour"</h2>
                    <Sparkline buckets=e.history.clone() thresholds=e.latency />
                    <p class="muted">
                        "Uptime " {format::percent(e.uptime_1h.percent())} " over "
                        {e.uptime_1h.probes} " probes; 24 h: " {format::percent(e.uptime_24h.percent())}
                    </p>
                </section>
            }
        }}
        {detail.history_error.clone().map(|e| view! { <p class="problem" role="alert">{e}</p> })}
        <section class="panel">
            <h2>"Last 24 hours"</h2>
            <Sparkline buckets=detail.history_24h.clone() thresholds=latency />
            <p class="muted">"Slowest successful health probe per 15 minutes; red ticks mark failures."</p>
        </section>
        <section class="panel">
            <h2>"Recent samples"</h2>
            <SampleTable samples=recent thresholds=latency />
        </section>
    }
}

#[component]
fn ProbeCard(
    endpoint: Endpoint,
    probe: Option<ProbeResult>,
    thresholds: crate::domain::Thresholds,
) -> impl IntoView {
    let Some(p) = probe else {
        return view! { <article class="probe-card"><h3>{endpoint.as_str()}</h3><p class="muted">"Not probed yet."</p></article> }.into_any();
    };
    let level = p.level(&thresholds);
    let t = p.timings;
    let row = |label: &'static str, v: Option<f64>| {
        view! { <tr><th>{label}</th><td>{v.map(format::millis).unwrap_or_else(|| "–".into())}</td></tr> }
    };
    let body = p
        .body
        .as_ref()
        .and_then(|b| serde_json::to_string_pretty(b).ok());
    view! {
        <article class=format!("probe-card {}", level.css())>
            <h3>{endpoint.as_str()} " " <StatusBadge level /></h3>
            <p class="mono url">{p.url.clone()}</p>
            {problem(&p).map(|why| view! { <p class="problem">{why}</p> })}
            <p>
                "HTTP " <b>{p.http_status.map(|s| s.to_string()).unwrap_or_else(|| "–".into())}</b>
                {p.remote_addr.clone().map(|a| view! { <span>" from " <span class="mono">{a}</span></span> })}
            </p>
            <TimingBar timings=t legend=false />
            <table class="curl">
                // An explicit tbody: browsers insert one, and hydration must find the same tree.
                <tbody>
                {row("time_namelookup", t.namelookup_ms)}
                {row("time_connect", t.connect_ms)}
                {row("time_appconnect", t.appconnect_ms)}
                {row("time_pretransfer", t.pretransfer_ms)}
                {row("time_starttransfer", t.starttransfer_ms)}
                {row("time_total", t.total_ms)}
            </tbody>
            </table>
            {body.map(|b| view! { <details><summary>"Body"</summary><pre class="body">{b}</pre></details> })}
        </article>
    }
    .into_any()
}

#[component]
fn SampleTable(samples: Vec<ProbeResult>, thresholds: crate::domain::Thresholds) -> impl IntoView {
    if samples.is_empty() {
        return view! { <p class="muted">"No samples stored yet."</p> }.into_any();
    }
    let rows = samples
        .into_iter()
        .map(|p| {
            let level = p.level(&thresholds);
            view! {
                <tr class=level.css()>
                    <td class="mono" title=format::datetime(p.at)>{format::clock(p.at)}</td>
                    <td>{p.endpoint.as_str()}</td>
                    <td><span aria-hidden="true">{level.icon()}</span> " " {level.word()}</td>
                    <td>{p.http_status.map(|s| s.to_string()).unwrap_or_else(|| "–".into())}</td>
                    <td>{p.timings.total_ms.map(format::millis).unwrap_or_else(|| "–".into())}</td>
                    <td>{problem(&p).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="samples">
                <thead><tr><th>"time"</th><th>"endpoint"</th><th>"status"</th><th>"HTTP"</th><th>"total"</th><th>"problem"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The AWS panels of one environment, following live updates.
#[component]
fn CloudPanels(
    base: Option<crate::domain::CloudSnapshot>,
    base_dns: Option<crate::domain::DnsCheck>,
    evidence: Vec<crate::domain::evidence::EnvEvidence>,
    review: crate::domain::deploys::ReviewAbility,
) -> impl IntoView {
    use crate::components::cloud::{
        BackupsCard, DeploysCard, EcsCard, LoadBalancerCard, MetricsCard, ScheduledTasksCard,
    };
    let feed = use_live_feed();
    let name = base.as_ref().map(|c| c.name.to_string());
    let has_deploys = base.as_ref().is_some_and(|c| c.deploys.is_some());
    let cloud = Memo::new(move |_| feed.cloud(base.clone()));
    // Created once and updated in place: an approver typing a comment must not lose it to a poll.
    let deploys = Memo::new(move |_| cloud.get().and_then(|c| c.deploys));
    let deploys_card = has_deploys.then(|| {
        view! { <DeploysCard env=name.clone().unwrap_or_default() source=deploys evidence review /> }
    });
    // The DNS check lives with the health probe; it is shown beside the load balancer.
    let dns = move || {
        let name = name.clone()?;
        feed.updates
            .get()
            .into_iter()
            .find(|u| u.name.as_str() == name)
            .and_then(|u| u.dns)
            .or_else(|| base_dns.clone())
    };
    let aws = move || {
        let Some(c) = cloud.get() else {
            return view! {
                <section class="panel"><h2>"AWS and deploys"</h2>
                    <p class="muted">"No AWS resources or deploy workflow are configured for this environment (see [environments.aws] and [environments.github] in the configuration)."</p>
                </section>
            }.into_any();
        };
        let region = c.region.clone();
        let has_aws = c.ecs.is_some()
            || c.metrics.is_some()
            || c.backups.is_some()
            || c.load_balancer.is_some();
        if !has_aws {
            return ().into_any();
        }
        view! {
            {has_aws.then(|| view! { <h2 class="section-title">"AWS " <span class="muted">{region.clone()}</span></h2> })}
            {c.metrics.clone().map(|s| view! { <MetricsCard source=s region=region.clone() /> })}
            <div class="cloud-grid">
                {c.ecs.clone().map(|s| view! { <EcsCard source=s /> })}
                <div class="cloud-col">
                    {c.load_balancer.clone().map(|s| view! { <LoadBalancerCard source=s dns=dns() /> })}
                    {c.backups.clone().map(|s| view! { <BackupsCard source=s /> })}
                </div>
            </div>
            {c.tasks.clone().map(|s| view! { <ScheduledTasksCard source=s /> })}
        }.into_any()
    };
    view! { {deploys_card} {aws} }
}
