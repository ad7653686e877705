//! `/admin/wall-tokens`: admins create named tokens for wall screens (each shown once), see when
//! they were last used, and revoke them — a revoked screen loses its session within seconds.

use super::ErrorPanel;
use crate::api::{list_wall_tokens, CreateWallToken, RevokeWallToken};
use crate::components::{session::csrf_token, Header};
use crate::domain::{format, WallToken};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WallTokensPage() -> impl IntoView {
    let create = ServerAction::<CreateWallToken>::new();
    let revoke = ServerAction::<RevokeWallToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_wall_tokens(),
    );
    view! {
        <Title text="opsdeck — wall tokens" />
        <Header />
        <main class="page narrow">
            <h1>"Wall-screen tokens"</h1>
            <p class="muted">
                "A wall token opens the wall view on a screen with no keyboard: read-only, never signed out for idleness, until the token is revoked. Each token is shown once. (Also: "
                <code>"opsdeck wall-token create --name NAME"</code> ")"
            </p>
            <ActionForm action=create attr:class="token-create">
                <input type="text" name="name" required maxlength="64" placeholder="Team room" aria-label="Name of the screen" />
                <input type="hidden" name="csrf_token" value=csrf_token() />
                <button type="submit" class="btn">"Create token"</button>
            </ActionForm>
            {move || create.value().get().map(|result| match result {
                Ok(token) => view! {
                    <div class="token-once" role="status">
                        <p>"Open this address on the wall screen. It is shown only now:"</p>
                        <code class="token-url">{format!("/wall?token={token}")}</code>
                    </div>
                }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
            {move || revoke.value().get().and_then(Result::err).map(|error| view! { <ErrorPanel error /> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No wall tokens yet."</p> }.into_any(),
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn TokenTable(list: Vec<WallToken>, revoke: ServerAction<RevokeWallToken>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|t| {
            let state = match t.revoked_at {
                Some(at) => format!("revoked {}", format::datetime(at)),
                None => "active".to_owned(),
            };
            let used = t
                .last_used_at
                .map(format::datetime)
                .unwrap_or_else(|| "never".into());
            let active = t.revoked_at.is_none();
            let name = t.name.clone();
            view! {
                <tr data-token=t.name.clone()>
                    <td>{t.name.clone()}</td>
                    <td>{state}</td>
                    <td>{format::datetime(t.created_at)} " by " {t.created_by.clone()}</td>
                    <td>{used}</td>
                    <td>
                        {active.then(|| view! {
                            <ActionForm action=revoke>
                                <input type="hidden" name="name" value=name.clone() />
                                <input type="hidden" name="csrf_token" value=csrf_token() />
                                <button type="submit" class="btn">"Revoke"</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="samples">
                <thead><tr><th>"name"</th><th>"status"</th><th>"created"</th><th>"last used"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
