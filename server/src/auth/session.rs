//! Sessions: stored in Postgres (tower-sessions), cookie HttpOnly + SameSite=Lax (+ Secure over
//! HTTPS), ended after the idle timeout, and after the absolute lifetime by [`current`]. The id
//! changes at sign-in, so a session id planted before sign-in is worth nothing after it.

use super::AuthSettings;
use app::domain::{Principal, SessionInfo};
use base64::Engine;
use chrono::Utc;
use rand::RngCore;
use sqlx::PgPool;
use tower_sessions::{cookie::SameSite, Expiry, Session, SessionManagerLayer};
pub use tower_sessions_sqlx_store::PostgresStore as SessionStore;

const PRINCIPAL: &str = "principal";
const CSRF: &str = "csrf";
const SIGNED_IN_AT: &str = "signed_in_at";
pub const COOKIE: &str = "opsdeck_session";

/// The session store (its table is created at startup) and the layer that uses it.
pub async fn session_layer(
    pool: PgPool,
    settings: &AuthSettings,
) -> Result<(SessionManagerLayer<SessionStore>, SessionStore), sqlx::Error> {
    let store = SessionStore::new(pool);
    store.migrate().await?;
    let idle = time::Duration::seconds(
        i64::try_from(settings.idle_timeout.as_secs())
            .unwrap_or(i64::MAX)
            .max(1),
    );
    let layer = SessionManagerLayer::new(store.clone())
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle));
    Ok((layer, store))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Start a signed-in session for `principal` under a new id; returns its CSRF token.
pub async fn sign_in(
    session: &Session,
    principal: &Principal,
) -> Result<String, tower_sessions::session::Error> {
    session.cycle_id().await?;
    let token = new_token();
    session.insert(PRINCIPAL, principal).await?;
    session.insert(CSRF, &token).await?;
    session.insert(SIGNED_IN_AT, Utc::now().timestamp()).await?;
    Ok(token)
}

/// The signed-in session, if there is one and it has not outlived `settings.lifetime`.
pub async fn current(session: &Session, settings: &AuthSettings) -> Option<SessionInfo> {
    let signed_in_at: i64 = session.get(SIGNED_IN_AT).await.ok()??;
    let age = Utc::now().timestamp().saturating_sub(signed_in_at);
    if age > i64::try_from(settings.lifetime.as_secs()).unwrap_or(i64::MAX) {
        let _ = session.flush().await;
        return None;
    }
    let principal: Principal = session.get(PRINCIPAL).await.ok()??;
    let csrf_token: Option<String> = session.get(CSRF).await.ok()?;
    Some(SessionInfo {
        principal,
        csrf_token,
        signed_in: true,
    })
}

pub async fn sign_out(session: &Session) {
    let _ = session.flush().await;
}
