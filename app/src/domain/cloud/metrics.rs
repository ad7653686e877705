//! The metrics panel: the runbook's "Critical Metrics Thresholds" measured from CloudWatch, last
//! hour at one-minute points and last 24 hours at coarser points, each judged with the same
//! [`Thresholds`] model as the health probe's latency.

use crate::domain::{Level, Thresholds};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// ALB TargetResponseTime, in milliseconds.
    ResponseTime,
    /// (target 5XX + load balancer 5XX) / requests, in percent.
    ErrorRate,
    EcsCpu,
    EcsMemory,
    RdsCpu,
    /// Share of the allocated storage in use, from FreeStorageSpace.
    RdsStorageUsed,
    /// DatabaseConnections as a share of max_connections.
    DbConnections,
}

impl MetricKind {
    pub const ALL: [MetricKind; 7] = [
        MetricKind::ResponseTime,
        MetricKind::ErrorRate,
        MetricKind::EcsCpu,
        MetricKind::EcsMemory,
        MetricKind::RdsCpu,
        MetricKind::RdsStorageUsed,
        MetricKind::DbConnections,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MetricKind::ResponseTime => "Response time",
            MetricKind::ErrorRate => "Error rate",
            MetricKind::EcsCpu => "ECS CPU",
            MetricKind::EcsMemory => "ECS memory",
            MetricKind::RdsCpu => "RDS CPU",
            MetricKind::RdsStorageUsed => "RDS storage used",
            MetricKind::DbConnections => "DB connections",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            MetricKind::ResponseTime => "ms",
            _ => "%",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::ResponseTime => "response_time",
            MetricKind::ErrorRate => "error_rate",
            MetricKind::EcsCpu => "ecs_cpu",
            MetricKind::EcsMemory => "ecs_memory",
            MetricKind::RdsCpu => "rds_cpu",
            MetricKind::RdsStorageUsed => "rds_storage_used",
            MetricKind::DbConnections => "db_connections",
        }
    }

    /// The value as a person reads it: "412 ms", "0.8 %".
    pub fn format(self, v: f64) -> String {
        match self {
            MetricKind::ResponseTime if v >= 1000.0 => format!("{:.2} s", v / 1000.0),
            MetricKind::ResponseTime => format!("{v:.0} ms"),
            MetricKind::ErrorRate if v < 10.0 => format!("{v:.2} %"),
            _ => format!("{v:.1} %"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    pub at: DateTime<Utc>,
    /// `None`: CloudWatch has no datapoint for this period.
    pub value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub kind: MetricKind,
    pub thresholds: Thresholds,
    /// Last hour, oldest first, one point a minute.
    #[serde(with = "compact")]
    pub hour: Vec<MetricPoint>,
    /// Last 24 hours, oldest first, one point per `day_period_s`.
    #[serde(with = "compact")]
    pub day: Vec<MetricPoint>,
    pub day_period_s: u32,
    /// What the figure is made of, when that matters ("max_connections 87, derived from
    /// db.t3.micro", "14.2 GiB free of 20 GiB").
    pub detail: Option<String>,
}

impl MetricSeries {
    /// The newest point with data in the last hour.
    pub fn latest(&self) -> Option<MetricPoint> {
        self.hour.iter().rev().find(|p| p.value.is_some()).copied()
    }

    pub fn level(&self) -> Level {
        self.latest()
            .and_then(|p| p.value)
            .map_or(Level::Unknown, |v| self.thresholds.evaluate(v))
    }
}

impl MetricPoint {
    /// The highest value among `points`, for a chart's scale.
    pub fn peak_of(points: &[MetricPoint]) -> Option<f64> {
        points.iter().filter_map(|p| p.value).reduce(f64::max)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsPanel {
    /// In [`MetricKind::ALL`] order; a metric whose resource is not configured is left out.
    pub series: Vec<MetricSeries>,
    /// Metrics that could not be computed, in words ("DB connections: max_connections unknown
    /// for db.x9.huge; set aws.max_connections").
    pub notes: Vec<String>,
}

impl MetricsPanel {
    /// The worst level among the metrics that have data; unknown when none has.
    pub fn level(&self) -> Level {
        let known: Vec<Level> = self
            .series
            .iter()
            .map(MetricSeries::level)
            .filter(|l| *l != Level::Unknown)
            .collect();
        known.into_iter().max().unwrap_or(Level::Unknown)
    }

    pub fn get(&self, kind: MetricKind) -> Option<&MetricSeries> {
        self.series.iter().find(|s| s.kind == kind)
    }
}

/// Error rate in percent from one period's sums. CloudWatch reports the 5XX counts only for
/// periods that had any, so a missing count with requests present means zero errors; a period
/// without requests has no rate.
pub fn error_rate(
    requests: Option<f64>,
    target_5xx: Option<f64>,
    elb_5xx: Option<f64>,
) -> Option<f64> {
    let requests = requests.filter(|r| *r > 0.0)?;
    let errors = target_5xx.unwrap_or(0.0) + elb_5xx.unwrap_or(0.0);
    Some((errors / requests * 100.0).min(100.0))
}

/// Share of allocated storage in use, in percent.
pub fn storage_used(free_bytes: f64, allocated_gib: f64) -> Option<f64> {
    (allocated_gib > 0.0).then(|| {
        let total = allocated_gib * 1024.0 * 1024.0 * 1024.0;
        ((1.0 - free_bytes / total) * 100.0).clamp(0.0, 100.0)
    })
}

/// RDS PostgreSQL's default `max_connections` for an instance class:
/// `LEAST(DBInstanceClassMemory / 9531392, 5000)`. The memory used here is the class's nominal
/// memory, a little more than `DBInstanceClassMemory`, so the figure is an approximation a few
/// percent high; configure `aws.max_connections` where it matters or the parameter group differs.
pub fn derived_max_connections(instance_class: &str) -> Option<u32> {
    let rest = instance_class.strip_prefix("db.")?;
    let (family, size) = rest.split_once('.')?;
    let gib = if family.starts_with('t') {
        match size {
            "micro" => 1.0,
            "small" => 2.0,
            "medium" => 4.0,
            "large" => 8.0,
            "xlarge" => 16.0,
            "2xlarge" => 32.0,
            _ => return None,
        }
    } else if family.starts_with('m') || family.starts_with('r') {
        // General purpose: 8 GiB per "large"; memory optimised: 16 GiB.
        let per_large = if family.starts_with('m') { 8.0 } else { 16.0 };
        let factor = match size {
            "large" => 1.0,
            "xlarge" => 2.0,
            s => s.strip_suffix("xlarge")?.parse::<f64>().ok()? * 2.0,
        };
        per_large * factor
    } else {
        return None;
    };
    let bytes = gib * 1024.0 * 1024.0 * 1024.0;
    Some(((bytes / 9_531_392.0) as u32).min(5000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rate_treats_missing_5xx_as_none_and_no_traffic_as_unknown() {
        assert_eq!(error_rate(Some(1000.0), None, None), Some(0.0));
        assert_eq!(error_rate(Some(1000.0), Some(20.0), Some(5.0)), Some(2.5));
        assert_eq!(error_rate(Some(0.0), None, None), None);
        assert_eq!(error_rate(None, Some(3.0), None), None);
    }

    #[test]
    fn max_connections_from_instance_class() {
        assert_eq!(derived_max_connections("db.t3.micro"), Some(112));
        assert_eq!(derived_max_connections("db.m5.large"), Some(901));
        assert_eq!(derived_max_connections("db.r6g.2xlarge"), Some(5000));
        assert_eq!(derived_max_connections("db.m7g.4xlarge"), Some(5000));
        assert_eq!(derived_max_connections("db.x2g.large"), None);
        assert_eq!(derived_max_connections("cache.t3.micro"), None);
    }

    #[test]
    fn storage_used_share() {
        assert_eq!(storage_used(5.0 * 1024f64.powi(3), 20.0), Some(75.0));
        assert_eq!(storage_used(1.0, 0.0), None);
    }

    #[test]
    fn the_panel_level_ignores_metrics_without_data() {
        let t = Thresholds::new(1.0, 5.0).unwrap();
        let at = Utc::now();
        let series = |v: Option<f64>, kind| MetricSeries {
            kind,
            thresholds: t,
            hour: vec![MetricPoint { at, value: v }],
            day: vec![],
            day_period_s: 900,
            detail: None,
        };
        let panel = MetricsPanel {
            series: vec![
                series(None, MetricKind::ErrorRate),
                series(Some(2.0), MetricKind::EcsCpu),
            ],
            notes: vec![],
        };
        assert_eq!(panel.level(), Level::Warning);
        assert_eq!(
            MetricsPanel {
                series: vec![],
                notes: vec![]
            }
            .level(),
            Level::Unknown
        );
    }
}

/// Metric series travel to browsers as `{start, step_s, values}` instead of one timestamp per
/// point: a snapshot with seven metrics over an hour and a day is a fifth of the size, and it is
/// sent to every viewer on every change.
pub mod compact {
    use super::MetricPoint;
    use chrono::{DateTime, Duration, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Compact {
        start: Option<DateTime<Utc>>,
        step_s: i64,
        values: Vec<Option<f64>>,
    }

    pub fn serialize<S: Serializer>(points: &[MetricPoint], s: S) -> Result<S::Ok, S::Error> {
        let step_s = match points {
            [a, b, ..] => (b.at - a.at).num_seconds(),
            _ => 60,
        };
        // Points are evenly spaced by construction; a series that is not keeps its own times.
        let even = points
            .windows(2)
            .all(|w| (w[1].at - w[0].at).num_seconds() == step_s);
        if !even {
            return s.collect_seq(points.iter().map(|p| (p.at, p.value)));
        }
        Compact {
            start: points.first().map(|p| p.at),
            step_s,
            values: points.iter().map(|p| p.value).collect(),
        }
        .serialize(s)
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Compact(Compact),
        Points(Vec<(DateTime<Utc>, Option<f64>)>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MetricPoint>, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::Points(p) => p
                .into_iter()
                .map(|(at, value)| MetricPoint { at, value })
                .collect(),
            Either::Compact(c) => match c.start {
                None => vec![],
                Some(start) => c
                    .values
                    .into_iter()
                    .enumerate()
                    .map(|(i, value)| MetricPoint {
                        at: start + Duration::seconds(c.step_s * i as i64),
                        value,
                    })
                    .collect(),
            },
        })
    }

    #[cfg(test)]
    mod tests {
        use super::super::{MetricKind, MetricSeries};
        use super::*;
        use crate::domain::Thresholds;

        #[test]
        fn series_round_trip_compactly() {
            let start = Utc::now();
            let hour: Vec<MetricPoint> = (0..60)
                .map(|i| MetricPoint {
                    at: start + Duration::seconds(60 * i),
                    value: (i % 7 != 0).then_some(i as f64 * 1.5),
                })
                .collect();
            let s = MetricSeries {
                kind: MetricKind::EcsCpu,
                thresholds: Thresholds::new(70.0, 90.0).unwrap(),
                hour: hour.clone(),
                day: vec![],
                day_period_s: 900,
                detail: None,
            };
            let json = serde_json::to_string(&s).unwrap();
            assert!(json.len() < 700, "{} bytes: {json}", json.len());
            let back: MetricSeries = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s);
        }
    }
}
