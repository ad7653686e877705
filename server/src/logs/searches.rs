//! The log searches' poller: per environment, every `[logs] refresh`, each search reads what is new
//! (through the shared budget), and the counts go to the live hub — the dashboard's and wall's
//! chips, the morning check — while the newest lines stay here for the logs page. A failed or
//! throttled read keeps the last counts, marked stale with the error in words.

use super::counter::Counter;
use crate::config::EnvLogsSettings;
use crate::live::{Hub, THROTTLE_BACKOFF};
use app::domain::logs::{LogsSummary, SearchLines};
use app::domain::{EnvName, Sourced};
use app::ports::{LogEvents, PortError};
use chrono::{DateTime, Days, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The newest lines of every environment's searches, for the logs page.
#[derive(Default)]
pub struct Lines(Mutex<HashMap<String, Vec<SearchLines>>>);

impl Lines {
    pub fn get(&self, env: &str) -> Option<Vec<SearchLines>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(env)
            .cloned()
    }

    fn set(&self, env: &str, lines: Vec<SearchLines>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(env.to_owned(), lines);
    }
}

/// "Overnight": `from` (local time in `tz`) on the day before today's local date.
pub fn overnight_start(
    tz: chrono_tz::Tz,
    from: chrono::NaiveTime,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let day_before = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    tz.from_local_datetime(&day_before.and_time(from))
        .earliest()
        // A time that does not exist that day (a DST gap): an hour later does.
        .or_else(|| {
            tz.from_local_datetime(&(day_before.and_time(from) + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or(now - chrono::Duration::hours(24), |t| t.with_timezone(&Utc))
}

pub async fn poll(
    env: EnvName,
    cfg: EnvLogsSettings,
    source: Arc<dyn LogEvents>,
    every: Duration,
    hub: Arc<Hub>,
    lines: Arc<Lines>,
) {
    let mut counters: Vec<Counter> = cfg.searches.iter().cloned().map(Counter::new).collect();
    let overnight_words = format!("{} {}", cfg.overnight_from.format("%H:%M"), cfg.time_zone);
    loop {
        let now = Utc::now();
        let since = overnight_start(cfg.time_zone, cfg.overnight_from, now);
        let (since_ms, now_ms) = (since.timestamp_millis(), now.timestamp_millis());
        let mut failure: Option<PortError> = None;
        let mut throttled = false;
        for c in &mut counters {
            if let Err(e) = c.round(source.as_ref(), &cfg.group, since_ms, now_ms).await {
                tracing::warn!(env = %env, search = c.settings.kind.key(), "log search failed: {}", e.detail());
                throttled |= matches!(e, PortError::Throttled(_));
                failure.get_or_insert(e);
            }
        }
        let summary = LogsSummary {
            log_group: cfg.group.clone(),
            overnight_since: since,
            overnight_words: overnight_words.clone(),
            searches: counters
                .iter()
                .map(|c| c.counts(since_ms, now_ms))
                .collect(),
        };
        lines.set(env.as_str(), counters.iter().map(Counter::lines).collect());
        hub.update_cloud(&env, |c| record(&mut c.logs, summary, failure, now));
        tokio::time::sleep(if throttled {
            every * THROTTLE_BACKOFF
        } else {
            every
        })
        .await;
    }
}

/// Searches that read keep fresh counts; when one failed, the panel says so (and is stale).
fn record(
    slot: &mut Option<Sourced<LogsSummary>>,
    summary: LogsSummary,
    failure: Option<PortError>,
    now: DateTime<Utc>,
) {
    let Some(s) = slot.as_mut() else { return };
    match failure {
        None => s.succeeded(summary, now),
        Some(e) => {
            s.value = Some(summary);
            s.failed(format!("CloudWatch Logs: {}", e.detail()), now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overnight_is_the_evening_before_in_the_teams_zone() {
        let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let six = chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        // 08:00 in Berlin on 7 December (07:00 UTC): since 18:00 Berlin on the 6th (17:00 UTC).
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 7, 0, 0).unwrap();
        assert_eq!(
            overnight_start(tz, six, now),
            Utc.with_ymd_and_hms(2026, 12, 6, 17, 0, 0).unwrap()
        );
        // 00:30 Berlin on the 8th is 23:30 UTC on the 7th: since 18:00 Berlin on the 7th.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 23, 30, 0).unwrap();
        assert_eq!(
            overnight_start(tz, six, now),
            Utc.with_ymd_and_hms(2026, 12, 7, 17, 0, 0).unwrap()
        );
    }
}
