//! The GitHub adapter: one [`GithubRepo`] per repository implements `app`'s [`DeploySource`].
//! Reads use the server's token and conditional requests (an unchanged answer is a 304 that costs
//! nothing against the hourly limit); reviews and dispatches use the person's own token.

mod payloads;
pub mod user_tokens;

use crate::metrics::Metrics;
use app::domain::deploys::{Commit, DeployRun, PendingDeployment, RateBudget};
use app::ports::{DeploySource, Dispatched, PortError, UserToken};
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

pub struct GithubRepo {
    http: reqwest::Client,
    api: Url,
    /// `owner/name`.
    repo: String,
    token: Option<SecretString>,
    /// Last answer per URL with its ETag, replayed on 304.
    cache: Mutex<HashMap<String, (String, bytes::Bytes)>>,
    rate: Mutex<Option<RateBudget>>,
    /// Workflow names resolved to ids ("Deploy to Production" → 4711).
    workflow_ids: Mutex<HashMap<String, String>>,
    metrics: Arc<Metrics>,
}

impl GithubRepo {
    pub fn new(
        api: Url,
        repo: &str,
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
            repo: repo.to_owned(),
            token,
            cache: Mutex::new(HashMap::new()),
            rate: Mutex::new(None),
            workflow_ids: Mutex::new(HashMap::new()),
            metrics,
        })
    }

    pub fn repository(&self) -> &str {
        &self.repo
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/repos/{}{path}",
            self.api.as_str().trim_end_matches('/'),
            self.repo
        )
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
    async fn get<T: DeserializeOwned>(&self, op: &str, url: &str) -> Result<T, PortError> {
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
                if cache.len() > 200 {
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

    /// A workflow's id for the API: file names and numeric ids as they are; a display name
    /// ("Deploy to Production") looked up once among the repository's workflows.
    async fn workflow_id(&self, workflow: &str) -> Result<String, PortError> {
        if workflow.ends_with(".yml")
            || workflow.ends_with(".yaml")
            || workflow.parse::<u64>().is_ok()
        {
            return Ok(workflow.to_owned());
        }
        if let Some(id) = self
            .workflow_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(workflow)
        {
            return Ok(id.clone());
        }
        let all: payloads::Workflows = self
            .get(
                "actions:list_workflows",
                &self.url("/actions/workflows?per_page=100"),
            )
            .await?;
        let found = all
            .workflows
            .iter()
            .find(|w| w.name == workflow || w.path.ends_with(&format!("/{workflow}")))
            .map(|w| w.id.to_string())
            .ok_or_else(|| {
                PortError::NotFound(format!("no workflow named {workflow:?} in {}", self.repo))
            })?;
        self.workflow_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(workflow.to_owned(), found.clone());
        Ok(found)
    }

    /// POST as the person: their token, never the server's.
    async fn post_as(
        &self,
        op: &str,
        token: &UserToken,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<bytes::Bytes, PortError> {
        self.metrics.upstream_call("github", op);
        let resp = self
            .request(Method::POST, url, Some(&token.0))
            .json(body)
            .send()
            .await
            .map_err(|e| transport(op, &e))?;
        if resp.status().is_success() {
            resp.bytes().await.map_err(|e| transport(op, &e))
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

fn run(r: payloads::Run) -> DeployRun {
    DeployRun {
        id: r.id,
        run_number: r.run_number,
        status: r.status.unwrap_or_else(|| "unknown".into()),
        conclusion: r.conclusion,
        message: r
            .head_commit
            .and_then(|c| c.message)
            .map(|m| m.lines().next().unwrap_or_default().to_owned()),
        head_sha: r.head_sha,
        head_branch: r.head_branch,
        actor: r.triggering_actor.or(r.actor).map(|a| a.login),
        event: r.event.unwrap_or_default(),
        created_at: r.created_at,
        run_started_at: r.run_started_at,
        updated_at: r.updated_at,
        html_url: r.html_url,
    }
}

#[async_trait::async_trait]
impl DeploySource for GithubRepo {
    async fn runs(&self, workflow: &str, count: u8) -> Result<Vec<DeployRun>, PortError> {
        let id = self.workflow_id(workflow).await?;
        let url = self.url(&format!(
            "/actions/workflows/{}/runs?per_page={count}",
            urlencoding(&id)
        ));
        let runs: payloads::Runs = self.get("actions:list_workflow_runs", &url).await?;
        Ok(runs.workflow_runs.into_iter().map(run).collect())
    }

    async fn pending(&self, run_id: u64) -> Result<Vec<PendingDeployment>, PortError> {
        let url = self.url(&format!("/actions/runs/{run_id}/pending_deployments"));
        let pending: Vec<payloads::Pending> = self.get("actions:pending_deployments", &url).await?;
        Ok(pending
            .into_iter()
            .map(|p| PendingDeployment {
                environment_id: p.environment.id,
                environment: p.environment.name.unwrap_or_default(),
                wait_timer_min: p.wait_timer,
                wait_timer_started_at: p.wait_timer_started_at,
                reviewers: p
                    .reviewers
                    .into_iter()
                    .filter_map(|r| {
                        let who = r.reviewer?;
                        let name = who.login.or(who.slug).or(who.name)?;
                        Some(format!(
                            "{} {name}",
                            r.kind.unwrap_or_default().to_ascii_lowercase()
                        ))
                    })
                    .collect(),
            })
            .collect())
    }

    async fn compare(&self, base: &str, head: &str) -> Result<(Vec<Commit>, String), PortError> {
        let url = self.url(&format!(
            "/compare/{}...{}",
            urlencoding(base),
            urlencoding(head)
        ));
        let c: payloads::Compare = self.get("repos:compare", &url).await?;
        let commits = c
            .commits
            .into_iter()
            .rev()
            .take(20)
            .map(|x| Commit {
                message: x
                    .commit
                    .message
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                author: x
                    .author
                    .map(|a| a.login)
                    .or(x.commit.author.and_then(|a| a.name)),
                sha: x.sha,
            })
            .collect();
        Ok((commits, c.html_url))
    }

    fn rate(&self) -> Option<RateBudget> {
        *self.rate.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn review(
        &self,
        token: &UserToken,
        run_id: u64,
        environment_ids: &[u64],
        approve: bool,
        comment: &str,
    ) -> Result<(), PortError> {
        let url = self.url(&format!("/actions/runs/{run_id}/pending_deployments"));
        let body = serde_json::json!({
            "environment_ids": environment_ids,
            "state": if approve { "approved" } else { "rejected" },
            "comment": comment,
        });
        self.post_as("actions:review_pending_deployments", token, &url, &body)
            .await
            .map(|_| ())
    }

    async fn dispatch(
        &self,
        token: &UserToken,
        workflow: &str,
        git_ref: &str,
        inputs: &[(String, String)],
    ) -> Result<Dispatched, PortError> {
        let id = self.workflow_id(workflow).await?;
        let url = self.url(&format!(
            "/actions/workflows/{}/dispatches",
            urlencoding(&id)
        ));
        let inputs: serde_json::Map<String, serde_json::Value> = inputs
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let body =
            serde_json::json!({ "ref": git_ref, "inputs": inputs, "return_run_details": true });
        let answer = self
            .post_as("actions:create_workflow_dispatch", token, &url, &body)
            .await?;
        // 204 (no body) from GitHub versions without run details: the run is found by polling.
        let details = serde_json::from_slice::<payloads::DispatchAnswer>(&answer).ok();
        Ok(Dispatched {
            run_id: details.as_ref().and_then(|d| d.workflow_run_id),
            html_url: details.and_then(|d| d.html_url),
        })
    }
}

/// Path segments from configuration (workflow file names, shas) are percent-encoded.
fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
