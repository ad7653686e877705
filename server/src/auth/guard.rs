//! The guard in front of every route: who is asking (or an anonymous viewer when sign-in is not
//! configured), whether they may see opsdeck at all, and — for every state-changing request — the
//! session's CSRF token. What a route needs beyond viewing is checked by the route itself.

use super::{session, Access};
use crate::state::AppState;
use crate::store::users;
use app::domain::{Principal, Role, SessionInfo};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The largest form body read to find the token.
const MAX_FORM: usize = 64 * 1024;

/// Which paths are open to whom. The router, which registers every route, gives these.
#[derive(Clone, Copy)]
pub struct RouteAccess {
    /// Reachable without signing in.
    pub public: fn(&str) -> bool,
    /// State-changing requests that need no CSRF token (signing in has no session yet).
    pub no_csrf_token: fn(&str) -> bool,
    /// What a wall screen may load.
    pub wall: fn(&str) -> bool,
}

pub async fn guard(
    State((state, access)): State<(AppState, RouteAccess)>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if let Some(token) = wall_token_in(&req) {
        return open_wall(&state, &session, &token).await;
    }
    let info = match &state.auth {
        Access::Open => Some(SessionInfo {
            principal: Principal {
                user_id: 0,
                display_name: "anonymous".into(),
                roles: [Role::Viewer].into(),
            },
            csrf_token: None,
            signed_in: false,
            wall: false,
        }),
        Access::SignIn(settings) => session::current(&session, settings, &state.pool).await,
    };
    let path = req.uri().path().to_owned();
    let mut req = req;
    if (access.public)(&path) {
        if let Some(info) = info {
            req.extensions_mut().insert(info);
        }
        return next.run(req).await;
    }
    let Some(info) = info else {
        return sign_in_first(&req);
    };
    if !info.principal.has(Role::Viewer) {
        return no_role(&info);
    }
    if info.wall {
        // First: every answer, refusals too, saves the session.
        session::keep_wall_open(&session);
        if !(access.wall)(&path) || !matches!(*req.method(), Method::GET | Method::HEAD) {
            return (
                StatusCode::FORBIDDEN,
                "a wall screen can only show the dashboard and the wall\n",
            )
                .into_response();
        }
        if let Some(id) = session::wall_token(&session).await {
            req.extensions_mut().insert(session::WallSession(id));
        }
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !(access.no_csrf_token)(&path)
    {
        req = match check_token(req, info.csrf_token.as_deref()).await {
            Ok(req) => req,
            Err(resp) => return resp,
        };
    }
    req.extensions_mut().insert(info);
    next.run(req).await
}

/// `GET /wall?token=…`: the token a wall screen was set up with.
fn wall_token_in(req: &Request) -> Option<String> {
    if req.method() != Method::GET || req.uri().path() != "/wall" {
        return None;
    }
    let query = req.uri().query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

/// Verify a wall token, open the screen's read-only session, and send the browser to `/wall`
/// so the token does not stay in the address bar (or in its history).
async fn open_wall(state: &AppState, session: &Session, token: &str) -> Response {
    if !matches!(state.auth, Access::SignIn(_)) {
        return Redirect::to("/wall").into_response();
    }
    // A link carrying a token must not turn someone's own session into a wall screen.
    if session::is_person(session).await {
        let msg =
            "this browser is signed in as a person: sign out first to make it a wall screen\n";
        return (StatusCode::CONFLICT, msg).into_response();
    }
    let pool = &state.pool;
    match crate::store::wall_tokens::verify(pool, token).await {
        Ok(Some((id, name))) => {
            // Recorded first: a screen the audit log does not know of is not let in.
            let actor = format!("wall:{name}");
            if let Err(e) =
                users::audit(pool, None, &actor, "wall_sign_in", serde_json::json!({})).await
            {
                tracing::error!("recording a wall sign-in failed: {e}");
                let msg = "the wall sign-in could not be recorded in the audit log (the database did not answer)\n";
                return (StatusCode::SERVICE_UNAVAILABLE, msg).into_response();
            }
            match session::sign_in_wall(session, id, &name).await {
                Ok(()) => Redirect::to("/wall").into_response(),
                Err(e) => {
                    tracing::error!("opening a wall session failed: {e}");
                    let msg = "the wall session could not be stored\n";
                    (StatusCode::SERVICE_UNAVAILABLE, msg).into_response()
                }
            }
        }
        Ok(None) => {
            // Anyone can try tokens: counted and summarised, not an audit event each.
            state.attempts.failed(
                "wall_sign_in_failed",
                "wall:(unknown token)",
                "revoked or mistyped token",
            );
            let msg = "this wall token is not valid: it was revoked or mistyped\n";
            (StatusCode::UNAUTHORIZED, msg).into_response()
        }
        Err(e) => {
            tracing::error!("checking a wall token failed: {e}");
            let msg = "the wall token could not be checked: the database did not answer\n";
            (StatusCode::SERVICE_UNAVAILABLE, msg).into_response()
        }
    }
}

fn sign_in_first(req: &Request) -> Response {
    let path = req.uri().path();
    if req.method() == Method::GET && !path.starts_with("/api/") {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        return Redirect::to(&format!("/signin?{query}")).into_response();
    }
    (StatusCode::UNAUTHORIZED, "sign in first\n").into_response()
}

fn no_role(info: &SessionInfo) -> Response {
    super::pages::no_role(
        &info.principal.display_name,
        info.csrf_token.as_deref().unwrap_or_default(),
    )
}

fn refused(why: &str) -> Response {
    tracing::warn!("refused a state-changing request: {why}");
    (StatusCode::FORBIDDEN, format!("refused: {why}\n")).into_response()
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The token from the `x-csrf-token` header, or from a form body's `csrf_token` field (the
/// body is read and put back).
async fn check_token(req: Request, expected: Option<&str>) -> Result<Request, Response> {
    let Some(expected) = expected else {
        return Err(refused("nothing can be changed without signing in"));
    };
    if let Some(sent) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same(sent, expected) {
            Ok(req)
        } else {
            Err(refused("the CSRF token is wrong"))
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused(
            "the CSRF token is missing (send it as x-csrf-token)",
        ));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM)
        .await
        .map_err(|_| refused("the form is larger than 64 KiB"))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    match fields.iter().find(|(k, _)| k == "csrf_token") {
        Some((_, sent)) if same(sent, expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        Some(_) => Err(refused("the CSRF token is wrong")),
        None => Err(refused("the CSRF token is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd") && !same("abc", "ab") && !same("", "a"));
    }
}
