//! The weekly check's trend: the last seven days of error rate and response time against the
//! seven before, from one CloudWatch read of daily points (fetched by the server every half hour
//! and shared, never per viewer). A week's figure is the mean of its daily figures.

use super::{MetricKind, MetricPoint};
use crate::domain::{Level, Thresholds};
use serde::{Deserialize, Serialize};

/// One week's figures; `None` where CloudWatch had no data points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekFigures {
    /// Mean of the daily error rates, percent.
    pub error_rate: Option<f64>,
    /// Mean of the daily response-time statistic (p95 by default), milliseconds.
    pub response_time_ms: Option<f64>,
    /// Days with data.
    pub days: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeeklyTrend {
    pub this_week: WeekFigures,
    pub last_week: WeekFigures,
    /// The response-time statistic CloudWatch was asked for ("p95").
    pub statistic: String,
    pub level: Level,
    /// Why it is at its level, in words.
    pub why: String,
}

fn mean(points: &[MetricPoint]) -> (Option<f64>, u32) {
    let values: Vec<f64> = points.iter().filter_map(|p| p.value).collect();
    if values.is_empty() {
        (None, 0)
    } else {
        (
            Some(values.iter().sum::<f64>() / values.len() as f64),
            values.len() as u32,
        )
    }
}

/// How a trend is judged: the same thresholds as the live metrics, and how much worse than last
/// week counts as worse (percentage points of error rate; a fraction of response time).
#[derive(Clone, Copy, Debug)]
pub struct TrendRules {
    pub error_rate: Thresholds,
    pub response_time: Thresholds,
    pub error_rate_margin: f64,
    pub response_time_margin: f64,
}

impl WeeklyTrend {
    /// From daily points, oldest first: the newest seven days against the seven before.
    pub fn from_daily(
        series: &[(MetricKind, Vec<MetricPoint>)],
        statistic: &str,
        rules: &TrendRules,
    ) -> Self {
        let weeks = |kind: MetricKind| {
            let points = series
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, p)| p.as_slice())
                .unwrap_or_default();
            let split = points.len().saturating_sub(7);
            let last = &points[split.saturating_sub(7)..split];
            (mean(&points[split..]), mean(last))
        };
        let ((err_now, d1), (err_before, _)) = weeks(MetricKind::ErrorRate);
        let ((rt_now, d2), (rt_before, d3)) = weeks(MetricKind::ResponseTime);
        let mut t = WeeklyTrend {
            this_week: WeekFigures {
                error_rate: err_now,
                response_time_ms: rt_now,
                days: d1.max(d2),
            },
            last_week: WeekFigures {
                error_rate: err_before,
                response_time_ms: rt_before,
                days: d3,
            },
            statistic: statistic.to_owned(),
            level: Level::Unknown,
            why: String::new(),
        };
        t.judge(rules);
        t
    }

    fn judge(&mut self, rules: &TrendRules) {
        let (now, before) = (&self.this_week, &self.last_week);
        if now.error_rate.is_none() && now.response_time_ms.is_none() {
            self.level = Level::Unknown;
            self.why = "CloudWatch has no data points for the last seven days".into();
            return;
        }
        let mut level = Level::Ok;
        let mut why = Vec::new();
        if let Some(e) = now.error_rate {
            let l = rules.error_rate.evaluate(e);
            if l > Level::Ok {
                why.push(format!(
                    "error rate {e:.2} % is above its {} level",
                    l.as_str()
                ));
            }
            level = level.max(l);
            if let Some(b) = before.error_rate {
                if e > b + rules.error_rate_margin {
                    why.push(format!(
                        "error rate {e:.2} % against {b:.2} % the week before"
                    ));
                    level = level.max(Level::Warning);
                }
            }
        }
        if let Some(r) = now.response_time_ms {
            let l = rules.response_time.evaluate(r);
            if l > Level::Ok {
                why.push(format!(
                    "{} response time {r:.0} ms is above its {} level",
                    self.statistic,
                    l.as_str()
                ));
            }
            level = level.max(l);
            if let Some(b) = before.response_time_ms {
                if r > b * (1.0 + rules.response_time_margin) {
                    why.push(format!(
                        "{} response time {r:.0} ms against {b:.0} ms the week before",
                        self.statistic
                    ));
                    level = level.max(Level::Warning);
                }
            }
        }
        self.level = level;
        self.why = if why.is_empty() {
            "no worse than the week before, and within the thresholds".into()
        } else {
            why.join("; ")
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn daily(values: &[f64]) -> Vec<MetricPoint> {
        let start = Utc::now() - Duration::days(values.len() as i64);
        values
            .iter()
            .enumerate()
            .map(|(i, v)| MetricPoint {
                at: start + Duration::days(i as i64),
                value: Some(*v),
            })
            .collect()
    }

    fn rules() -> TrendRules {
        TrendRules {
            error_rate: Thresholds::new(1.0, 5.0).unwrap(),
            response_time: Thresholds::new(2000.0, 5000.0).unwrap(),
            error_rate_margin: 0.5,
            response_time_margin: 0.25,
        }
    }

    #[test]
    fn a_week_like_the_last_is_fine_and_a_slower_one_is_worse() {
        let same = WeeklyTrend::from_daily(
            &[
                (MetricKind::ErrorRate, daily(&[0.2; 14])),
                (MetricKind::ResponseTime, daily(&[300.0; 14])),
            ],
            "p95",
            &rules(),
        );
        assert_eq!(same.level, Level::Ok, "{}", same.why);
        assert_eq!(same.this_week.days, 7);

        let mut slower = vec![300.0; 7];
        slower.extend([450.0; 7]);
        let worse = WeeklyTrend::from_daily(
            &[(MetricKind::ResponseTime, daily(&slower))],
            "p95",
            &rules(),
        );
        assert_eq!(worse.level, Level::Warning);
        assert!(worse.why.contains("450 ms against 300 ms"), "{}", worse.why);
    }

    #[test]
    fn no_data_is_unknown_not_fine() {
        let t = WeeklyTrend::from_daily(&[], "p95", &rules());
        assert_eq!(t.level, Level::Unknown);
    }
}
