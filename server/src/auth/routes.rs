//! Signing in and out, and the session as JSON for scripts.

use super::pages::sign_in_failed;
use super::{session, Access};
use crate::state::AppState;
use crate::store::{people, users};
use app::domain::{local_path, Principal, SessionInfo};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct DemoSignIn {
    user: String,
    #[serde(default)]
    next: String,
}

/// `POST /signin/demo`: sign in as one of the demo's people. Exists only in demo mode (which
/// only listens on loopback).
pub async fn demo_sign_in(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<DemoSignIn>,
) -> Response {
    let Access::SignIn(settings) = &state.auth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if settings.demo_users.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some((_, identity)) = settings.demo_users.iter().find(|(u, _)| u.key == form.user) else {
        // Whoever asks chooses this text: counted, with a short example, not one event each.
        let tried: String = form.user.chars().take(32).collect();
        state.attempts.failed(
            "sign_in_failed",
            "demo:(unknown user)",
            &format!("no such demo user: {tried:?}"),
        );
        return (StatusCode::BAD_REQUEST, "no such demo user\n").into_response();
    };
    complete_sign_in(&state, &session, settings, identity, &form.next)
        .await
        .map_or_else(|refused| refused, |(_, ok)| ok)
}

/// `POST /signout`: end the session everywhere it is used (it is deleted from the store).
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    info: Option<Extension<SessionInfo>>,
) -> Response {
    if let Some(Extension(info)) = info.filter(|i| i.signed_in) {
        let p = &info.principal;
        if let Err(e) = users::audit(
            &state.pool,
            Some(p.user_id),
            &p.display_name,
            "sign_out",
            serde_json::json!({}),
        )
        .await
        {
            tracing::warn!("auditing a sign-out failed: {e}");
        }
    }
    session::sign_out(&session).await;
    Redirect::to("/signin").into_response()
}

/// `GET /api/v1/session`: who is signed in, their roles, and the CSRF token for scripts.
pub async fn current(Extension(info): Extension<SessionInfo>) -> Json<SessionInfo> {
    Json(info)
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

const PENDING: &str = "oidc_pending";

/// `GET /auth/oidc/start`: send the browser to the identity provider.
pub async fn oidc_start(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(provider) = state.oidc.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match provider.start(&q.next).await {
        Ok((url, pending)) => send_to_provider(&session, PENDING, pending, &url).await,
        Err(e) => {
            tracing::warn!("starting an OpenID Connect sign-in failed: {e}");
            sign_in_failed(&e.to_string())
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/oidc/callback`: the provider sends the browser back with a code (or an error).
pub async fn oidc_callback(
    State(state): State<AppState>,
    session: Session,
    Query(cb): Query<Callback>,
) -> Response {
    let (Some(provider), Access::SignIn(settings)) = (state.oidc.clone(), &state.auth) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pending: Option<super::oidc::Pending> = session.remove(PENDING).await.ok().flatten();
    let (pending, code, st) = match returned(pending, cb) {
        Ok(ok) => ok,
        Err(why) => return failed(&state, "oidc", &why).await,
    };
    let next = pending.next.clone();
    let identity = match provider.finish(pending, &code, &st).await {
        Ok(identity) => identity,
        Err(e) => return failed(&state, "oidc", &e.to_string()).await,
    };
    complete_sign_in(&state, &session, settings, &identity, &next)
        .await
        .map_or_else(|refused| refused, |(_, ok)| ok)
}

/// Find (or create, or link) the person, audit it in the same transaction, then give them their
/// roles and a fresh session. If the audit log cannot be written, nobody is signed in.
async fn complete_sign_in(
    state: &AppState,
    session: &Session,
    settings: &crate::config::AuthSettings,
    identity: &app::domain::Identity,
    next: &str,
) -> Result<(i64, Response), Response> {
    let roles = settings.grants.roles_for(identity);
    let role_names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let details = serde_json::json!({"provider": identity.provider, "roles": role_names});
    let user_id = match people::sign_in(&state.pool, identity, "sign_in", details).await {
        Ok((id, _)) => id,
        Err(e @ people::PeopleError::Ambiguous { .. }) => {
            return Err(sign_in_failed(&e.to_string()))
        }
        Err(e) => {
            tracing::error!("recording the sign-in failed: {e}");
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                "sign-in is unavailable: it could not be recorded in the audit log (the database did not answer); nobody was signed in\n",
            )
                .into_response());
        }
    };
    let principal = Principal {
        user_id,
        display_name: identity.display_name.clone(),
        roles,
    };
    if let Err(e) = session::sign_in(session, &principal).await {
        tracing::error!("starting the session failed: {e}");
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "sign-in is unavailable: the session could not be stored\n",
        )
            .into_response());
    }
    Ok((user_id, Redirect::to(local_path(next)).into_response()))
}

const GITHUB_PENDING: &str = "github_pending";

/// `GET /auth/github/start`: send the browser to GitHub.
pub async fn github_start(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(github) = state.github.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (url, pending) = github.start(&q.next, None);
    send_to_provider(&session, GITHUB_PENDING, pending, &url).await
}

/// `GET /auth/github/connect`: a signed-in person (e.g. through OpenID Connect) connects their
/// GitHub account, so actions GitHub must record as theirs can be taken with their own token.
pub async fn github_connect(
    State(state): State<AppState>,
    session: Session,
    info: Option<Extension<SessionInfo>>,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(github) = state.github.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(Extension(info)) = info.filter(|i| i.signed_in && !i.wall) else {
        return (StatusCode::UNAUTHORIZED, "sign in first\n").into_response();
    };
    let (url, pending) = github.start(&q.next, Some(info.principal.user_id));
    send_to_provider(&session, GITHUB_PENDING, pending, &url).await
}

/// `GET /auth/github/callback`: GitHub sends the browser back with a code (or an error).
pub async fn github_callback(
    State(state): State<AppState>,
    session: Session,
    Query(cb): Query<Callback>,
) -> Response {
    let (Some(github), Access::SignIn(settings)) = (state.github.clone(), &state.auth) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pending: Option<super::github::Pending> =
        session.remove(GITHUB_PENDING).await.ok().flatten();
    let (pending, code, st) = match returned(pending, cb) {
        Ok(ok) => ok,
        Err(why) => return failed(&state, "github", &why).await,
    };
    let next = pending.next.clone();
    let connect = pending.connect_user;
    let (identity, tokens) = match github.finish(pending, &code, &st).await {
        Ok(ok) => ok,
        Err(e) => return failed(&state, "github", &e.to_string()).await,
    };
    if let Some(user_id) = connect {
        return connect_github(
            &state,
            &session,
            github.token_key(),
            user_id,
            &identity,
            &tokens,
            &next,
        )
        .await;
    }
    let (user_id, response) =
        match complete_sign_in(&state, &session, settings, &identity, &next).await {
            Ok(ok) => ok,
            Err(refused) => return refused,
        };
    // The person's own token, for actions GitHub must record as theirs (kept encrypted).
    if let Err(e) =
        crate::store::github_tokens::save(&state.pool, github.token_key(), user_id, &tokens).await
    {
        tracing::warn!("storing the GitHub token failed: {e}");
    }
    response
}

async fn session_principal(session: &Session) -> Option<Principal> {
    session.get::<Principal>("principal").await.ok().flatten()
}

/// An error a provider reported through the browser. Anyone can put text into that URL, so it is
/// shortened before it is shown or audited (and always shown escaped).
fn provider_error(error: &str, description: Option<&str>) -> String {
    let text = match description {
        Some(d) => format!("{error}: {d}"),
        None => error.to_owned(),
    };
    text.chars().take(200).collect()
}

/// Attach a GitHub account (login and encrypted token) to the person who started the connection,
/// if they are still the one signed in.
async fn connect_github(
    state: &AppState,
    session: &Session,
    key: &super::token_key::TokenKey,
    user_id: i64,
    identity: &app::domain::Identity,
    tokens: &crate::store::github_tokens::Tokens,
    next: &str,
) -> Response {
    let still_them = session_principal(session)
        .await
        .is_some_and(|p| p.user_id == user_id);
    if !still_them {
        return sign_in_failed(
            "the GitHub connection was started by someone who is no longer signed in here",
        );
    }
    let who = session_principal(session)
        .await
        .map(|p| p.display_name)
        .unwrap_or_default();
    // The link, the token and the audit event commit together, or none of them does.
    let saved = async {
        let mut tx = state.pool.begin().await?;
        people::link(&mut tx, user_id, &who, identity).await?;
        crate::store::github_tokens::save(&mut *tx, key, user_id, tokens).await?;
        tx.commit().await?;
        Ok::<_, people::PeopleError>(())
    };
    match saved.await {
        Ok(()) => Redirect::to(local_path(next)).into_response(),
        Err(e @ people::PeopleError::LinkedElsewhere { .. }) => {
            tracing::warn!("refused to connect GitHub: {e}");
            sign_in_failed(&e.to_string())
        }
        Err(e) => {
            tracing::error!("storing the GitHub connection failed: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the GitHub connection could not be stored (nothing was changed)\n",
            )
                .into_response()
        }
    }
}

/// What a provider's redirect back carries: the sign-in that was started here, with the code and
/// state to finish it — or, in words, why it cannot be finished.
fn returned<P>(pending: Option<P>, cb: Callback) -> Result<(P, String, String), String> {
    match (pending, cb.code, cb.state, cb.error) {
        (_, _, _, Some(error)) => Err(format!(
            "the provider refused: {}",
            provider_error(&error, cb.error_description.as_deref())
        )),
        (None, _, _, _) => {
            Err("the sign-in was not started here or has expired; please sign in again".into())
        }
        (Some(p), Some(code), Some(state), None) => Ok((p, code, state)),
        (Some(_), _, _, None) => Err("the provider sent neither a code nor an error".into()),
    }
}

/// A failed sign-in: logged, counted for the audit log's summary, and explained on a page.
async fn failed(state: &AppState, provider: &str, why: &str) -> Response {
    tracing::warn!(provider, "sign-in failed: {why}");
    state
        .attempts
        .failed("sign_in_failed", &format!("{provider}:(unknown)"), why);
    sign_in_failed(why)
}

/// Remember what the provider's redirect back must match (under `key`), then send the browser there.
async fn send_to_provider(
    session: &Session,
    key: &str,
    pending: impl serde::Serialize,
    url: &url::Url,
) -> Response {
    if let Err(e) = session.insert(key, pending).await {
        tracing::error!("storing the pending sign-in failed: {e}");
        let msg = "sign-in is unavailable: the session could not be stored\n";
        return (StatusCode::SERVICE_UNAVAILABLE, msg).into_response();
    }
    Redirect::to(url.as_str()).into_response()
}
