//! [`GithubRepo`]: one repository's GitHub Actions as `app`'s [`DeploySource`] — workflow runs,
//! pending deployments, comparisons between shas, and, as the person, reviews and dispatches.
//! How to talk to GitHub (ETags, rate budget, refusals) is the client's (`client`).

use super::client::GithubClient;
use super::payloads;
use crate::metrics::Metrics;
use app::domain::deploys::{Commit, Comparison, DeployRun, PendingDeployment, RateBudget};
use app::domain::incident::InfraCommit;
use app::ports::{DeploySource, Dispatched, PortError, UserToken};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

pub struct GithubRepo {
    client: GithubClient,
    /// `owner/name`.
    repo: String,
    /// Workflow names resolved to ids ("Deploy to Production" → 4711).
    workflow_ids: Mutex<HashMap<String, String>>,
}

impl GithubRepo {
    pub fn new(
        api: Url,
        repo: &str,
        token: Option<SecretString>,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: GithubClient::new(api, token, timeout, metrics)?,
            repo: repo.to_owned(),
            workflow_ids: Mutex::new(HashMap::new()),
        })
    }

    pub fn repository(&self) -> &str {
        &self.repo
    }

    fn url(&self, path: &str) -> String {
        self.client.url(&format!("/repos/{}{path}", self.repo))
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
            .client
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
        tag: None,
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
        let runs: payloads::Runs = self.client.get("actions:list_workflow_runs", &url).await?;
        Ok(runs.workflow_runs.into_iter().map(run).collect())
    }

    async fn tags(&self) -> Result<Vec<(String, String)>, PortError> {
        let url = self.url("/tags?per_page=100");
        let tags: Vec<payloads::Tag> = self.client.get("repos:list_tags", &url).await?;
        Ok(tags.into_iter().map(|t| (t.name, t.commit.sha)).collect())
    }

    async fn pending(&self, run_id: u64) -> Result<Vec<PendingDeployment>, PortError> {
        let url = self.url(&format!("/actions/runs/{run_id}/pending_deployments"));
        let pending: Vec<payloads::Pending> =
            self.client.get("actions:pending_deployments", &url).await?;
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

    async fn compare(&self, base: &str, head: &str) -> Result<Comparison, PortError> {
        let url = self.url(&format!(
            "/compare/{}...{}",
            urlencoding(base),
            urlencoding(head)
        ));
        let c: payloads::Compare = self.client.get("repos:compare", &url).await?;
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
        Ok(Comparison {
            commits,
            url: c.html_url,
            files: c.files.into_iter().map(|f| f.filename).collect(),
        })
    }

    async fn commits_touching(
        &self,
        path: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<InfraCommit>, PortError> {
        let url = self.url(&format!(
            "/commits?path={}&since={}&per_page=20",
            urlencoding(path),
            urlencoding(&since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        ));
        let list: Vec<payloads::CompareCommit> =
            self.client.get("repos:list_commits", &url).await?;
        Ok(list
            .into_iter()
            .map(|x| InfraCommit {
                message: x
                    .commit
                    .message
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                at: x.commit.author.as_ref().and_then(|a| a.date),
                author: x
                    .author
                    .map(|a| a.login)
                    .or(x.commit.author.and_then(|a| a.name))
                    .unwrap_or_default(),
                url: x.html_url,
                sha: x.sha,
            })
            .collect())
    }

    fn rate(&self) -> Option<RateBudget> {
        self.client.rate()
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
        self.client
            .post_as("actions:review_pending_deployments", token, &url, &body)
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
            .client
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
