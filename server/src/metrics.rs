//! opsdeck's own Prometheus metrics, served at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProbeLabels {
    pub env: String,
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub env: String,
    pub endpoint: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub upstream: String,
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BudgetLabels {
    /// The account and Region's budget, named by Region (and endpoint, for an emulator).
    pub budget: String,
}

pub struct Metrics {
    registry: Registry,
    pub probe_seconds: Family<ProbeLabels, Histogram>,
    pub probes: Family<OutcomeLabels, Counter>,
    pub upstream_calls: Family<UpstreamLabels, Counter>,
    pub live_viewers: Gauge,
    /// CloudWatch Logs reads let through each budget, and how many of them had to wait.
    pub logs_budget_calls: Family<BudgetLabels, Counter>,
    pub logs_budget_waits: Family<BudgetLabels, Counter>,
    /// Live tails reading their log group now.
    pub log_tails: Gauge,
    /// 1 while this replica holds the pollers' lease.
    pub leader: Gauge,
}

fn probe_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
    ])
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("opsdeck");
        let probe_seconds = Family::<ProbeLabels, Histogram>::new_with_constructor(
            probe_histogram as fn() -> Histogram,
        );
        let probes = Family::<OutcomeLabels, Counter>::default();
        let upstream_calls = Family::<UpstreamLabels, Counter>::default();
        let live_viewers = Gauge::default();
        let logs_budget_calls = Family::<BudgetLabels, Counter>::default();
        let logs_budget_waits = Family::<BudgetLabels, Counter>::default();
        let log_tails = Gauge::default();
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica runs the pollers (holds their lease in Postgres), else 0",
            leader.clone(),
        );
        registry.register(
            "logs_budget_calls",
            "CloudWatch Logs reads let through the shared per-account-and-Region budget",
            logs_budget_calls.clone(),
        );
        registry.register(
            "logs_budget_waits",
            "CloudWatch Logs reads that waited for the budget",
            logs_budget_waits.clone(),
        );
        registry.register(
            "log_tails",
            "Live log tails reading their log group",
            log_tails.clone(),
        );
        registry.register(
            "probe_duration_seconds",
            "Total time of health probes",
            probe_seconds.clone(),
        );
        registry.register("probes", "Health probes by outcome", probes.clone());
        registry.register(
            "upstream_calls",
            "Calls made to upstream systems",
            upstream_calls.clone(),
        );
        registry.register(
            "live_viewers",
            "Open live (SSE) streams",
            live_viewers.clone(),
        );
        Self {
            registry,
            probe_seconds,
            probes,
            upstream_calls,
            live_viewers,
            logs_budget_calls,
            logs_budget_waits,
            log_tails,
            leader,
        }
    }

    pub fn upstream_call(&self, upstream: &str, operation: &str) {
        self.upstream_calls
            .get_or_create(&UpstreamLabels {
                upstream: upstream.into(),
                operation: operation.into(),
            })
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    /// Counts one open live stream until the guard is dropped.
    pub fn viewer(self: &std::sync::Arc<Self>) -> ViewerGuard {
        self.live_viewers.inc();
        ViewerGuard(self.clone())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

pub struct ViewerGuard(std::sync::Arc<Metrics>);

impl Drop for ViewerGuard {
    fn drop(&mut self) {
        self.0.live_viewers.dec();
    }
}
