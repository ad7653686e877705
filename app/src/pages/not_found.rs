//! The page for an address opsdeck does not know.

use crate::components::Header;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Header />
        <main class="page">
            <section class="error-panel" role="alert">
                <h2>"Not found"</h2>
                <p>"There is no page at this address."</p>
                <p><a href="/">"Back to the dashboard"</a></p>
            </section>
        </main>
    }
}
