//! `/`: every environment at a glance — the morning check.

use super::ErrorPanel;
use crate::api::get_dashboard;
use crate::components::{live::use_live_feed, EnvTile, Header, StatusBadge};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let initial = Resource::new(|| (), |_| get_dashboard());
    let feed = use_live_feed();
    view! {
        <Title text="opsdeck — dashboard" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(base) => {
                        let demo = base.demo;
                        feed.sync_clock(base.generated_at.unwrap_or_default());
                        // The incident strip and the freeze banner render with the page.
                        feed.seed_incidents(&base.incidents);
                        let dash = Memo::new(move |_| feed.merge(base.clone()));
                        view! {
                            <Header demo />
                            <main class="page">
                                <div class="overall">
                                    {move || view! { <StatusBadge level=dash.get().level() large=true /> }}
                                    <span class="overall-caption">
                                        {move || format!("{} environments", dash.get().environments.len())}
                                    </span>
                                    <crate::components::incident::DeclareLink />
                                </div>
                                <crate::components::waiting::WaitingForYou dash />
                                <crate::components::check_due::CheckDueNotice />
                                <crate::components::watch::WatchStrip />
                                <div class="tiles">
                                    {move || {
                                        let d = dash.get();
                                        d.environments
                                            .iter()
                                            .map(|env| {
                                                let cloud = d.cloud(env.name.as_str()).cloned();
                                                view! { <EnvTile env=env.clone() cloud /> }
                                            })
                                            .collect_view()
                                    }}
                                </div>
                            </main>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <Header /><main class="page"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
