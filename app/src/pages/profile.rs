//! `/profile`: who you are to opsdeck — name, roles — and your GitHub connection, which actions
//! that GitHub must record as yours (approving a deployment) need.

use super::ErrorPanel;
use crate::api::get_profile;
use crate::components::Header;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let profile = Resource::new(|| (), |_| get_profile());
    view! {
        <Title text="opsdeck — profile" />
        <Header />
        <main class="page narrow">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(p) => {
                            let roles = p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
                            let github = match (p.github_login, p.can_connect_github) {
                                (Some(login), _) => view! {
                                    <p data-github="connected">"GitHub: connected as " <b>{login}</b></p>
                                }.into_any(),
                                (None, true) => view! {
                                    <p data-github="none">"GitHub: not connected. Approving deployments needs your own GitHub account. "
                                        <a class="btn" href="/auth/github/connect?next=/profile">"Connect GitHub"</a>
                                    </p>
                                }.into_any(),
                                (None, false) => view! {
                                    <p class="muted" data-github="unavailable">"GitHub sign-in is not configured here."</p>
                                }.into_any(),
                            };
                            view! {
                                <h1>{p.name}</h1>
                                <p>"Roles: " <b>{if roles.is_empty() { "none".to_owned() } else { roles }}</b></p>
                                {github}
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}
