//! The simulated runs: each new run of a workflow, and a run finishing after the simulated run time
//! (with the application then reporting the version it deployed).

use super::{lock, SimConflicto, State, PROD, REPO, ROLLBACK, RUN_TIME};
use app::domain::deploys::DeployRun;
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// A stable fake commit sha for the `n`th commit.
pub(super) fn sha(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5bd1_e995;
    let mut out = String::new();
    for _ in 0..5 {
        x ^= x >> 13;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        out.push_str(&format!("{:08x}", x as u32));
    }
    out
}

pub(super) fn push_run(
    state: &mut State,
    workflow: &str,
    commit: usize,
    at: DateTime<Utc>,
    status: &str,
    conclusion: Option<&str>,
    actor: &str,
) -> u64 {
    state.next_id += 1;
    let id = state.next_id;
    let c = &state.commits[commit.min(state.commits.len() - 1)];
    let number = state.runs.iter().filter(|(w, _)| w == workflow).count() as u64 + 101;
    let run = DeployRun {
        id,
        run_number: number,
        status: status.into(),
        conclusion: conclusion.map(str::to_owned),
        head_sha: c.sha.clone(),
        // As GitHub reports runs started from a tag: no branch.
        head_branch: (workflow != PROD).then(|| "main".to_owned()),
        message: Some(c.message.clone()),
        actor: Some(actor.to_owned()),
        event: if workflow == ROLLBACK {
            "workflow_dispatch"
        } else {
            "push"
        }
        .into(),
        created_at: at,
        run_started_at: Some(at),
        updated_at: if status == "completed" {
            at + Duration::minutes(4)
        } else {
            at
        },
        html_url: format!("https://github.com/{REPO}/actions/runs/{id}"),
        tag: None,
    };
    state.runs.push((workflow.to_owned(), run));
    id
}

/// Mark run `id` finished (after the simulated run time) and, if it deployed, change `app`.
pub(super) fn finish_later(
    state: Arc<Mutex<State>>,
    id: u64,
    success: bool,
    app: Option<(Arc<SimConflicto>, String, String)>,
) {
    tokio::spawn(async move {
        tokio::time::sleep(RUN_TIME).await;
        let mut s = lock(&state);
        if let Some((_, r)) = s.runs.iter_mut().find(|(_, r)| r.id == id) {
            r.status = "completed".into();
            r.conclusion = Some(if success { "success" } else { "failure" }.into());
            r.updated_at = Utc::now();
        }
        drop(s);
        if let (true, Some((app, version, sha))) = (success, app) {
            app.set_version(&version, &sha);
        }
    });
}
