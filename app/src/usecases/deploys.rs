//! The deploys panel of one environment, from its deploy source: the last runs, the runs at the
//! approval gate with what they wait for and what they would change, and which prod commits went
//! through dev first.

use crate::domain::deploys::{DeploysPanel, Gate};
use crate::ports::PortError;
pub use crate::ports::{DeployTarget, RollbackSpec};

/// How many runs the panel shows, and how many of the earlier environment's runs are searched.
pub const RUNS: u8 = 20;
const EARLIER_RUNS: u8 = 50;

pub async fn deploys_panel(t: &DeployTarget) -> Result<DeploysPanel, PortError> {
    let mut runs = t.source.runs(&t.workflow, RUNS).await?;
    // Tags only label versions: without them the panel still stands, with bare shas.
    match t.source.tags().await {
        Ok(tags) => {
            for r in &mut runs {
                r.tag = tags
                    .iter()
                    .find(|(_, sha)| *sha == r.head_sha)
                    .map(|(name, _)| name.clone());
            }
        }
        Err(e) => tracing::warn!("reading the repository's tags: {e}"),
    }
    let tested_in_dev = match &t.tested_first_in {
        None => None,
        Some((source, workflow)) => {
            let earlier = source.runs(workflow, EARLIER_RUNS).await?;
            Some(
                runs.iter()
                    .filter(|r| {
                        earlier.iter().any(|e| {
                            e.succeeded()
                                && e.head_sha == r.head_sha
                                && e.created_at <= r.created_at
                        })
                    })
                    .map(|r| r.id)
                    .collect(),
            )
        }
    };
    let mut panel = DeploysPanel {
        repository: t.repository.clone(),
        workflow: t.workflow.clone(),
        workflow_url: t.workflow_url.clone(),
        runs,
        tested_in_dev,
        gates: vec![],
        rate: None,
    };
    let current_sha = panel.current().map(|r| r.head_sha.clone());
    let waiting: Vec<_> = panel.runs.iter().filter(|r| r.waiting()).cloned().collect();
    for run in waiting {
        let pending = t.source.pending(run.id).await?;
        // What would change is evidence, not a condition for showing the gate.
        let (changes, compare_url, migration_files) = match &current_sha {
            Some(base) if *base != run.head_sha => {
                match t.source.compare(base, &run.head_sha).await {
                    Ok(c) => (c.commits, Some(c.url), t.gate.migration_files(&c.files)),
                    Err(e) => {
                        tracing::warn!("comparing {base}...{}: {e}", run.head_sha);
                        (vec![], None, vec![])
                    }
                }
            }
            _ => (vec![], None, vec![]),
        };
        panel.gates.push(Gate {
            run,
            pending,
            changes,
            compare_url,
            migration_files,
        });
    }
    panel.rate = t.source.rate();
    Ok(panel)
}
