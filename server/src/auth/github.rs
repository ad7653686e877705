//! "Sign in with GitHub" (GitHub App user authorization): the web flow with state, the user and
//! their organisation teams from the REST API, and the user's token kept — encrypted — for the
//! actions that must be taken as that person (approving a deployment). Tokens that expire are
//! refreshed with the refresh token.

use crate::store::github_tokens::{self, Tokens};
use app::domain::{local_path, Identity};
use chrono::{Duration as ChronoDuration, Utc};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

#[derive(Clone, Debug)]
pub struct GithubSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    /// `https://github.com` (or GitHub Enterprise, or a test stub).
    pub web_url: Url,
    /// `https://api.github.com`.
    pub api_url: Url,
    /// `<server.public_url>/auth/github/callback`.
    pub redirect_url: Url,
    pub token_key: super::token_key::TokenKey,
}

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

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    refresh_token_expires_in: Option<i64>,
    error: Option<String>,
    error_description: Option<String>,
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
    settings: GithubSettings,
    http: reqwest::Client,
}

impl GithubSignIn {
    pub fn new(settings: GithubSettings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { settings, http })
    }

    pub fn token_key(&self) -> &super::token_key::TokenKey {
        &self.settings.token_key
    }

    pub fn start(&self, next: &str, connect_user: Option<i64>) -> (Url, Pending) {
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let state: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut url = self
            .settings
            .web_url
            .join("login/oauth/authorize")
            .unwrap_or_else(|_| self.settings.web_url.clone());
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", self.settings.redirect_url.as_str())
            .append_pair("state", &state);
        (
            url,
            Pending {
                state,
                next: local_path(next).to_owned(),
                connect_user,
            },
        )
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Tokens, GithubError> {
        let url = self
            .settings
            .web_url
            .join("login/oauth/access_token")
            .map_err(|e| GithubError::Unavailable(e.to_string()))?;
        let answer: TokenAnswer = self
            .http
            .post(url)
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| GithubError::Unavailable(e.to_string()))?
            .json()
            .await
            .map_err(|e| GithubError::Unavailable(format!("unreadable token answer: {e}")))?;
        if let Some(error) = answer.error {
            let detail = answer
                .error_description
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            return Err(GithubError::Refused(format!("{error}{detail}")));
        }
        let access = answer
            .access_token
            .ok_or_else(|| GithubError::Unavailable("no access_token in the answer".into()))?;
        let now = Utc::now();
        Ok(Tokens {
            access,
            refresh: answer.refresh_token,
            expires_at: answer.expires_in.map(|s| now + ChronoDuration::seconds(s)),
            refresh_expires_at: answer
                .refresh_token_expires_in
                .map(|s| now + ChronoDuration::seconds(s)),
        })
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
        let tokens = self
            .token_request(&[
                ("client_id", &self.settings.client_id),
                ("client_secret", self.settings.client_secret.expose_secret()),
                ("code", code),
                ("redirect_uri", self.settings.redirect_url.as_str()),
            ])
            .await?;
        let user: User = self.api("user", &tokens.access).await?;
        let teams: Vec<Team> = self.api("user/teams?per_page=100", &tokens.access).await?;
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
        self.token_request(&[
            ("client_id", &self.settings.client_id),
            ("client_secret", self.settings.client_secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }
}
