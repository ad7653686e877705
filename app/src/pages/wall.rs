//! `/wall`: the wall screen. Dark, large, no controls; fills the screen without scrolling and
//! keeps itself current through the live feed, reconnecting on its own.

use super::ErrorPanel;
use crate::api::get_dashboard;
use crate::components::{env_tile::problem, live::use_live_feed, Age, Sparkline};
use crate::domain::{format, Endpoint};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WallPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_dashboard());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — wall" />
        <div class="wall">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match initial.await {
                        Ok(base) => {
                            feed.sync_clock(base.generated_at.unwrap_or_default());
                            feed.seed_incidents(&base.incidents);
                            let dash = Memo::new(move |_| feed.merge(base.clone()));
                            // While an incident is open the wall becomes its room, by itself.
                            let incident = move || dash.get().incidents.open.first().cloned();
                            view! {
                                <header class="wall-head">
                                    <span class="brand">"opsdeck"</span>
                                    <span class="wall-clock">{move || format::clock(feed.now.get())}</span>
                                    {move || {
                                        if feed.signed_out.get() {
                                            Some(view! { <span class="live live-off">"✖ Signed out: this screen needs a new wall token"</span> })
                                        } else if feed.hydrated.get() && !feed.connected.get() {
                                            Some(view! { <span class="live live-off">"○ Reconnecting…"</span> })
                                        } else {
                                            None
                                        }
                                    }}
                                </header>
                                <crate::components::freeze::FreezeBanner />
                                {move || incident().map(|live| view! {
                                    <crate::components::wall_incident::IncidentWall live dash=dash.get() now=feed.now.get() />
                                })}
                                <div class="wall-tiles" class:hidden=move || incident().is_some() style=move || format!("--n:{}", dash.get().environments.len().max(1))>
                                    {move || { let d = dash.get(); d.environments.clone().into_iter().map(|e| {
                                        let cloud = d.cloud(e.name.as_str()).cloned();
                                        let now = feed.now.get_untracked();
                                        let (version, app_version, last_seen) = e.versions();
                                        let version = version.unwrap_or("–").to_owned();
                                        let app = app_version.map(|a| a.chars().take(7).collect::<String>()).unwrap_or_else(|| "–".into());
                                        let total = e.probe(Endpoint::Health).and_then(|p| p.timings.total_ms).map(format::millis).unwrap_or_else(|| "–".into());
                                        // During an incident the reason matters more than the numbers.
                                        let why = e.probes.iter().find_map(problem);
                                        view! {
                                            <section class=format!("wall-tile {}", e.level.css()) data-env=e.name.to_string()>
                                                <h2>{e.label.clone()}</h2>
                                                <p class="wall-status" data-level=e.level.as_str()>
                                                    <span aria-hidden="true">{e.level.icon()}</span> " " {e.level.word()}
                                                </p>
                                                <dl class="wall-facts">
                                                    <div><dt>{if last_seen.is_some() { "version (last seen)" } else { "version" }}</dt><dd>{version} " · " {app}</dd></div>
                                                    <div><dt>"response"</dt><dd>{total}</dd></div>
                                                    <div><dt>"uptime 24 h"</dt><dd>{format::percent(e.uptime_24h.percent())}</dd></div>
                                                </dl>
                                                {why.map(|w| view! { <p class="wall-problem">{w}</p> })}
                                                <crate::components::certificate::CertificateChip env=e.clone() />
                                                {cloud.map(|c| view! { <crate::components::cloud::CloudSummary cloud=c now /> })}
                                                <Sparkline buckets=e.history.clone() thresholds=e.latency />
                                                <p class="wall-spark-caption">"response time, last hour"</p>
                                                <p class="wall-age"><Age at=e.updated_at stale_after_ms=e.stale_after_ms() /></p>
                                            </section>
                                        }
                                    }).collect_view()}}
                                </div>
                                <crate::components::watch::WatchStrip />
                                {move || incident().is_none().then(|| view! {
                                    <crate::components::in_flight::InFlight dash=dash.get() now=feed.now.get() />
                                })}
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
