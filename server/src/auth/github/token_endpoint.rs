//! GitHub's OAuth endpoints through the `oauth2` crate: the authorization URL with state, the
//! code exchange and the refresh-token grant. What GitHub does its own way is handled here: the
//! client's id and secret go in the form, a refusal comes back as `200` with `error` and
//! `error_description`, and the answer says when the refresh token expires.

use crate::store::github_tokens::Tokens;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpClientError, RedirectUrl, RefreshToken, RequestTokenError,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// What GitHub adds to the standard token answer: how long the refresh token lasts (GitHub App
/// user tokens: 8 hours for the token, about 6 months for the refresh token).
#[derive(Debug, Serialize, Deserialize)]
struct GithubExtra {
    refresh_token_expires_in: Option<i64>,
}

impl ExtraTokenFields for GithubExtra {}

type TokenAnswer = StandardTokenResponse<GithubExtra, BasicTokenType>;

/// An OAuth client with the two endpoints GitHub's web flow uses: authorize and access_token.
type OauthClient = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

type OauthError = RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// Why no tokens came from the token endpoint.
#[derive(Debug)]
pub enum Failure {
    /// GitHub said no, in its words (`bad_verification_code: The code passed is …`).
    Refused(String),
    /// GitHub could not be reached or answered something that is not a token answer.
    Unavailable(String),
}

pub struct TokenEndpoint {
    client: OauthClient,
}

impl TokenEndpoint {
    /// The endpoints under `web_url` (`https://github.com/`, GitHub Enterprise, a test stub).
    pub fn new(
        web_url: &Url,
        client_id: &str,
        client_secret: &str,
        redirect_url: &Url,
    ) -> Result<Self, url::ParseError> {
        let client = oauth2::Client::new(ClientId::new(client_id.to_owned()))
            .set_client_secret(ClientSecret::new(client_secret.to_owned()))
            // GitHub takes the client's id and secret as form fields, not as HTTP basic auth.
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::from_url(web_url.join("login/oauth/authorize")?))
            .set_token_uri(TokenUrl::from_url(
                web_url.join("login/oauth/access_token")?,
            ))
            .set_redirect_uri(RedirectUrl::from_url(redirect_url.clone()));
        Ok(Self { client })
    }

    /// Where to send the browser, and the state its return must carry.
    pub fn authorize_url(&self) -> (Url, String) {
        let (url, state) = self
            .client
            .authorize_url(|| CsrfToken::new_random_len(24))
            .url();
        (url, state.secret().clone())
    }

    pub async fn exchange_code(
        &self,
        http: &reqwest::Client,
        code: &str,
    ) -> Result<Tokens, Failure> {
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(http)
            .await
            .map_err(failure)?;
        Ok(tokens(&answer, Utc::now()))
    }

    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
    ) -> Result<Tokens, Failure> {
        let answer = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(http)
            .await
            .map_err(failure)?;
        Ok(tokens(&answer, Utc::now()))
    }
}

/// The pair to keep from GitHub's token answer, with its lifetimes as moments. A lifetime too
/// large for a date counts as none.
fn tokens(answer: &TokenAnswer, now: DateTime<Utc>) -> Tokens {
    let after =
        |secs: i64| ChronoDuration::try_seconds(secs).and_then(|d| now.checked_add_signed(d));
    Tokens {
        access: answer.access_token().secret().clone(),
        refresh: answer.refresh_token().map(|r| r.secret().clone()),
        expires_at: answer
            .expires_in()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .and_then(after),
        refresh_expires_at: answer
            .extra_fields()
            .refresh_token_expires_in
            .and_then(after),
    }
}

fn failure(e: OauthError) -> Failure {
    match e {
        RequestTokenError::ServerResponse(r) => refused(&r),
        // GitHub answers a refused code or refresh token with 200 and an error body, which does
        // not read as a token answer.
        RequestTokenError::Parse(parse, body) => refusal_in(&body)
            .unwrap_or_else(|| Failure::Unavailable(format!("unreadable token answer: {parse}"))),
        RequestTokenError::Request(e) => Failure::Unavailable(in_words(&e)),
        RequestTokenError::Other(why) => Failure::Unavailable(why),
    }
}

/// The refusal a token answer's body holds, if it is one.
fn refusal_in(body: &[u8]) -> Option<Failure> {
    serde_json::from_slice::<BasicErrorResponse>(body)
        .ok()
        .map(|r| refused(&r))
}

fn refused(r: &BasicErrorResponse) -> Failure {
    let detail = r
        .error_description()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    Failure::Refused(format!("{}{detail}", r.error().as_ref()))
}

/// An error with its causes ("client error: error sending request …: connection refused"): the
/// HTTP client's own message alone says little.
fn in_words(e: &dyn std::error::Error) -> String {
    let mut words = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        words.push_str(": ");
        words.push_str(&c.to_string());
        cause = c.source();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_tokens_lifetime_is_kept() {
        let now = Utc::now();
        let answer: TokenAnswer = serde_json::from_value(serde_json::json!({
            "access_token": "ghu_1", "expires_in": 28800, "refresh_token": "ghr_1",
            "refresh_token_expires_in": 15811200, "scope": "", "token_type": "bearer"
        }))
        .unwrap();
        let t = tokens(&answer, now);
        assert_eq!(
            (t.access.as_str(), t.refresh.as_deref()),
            ("ghu_1", Some("ghr_1"))
        );
        assert_eq!(t.expires_at, Some(now + ChronoDuration::hours(8)));
        assert_eq!(
            t.refresh_expires_at,
            Some(now + ChronoDuration::seconds(15811200))
        );

        let lasting: TokenAnswer = serde_json::from_value(
            serde_json::json!({"access_token": "gho_1", "token_type": "bearer", "scope": "repo"}),
        )
        .unwrap();
        let t = tokens(&lasting, now);
        assert_eq!(
            (t.expires_at, t.refresh_expires_at, t.refresh),
            (None, None, None)
        );
    }

    #[test]
    fn a_refusal_answered_with_200_is_read_in_githubs_words() {
        let body = br#"{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com"}"#;
        match refusal_in(body) {
            Some(Failure::Refused(why)) => assert_eq!(
                why,
                "bad_verification_code: The code passed is incorrect or expired."
            ),
            other => panic!("{other:?}"),
        }
        assert!(refusal_in(br#"{"access_token":"ghu_1","token_type":"bearer"}"#).is_none());
    }
}
