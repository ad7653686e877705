//! The session as the UI sees it: loaded once per page, read by the header (who is signed in,
//! sign out) and by forms (the CSRF token they must carry).

use crate::api::{get_session, AppError};
use crate::domain::SessionInfo;
use leptos::prelude::*;

pub type SessionResource = Resource<Result<Option<SessionInfo>, AppError>>;

pub fn provide_session() {
    let session: SessionResource = Resource::new(|| (), |_| get_session());
    provide_context(session);
}

/// The session once loaded (inside a `Suspense`), `None` before sign-in or while loading.
pub fn current_session() -> Option<SessionInfo> {
    use_context::<SessionResource>()?.get()?.ok()?
}

/// The token a state-changing form must carry (empty when there is none: the server refuses).
/// Read untracked: forms are built once, and the token does not change during a page's life.
pub fn csrf_token() -> String {
    use_context::<SessionResource>()
        .and_then(|r| r.get_untracked())
        .and_then(Result::ok)
        .flatten()
        .and_then(|s| s.csrf_token)
        .unwrap_or_default()
}

/// Who is signed in, with a sign-out button (a plain form: it works without the page's script).
#[component]
pub fn SessionBadge() -> impl IntoView {
    move || {
        current_session().filter(|s| s.signed_in).map(|s| {
            let roles = s
                .principal
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <a class="who" href="/profile" title=format!("roles: {roles}")>
                    {s.principal.display_name.clone()}
                    <span class="who-roles">{roles.clone()}</span>
                </a>
                <form method="post" action="/signout" class="signout">
                    <input type="hidden" name="csrf_token" value=s.csrf_token.unwrap_or_default() />
                    <button type="submit" class="btn-link">"Sign out"</button>
                </form>
            }
        })
    }
}
