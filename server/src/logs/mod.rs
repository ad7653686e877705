//! Log searches and live tails over each environment's CloudWatch Logs group: filter patterns
//! (`crate::log_pattern`), hostile text made safe to look at (`clean`), one call budget per account and
//! Region (`budget`), the searches' running counts (`counter`, `searches`) and the shared tails
//! (`tail`). Nothing here is called per viewer: searches run on their own schedule, a tail is
//! shared by everyone watching its group.

pub mod budget;
pub mod clean;
mod counter;
pub mod searches;
pub mod tail;

use crate::config::Settings;
use crate::live::Hub;
use app::domain::logs::SearchLines;
use app::domain::EnvName;
use app::ports::{LogEvents, LogLines};
use std::sync::Arc;
use tokio::task::JoinSet;

/// What the logs page and the tail stream reach: the searches' newest lines and the tails.
pub struct Logs {
    pub lines: Arc<searches::Lines>,
    pub tails: Arc<tail::Tails>,
}

impl LogLines for Logs {
    fn lines(&self, env: &str) -> Option<Vec<SearchLines>> {
        self.lines.get(env)
    }

    fn has_tail(&self, env: &str) -> bool {
        self.tails.has(env)
    }

    fn check_pattern(&self, pattern: &str) -> Result<(), String> {
        crate::log_pattern::Pattern::parse(pattern)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Start every environment's searches; tails start when someone opens one. `sources` are
/// already let through their budgets.
pub fn start(
    settings: &Settings,
    sources: Vec<(EnvName, Arc<dyn LogEvents>)>,
    hub: Arc<Hub>,
    metrics: Arc<crate::metrics::Metrics>,
    tasks: &mut JoinSet<()>,
) -> Arc<Logs> {
    let lines = Arc::new(searches::Lines::default());
    let mut tail_sources = std::collections::HashMap::new();
    for (name, source) in sources {
        let Some(cfg) = settings.environment(&name).and_then(|e| e.logs.clone()) else {
            continue;
        };
        tail_sources.insert(name.to_string(), (cfg.group.clone(), source.clone()));
        tasks.spawn(searches::poll(
            name,
            cfg,
            source,
            settings.logs.refresh,
            hub.clone(),
            lines.clone(),
        ));
    }
    let tails = tail::Tails::new(
        tail_sources,
        settings.logs.tail_every,
        settings.logs.tail_linger,
        metrics,
    );
    Arc::new(Logs { lines, tails })
}
