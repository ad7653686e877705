//! Turning raw CloudWatch readings into the metrics panel: the last hour at one-minute points,
//! the last day at coarser points, each series judged against its thresholds.

use crate::domain::cloud::{MetricKind, MetricPoint, MetricSeries, MetricsPanel};
use crate::domain::Thresholds;
use crate::ports::MetricReadings;

pub fn metrics_panel(
    hour: &MetricReadings,
    day: Option<&MetricReadings>,
    day_period_s: u32,
    thresholds: impl Fn(MetricKind) -> Thresholds,
) -> MetricsPanel {
    let mut series = Vec::new();
    for kind in MetricKind::ALL {
        let Some((_, points)) = hour.series.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let day_points = day
            .and_then(|d| d.series.iter().find(|(k, _)| *k == kind))
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        series.push(MetricSeries {
            kind,
            thresholds: thresholds(kind),
            hour: rounded(points),
            day: rounded(&day_points),
            day_period_s,
            detail: hour
                .details
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, d)| d.clone()),
        });
    }
    MetricsPanel {
        series,
        notes: hour.notes.clone(),
    }
}

/// Three decimals are more than any panel shows, and keep each live event small.
fn rounded(points: &[MetricPoint]) -> Vec<MetricPoint> {
    points
        .iter()
        .map(|p| MetricPoint {
            at: p.at,
            value: p.value.map(|v| (v * 1000.0).round() / 1000.0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Level;
    use chrono::Utc;

    #[test]
    fn series_are_judged_by_their_own_thresholds_in_a_fixed_order() {
        let at = Utc::now();
        let hour = MetricReadings {
            series: vec![
                (
                    MetricKind::EcsCpu,
                    vec![MetricPoint {
                        at,
                        value: Some(75.0),
                    }],
                ),
                (
                    MetricKind::ResponseTime,
                    vec![MetricPoint {
                        at,
                        value: Some(120.0),
                    }],
                ),
            ],
            details: vec![],
            notes: vec!["a note".into()],
        };
        let panel = metrics_panel(&hour, None, 900, |k| match k {
            MetricKind::ResponseTime => Thresholds::new(2000.0, 5000.0).unwrap(),
            _ => Thresholds::new(70.0, 90.0).unwrap(),
        });
        let kinds: Vec<_> = panel.series.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![MetricKind::ResponseTime, MetricKind::EcsCpu]);
        assert_eq!(panel.series[0].level(), Level::Ok);
        assert_eq!(panel.series[1].level(), Level::Warning);
        assert_eq!(panel.level(), Level::Warning);
        assert_eq!(panel.notes, vec!["a note".to_owned()]);
    }
}
