//! The cloud pollers: per environment, one task per panel (AWS: ECS, metrics, load balancer,
//! backups; GitHub: deploys), each on its own interval, each call bounded. A failed poll keeps the
//! panel's last value and records the error, naming the source that failed; throttling stretches
//! the next wait. Calls never depend on viewers.

use super::Hub;
use crate::config::{CloudSettings, EnvironmentSettings, Settings, ThresholdSettings};
use app::domain::cloud::Sourced;
use app::domain::{CloudSnapshot, EnvName};
use app::ports::{CloudReader, PortError};
use app::usecases::cloud_metrics::metrics_panel;
use chrono::{Duration as ChronoDuration, Utc};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The cloud snapshot shown before the first poll: the configured panels, waiting for data.
pub fn initial_cloud(env: &EnvironmentSettings, settings: &Settings) -> Option<CloudSnapshot> {
    let cloud = &settings.aws;
    let deploys = env
        .github
        .as_ref()
        .is_some_and(|g| g.repository.is_some() && g.deploy_workflow.is_some());
    if env.aws.is_none() && !deploys {
        return None;
    }
    let region = env
        .aws
        .as_ref()
        .map(|a| a.region.clone())
        .unwrap_or_default();
    let mut c = CloudSnapshot::new(env.name.clone(), region);
    c.deploys = deploys.then(|| Sourced::new(ms(settings.github.interval)));
    c.logs = env
        .logs
        .as_ref()
        .filter(|_| env.aws.is_some())
        .map(|_| Sourced::new(ms(settings.logs.refresh)));
    let Some(aws) = env.aws.as_ref() else {
        return Some(c);
    };
    c.ecs = aws.has_ecs().then(|| Sourced::new(ms(cloud.ecs_interval)));
    c.metrics = aws
        .has_metrics()
        .then(|| Sourced::new(ms(cloud.metrics_interval)));
    c.backups = aws
        .db_instance
        .is_some()
        .then(|| Sourced::new(ms(cloud.backups_interval)));
    c.load_balancer = aws
        .load_balancer
        .is_some()
        .then(|| Sourced::new(ms(cloud.load_balancer_interval)));
    c.tasks =
        (!aws.scheduled_tasks.is_empty()).then(|| Sourced::new(ms(cloud.scheduled_tasks_interval)));
    c.trend = aws
        .load_balancer
        .is_some()
        .then(|| Sourced::new(ms(TREND_INTERVAL)));
    Some(c)
}

pub fn initial_clouds(settings: &Settings) -> Vec<CloudSnapshot> {
    settings
        .environments
        .iter()
        .filter_map(|e| initial_cloud(e, settings))
        .collect()
}

/// The whole of one poll may take this long: a few calls in sequence, each already bounded by
/// the SDK's operation timeout. This outer bound is the last line of defence against a hang.
pub(super) fn poll_bound(cloud: &CloudSettings) -> Duration {
    cloud.limits.operation * 3 + Duration::from_secs(1)
}

/// How often the 24-hour metric series is fetched again; the hour is fetched every poll.
const DAY_REFRESH: ChronoDuration = ChronoDuration::minutes(10);
const DAY_PERIOD_S: u32 = 900;

/// A week's figures change slowly: the weekly trend's daily points are read this often.
pub(super) const TREND_INTERVAL: Duration = Duration::from_secs(30 * 60);

/// The source a poller reads, as its errors and log lines name it.
pub(super) const AWS: &str = "AWS";
const GITHUB: &str = "GitHub";

pub fn spawn_cloud_pollers(
    settings: &Settings,
    readers: Vec<(EnvName, Arc<dyn CloudReader>)>,
    hub: Arc<Hub>,
    tasks: &mut JoinSet<()>,
) {
    let cloud = settings.aws.clone();
    let thresholds = settings.thresholds;
    for (name, reader) in readers {
        let Some(aws) = settings.environment(&name).and_then(|e| e.aws.clone()) else {
            continue;
        };
        let bound = poll_bound(&cloud);
        if aws.has_ecs() {
            let r = reader.clone();
            tasks.spawn(poll(
                AWS,
                name.clone(),
                cloud.ecs_interval,
                bound,
                hub.clone(),
                move || {
                    let r = r.clone();
                    async move { r.ecs().await }
                },
                |c, v| apply(&mut c.ecs, v),
            ));
        }
        if aws.load_balancer.is_some() {
            let r = reader.clone();
            tasks.spawn(poll(
                AWS,
                name.clone(),
                cloud.load_balancer_interval,
                bound,
                hub.clone(),
                move || {
                    let r = r.clone();
                    async move { r.load_balancer().await }
                },
                |c, v| apply(&mut c.load_balancer, v),
            ));
        }
        if aws.db_instance.is_some() {
            let r = reader.clone();
            let overdue = cloud.backup_overdue_after.as_secs();
            tasks.spawn(poll(
                AWS,
                name.clone(),
                cloud.backups_interval,
                bound,
                hub.clone(),
                move || {
                    let r = r.clone();
                    async move { r.backups(overdue).await }
                },
                |c, v| apply(&mut c.backups, v),
            ));
        }
        if aws.has_metrics() {
            tasks.spawn(poll_metrics(
                name.clone(),
                reader.clone(),
                cloud.metrics_interval,
                bound,
                thresholds,
                hub.clone(),
            ));
        }
    }
}

/// One deploys poller per environment with a deploy workflow.
pub fn spawn_deploy_pollers(
    settings: &Settings,
    targets: &[(EnvName, app::ports::DeployTarget)],
    hub: Arc<Hub>,
    tasks: &mut JoinSet<()>,
) {
    // A panel is a few requests in sequence (runs, the earlier environment's runs, each gate's
    // pending deployments and comparison), each bounded by the client's timeout.
    let bound = settings.github.timeout * 6;
    for (name, target) in targets.iter().cloned() {
        let target = Arc::new(target);
        tasks.spawn(poll(
            GITHUB,
            name,
            settings.github.interval,
            bound,
            hub.clone(),
            move || {
                let t = target.clone();
                async move { app::usecases::deploys::deploys_panel(&t).await }
            },
            |c, v| apply(&mut c.deploys, v),
        ));
    }
}

/// What one poll produced: a value, or the error to show in words.
pub(super) type Outcome<T> = Result<T, String>;

pub(super) fn apply<T>(slot: &mut Option<Sourced<T>>, outcome: Outcome<T>) {
    let now = Utc::now();
    // Panels not configured stay absent; configured ones always have a slot.
    if let Some(s) = slot.as_mut() {
        match outcome {
            Ok(v) => s.succeeded(v, now),
            Err(e) => s.failed(e, now),
        }
    }
}

/// Run `fetch` within `bound`, as words when it fails; `true` when `source` asked to slow down.
async fn bounded<T, Fut>(source: &str, bound: Duration, fetch: Fut) -> (Outcome<T>, bool)
where
    Fut: Future<Output = Result<T, PortError>>,
{
    // A bug in an adapter must cost one poll, not the poller: the panel shows it and polling goes on.
    let guarded = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(fetch));
    match tokio::time::timeout(bound, guarded).await {
        Ok(Err(_panic)) => (
            Err("opsdeck failed internally while reading this source (see its log)".to_owned()),
            false,
        ),
        Ok(Ok(Ok(v))) => (Ok(v), false),
        Ok(Ok(Err(e))) => {
            let throttled = matches!(e, PortError::Throttled(_));
            (Err(e.detail().to_owned()), throttled)
        }
        Err(_) => (
            Err(format!(
                "no answer from {source} within {}",
                humantime::format_duration(bound)
            )),
            false,
        ),
    }
}

/// After throttling, a poller (AWS panels, log searches, a tail) waits this many intervals.
pub const THROTTLE_BACKOFF: u32 = 3;

#[tracing::instrument(skip_all, fields(env = %name))]
pub(super) async fn poll<T, F, Fut>(
    source: &'static str,
    name: EnvName,
    every: Duration,
    bound: Duration,
    hub: Arc<Hub>,
    fetch: F,
    store: fn(&mut CloudSnapshot, Outcome<T>),
) where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, PortError>>,
{
    loop {
        let (outcome, throttled) = bounded(source, bound, fetch()).await;
        if let Err(e) = &outcome {
            tracing::warn!("{source} poll failed: {e}");
        }
        hub.update_cloud(&name, |c| store(c, outcome));
        let wait = if throttled {
            every * THROTTLE_BACKOFF
        } else {
            every
        };
        tokio::time::sleep(wait).await;
    }
}

#[tracing::instrument(skip_all, fields(env = %name))]
async fn poll_metrics(
    name: EnvName,
    reader: Arc<dyn CloudReader>,
    every: Duration,
    bound: Duration,
    thresholds: ThresholdSettings,
    hub: Arc<Hub>,
) {
    let mut day = None;
    let mut day_at = None;
    loop {
        let now = Utc::now();
        let (hour, mut throttled) = bounded(
            AWS,
            bound,
            reader.metrics(now - ChronoDuration::hours(1), now, 60),
        )
        .await;
        let day_due = day_at.is_none_or(|at| now - at > DAY_REFRESH);
        if hour.is_ok() && day_due {
            let (fetched, t) = bounded(
                AWS,
                bound,
                reader.metrics(now - ChronoDuration::hours(24), now, DAY_PERIOD_S),
            )
            .await;
            throttled |= t;
            match fetched {
                Ok(d) => {
                    day = Some(d);
                    day_at = Some(now);
                }
                Err(e) => tracing::warn!("24-hour metrics failed: {e}"),
            }
        }
        let outcome = hour
            .map(|h| metrics_panel(&h, day.as_ref(), DAY_PERIOD_S, |k| thresholds.for_metric(k)));
        if let Err(e) = &outcome {
            tracing::warn!("AWS metrics poll failed: {e}");
        }
        hub.update_cloud(&name, |c| apply(&mut c.metrics, outcome));
        let wait = if throttled {
            every * THROTTLE_BACKOFF
        } else {
            every
        };
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that never answers, so only the bound ends the poll.
    async fn silent() -> Result<(), PortError> {
        std::future::pending().await
    }

    #[tokio::test]
    async fn a_late_source_is_named_in_the_error() {
        let bound = Duration::from_millis(20);
        let (github, _) = bounded(GITHUB, bound, silent()).await;
        let github = github.unwrap_err();
        assert!(
            github.starts_with("no answer from GitHub within"),
            "{github}"
        );
        assert!(
            !github.contains("AWS"),
            "a GitHub failure worded as AWS: {github}"
        );
        let (aws, _) = bounded(AWS, bound, silent()).await;
        let aws = aws.unwrap_err();
        assert!(aws.starts_with("no answer from AWS within"), "{aws}");
    }
}
