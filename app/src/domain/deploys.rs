//! Deploys through GitHub Actions: the runs of an environment's deploy workflow, the newest good
//! one (the default rollback target), whether a prod run's commit was deployed to dev first, and
//! runs waiting at the approval gate with the deployments they wait for.

use super::Level;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeployRun {
    pub id: u64,
    pub run_number: u64,
    /// queued, in_progress, completed, waiting, requested, pending.
    pub status: String,
    /// success, failure, cancelled, timed_out, … once completed.
    pub conclusion: Option<String>,
    pub head_sha: String,
    /// `None` for runs GitHub reports without a branch (a tag, a detached ref).
    pub head_branch: Option<String>,
    /// The head commit's first line.
    pub message: Option<String>,
    /// Who triggered it (the triggering actor, else the actor).
    pub actor: Option<String>,
    pub event: String,
    pub created_at: DateTime<Utc>,
    pub run_started_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub html_url: String,
    /// The tag on its commit, when the repository has one.
    #[serde(default)]
    pub tag: Option<String>,
}

impl DeployRun {
    pub fn short_sha(&self) -> &str {
        self.head_sha.get(..7).unwrap_or(&self.head_sha)
    }

    /// "v1.4.2 · 3f2a9c1", or the short sha alone when the commit has no tag.
    pub fn version_label(&self) -> String {
        match &self.tag {
            Some(t) => format!("{t} · {}", self.short_sha()),
            None => self.short_sha().to_owned(),
        }
    }

    pub fn succeeded(&self) -> bool {
        self.status == "completed" && self.conclusion.as_deref() == Some("success")
    }

    pub fn waiting(&self) -> bool {
        self.status == "waiting"
    }

    /// How long it ran: until its last update when completed, else until `now`.
    pub fn duration(&self, now: DateTime<Utc>) -> Duration {
        let start = self.run_started_at.unwrap_or(self.created_at);
        let end = if self.status == "completed" {
            self.updated_at
        } else {
            now
        };
        (end - start).max(Duration::zero())
    }

    pub fn level(&self) -> Level {
        match (self.status.as_str(), self.conclusion.as_deref()) {
            ("completed", Some("success")) => Level::Ok,
            ("completed", Some("failure" | "timed_out" | "startup_failure")) => Level::Critical,
            ("waiting", _) => Level::Warning,
            _ => Level::Unknown,
        }
    }

    /// The status in words: "succeeded", "failed", "waiting for approval", "running", …
    pub fn state_words(&self) -> String {
        match (self.status.as_str(), self.conclusion.as_deref()) {
            ("completed", Some("success")) => "succeeded".into(),
            ("completed", Some("failure")) => "failed".into(),
            ("completed", Some("timed_out")) => "timed out".into(),
            ("completed", Some("cancelled")) => "cancelled".into(),
            ("completed", Some(other)) => other.replace('_', " "),
            ("waiting", _) => "waiting for approval".into(),
            ("in_progress", _) => "running".into(),
            (other, _) => other.replace('_', " "),
        }
    }
}

/// A deployment a run waits for at a protected environment, as GitHub describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingDeployment {
    pub environment_id: u64,
    pub environment: String,
    /// Minutes GitHub waits before the job may start, after approval.
    pub wait_timer_min: u32,
    pub wait_timer_started_at: Option<DateTime<Utc>>,
    /// "user alice", "team conflicto/leads".
    pub reviewers: Vec<String>,
}

/// A run at the approval gate and what it waits for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub run: DeployRun,
    pub pending: Vec<PendingDeployment>,
    /// Commits between the version running now and the one waiting (newest first, at most 20).
    pub changes: Vec<Commit>,
    /// The compare page for those changes.
    pub compare_url: Option<String>,
    /// Changed files under the configured migration paths: "migrations reviewed" must be ticked.
    #[serde(default)]
    pub migration_files: Vec<String>,
}

/// What lies between two commits, as GitHub's compare answers it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Comparison {
    /// Newest first, at most 20.
    pub commits: Vec<Commit>,
    pub url: String,
    /// Every changed file's path (GitHub lists at most 300).
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub message: String,
    pub author: Option<String>,
}

/// GitHub's hourly request budget for the server's token, as last reported.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateBudget {
    pub limit: u32,
    pub remaining: u32,
    pub reset_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploysPanel {
    pub repository: String,
    pub workflow: String,
    pub workflow_url: String,
    /// Newest first, at most 20.
    pub runs: Vec<DeployRun>,
    /// Run ids whose commit had a successful run of the dev deploy (only for a prod panel).
    pub tested_in_dev: Option<Vec<u64>>,
    pub gates: Vec<Gate>,
    pub rate: Option<RateBudget>,
}

impl DeploysPanel {
    /// The newest successful run: what is deployed now.
    pub fn current(&self) -> Option<&DeployRun> {
        self.runs.iter().find(|r| r.succeeded())
    }

    /// The newest successful run before the current one, with a different commit: the version a
    /// rollback should go back to.
    pub fn last_known_good(&self) -> Option<&DeployRun> {
        let current = self.current()?;
        self.runs
            .iter()
            .filter(|r| r.succeeded() && r.id != current.id)
            .find(|r| r.head_sha != current.head_sha)
    }

    /// `Some(true)` when this run's commit was deployed to dev successfully first.
    pub fn was_tested_in_dev(&self, run: &DeployRun) -> Option<bool> {
        self.tested_in_dev.as_ref().map(|ids| ids.contains(&run.id))
    }

    pub fn level(&self) -> Level {
        if !self.gates.is_empty() {
            return Level::Warning;
        }
        match self.runs.iter().find(|r| r.status == "completed") {
            Some(r) if r.level() == Level::Critical => Level::Warning,
            Some(_) => Level::Ok,
            None => Level::Unknown,
        }
    }
}

/// Whether the person looking may review deploys from opsdeck, and if not, why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ReviewAbility {
    pub can_review: bool,
    pub why_not: Option<String>,
    /// What the pre-deploy checklist requires.
    #[serde(default)]
    pub gate: super::routines::GateSettings,
    /// The environment this one's commits must pass first, if any.
    #[serde(default)]
    pub tested_first_in: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn run(id: u64, sha: &str, status: &str, conclusion: Option<&str>) -> DeployRun {
        let at = Utc::now() - Duration::hours(id as i64);
        DeployRun {
            id,
            run_number: id,
            status: status.into(),
            conclusion: conclusion.map(str::to_owned),
            head_sha: sha.into(),
            head_branch: None,
            message: None,
            actor: None,
            event: "push".into(),
            created_at: at,
            run_started_at: Some(at),
            updated_at: at + Duration::minutes(4),
            html_url: String::new(),
            tag: None,
        }
    }

    fn panel(runs: Vec<DeployRun>) -> DeploysPanel {
        DeploysPanel {
            repository: "o/r".into(),
            workflow: "deploy.yml".into(),
            workflow_url: String::new(),
            runs,
            tested_in_dev: None,
            gates: vec![],
            rate: None,
        }
    }

    #[test]
    fn last_known_good_is_the_newest_success_before_the_current_commit() {
        let p = panel(vec![
            run(1, "ccc", "waiting", None),
            run(2, "bbb", "completed", Some("success")),
            run(3, "bbb", "completed", Some("success")),
            run(4, "aaa", "completed", Some("failure")),
            run(5, "999", "completed", Some("success")),
        ]);
        assert_eq!(p.current().map(|r| r.id), Some(2));
        assert_eq!(
            p.last_known_good().map(|r| r.head_sha.as_str()),
            Some("999"),
            "a re-run of the same commit is not a rollback target"
        );
        assert_eq!(
            panel(vec![run(1, "a", "completed", Some("success"))]).last_known_good(),
            None
        );
    }

    #[test]
    fn words_and_levels() {
        let r = run(1, "abcdef0123", "completed", Some("timed_out"));
        assert_eq!(
            (r.state_words().as_str(), r.level(), r.short_sha()),
            ("timed out", Level::Critical, "abcdef0")
        );
        assert_eq!(
            run(1, "a", "waiting", None).state_words(),
            "waiting for approval"
        );
        assert_eq!(run(1, "a", "requested", None).level(), Level::Unknown);
    }
}

/// An environment's last known good deploy: the default version of a rollback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastKnownGood {
    pub env: super::EnvName,
    /// The commit it deployed.
    pub sha: String,
    /// The first line of its commit message.
    pub message: String,
    /// "v1.4.1 · 3f2a9c1", or the short sha.
    #[serde(default)]
    pub label: String,
}
