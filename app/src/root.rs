//! The HTML shell and the router: every page is registered here.

use crate::components::live::provide_live_feed;
use crate::components::session::provide_session;
use crate::pages::{
    ActionsPageView, AuditPage, DashboardPage, DatabasePageView, DemoPage, EnvPage,
    IncidentPageView, IncidentsPageView, LogsPageView, MorningCheckPage, NotFound, ProfilePage,
    RequestPageView, SignInPage, WallPage, WallTokensPage, WeeklyCheckPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_live_feed();
    crate::components::incident::provide_strip_actions();

    view! {
        <Stylesheet id="leptos" href="/pkg/opsdeck.css" />
        <Title text="opsdeck" />
        <Router>
            // Async: the server waits for the data, so every page is complete without wasm.
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/env/:name") view=EnvPage ssr=SsrMode::Async />
                <Route path=path!("/env/:name/database") view=DatabasePageView ssr=SsrMode::Async />
                <Route path=path!("/env/:name/logs") view=LogsPageView ssr=SsrMode::Async />
                <Route path=path!("/wall") view=WallPage ssr=SsrMode::Async />
                <Route path=path!("/demo") view=DemoPage ssr=SsrMode::Async />
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/profile") view=ProfilePage ssr=SsrMode::Async />
                <Route path=path!("/admin/wall-tokens") view=WallTokensPage ssr=SsrMode::Async />
                <Route path=path!("/actions") view=ActionsPageView ssr=SsrMode::Async />
                <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                <Route path=path!("/checks/morning") view=MorningCheckPage ssr=SsrMode::Async />
                <Route path=path!("/checks/weekly") view=WeeklyCheckPage ssr=SsrMode::Async />
                <Route path=path!("/requests/:id") view=RequestPageView ssr=SsrMode::Async />
                <Route path=path!("/incidents") view=IncidentsPageView ssr=SsrMode::Async />
                <Route path=path!("/incidents/:id") view=IncidentPageView ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
