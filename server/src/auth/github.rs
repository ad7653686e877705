//! "Sign in with GitHub" (GitHub App user authorization): the web flow with state, the user and
//! their organisation teams from the REST API, and the user's token kept — encrypted — for the
//! actions that must be taken as that person (approving a deployment). Tokens that expire are
//! refreshed with the refresh token. The OAuth endpoints are spoken to through the `oauth2` crate
//! (`token_endpoint`), over a reqwest client built as the OpenID Connect sign-in builds its own.

mod token_endpoint;

use crate::config::GithubSignInSettings;
use crate::store::github_tokens::{self, Tokens};
use app::domain::{local_path, Identity};
use chrono::{Duration as ChronoDuration, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use token_endpoint::{Failure, TokenEndpoint};
use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error(
        "the sign-in response does not belong to the sign-in that was started (state mismatch)"
    )]
    StateMismatch,
    #[error("GitHub refused: {0}")]
    Refused(String),
    #[error("GitHub could not be reached or answered unexpectedly: {0}")]
    Unavailable(String),
}

impl From<Failure> for GithubError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Refused(why) => GithubError::Refused(why),
            Failure::Unavailable(why) => GithubError::Unavailable(why),
        }
    }
}

/// Why no usable GitHub token could be had for a person.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0} has not connected GitHub")]
    NotConnected(String),
    #[error("the GitHub connection has expired; sign in with GitHub again")]
    Expired,
    #[error(transparent)]
    Store(#[from] github_tokens::TokenStoreError),
    #[error(transparent)]
    Github(#[from] GithubError),
}

#[derive(Serialize, Deserialize)]
pub struct Pending {
    state: String,
    pub next: String,
    /// Set when a signed-in person connects GitHub to their account instead of signing in.
    #[serde(default)]
    pub connect_user: Option<i64>,
}

/// Why the GitHub sign-in could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the HTTP client could not be built: {0}")]
    Http(#[from] reqwest::Error),
    #[error("GitHub's sign-in URLs under {web_url}: {error}")]
    Url {
        web_url: Url,
        error: url::ParseError,
    },
}

/// One of `GET /user/emails`: `[{"email", "verified", "primary", "visibility"}]`.
#[derive(Deserialize)]
struct Email {
    email: String,
    verified: bool,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    login: String,
    name: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct Team {
    slug: String,
    organization: Org,
}

#[derive(Deserialize)]
struct Org {
    login: String,
}

pub struct GithubSignIn {
    settings: GithubSignInSettings,
    http: reqwest::Client,
    oauth: TokenEndpoint,
}

impl GithubSignIn {
    pub fn new(settings: GithubSignInSettings) -> Result<Self, SetupError> {
        let http = reqwest::Client::builder()
            // Following redirects here would let the token endpoint bounce us anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let oauth = TokenEndpoint::new(
            &settings.web_url,
            &settings.client_id,
            settings.client_secret.expose_secret(),
            &settings.redirect_url,
        )
        .map_err(|error| SetupError::Url {
            web_url: settings.web_url.clone(),
            error,
        })?;
        Ok(Self {
            settings,
            http,
            oauth,
        })
    }

    pub fn token_key(&self) -> &super::token_key::TokenKey {
        &self.settings.token_key
    }

    pub fn start(&self, next: &str, connect_user: Option<i64>) -> (Url, Pending) {
        let (url, state) = self.oauth.authorize_url();
        (
            url,
            Pending {
                state,
                next: local_path(next).to_owned(),
                connect_user,
            },
        )
    }

    async fn api<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        token: &str,
    ) -> Result<T, GithubError> {
        let url = self
            .settings
            .api_url
            .join(path)
            .map_err(|e| GithubError::Unavailable(e.to_string()))?;
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .send()
            .await
            .map_err(|e| GithubError::Unavailable(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(GithubError::Refused(format!(
                "GET {path}: HTTP {}",
                resp.status()
            )));
        }
        resp.json()
            .await
            .map_err(|e| GithubError::Unavailable(format!("GET {path}: {e}")))
    }

    /// Finish a sign-in: check the state, exchange the code, read the user and their teams.
    pub async fn finish(
        &self,
        pending: Pending,
        code: &str,
        state: &str,
    ) -> Result<(Identity, Tokens), GithubError> {
        if state != pending.state {
            return Err(GithubError::StateMismatch);
        }
        let tokens = self.oauth.exchange_code(&self.http, code).await?;
        let user: User = self.api("user", &tokens.access).await?;
        let teams: Vec<Team> = self.api("user/teams?per_page=100", &tokens.access).await?;
        // The addresses GitHub verified (the public `email` may be any address the person chose
        // to show). Reading them needs the app's "Email addresses" permission; without it, none
        // are known and the sign-in is linked only by its GitHub account.
        let verified_emails = match self
            .api::<Vec<Email>>("user/emails?per_page=100", &tokens.access)
            .await
        {
            Ok(all) => all
                .into_iter()
                .filter(|e| e.verified)
                .map(|e| e.email)
                .collect(),
            Err(e) => {
                tracing::info!("GitHub's verified addresses could not be read ({e}): none used");
                vec![]
            }
        };
        let identity = Identity {
            provider: "github".into(),
            subject: user.id.to_string(),
            display_name: user.name.clone().unwrap_or_else(|| user.login.clone()),
            email: user.email,
            login: Some(user.login),
            groups: vec![],
            teams: teams
                .into_iter()
                .map(|t| format!("{}/{}", t.organization.login, t.slug).to_ascii_lowercase())
                .collect(),
            verified_emails,
        };
        Ok((identity, tokens))
    }

    /// A usable token for `user_id`: the stored one, or a refreshed one when it expires within a
    /// minute (the new pair is stored).
    pub async fn usable_token(
        &self,
        pool: &sqlx::PgPool,
        user_id: i64,
        who: &str,
    ) -> Result<String, TokenError> {
        let key = self.token_key();
        let stored = github_tokens::load(pool, key, user_id)
            .await?
            .ok_or_else(|| TokenError::NotConnected(who.to_owned()))?;
        if stored
            .expires_at
            .is_none_or(|at| at > Utc::now() + ChronoDuration::minutes(1))
        {
            return Ok(stored.access);
        }
        let refresh = match (stored.refresh, stored.refresh_expires_at) {
            (Some(r), at) if at.is_none_or(|at| at > Utc::now()) => r,
            _ => return Err(TokenError::Expired),
        };
        let fresh = self.refresh(&refresh).await?;
        github_tokens::save(pool, key, user_id, &fresh)
            .await
            .map_err(|e| TokenError::Store(e.into()))?;
        Ok(fresh.access)
    }

    /// A new token from a refresh token (GitHub App user tokens last 8 hours).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, GithubError> {
        Ok(self.oauth.refresh(&self.http, refresh_token).await?)
    }
}
