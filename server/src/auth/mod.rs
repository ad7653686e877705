//! Who may do what: sessions in Postgres, sign-in (the demo's ready-made people for now; OpenID
//! Connect and GitHub come next), roles granted by configuration, and the guard every request
//! passes — sign-in, role and CSRF token checked on the server, never only in the page.

pub mod demo;
pub mod github;
mod guard;
pub mod oidc;
mod pages;
pub mod routes;
mod session;
pub mod token_key;

pub use guard::guard;
pub use session::{session_layer, SessionStore, WallSession};

use app::domain::{DemoUser, RoleGrants};
use std::time::Duration;

/// How opsdeck is entered.
#[derive(Clone, Debug)]
pub enum Access {
    /// No sign-in configured: everyone is an anonymous viewer and nothing can be changed.
    /// Only allowed on loopback or with an explicit opt-in (see `config`).
    Open,
    SignIn(std::sync::Arc<AuthSettings>),
}

#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub lifetime: Duration,
    pub grants: RoleGrants,
    /// The demo's ready-made people (demo mode only).
    pub demo_users: Vec<(DemoUser, app::domain::Identity)>,
    /// Mark the cookie `Secure` (when opsdeck is reached over HTTPS).
    pub secure_cookies: bool,
    /// Sign-in through an OpenID Connect provider.
    pub oidc: Option<OidcSettings>,
    /// Sign-in with GitHub.
    pub github: Option<github::GithubSettings>,
}

#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// Exactly as the provider writes it in `iss` (with or without a trailing slash).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<secrecy::SecretString>,
    pub label: String,
    pub scopes: Vec<String>,
    pub groups_claim: String,
    /// `<server.public_url>/auth/oidc/callback`, registered with the provider.
    pub redirect_url: url::Url,
}

impl AuthSettings {
    pub fn demo() -> Self {
        let (users, grants) = demo::people();
        Self {
            idle_timeout: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
            grants,
            demo_users: users,
            secure_cookies: false,
            oidc: None,
            github: None,
        }
    }
}
