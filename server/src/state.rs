//! The state every route and middleware shares: the live hub, the database, the application's
//! ports (`Services`), how people get in, and the Leptos options pages render with.

use crate::auth::{self, Access, SessionStore};
use crate::config::Settings;
use crate::live::Hub;
use crate::metrics::Metrics;
use crate::routes::same_origin::ExpectedOrigin;
use app::ports::Services;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub pool: PgPool,
    pub metrics: Arc<Metrics>,
    pub services: Services,
    pub leptos: LeptosOptions,
    /// Cancelled at shutdown: ends live streams, which would otherwise never finish.
    pub shutdown: CancellationToken,
    pub origin: ExpectedOrigin,
    pub auth: Access,
    /// The OpenID Connect provider, when sign-in through one is configured.
    pub oidc: Option<Arc<auth::oidc::OidcProvider>>,
    /// Where sessions live, so a live stream can notice its session has ended.
    pub session_store: SessionStore,
    /// GitHub, when sign-in with GitHub is configured.
    pub github: Option<Arc<auth::github::GithubSignIn>>,
    /// Sign-in attempts per client, and failed ones counted for the audit log.
    pub attempts: Arc<auth::attempts::Attempts>,
    /// opsdeck is reached over HTTPS (`server.public_url`): HSTS is sent.
    pub secure: bool,
    /// Live streams open, in all and per session.
    pub streams: Arc<crate::live::StreamSlots>,
    /// Ends open streams whose session or wall token has ended (checked for all at once).
    pub stream_ends: Arc<crate::live::StreamEnds>,
    /// The log searches' lines and the live tails.
    pub logs: Arc<crate::logs::Logs>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Where the built site is and what its files are called (`/pkg/opsdeck.js`, `.wasm`, `.css`).
pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("opsdeck")
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen)
        .build()
}
