//! Every route opsdeck serves, and who may call it, in one place: the pages and server functions
//! (Leptos), the live stream and JSON for scripts, sign-in, exports, and opsdeck's own health. What
//! is reachable without signing in and what a wall screen may load are listed here and handed to
//! the guard; each route checks the role it needs beyond viewing.

use crate::auth::{self, RouteAccess, SessionStore};
use crate::routes;
use crate::routes::security_headers::{CspNonce, SecurityHeaders};
use crate::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;
use tower_sessions::SessionManagerLayer;

/// Reachable without signing in: the way in, opsdeck's own health, and static files.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/signin"
            | "/signin/demo"
            | "/auth/oidc/start"
            | "/auth/oidc/callback"
            | "/auth/github/start"
            | "/auth/github/callback"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/favicon.svg"
            | "/api/fn/session"
            | "/api/fn/sign_in_options"
    ) || path.starts_with("/pkg/")
}

/// State-changing requests that need no CSRF token: signing in has no session yet (its Origin is
/// still checked by `same_origin`).
fn needs_no_token(path: &str) -> bool {
    path == "/signin/demo"
}

/// What a wall screen may load: the dashboard, the wall, their data and the live stream.
fn wall_may_see(path: &str) -> bool {
    matches!(
        path,
        "/" | "/wall" | "/api/v1/live" | "/api/v1/status" | "/api/fn/dashboard" | "/api/fn/session"
    )
}

/// Sign-in attempts, limited per client address: anyone can make them without a session.
fn is_sign_in_attempt(req: &Request<Body>) -> bool {
    let path = req.uri().path();
    matches!(
        path,
        "/signin/demo"
            | "/auth/oidc/start"
            | "/auth/oidc/callback"
            | "/auth/github/start"
            | "/auth/github/callback"
            | "/auth/github/connect"
    ) || (path == "/wall" && req.uri().query().is_some_and(|q| q.contains("token=")))
}

const ACCESS: RouteAccess = RouteAccess {
    public: is_public,
    no_csrf_token: needs_no_token,
    wall: wall_may_see,
};

/// The whole application as one router.
pub fn build_app(state: AppState, sessions: SessionManagerLayer<SessionStore>) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let options = state.leptos.clone();
    let context = move || {
        provide_context(services.clone());
        provide_csp_nonce();
    };
    // opsdeck's own health sits outside sessions: it must answer even when the session store
    // (the database) does not, and it needs no one to be signed in.
    let ops = Router::new()
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics));
    Router::new()
        .route("/api/v1/live", get(routes::live::stream))
        .route("/api/v1/logs/tail", get(routes::logs_tail::stream))
        .route("/api/v1/status", get(routes::status::status))
        .route("/api/v1/audit.csv", get(routes::audit_export::csv))
        .route("/api/v1/audit.json", get(routes::audit_export::json))
        .route(
            "/incidents/{id}/export.md",
            get(routes::incident_export::markdown),
        )
        .route(
            "/incidents/{id}/export.json",
            get(routes::incident_export::json),
        )
        .route("/api/fn/{*name}", get(server_fn).post(server_fn))
        .route("/api/v1/session", get(auth::routes::current))
        .route("/signin/demo", post(auth::routes::demo_sign_in))
        .route("/signout", post(auth::routes::sign_out))
        .route("/auth/oidc/start", get(auth::routes::oidc_start))
        .route("/auth/oidc/callback", get(auth::routes::oidc_callback))
        .route("/auth/github/start", get(auth::routes::github_start))
        .route("/auth/github/callback", get(auth::routes::github_callback))
        .route("/auth/github/connect", get(auth::routes::github_connect))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), ACCESS),
            auth::guard,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            (
                state.attempts.clone(),
                is_sign_in_attempt as auth::attempts::IsAttempt,
            ),
            auth::attempts::limit,
        ))
        .merge(ops)
        .layer(axum::middleware::from_fn_with_state(
            state.origin.clone(),
            routes::same_origin::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            SecurityHeaders { hsts: state.secure },
            routes::security_headers::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Give Leptos this response's CSP nonce, so the hydration script it writes carries it.
fn provide_csp_nonce() {
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let services = state.services.clone();
    handle_server_fns_with_context(move || provide_context(services.clone()), req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_way_in_and_health_are_public() {
        for p in ["/signin", "/healthz", "/pkg/opsdeck.js", "/api/fn/session"] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/",
            "/wall",
            "/env/prod",
            "/api/v1/status",
            "/api/v1/live",
            "/api/fn/demo_fault",
            "/signout",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }

    #[test]
    fn a_wall_sees_only_the_dashboard_and_the_wall() {
        for p in ["/", "/wall", "/api/v1/live", "/api/fn/dashboard"] {
            assert!(wall_may_see(p), "{p}");
        }
        for p in ["/actions", "/env/prod", "/audit", "/api/fn/request_action"] {
            assert!(!wall_may_see(p), "{p}");
        }
    }
}
