//! The demo's simulated GitHub Actions for Conflicto's repository: a history of deploy runs for
//! dev and prod, a prod deploy waiting at the `prod` approval gate, reviews that let it run (and
//! change the simulated app's version) or fail it, and a rollback workflow whose dispatch starts a
//! run and puts the requested version back. It implements the same port as the real adapter.

mod runs;
mod scenarios;

use super::SimConflicto;
use app::domain::deploys::{Commit, Comparison, DeployRun, PendingDeployment, RateBudget};
use app::domain::EnvName;
use app::ports::{DeploySource, Dispatched, PortError, UserToken};
use chrono::{Duration, Utc};
use runs::{finish_later, push_run, sha};
use std::sync::{Arc, Mutex};

const REPO: &str = "tristanl-slalom/conflicto";
const PROD: &str = "Deploy to Production";
const DEV: &str = "Deploy to Development";
const ROLLBACK: &str = "rollback.yml";
/// How long a simulated deploy or rollback runs.
const RUN_TIME: std::time::Duration = std::time::Duration::from_secs(8);

/// One commit of the simulated history, and the version it was tagged with.
#[derive(Clone)]
struct SimCommit {
    sha: String,
    version: String,
    message: String,
    author: String,
    /// The files it changed (the gate reads migration paths from them).
    files: Vec<String>,
}

struct State {
    commits: Vec<SimCommit>,
    /// (workflow, run), newest last.
    runs: Vec<(String, DeployRun)>,
    next_id: u64,
    /// Reviews received: (run id, approved, token owner).
    reviews: Vec<(u64, bool, String)>,
}

pub struct SimGithub {
    state: Arc<Mutex<State>>,
    apps: Vec<(EnvName, Arc<SimConflicto>)>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

impl SimGithub {
    pub fn new(apps: Vec<(EnvName, Arc<SimConflicto>)>) -> Self {
        let now = Utc::now();
        // (version, message, author, a changed file)
        let history = [
            (
                "1.3.9",
                "Fix session timeout on the results page",
                "maria",
                "app/sessions.py",
            ),
            (
                "1.4.0",
                "Live polls: show vote counts as they arrive",
                "jonas",
                "web/polls/live.ts",
            ),
            (
                "1.4.1",
                "Add index on votes(poll_id)",
                "maria",
                "app/models/vote.py",
            ),
            (
                "1.4.1",
                "Migration: create the index concurrently",
                "maria",
                "alembic/versions/0041_votes_poll_id.py",
            ),
            (
                "1.4.2",
                "Cap websocket fan-out per room",
                "priya",
                "app/ws/rooms.py",
            ),
            // The run waiting at prod's gate adds a column: the approver must tick
            // "migrations reviewed".
            (
                "1.4.3",
                "Presenter view: keyboard shortcuts",
                "jonas",
                "alembic/versions/0042_presenter_shortcuts.py",
            ),
            (
                "1.5.0-rc.1",
                "Async exports to S3",
                "priya",
                "app/exports/s3.py",
            ),
        ];
        let commits: Vec<SimCommit> = history
            .iter()
            .enumerate()
            .map(|(i, (v, m, a, f))| SimCommit {
                sha: sha(i as u64 + 1),
                version: (*v).to_owned(),
                message: (*m).to_owned(),
                author: (*a).to_owned(),
                files: vec![(*f).to_owned()],
            })
            .collect();
        let mut state = State {
            commits,
            runs: vec![],
            next_id: 9_400_000_000,
            reviews: vec![],
        };
        // (workflow, commit index, hours ago, conclusion or None for waiting)
        let plan: [(&str, usize, i64, Option<&str>); 12] = [
            (DEV, 0, 200, Some("success")),
            (PROD, 0, 196, Some("success")),
            (DEV, 1, 150, Some("success")),
            (PROD, 1, 146, Some("success")),
            (DEV, 2, 100, Some("success")),
            (PROD, 2, 98, Some("failure")),
            (DEV, 3, 75, Some("success")),
            (PROD, 3, 72, Some("success")),
            (DEV, 4, 50, Some("success")),
            (PROD, 4, 47, Some("success")),
            (DEV, 5, 20, Some("success")),
            (DEV, 6, 3, Some("success")),
        ];
        for (wf, c, hours, conclusion) in plan {
            let at = now - Duration::hours(hours);
            push_run(&mut state, wf, c, at, "completed", conclusion, "maria");
        }
        // 1.4.3 passed dev and waits at prod's gate.
        push_run(
            &mut state,
            PROD,
            5,
            now - Duration::minutes(12),
            "waiting",
            None,
            "jonas",
        );
        Self {
            state: Arc::new(Mutex::new(state)),
            apps,
        }
    }

    /// Who reviewed what, for tests and the demo's log.
    pub fn reviews(&self) -> Vec<(u64, bool, String)> {
        lock(&self.state).reviews.clone()
    }

    pub(super) fn app(&self, env: &str) -> Option<Arc<SimConflicto>> {
        self.apps
            .iter()
            .find(|(n, _)| n.as_str() == env)
            .map(|(_, a)| a.clone())
    }
}

fn who(token: &UserToken) -> Result<String, PortError> {
    token
        .0
        .strip_prefix("demo-")
        .map(str::to_owned)
        .ok_or_else(|| PortError::Denied("Bad credentials".into()))
}

#[async_trait::async_trait]
impl DeploySource for SimGithub {
    async fn runs(&self, workflow: &str, count: u8) -> Result<Vec<DeployRun>, PortError> {
        let s = lock(&self.state);
        if ![PROD, DEV, ROLLBACK].contains(&workflow) {
            return Err(PortError::NotFound(format!(
                "no workflow named {workflow:?} in {REPO}"
            )));
        }
        Ok(s.runs
            .iter()
            .rev()
            .filter(|(w, _)| w == workflow)
            .take(usize::from(count))
            .map(|(_, r)| r.clone())
            .collect())
    }

    async fn pending(&self, run_id: u64) -> Result<Vec<PendingDeployment>, PortError> {
        let s = lock(&self.state);
        let run = s.runs.iter().find(|(_, r)| r.id == run_id).map(|(_, r)| r);
        Ok(match run {
            Some(r) if r.waiting() => vec![PendingDeployment {
                environment_id: 161_088_068,
                environment: "prod".into(),
                wait_timer_min: 0,
                wait_timer_started_at: Some(r.created_at),
                reviewers: vec!["team tristanl-slalom/conflicto-leads".into()],
            }],
            _ => vec![],
        })
    }

    async fn tags(&self) -> Result<Vec<(String, String)>, PortError> {
        let s = lock(&self.state);
        Ok(s.commits
            .iter()
            .rev()
            .map(|c| (format!("v{}", c.version), c.sha.clone()))
            .collect())
    }

    async fn compare(&self, base: &str, head: &str) -> Result<Comparison, PortError> {
        let s = lock(&self.state);
        let pos = |sha: &str| s.commits.iter().position(|c| c.sha == sha);
        let (Some(b), Some(h)) = (pos(base), pos(head)) else {
            return Err(PortError::NotFound("no common ancestor".into()));
        };
        let commits = if h > b {
            s.commits[b + 1..=h]
                .iter()
                .rev()
                .map(|c| Commit {
                    sha: c.sha.clone(),
                    message: c.message.clone(),
                    author: Some(c.author.clone()),
                })
                .collect()
        } else {
            vec![]
        };
        let files = if h > b {
            s.commits[b + 1..=h]
                .iter()
                .flat_map(|c| c.files.iter().cloned())
                .collect()
        } else {
            vec![]
        };
        Ok(Comparison {
            commits,
            url: format!("https://github.com/{REPO}/compare/{base}...{head}"),
            files,
        })
    }

    /// One infrastructure commit, yesterday afternoon: the demo's "what changed recently".
    async fn commits_touching(
        &self,
        path: &str,
        since: chrono::DateTime<Utc>,
    ) -> Result<Vec<app::domain::incident::InfraCommit>, PortError> {
        let at = Utc::now() - Duration::hours(19);
        Ok((at >= since)
            .then(|| app::domain::incident::InfraCommit {
                sha: sha(90),
                message: format!("{path}: raise the ALB idle timeout to 120 s"),
                author: "priya".into(),
                at: Some(at),
                url: Some(format!("https://github.com/{REPO}/commit/{}", sha(90))),
            })
            .into_iter()
            .collect())
    }

    fn rate(&self) -> Option<RateBudget> {
        Some(RateBudget {
            limit: 5000,
            remaining: 4987,
            reset_at: Utc::now() + Duration::minutes(37),
        })
    }

    async fn review(
        &self,
        token: &UserToken,
        run_id: u64,
        environment_ids: &[u64],
        approve: bool,
        comment: &str,
    ) -> Result<(), PortError> {
        let reviewer = who(token)?;
        let _ = comment;
        let mut s = lock(&self.state);
        let Some((_, run)) = s.runs.iter_mut().find(|(_, r)| r.id == run_id) else {
            return Err(PortError::NotFound(format!("run {run_id}")));
        };
        if !run.waiting() || environment_ids.is_empty() {
            // GitHub's answer when nothing is pending for those environments.
            return Err(PortError::Conflict(
                "No pending deployment requests to approve or reject".into(),
            ));
        }
        run.status = if approve { "in_progress" } else { "completed" }.into();
        if !approve {
            run.conclusion = Some("failure".into());
            run.updated_at = Utc::now();
        }
        let sha = run.head_sha.clone();
        s.reviews.push((run_id, approve, reviewer));
        let version = s
            .commits
            .iter()
            .find(|c| c.sha == sha)
            .map(|c| c.version.clone())
            .unwrap_or_default();
        drop(s);
        if approve {
            let app = self.app("prod").map(|a| (a, version, sha));
            finish_later(self.state.clone(), run_id, true, app);
        }
        Ok(())
    }

    async fn dispatch(
        &self,
        token: &UserToken,
        workflow: &str,
        git_ref: &str,
        inputs: &[(String, String)],
    ) -> Result<Dispatched, PortError> {
        let actor = who(token)?;
        if workflow != ROLLBACK {
            return Err(PortError::NotFound(format!(
                "no workflow named {workflow:?} in {REPO}"
            )));
        }
        let input = |k: &str| inputs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let (Some(env), Some(version)) = (input("environment"), input("version")) else {
            return Err(PortError::Conflict(
                "Required input 'environment' or 'version' not provided".into(),
            ));
        };
        let _ = git_ref;
        let mut s = lock(&self.state);
        let Some(commit) = s
            .commits
            .iter()
            .rposition(|c| c.version == version || c.sha.starts_with(&version))
        else {
            return Err(PortError::Conflict(format!("Unknown version {version:?}")));
        };
        let id = push_run(
            &mut s,
            ROLLBACK,
            commit,
            Utc::now(),
            "in_progress",
            None,
            &actor,
        );
        let (sha, version) = (
            s.commits[commit].sha.clone(),
            s.commits[commit].version.clone(),
        );
        drop(s);
        let app = self.app(&env).map(|a| (a, version, sha));
        finish_later(self.state.clone(), id, true, app);
        Ok(Dispatched {
            run_id: Some(id),
            html_url: Some(format!("https://github.com/{REPO}/actions/runs/{id}")),
        })
    }
}
