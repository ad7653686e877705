//! `/signin`: how people get in. In the demo, a choice of ready-made people with different roles,
//! so the approval flow can be tried with two of them in two browser windows.

use super::ErrorPanel;
use crate::api::get_sign_in_options;
use crate::domain::local_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || local_path(&query.read().get("next").unwrap_or_default()).to_owned();
    let options = Resource::new(|| (), |_| get_sign_in_options());
    view! {
        <Title text="opsdeck — sign in" />
        <main class="signin">
            <h1>"opsdeck"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match options.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(o) if o.demo_users.is_empty() && o.providers.is_empty() => view! {
                            <p>"Sign-in is not configured for this opsdeck."</p>
                        }.into_any(),
                        Ok(o) if o.demo_users.is_empty() => {
                            let query = serde_urlencoded::to_string([("next", next())]).unwrap_or_default();
                            o.providers.into_iter().map(|(label, path)| {
                                let href = format!("{path}?{query}");
                                view! {
                                    <a class="signin-user signin-provider" href=href>
                                        <span class="signin-name">{format!("Sign in with {label}")}</span>
                                    </a>
                                }
                            }).collect_view().into_any()
                        }
                        Ok(o) => {
                            let users = o.demo_users.into_iter().map(|u| {
                                let roles = u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
                                view! {
                                    <form method="post" action="/signin/demo">
                                        <input type="hidden" name="user" value=u.key.clone() />
                                        <input type="hidden" name="next" value=next() />
                                        <button type="submit" class="signin-user" data-user=u.key.clone()>
                                            <span class="signin-name">{u.name.clone()}</span>
                                            <span class="signin-roles">{roles}</span>
                                        </button>
                                    </form>
                                }
                            }).collect_view();
                            view! {
                                <p class="muted">"Demo: sign in as one of these people. Use two browser windows to try a request and its approval."</p>
                                <div class="signin-users">{users}</div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}
