//! GitHub Actions for one repository: reading deploy runs, the deployments a run waits for and
//! the commits between two versions with the server's token; reviewing a gate and dispatching a
//! workflow with the signed-in person's own token, so GitHub records and checks the real person.

use super::PortError;
use crate::domain::deploys::{Comparison, DeployRun, PendingDeployment, RateBudget};
use std::sync::Arc;

/// A person's GitHub token. Never printed: `Debug` shows only that it is there.
#[derive(Clone)]
pub struct UserToken(pub String);

impl std::fmt::Debug for UserToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserToken(…)")
    }
}

/// The run a dispatch started, when GitHub says which.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatched {
    pub run_id: Option<u64>,
    pub html_url: Option<String>,
}

#[async_trait::async_trait]
pub trait DeploySource: Send + Sync {
    /// The newest `count` runs of `workflow` (file name or numeric id), newest first. An unchanged
    /// answer is served from the last one (a conditional request that costs no rate limit).
    async fn runs(&self, workflow: &str, count: u8) -> Result<Vec<DeployRun>, PortError>;

    /// The deployments `run_id` waits for at protected environments.
    async fn pending(&self, run_id: u64) -> Result<Vec<PendingDeployment>, PortError>;

    /// Commits in `head` that `base` lacks, newest first, and the compare page's address.
    async fn compare(&self, base: &str, head: &str) -> Result<Comparison, PortError>;

    /// Commits that touched `path` since `since`, newest first: "what changed recently" in the
    /// infrastructure (the runbook's `iac/environments/prod`).
    async fn commits_touching(
        &self,
        path: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::incident::InfraCommit>, PortError>;

    /// The repository's newest tags as (name, commit sha), so a version reads "v1.4.2 · 3f2a9c1"
    /// rather than a bare sha. Unchanged answers cost no rate limit, as with `runs`.
    async fn tags(&self) -> Result<Vec<(String, String)>, PortError>;

    /// The server token's budget as GitHub last reported it.
    fn rate(&self) -> Option<RateBudget>;

    /// Approve or reject the run's pending deployments to `environment_ids`, as the token's owner.
    async fn review(
        &self,
        token: &UserToken,
        run_id: u64,
        environment_ids: &[u64],
        approve: bool,
        comment: &str,
    ) -> Result<(), PortError>;

    /// Start `workflow` on `git_ref` with `inputs`, as the token's owner.
    async fn dispatch(
        &self,
        token: &UserToken,
        workflow: &str,
        git_ref: &str,
        inputs: &[(String, String)],
    ) -> Result<Dispatched, PortError>;
}

/// The GitHub token of a person who connected GitHub.
#[async_trait::async_trait]
pub trait UserTokens: Send + Sync {
    /// `Err(PortError::Denied)` with what to do when the person has not connected GitHub or
    /// the connection expired.
    async fn token_for(&self, user_id: i64) -> Result<UserToken, PortError>;
}

/// Everything opsdeck needs to show and act on one environment's deploys.
#[derive(Clone)]
pub struct DeployTarget {
    pub source: Arc<dyn DeploySource>,
    pub repository: String,
    pub workflow: String,
    pub workflow_url: String,
    /// The protected GitHub environment the deploy waits at, if any.
    pub approval_environment: Option<String>,
    pub rollback: Option<RollbackSpec>,
    /// The deploy source and workflow of the environment commits must pass first.
    pub tested_first_in: Option<(Arc<dyn DeploySource>, String)>,
    /// That environment's name.
    pub tested_first_name: Option<String>,
    /// What the pre-deploy checklist requires (the migration paths are read here).
    pub gate: crate::domain::routines::GateSettings,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RollbackSpec {
    pub workflow: String,
    pub git_ref: String,
    /// (input name, value): the environment input, e.g. ("environment", "prod").
    pub environment_input: (String, String),
    pub version_input: String,
}
