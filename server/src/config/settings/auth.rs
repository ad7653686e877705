//! `[auth]`: sessions, role grants and the sign-in methods (`[auth.oidc]`, `[auth.github]`).

use app::domain::{DemoUser, Identity, RoleGrants};
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however busy.
    pub lifetime: Duration,
    pub grants: RoleGrants,
    /// The demo's ready-made people (demo mode only).
    pub demo_users: Vec<(DemoUser, Identity)>,
    /// Mark the cookie `Secure` (when opsdeck is reached over HTTPS).
    pub secure_cookies: bool,
    /// Sign-in through an OpenID Connect provider.
    pub oidc: Option<OidcSettings>,
    /// Sign-in with GitHub.
    pub github: Option<GithubSignInSettings>,
}

#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// Exactly as the provider writes it in `iss` (with or without a trailing slash).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub label: String,
    pub scopes: Vec<String>,
    pub groups_claim: String,
    /// `<server.public_url>/auth/oidc/callback`, registered with the provider.
    pub redirect_url: Url,
}

/// `[auth.github]`: the GitHub App people sign in with (and whose tokens act as them).
#[derive(Clone, Debug)]
pub struct GithubSignInSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    /// `https://github.com` (or GitHub Enterprise, or a test stub).
    pub web_url: Url,
    /// `https://api.github.com`.
    pub api_url: Url,
    /// `<server.public_url>/auth/github/callback`.
    pub redirect_url: Url,
    pub token_key: crate::auth::token_key::TokenKey,
}
