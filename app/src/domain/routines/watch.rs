//! The post-deploy watch: for a configured time after a deploy completes ("monitor for 30 minutes
//! after deploying"), the live error rate, response time and health are compared with the 30
//! minutes before the deploy, and judged — fine, worse (above the baseline by a margin, or above
//! warning) or failed (critical, or health down). The worst verdict seen is what the deploy keeps.

use crate::domain::cloud::{MetricKind, MetricsPanel};
use crate::domain::{EnvName, Level};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// `[watch]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchSettings {
    /// How long a watch runs after the deploy completes, and how far back the baseline reaches.
    pub duration_s: i64,
    /// "Worse" when the error rate rises by more than this many percentage points.
    pub error_rate_margin: f64,
    /// "Worse" when the response time rises by more than this share (0.5: half again).
    pub response_time_margin: f64,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            duration_s: 30 * 60,
            error_rate_margin: 1.0,
            response_time_margin: 0.5,
        }
    }
}

impl WatchSettings {
    pub fn duration(&self) -> Duration {
        Duration::seconds(self.duration_s)
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    #[default]
    Fine,
    Worse,
    Failed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fine => "fine",
            Verdict::Worse => "worse",
            Verdict::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Verdict::Fine, Verdict::Worse, Verdict::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn level(self) -> Level {
        match self {
            Verdict::Fine => Level::Ok,
            Verdict::Worse => Level::Warning,
            Verdict::Failed => Level::Critical,
        }
    }
}

/// The figures a watch compares: error rate (%), response time (ms), health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Reading {
    pub error_rate: Option<(f64, Level)>,
    pub response_time: Option<(f64, Level)>,
    pub health: Level,
}

/// What was normal before the deploy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Baseline {
    /// Mean over the window, when CloudWatch had points there.
    pub error_rate: Option<f64>,
    pub response_time: Option<f64>,
    pub health: Level,
}

impl Baseline {
    /// The mean of each metric's minute points in `[start - window, start)`.
    pub fn before(
        metrics: Option<&MetricsPanel>,
        start: DateTime<Utc>,
        window: Duration,
        health: Level,
    ) -> Self {
        let mean = |kind| {
            let s = metrics?.get(kind)?;
            let values: Vec<f64> = s
                .hour
                .iter()
                .filter(|p| p.at >= start - window && p.at < start)
                .filter_map(|p| p.value)
                .collect();
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        Self {
            error_rate: mean(MetricKind::ErrorRate),
            response_time: mean(MetricKind::ResponseTime),
            health,
        }
    }
}

impl Reading {
    pub fn now(metrics: Option<&MetricsPanel>, health: Level) -> Self {
        let latest = |kind| {
            let s = metrics?.get(kind)?;
            Some((s.latest()?.value?, s.level()))
        };
        Self {
            error_rate: latest(MetricKind::ErrorRate),
            response_time: latest(MetricKind::ResponseTime),
            health,
        }
    }

    /// The verdict against `baseline`, with the reasons in words.
    pub fn judge(&self, baseline: &Baseline, s: &WatchSettings) -> (Verdict, Vec<String>) {
        let mut failed = Vec::new();
        let mut worse = Vec::new();
        match self.health {
            Level::Critical => failed.push("health is down".to_owned()),
            Level::Warning => worse.push("health is degraded".to_owned()),
            _ => {}
        }
        if let Some((v, level)) = self.error_rate {
            let was = baseline.error_rate;
            let before = was.map_or_else(String::new, |b| format!(" (before: {b:.2} %)"));
            match level {
                Level::Critical => failed.push(format!("error rate {v:.2} % is critical{before}")),
                Level::Warning => {
                    worse.push(format!("error rate {v:.2} % is above warning{before}"))
                }
                _ if was.is_some_and(|b| v > b + s.error_rate_margin) => worse.push(format!(
                    "error rate {v:.2} % is up from {:.2} %",
                    was.unwrap_or_default()
                )),
                _ => {}
            }
        }
        if let Some((v, level)) = self.response_time {
            let was = baseline.response_time;
            let before = was.map_or_else(String::new, |b| format!(" (before: {b:.0} ms)"));
            match level {
                Level::Critical => {
                    failed.push(format!("response time {v:.0} ms is critical{before}"))
                }
                Level::Warning => {
                    worse.push(format!("response time {v:.0} ms is above warning{before}"))
                }
                _ if was.is_some_and(|b| v > b * (1.0 + s.response_time_margin)) => {
                    worse.push(format!(
                        "response time {v:.0} ms is up from {:.0} ms",
                        was.unwrap_or_default()
                    ))
                }
                _ => {}
            }
        }
        if !failed.is_empty() {
            failed.extend(worse);
            (Verdict::Failed, failed)
        } else if !worse.is_empty() {
            (Verdict::Worse, worse)
        } else {
            (Verdict::Fine, vec![])
        }
    }
}

/// A watch as the pages and the wall show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeployWatch {
    pub id: i64,
    pub env: EnvName,
    pub run_id: u64,
    pub sha: String,
    /// "1.4.3 Presenter view: keyboard shortcuts".
    pub what: String,
    pub deployed_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub baseline: Baseline,
    pub reading: Reading,
    /// Now, and why.
    pub current: Verdict,
    pub reasons: Vec<String>,
    /// The worst seen so far (what the deploy keeps), and why.
    pub worst: Verdict,
    pub worst_reasons: Vec<String>,
    pub ended: bool,
    /// Where a rollback would go: (sha, words).
    pub rollback_to: Option<(String, String)>,
}

impl DeployWatch {
    /// "Roll back" pre-filled on `/actions`, naming this watch in the reason.
    pub fn rollback_href(&self) -> Option<String> {
        let (sha, _) = self.rollback_to.as_ref()?;
        let reason = format!(
            "Post-deploy watch {} of {}: {} — {}",
            self.id,
            self.sha.get(..7).unwrap_or(&self.sha),
            self.worst.as_str(),
            self.worst_reasons.join("; ")
        );
        let query = serde_urlencoded::to_string([
            ("kind", "rollback"),
            ("env", self.env.as_str()),
            ("version", sha.as_str()),
            ("reason", reason.as_str()),
        ])
        .ok()?;
        Some(format!("/actions?{query}#rollback"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(er: f64, erl: Level, rt: f64, rtl: Level, health: Level) -> Reading {
        Reading {
            error_rate: Some((er, erl)),
            response_time: Some((rt, rtl)),
            health,
        }
    }

    #[test]
    fn fine_worse_and_failed() {
        let s = WatchSettings::default();
        let before = Baseline {
            error_rate: Some(0.2),
            response_time: Some(180.0),
            health: Level::Ok,
        };
        let ok = Level::Ok;
        assert_eq!(
            reading(0.3, ok, 200.0, ok, ok).judge(&before, &s).0,
            Verdict::Fine
        );
        let (v, why) = reading(1.5, ok, 200.0, ok, ok).judge(&before, &s);
        assert_eq!(
            (v, why),
            (
                Verdict::Worse,
                vec!["error rate 1.50 % is up from 0.20 %".to_owned()]
            )
        );
        let (v, why) = reading(0.2, ok, 300.0, ok, ok).judge(&before, &s);
        assert_eq!(
            (v, why[0].as_str()),
            (Verdict::Worse, "response time 300 ms is up from 180 ms")
        );
        assert_eq!(
            reading(0.2, ok, 200.0, ok, Level::Warning)
                .judge(&before, &s)
                .0,
            Verdict::Worse
        );
        let (v, why) = reading(38.0, Level::Critical, 200.0, ok, ok).judge(&before, &s);
        assert_eq!(v, Verdict::Failed);
        assert_eq!(why, vec!["error rate 38.00 % is critical (before: 0.20 %)"]);
        assert_eq!(
            reading(0.2, ok, 200.0, ok, Level::Critical)
                .judge(&before, &s)
                .0,
            Verdict::Failed
        );
        // Without a baseline only the thresholds speak.
        assert_eq!(
            reading(3.0, ok, 900.0, ok, ok)
                .judge(&Baseline::default(), &s)
                .0,
            Verdict::Fine
        );
        assert!(Verdict::Failed > Verdict::Worse && Verdict::Worse > Verdict::Fine);
    }
}
