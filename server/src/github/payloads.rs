//! GitHub REST payloads as the documentation shows them, with every field opsdeck does not need
//! left out and every field GitHub may send as `null` optional (a run's `head_branch`, its
//! `head_commit`, a job status opsdeck has not heard of).

use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Runs {
    pub workflow_runs: Vec<Run>,
}

#[derive(Deserialize)]
pub struct Login {
    pub login: String,
}

#[derive(Deserialize)]
pub struct HeadCommit {
    pub message: Option<String>,
}

#[derive(Deserialize)]
pub struct Run {
    pub id: u64,
    pub run_number: u64,
    /// A plain string: GitHub adds statuses (`requested`, `pending`) without notice.
    pub status: Option<String>,
    pub conclusion: Option<String>,
    pub head_sha: String,
    pub head_branch: Option<String>,
    pub head_commit: Option<HeadCommit>,
    pub actor: Option<Login>,
    pub triggering_actor: Option<Login>,
    pub event: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub run_started_at: Option<DateTime<Utc>>,
    pub html_url: String,
}

#[derive(Deserialize)]
pub struct Workflows {
    pub workflows: Vec<Workflow>,
}

#[derive(Deserialize)]
pub struct Workflow {
    pub id: u64,
    pub name: String,
    pub path: String,
}

#[derive(Deserialize)]
pub struct Pending {
    pub environment: PendingEnvironment,
    #[serde(default)]
    pub wait_timer: u32,
    pub wait_timer_started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub reviewers: Vec<Reviewer>,
}

#[derive(Deserialize)]
pub struct PendingEnvironment {
    pub id: u64,
    pub name: Option<String>,
}

#[derive(Deserialize)]
pub struct Reviewer {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub reviewer: Option<ReviewerWho>,
}

#[derive(Deserialize)]
pub struct ReviewerWho {
    pub login: Option<String>,
    pub slug: Option<String>,
    pub name: Option<String>,
}

/// `GET /repos/{owner}/{repo}/tags`: one tag.
#[derive(Debug, Deserialize)]
pub struct Tag {
    pub name: String,
    pub commit: TagCommit,
}

#[derive(Debug, Deserialize)]
pub struct TagCommit {
    pub sha: String,
}

#[derive(Deserialize)]
pub struct Compare {
    pub html_url: String,
    #[serde(default)]
    pub commits: Vec<CompareCommit>,
    /// The changed files (GitHub lists at most 300).
    #[serde(default)]
    pub files: Vec<ChangedFile>,
}

#[derive(Deserialize)]
pub struct ChangedFile {
    pub filename: String,
}

/// One of `GET /repos/{repo}/commits` (and of a comparison's `commits`).
#[derive(Deserialize)]
pub struct CompareCommit {
    pub sha: String,
    pub commit: CommitDetail,
    pub author: Option<Login>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Deserialize)]
pub struct CommitDetail {
    pub message: String,
    pub author: Option<CommitAuthor>,
}

#[derive(Deserialize)]
pub struct CommitAuthor {
    pub name: Option<String>,
    #[serde(default)]
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

/// The answer to a dispatch with `return_run_details` (older GitHub answers 204 and no body).
#[derive(Deserialize)]
pub struct DispatchAnswer {
    pub workflow_run_id: Option<u64>,
    pub html_url: Option<String>,
}

#[derive(Deserialize)]
pub struct ErrorBody {
    pub message: Option<String>,
}
