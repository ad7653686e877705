//! The demo's scenarios on the simulated GitHub: a bad deploy straight to prod (the incident
//! scenario), and a hotfix that skipped dev waiting at prod's gate.

use super::runs::{finish_later, push_run, sha};
use super::{lock, SimCommit, SimGithub, PROD};
use chrono::Utc;

impl SimGithub {
    /// The demo's incident scenario begins: a new commit deploys to prod straight away (as a
    /// hotfix would), finishing after the run time with prod reporting its version.
    pub fn bad_deploy(&self) -> String {
        let mut s = lock(&self.state);
        let n = s.commits.len() as u64 + 1;
        let version = "1.4.4".to_owned();
        s.commits.push(SimCommit {
            sha: sha(n),
            version: version.clone(),
            message: "Orders: switch the cache to write-back".into(),
            author: "jonas".into(),
            files: vec!["app/orders/cache.py".into()],
        });
        let commit = s.commits.len() - 1;
        let id = push_run(
            &mut s,
            PROD,
            commit,
            Utc::now(),
            "in_progress",
            None,
            "jonas",
        );
        let app = self
            .app("prod")
            .map(|a| (a, version.clone(), s.commits[commit].sha.clone()));
        drop(s);
        finish_later(self.state.clone(), id, true, app);
        version
    }

    /// A hotfix that skipped dev starts waiting at prod's gate (the pre-deploy checklist's
    /// "tested in dev first" fails for it); its run id.
    pub fn untested_hotfix_waiting(&self) -> u64 {
        let mut s = lock(&self.state);
        let n = s.commits.len() as u64 + 1;
        s.commits.push(SimCommit {
            sha: sha(n),
            version: "1.4.3-hotfix".into(),
            message: "Hotfix: skip the presenter cache".into(),
            author: "priya".into(),
            files: vec!["app/presenter/cache.py".into()],
        });
        let commit = s.commits.len() - 1;
        push_run(&mut s, PROD, commit, Utc::now(), "waiting", None, "priya")
    }
}
