//! One call budget per AWS account and Region (opsdeck uses one credential chain, so one account;
//! budgets are keyed by Region, and by endpoint for an emulator), shared by every log search and
//! tail that reads there: CloudWatch Logs allows FilterLogEvents 5 times a second per account and Region, for
//! every user of the account together, so opsdeck keeps to its own smaller share. A read waits
//! for the budget instead of being throttled; the waits and calls are counted in `/metrics`.

use crate::metrics::{BudgetLabels, Metrics};
use app::ports::logs::{LogPage, LogQuery};
use app::ports::{LogEvents, PortError};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// A log source whose every call is let through one shared budget.
pub struct Budgeted {
    inner: Arc<dyn LogEvents>,
    limiter: Arc<DefaultDirectRateLimiter>,
    labels: BudgetLabels,
    metrics: Arc<Metrics>,
}

#[async_trait::async_trait]
impl LogEvents for Budgeted {
    async fn filter(&self, query: &LogQuery) -> Result<LogPage, PortError> {
        if self.limiter.check().is_err() {
            self.metrics
                .logs_budget_waits
                .get_or_create(&self.labels)
                .inc();
            self.limiter.until_ready().await;
        }
        self.metrics
            .logs_budget_calls
            .get_or_create(&self.labels)
            .inc();
        self.inner.filter(query).await
    }
}

/// The budgets, one per key (Region, and endpoint for an emulator).
pub struct Budgets {
    per_second: NonZeroU32,
    metrics: Arc<Metrics>,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
}

impl Budgets {
    pub fn new(calls_per_second: u32, metrics: Arc<Metrics>) -> Self {
        Self {
            per_second: NonZeroU32::new(calls_per_second).unwrap_or(NonZeroU32::MIN),
            metrics,
            limiters: Mutex::new(HashMap::new()),
        }
    }

    /// `inner`, let through the budget named `key`.
    pub fn wrap(&self, key: &str, inner: Arc<dyn LogEvents>) -> Arc<dyn LogEvents> {
        let limiter = {
            let mut all = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
            all.entry(key.to_owned())
                .or_insert_with(|| {
                    // No burst: a second never sees more calls than the budget, even after a
                    // quiet minute.
                    Arc::new(RateLimiter::direct(
                        Quota::per_second(self.per_second).allow_burst(NonZeroU32::MIN),
                    ))
                })
                .clone()
        };
        Arc::new(Budgeted {
            inner,
            limiter,
            labels: BudgetLabels {
                budget: key.to_owned(),
            },
            metrics: self.metrics.clone(),
        })
    }
}
