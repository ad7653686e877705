//! GitHub's REST API as opsdeck speaks it: the base URL, the headers GitHub asks for (API version,
//! user agent, bearer token), conditional GETs that replay the cached answer on 304, the hourly
//! rate budget read from GitHub's `x-ratelimit-*` headers, and GitHub's refusals in words as a
//! [`PortError`]. What to ask for is the callers' business (`deploys`).

use super::payloads;
use crate::metrics::Metrics;
use app::domain::deploys::RateBudget;
use app::ports::{PortError, UserToken};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, ETAG, IF_NONE_MATCH, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

const API_VERSION: &str = "2022-11-28";

/// Answers kept for conditional requests; past this many URLs the cache starts afresh.
const CACHE_LIMIT: usize = 200;

pub struct GithubClient {
    http: reqwest::Client,
    api: Url,
    /// The server's token, for reads.
    token: Option<SecretString>,
    /// Last answer per URL with its ETag, replayed on 304.
    cache: Mutex<HashMap<String, (String, bytes::Bytes)>>,
    rate: Mutex<Option<RateBudget>>,
    metrics: Arc<Metrics>,
}

impl GithubClient {
    pub fn new(
        api: Url,
        token: Option<SecretString>,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3).min(timeout))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            http,
            api,
            token,
            cache: Mutex::new(HashMap::new()),
            rate: Mutex::new(None),
            metrics,
        })
    }

    /// The URL of `path` (starting with `/`) under the API's base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api.as_str().trim_end_matches('/'))
    }

    /// The rate budget GitHub reported with its last answer.
    pub fn rate(&self) -> Option<RateBudget> {
        *self.rate.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn request(&self, method: Method, url: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", API_VERSION)
            .header(USER_AGENT, "opsdeck");
        if let Some(t) = token {
            req = req.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        req
    }

    fn note_rate(&self, headers: &HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i64>().ok())
        };
        if let (Some(limit), Some(remaining), Some(reset)) = (
            num("x-ratelimit-limit"),
            num("x-ratelimit-remaining"),
            num("x-ratelimit-reset"),
        ) {
            if let Some(reset_at) = DateTime::<Utc>::from_timestamp(reset, 0) {
                *self.rate.lock().unwrap_or_else(|p| p.into_inner()) = Some(RateBudget {
                    limit: u32::try_from(limit).unwrap_or(0),
                    remaining: u32::try_from(remaining).unwrap_or(0),
                    reset_at,
                });
            }
        }
    }

    /// GET with the server's token and the last ETag; a 304 replays the cached answer.
    pub async fn get<T: DeserializeOwned>(&self, op: &str, url: &str) -> Result<T, PortError> {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(url)
            .cloned();
        let mut req = self.request(
            Method::GET,
            url,
            self.token.as_ref().map(|t| t.expose_secret()),
        );
        if let Some((etag, _)) = &cached {
            req = req.header(IF_NONE_MATCH, etag);
        }
        self.metrics.upstream_call("github", op);
        let resp = req.send().await.map_err(|e| transport(op, &e))?;
        self.note_rate(resp.headers());
        let status = resp.status();
        let body = if status == StatusCode::NOT_MODIFIED {
            match cached {
                Some((_, body)) => body,
                None => {
                    return Err(PortError::Other(format!(
                        "{op}: GitHub answered 304 to a request opsdeck had no copy for"
                    )))
                }
            }
        } else if status.is_success() {
            let etag = resp
                .headers()
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = resp.bytes().await.map_err(|e| transport(op, &e))?;
            if let Some(etag) = etag {
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                if cache.len() > CACHE_LIMIT {
                    cache.clear();
                }
                cache.insert(url.to_owned(), (etag, body.clone()));
            }
            body
        } else {
            return Err(refusal(op, resp).await);
        };
        serde_json::from_slice(&body).map_err(|e| {
            PortError::Unavailable(format!("{op}: GitHub's answer could not be read ({e})"))
        })
    }

    /// POST as the person: their token, never the server's. A POST changes something on GitHub,
    /// so it is sent once (reqwest never retries) and an answer that leaves the outcome open — no
    /// answer in time, a connection lost after sending, a 5xx — is `OutcomeUnknown`; only GitHub's
    /// definite refusal (4xx) or a connection that never opened is a failure.
    pub async fn post_as(
        &self,
        op: &str,
        token: &UserToken,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<bytes::Bytes, PortError> {
        self.metrics.upstream_call("github", op);
        let unknown = |why: String| {
            PortError::OutcomeUnknown(format!(
                "{op}: {why}; GitHub may or may not have done it — verify the real state"
            ))
        };
        let resp = match self
            .request(Method::POST, url, Some(&token.0))
            .json(body)
            .send()
            .await
        {
            Ok(resp) => resp,
            Err(e) if e.is_connect() => {
                return Err(PortError::Unavailable(format!(
                    "{op}: could not connect to GitHub, nothing was sent ({e})"
                )))
            }
            Err(e) if e.is_timeout() => {
                return Err(unknown("no answer within the time limit".into()))
            }
            Err(e) => return Err(unknown(format!("the connection failed under way ({e})"))),
        };
        let status = resp.status();
        if status.is_success() {
            // Accepted: an answer body that cannot be read does not undo that.
            Ok(resp.bytes().await.unwrap_or_default())
        } else if status.is_server_error() {
            Err(unknown(format!("GitHub answered HTTP {}", status.as_u16())))
        } else {
            Err(refusal(op, resp).await)
        }
    }
}

fn transport(op: &str, e: &reqwest::Error) -> PortError {
    if e.is_timeout() {
        PortError::Unavailable(format!("{op}: GitHub did not answer within the time limit"))
    } else {
        PortError::Unavailable(format!("{op}: could not reach GitHub ({e})"))
    }
}

/// GitHub's refusal in words, with its own message ("Resource not accessible by integration",
/// "Review cannot be requested from pull request author", "API rate limit exceeded").
async fn refusal(op: &str, resp: reqwest::Response) -> PortError {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let message = serde_json::from_str::<payloads::ErrorBody>(&text)
        .ok()
        .and_then(|b| b.message)
        .unwrap_or_else(|| text.chars().take(200).collect());
    let retry_after = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let exhausted = headers
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        == Some("0");
    match status.as_u16() {
        403 | 429
            if retry_after.is_some()
                || exhausted
                || message.to_ascii_lowercase().contains("rate limit") =>
        {
            let wait = retry_after
                .map(|s| format!("; retry after {s} s"))
                .unwrap_or_default();
            PortError::Throttled(format!("{op}: GitHub rate limit: {message}{wait}"))
        }
        401 => PortError::Denied(format!("{op}: GitHub refused the token: {message}")),
        403 => PortError::Denied(format!("{op}: GitHub refused: {message}")),
        404 => PortError::NotFound(format!("{op}: not found on GitHub: {message}")),
        422 => PortError::Conflict(format!("GitHub refused: {message}")),
        s if s >= 500 => PortError::Unavailable(format!("{op}: GitHub answered HTTP {s}")),
        s => PortError::Other(format!("{op}: GitHub answered HTTP {s}: {message}")),
    }
}
