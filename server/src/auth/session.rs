//! Sessions: stored in Postgres (tower-sessions), cookie HttpOnly + SameSite=Lax (+ Secure over
//! HTTPS), ended after the idle timeout, and after the absolute lifetime by [`current`]. The id
//! changes at sign-in, so a session id planted before sign-in is worth nothing after it.

use crate::config::AuthSettings;
use app::domain::{Principal, SessionInfo};
use base64::Engine;
use chrono::Utc;
use rand::RngCore;
use sqlx::PgPool;
use tower_sessions::{cookie::SameSite, Expiry, Session, SessionManagerLayer};

/// Put into a wall screen's requests: the token its session was opened with.
#[derive(Clone, Copy, Debug)]
pub struct WallSession(pub i64);
pub use tower_sessions_sqlx_store::PostgresStore as SessionStore;

const PRINCIPAL: &str = "principal";
const CSRF: &str = "csrf";
const SIGNED_IN_AT: &str = "signed_in_at";
const WALL_TOKEN: &str = "wall_token_id";
pub const COOKIE: &str = "opsdeck_session";

/// The session store (its table is created at startup) and the layer that uses it.
pub async fn session_layer(
    pool: PgPool,
    settings: &AuthSettings,
) -> Result<(SessionManagerLayer<SessionStore>, SessionStore), sqlx::Error> {
    // Its table is created by opsdeck's migrations (`tower_sessions.session`), so serving needs no
    // DDL and may run as a role that does not own the tables.
    let store = SessionStore::new(pool);
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
        .with_expiry(Expiry::OnInactivity(idle))
        // Saved on every request, so the idle timeout counts from the last request, not sign-in.
        .with_always_save(true);
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
    // Nothing from before sign-in survives it, and it lives on under a new id.
    session.clear().await;
    session.cycle_id().await?;
    let token = new_token();
    session.insert(PRINCIPAL, principal).await?;
    session.insert(CSRF, &token).await?;
    session.insert(SIGNED_IN_AT, Utc::now().timestamp()).await?;
    Ok(token)
}

/// Open a wall screen's session from a verified token: read-only, no CSRF token (it can change
/// nothing), and no idle expiry — it ends when the token is revoked.
pub async fn sign_in_wall(
    session: &Session,
    token_id: i64,
    name: &str,
) -> Result<(), tower_sessions::session::Error> {
    // Nothing from before sign-in survives it, and it lives on under a new id.
    session.clear().await;
    session.cycle_id().await?;
    let principal = Principal {
        user_id: 0,
        display_name: format!("Wall: {name}"),
        roles: [app::domain::Role::Viewer].into(),
    };
    session.insert(PRINCIPAL, &principal).await?;
    session.insert(WALL_TOKEN, token_id).await?;
    session.insert(SIGNED_IN_AT, Utc::now().timestamp()).await?;
    keep_wall_open(session);
    Ok(())
}

/// A wall screen's session does not end by idleness. The layer applies its idle expiry to every
/// session it saves, so a wall's is set again on each of its requests.
pub fn keep_wall_open(session: &Session) {
    let ten_years = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
    session.set_expiry(Some(Expiry::AtDateTime(ten_years)));
}

/// Whether a person (not a wall screen) is signed in on this session.
pub async fn is_person(session: &Session) -> bool {
    let signed_in = session
        .get::<i64>(SIGNED_IN_AT)
        .await
        .ok()
        .flatten()
        .is_some();
    signed_in && wall_token(session).await.is_none()
}

/// The wall token a session was opened with, if it is a wall screen's.
pub async fn wall_token(session: &Session) -> Option<i64> {
    session.get(WALL_TOKEN).await.ok()?
}

/// The signed-in session, if there is one, it has not outlived `settings.lifetime`, and (for a
/// wall screen) its token has not been revoked.
pub async fn current(
    session: &Session,
    settings: &AuthSettings,
    pool: &PgPool,
) -> Option<SessionInfo> {
    let signed_in_at: i64 = session.get(SIGNED_IN_AT).await.ok()??;
    let wall = wall_token(session).await;
    let expired = match wall {
        // A database that does not answer must not sign every wall out: only a revocation does.
        Some(id) => !crate::store::wall_tokens::is_active(pool, id)
            .await
            .unwrap_or(true),
        None => {
            let age = Utc::now().timestamp().saturating_sub(signed_in_at);
            age > i64::try_from(settings.lifetime.as_secs()).unwrap_or(i64::MAX)
        }
    };
    if expired {
        let _ = session.flush().await;
        return None;
    }
    let principal: Principal = session.get(PRINCIPAL).await.ok()??;
    let csrf_token: Option<String> = session.get(CSRF).await.ok()?;
    Some(SessionInfo {
        principal,
        csrf_token,
        signed_in: true,
        wall: wall.is_some(),
    })
}

pub async fn sign_out(session: &Session) {
    let _ = session.flush().await;
}

/// Delete expired sessions every `every`: sessions that idled out or outlived their lifetime, and
/// sign-ins started at a provider that never came back (those sessions idle out too).
pub fn spawn_sweeper(
    store: SessionStore,
    every: std::time::Duration,
    tasks: &mut tokio::task::JoinSet<()>,
) {
    use tower_sessions::ExpiredDeletion;
    tasks.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!("deleting expired sessions failed: {e}");
            }
        }
    });
}
