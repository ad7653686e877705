//! One poller task per environment: probe on the interval, store the samples, publish a snapshot.

use super::Hub;
use crate::config::{EnvironmentSettings, Settings, ThresholdSettings};
use crate::metrics::{Metrics, OutcomeLabels, ProbeLabels};
use app::domain::{history, Endpoint, EnvSnapshot, KnownVersion, SamplePoint, Uptime};
use app::ports::{HealthProber, HealthSamples};
use app::usecases::probe_round::{probe_round, ProbeTarget};
use chrono::{Duration as ChronoDuration, Utc};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;

#[derive(Clone)]
pub struct PollerDeps {
    pub prober: Arc<dyn HealthProber>,
    pub samples: Arc<dyn HealthSamples>,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
}

/// The snapshot shown before the first probe round of an environment has finished.
pub fn empty_snapshot(env: &EnvironmentSettings, thresholds: &ThresholdSettings) -> EnvSnapshot {
    EnvSnapshot {
        name: env.name.clone(),
        label: env.label.clone(),
        base_url: env.base_url.to_string(),
        seq: 0,
        level: app::domain::Level::Unknown,
        probes: vec![],
        dns: None,
        known_version: None,
        latency: thresholds.response_time_ms,
        certificate_limits: thresholds.certificate_days_left,
        uptime_1h: Uptime::default(),
        uptime_24h: Uptime::default(),
        history: vec![],
        updated_at: None,
        interval_ms: u64::try_from(env.interval.as_millis()).unwrap_or(u64::MAX),
    }
}

pub fn spawn_pollers(settings: &Settings, deps: PollerDeps, tasks: &mut JoinSet<()>) {
    for env in settings.environments.clone() {
        let deps = deps.clone();
        let thresholds = settings.thresholds;
        tasks.spawn(async move { poll_env(env, thresholds, deps).await });
    }
}

/// Delete samples past the retention once an hour.
pub fn spawn_retention(
    settings: &Settings,
    samples: Arc<dyn HealthSamples>,
    tasks: &mut JoinSet<()>,
) {
    let keep =
        ChronoDuration::from_std(settings.probe.retention).unwrap_or(ChronoDuration::days(14));
    tasks.spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match samples.prune(Utc::now() - keep).await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "pruned old health samples"),
                Ok(_) => {}
                Err(e) => tracing::warn!("pruning health samples failed: {e}"),
            }
        }
    });
}

/// A database that does not answer must not hold up probing or the live view.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

#[tracing::instrument(skip_all, fields(env = %env.name))]
async fn poll_env(env: EnvironmentSettings, thresholds: ThresholdSettings, deps: PollerDeps) {
    let latency = thresholds.response_time_ms;
    let target = ProbeTarget {
        host: env.dns_host(),
        urls: env
            .endpoints
            .iter()
            .map(|(e, u)| (*e, u.to_string()))
            .collect(),
    };
    let day = ChronoDuration::hours(24);
    let (mut points, mut known_version) = load_history(&env, &deps, day).await;
    let mut ticker = tokio::time::interval(env.interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let (probes, dns) = probe_round(deps.prober.as_ref(), &target).await;
        for p in &probes {
            record_metrics(&deps.metrics, &env, p);
        }
        let now = Utc::now();
        if let Some(health) = probes.iter().find(|p| p.endpoint == Endpoint::Health) {
            points.push_back(SamplePoint::new(health, &latency));
            known_version = KnownVersion::from_probe(health).or(known_version);
        }
        while points.front().is_some_and(|p| p.at < now - day) {
            points.pop_front();
        }
        let slice = points.make_contiguous();
        let snap = EnvSnapshot {
            level: EnvSnapshot::evaluate(&probes, &latency),
            uptime_1h: history::uptime(slice, now - ChronoDuration::hours(1)),
            uptime_24h: history::uptime(slice, now - day),
            history: history::buckets(slice, now, ChronoDuration::minutes(1), 60),
            updated_at: Some(now),
            probes: probes.clone(),
            dns,
            known_version: known_version.clone(),
            ..empty_snapshot(&env, &thresholds)
        };
        // Viewers first; storing happens beside the next round so a slow database costs only
        // a gap in the stored history.
        deps.hub.publish(snap);
        let samples = deps.samples.clone();
        let name = env.name.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(STORE_TIMEOUT, samples.record(&name, &probes, &latency))
                .await
            {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(env = %name, "storing health samples failed: {e}"),
                Err(_) => tracing::warn!(env = %name, "storing health samples timed out"),
            }
        });
    }
}

/// The last day of health points and the last reported version, from the database, so history
/// and versions survive restarts. Bounded: a database that does not answer delays the first
/// round by at most `STORE_TIMEOUT`.
async fn load_history(
    env: &EnvironmentSettings,
    deps: &PollerDeps,
    day: ChronoDuration,
) -> (VecDeque<SamplePoint>, Option<KnownVersion>) {
    let load = async {
        let points = deps
            .samples
            .since(&env.name, Endpoint::Health, Utc::now() - day)
            .await?;
        let recent = deps.samples.recent(&env.name, 30).await?;
        let version = recent
            .iter()
            .filter(|p| p.endpoint == Endpoint::Health)
            .find_map(KnownVersion::from_probe);
        Ok::<_, app::ports::PortError>((points.into(), version))
    };
    match tokio::time::timeout(STORE_TIMEOUT, load).await {
        Ok(Ok(loaded)) => loaded,
        Ok(Err(e)) => {
            tracing::warn!("could not load stored history: {e}");
            (VecDeque::new(), None)
        }
        Err(_) => {
            tracing::warn!("loading stored history timed out");
            (VecDeque::new(), None)
        }
    }
}

fn record_metrics(m: &Metrics, env: &EnvironmentSettings, p: &app::domain::ProbeResult) {
    let endpoint = p.endpoint.as_str().to_owned();
    m.upstream_call("health_probe", p.endpoint.as_str());
    m.probes
        .get_or_create(&OutcomeLabels {
            env: env.name.to_string(),
            endpoint: endpoint.clone(),
            outcome: p
                .failure
                .as_ref()
                .map_or("ok", |f| f.kind.as_str())
                .to_owned(),
        })
        .inc();
    if let Some(ms) = p.timings.total_ms {
        m.probe_seconds
            .get_or_create(&ProbeLabels {
                env: env.name.to_string(),
                endpoint,
            })
            .observe(ms / 1000.0);
    }
}
