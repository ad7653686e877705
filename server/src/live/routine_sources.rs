//! The routine checks' own sources, polled like the other panels (on the server's schedule,
//! shared by every viewer): the scheduled task families' runs, remembered in Postgres for a day,
//! and the weekly trend — the last seven days of error rate and response time against the seven
//! before, read from CloudWatch as daily points every half hour.

use super::cloud::{apply, poll, poll_bound, AWS, TREND_INTERVAL};
use super::Hub;
use crate::config::Settings;
use app::domain::cloud::{ScheduledTasksPanel, TrendRules, WeeklyTrend};
use app::domain::EnvName;
use app::ports::CloudReader;
use chrono::{Duration as ChronoDuration, Utc};
use std::sync::Arc;
use tokio::task::JoinSet;

pub fn spawn(
    settings: &Settings,
    readers: Vec<(EnvName, Arc<dyn CloudReader>)>,
    hub: Arc<Hub>,
    pool: sqlx::PgPool,
    tasks: &mut JoinSet<()>,
) {
    let cloud = settings.aws.clone();
    let bound = poll_bound(&cloud);
    let rules = TrendRules {
        error_rate: settings.thresholds.error_rate_percent,
        response_time: settings.thresholds.response_time_ms,
        error_rate_margin: settings.routines.watch.error_rate_margin,
        response_time_margin: settings.routines.watch.response_time_margin,
    };
    for (name, reader) in readers {
        let Some(aws) = settings.environment(&name).and_then(|e| e.aws.clone()) else {
            continue;
        };
        if !aws.scheduled_tasks.is_empty() {
            let (r, pool, env) = (reader.clone(), pool.clone(), name.to_string());
            let families = aws.scheduled_tasks.clone();
            tasks.spawn(poll(
                AWS,
                name.clone(),
                cloud.scheduled_tasks_interval,
                bound,
                hub.clone(),
                move || {
                    let (r, pool, env, families) =
                        (r.clone(), pool.clone(), env.clone(), families.clone());
                    async move {
                        let seen = r.stopped_tasks(&families).await?;
                        let since = Utc::now() - ChronoDuration::hours(24);
                        let runs =
                            crate::store::task_runs::record_and_recent(&pool, &env, &seen, since)
                                .await?;
                        Ok(ScheduledTasksPanel { families, runs })
                    }
                },
                |c, v| apply(&mut c.tasks, v),
            ));
        }
        if aws.load_balancer.is_some() {
            let r = reader.clone();
            let statistic = cloud.response_time_statistic.clone();
            tasks.spawn(poll(
                AWS,
                name.clone(),
                TREND_INTERVAL,
                bound,
                hub.clone(),
                move || {
                    let (r, statistic) = (r.clone(), statistic.clone());
                    async move {
                        let now = Utc::now();
                        let daily = r
                            .metrics(now - ChronoDuration::days(14), now, 86_400)
                            .await?;
                        Ok(WeeklyTrend::from_daily(&daily.series, &statistic, &rules))
                    }
                },
                |c, v| apply(&mut c.trend, v),
            ));
        }
    }
}
