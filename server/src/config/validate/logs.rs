//! `[logs]` and `[environments.logs]`: a budget within what CloudWatch allows, searches only of
//! the kinds opsdeck knows, patterns CloudWatch would accept, ordered levels, a real time zone.

use super::super::raw::{RawEnvLogs, RawLogsGlobal, RawSearch};
use super::super::settings::{
    default_search, AwsSettings, EnvLogsSettings, LogsSettings, SearchSettings,
};
use super::Validator;
use crate::log_pattern::Pattern;
use app::domain::logs::SearchKind;
use app::domain::Thresholds;
use std::time::Duration;

/// FilterLogEvents' hard limit per account and Region (for everyone using the account).
const CLOUDWATCH_TPS: u32 = 5;

impl Validator {
    pub(super) fn logs(&mut self, raw: RawLogsGlobal) -> LogsSettings {
        let d = LogsSettings::default();
        let calls_per_second = match raw.calls_per_second {
            None => d.calls_per_second,
            Some(n) if (1..=CLOUDWATCH_TPS).contains(&n) => n,
            Some(n) => {
                self.issue(
                    "logs.calls_per_second",
                    format!("{n} is outside 1 to {CLOUDWATCH_TPS}: CloudWatch Logs allows {CLOUDWATCH_TPS} FilterLogEvents calls per second per account and Region, for everyone using them"),
                );
                d.calls_per_second
            }
        };
        LogsSettings {
            calls_per_second,
            refresh: self.duration(
                "logs.refresh",
                raw.refresh.as_deref(),
                d.refresh,
                Duration::from_secs(10),
            ),
            tail_every: self.duration(
                "logs.tail_every",
                raw.tail_every.as_deref(),
                d.tail_every,
                Duration::from_secs(1),
            ),
            tail_linger: self.duration(
                "logs.tail_linger",
                raw.tail_linger.as_deref(),
                d.tail_linger,
                Duration::from_secs(0),
            ),
        }
    }

    /// Searches over the environment's log group: the runbook's by default when a group is
    /// configured, changed or switched off in `[environments.logs.searches.<kind>]`.
    pub(super) fn env_logs(
        &mut self,
        p: &str,
        aws: Option<&AwsSettings>,
        raw: Option<RawEnvLogs>,
    ) -> Option<EnvLogsSettings> {
        let group = aws.and_then(|a| a.log_group.clone());
        let path = format!("{p}.logs");
        let Some(group) = group else {
            if raw.is_some() {
                self.issue(
                    &path,
                    "log searches need a log group: set aws.log_group in this environment",
                );
            }
            return None;
        };
        let raw = raw.unwrap_or_default();
        let time_zone = match raw.time_zone {
            None => self.team_tz,
            Some(tz) => tz.parse().unwrap_or_else(|_| {
                self.issue(
                    format!("{path}.time_zone"),
                    format!(
                        "{tz:?} is not a time zone of the IANA database (e.g. \"Europe/Berlin\")"
                    ),
                );
                chrono_tz::UTC
            }),
        };
        let overnight_from = match raw.overnight_from {
            None => chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            Some(t) => chrono::NaiveTime::parse_from_str(&t, "%H:%M").unwrap_or_else(|_| {
                self.issue(
                    format!("{path}.overnight_from"),
                    format!("{t:?} is not a time of day like \"18:00\""),
                );
                chrono::NaiveTime::default()
            }),
        };
        let slow_ms = raw.slow_request_ms.unwrap_or(2000);
        if slow_ms == 0 {
            self.issue(
                format!("{path}.slow_request_ms"),
                "must be above 0 milliseconds",
            );
        }
        let mut given = raw.searches;
        for key in given.keys() {
            if SearchKind::parse(key).is_none() {
                let known: Vec<&str> = SearchKind::ALL.iter().map(|k| k.key()).collect();
                self.issue(
                    format!("{path}.searches.{key}"),
                    format!(
                        "is not a search opsdeck knows (known: {})",
                        known.join(", ")
                    ),
                );
            }
        }
        let searches = SearchKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let raw = given.remove(kind.key()).unwrap_or_default();
                let at = format!("{path}.searches.{}", kind.key());
                self.search(&at, default_search(kind, slow_ms), raw)
            })
            .collect();
        Some(EnvLogsSettings {
            group,
            time_zone,
            overnight_from,
            searches,
        })
    }

    fn search(&mut self, at: &str, d: SearchSettings, raw: RawSearch) -> Option<SearchSettings> {
        if raw.enabled == Some(false) {
            return None;
        }
        let pattern = raw.pattern.unwrap_or(d.pattern);
        if let Err(e) = Pattern::parse(&pattern) {
            self.issue(
                format!("{at}.pattern"),
                format!("CloudWatch would refuse {pattern:?}: {e}"),
            );
        }
        let pair = |v: &mut Self, name: &str, w: Option<f64>, c: Option<f64>, d: Thresholds| {
            Thresholds::new(w.unwrap_or(d.warning()), c.unwrap_or(d.critical())).unwrap_or_else(
                |e| {
                    v.issue(format!("{at}.{name}"), e.to_string());
                    d
                },
            )
        };
        let hour = pair(self, "warning", raw.warning, raw.critical, d.hour);
        let overnight = pair(
            self,
            "overnight_warning",
            raw.overnight_warning,
            raw.overnight_critical,
            d.overnight,
        );
        Some(SearchSettings {
            kind: d.kind,
            pattern,
            hour,
            overnight,
        })
    }
}
