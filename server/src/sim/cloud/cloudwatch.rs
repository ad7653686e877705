//! Simulated CloudWatch metrics: response time, error rate, ECS and RDS load over any window,
//! a daily wave with a little noise, each past minute showing the fault it had.

use super::SimCloud;
use app::domain::cloud::metrics::derived_max_connections;
use app::domain::cloud::{MetricKind, MetricPoint};
use app::domain::Fault;
use app::ports::{MetricReadings, PortError};
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::collections::BTreeMap;

pub(super) fn read(
    c: &SimCloud,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period_s: u32,
) -> Result<MetricReadings, PortError> {
    c.observe();
    let p = i64::from(period_s.max(60));
    let slots: Vec<i64> = (start.timestamp().div_euclid(p) * p..=end.timestamp().div_euclid(p) * p)
        .step_by(p as usize)
        .collect();
    let scale: f64 = if c.prod { 1.0 } else { 0.3 };
    let max_conns = derived_max_connections(c.instance_class()).unwrap_or(100);
    let allocated = c.allocated_gib();
    let mut series: BTreeMap<usize, (MetricKind, Vec<MetricPoint>)> = BTreeMap::new();
    for (i, kind) in MetricKind::ALL.into_iter().enumerate() {
        series.insert(i, (kind, Vec::new()));
    }
    for t in &slots {
        let Some(at) = DateTime::from_timestamp(*t, 0) else {
            continue;
        };
        // Before the demo started there was no incident.
        let fault = if at
            < c.started
                .duration_trunc(Duration::minutes(1))
                .unwrap_or(c.started)
        {
            Fault::None
        } else {
            c.fault_during(*t, p)
        };
        let w = |seed| wave(*t, seed);
        let values: [Option<f64>; 7] = [
            // Response time, ms.
            match fault {
                Fault::Down => None,
                Fault::Slow => Some(3000.0 + 400.0 * w(1)),
                Fault::Error5xx => Some(900.0 + 200.0 * w(1)),
                _ => Some(180.0 * scale.max(0.6) + 60.0 * w(1)),
            },
            // Error rate, %.
            Some(match fault {
                Fault::Down => 100.0,
                Fault::Error5xx => 38.0 + 6.0 * w(2),
                Fault::Slow => 2.2 + 0.8 * w(2),
                Fault::Garbage => 0.6 + 0.2 * w(2),
                Fault::None => (0.12 + 0.1 * w(2)).max(0.0),
            }),
            // ECS CPU and memory, %.
            match fault {
                Fault::Down => None,
                Fault::Slow => Some(86.0 + 5.0 * w(3)),
                _ => Some(34.0 * scale.max(0.7) + 10.0 * w(3)),
            },
            (fault != Fault::Down).then(|| 56.0 + 6.0 * w(4)),
            // RDS CPU, %.
            Some(match fault {
                Fault::Slow => 74.0 + 6.0 * w(5),
                Fault::Down => 3.0 + w(5),
                _ => 18.0 * scale.max(0.5) + 6.0 * w(5),
            }),
            // Storage used, %: creeping up slowly over the day.
            Some(41.0 + (*t % 86_400) as f64 / 86_400.0 * 0.4 + 0.05 * w(6)),
            // Connections as a share of max_connections, %.
            Some(match fault {
                Fault::Slow => 76.0 + 4.0 * w(7),
                Fault::Error5xx => 92.0 + 3.0 * w(7),
                Fault::Down => 0.0,
                _ => (120.0 * scale + 25.0 * w(7)) / f64::from(max_conns) * 100.0,
            }),
        ];
        for (i, v) in values.into_iter().enumerate() {
            if let Some((_, points)) = series.get_mut(&i) {
                points.push(MetricPoint {
                    at,
                    value: v.map(|v| v.max(0.0)),
                });
            }
        }
    }
    let free_gib = allocated * (1.0 - 0.414);
    Ok(MetricReadings {
        series: series.into_values().collect(),
        details: vec![
            (MetricKind::ResponseTime, "TargetResponseTime, p95".into()),
            (
                MetricKind::RdsStorageUsed,
                format!("{free_gib:.1} GiB free of {allocated:.0} GiB"),
            ),
            (
                MetricKind::DbConnections,
                format!(
                    "of max_connections ≈{max_conns}, derived from {}",
                    c.instance_class()
                ),
            ),
        ],
        notes: vec![],
    })
}

/// Smooth, repeatable variation: a slow daily wave plus a little per-point noise.
fn wave(t: i64, seed: u64) -> f64 {
    let day = (t as f64 / 86_400.0) * std::f64::consts::TAU;
    let mut x = (t as u64 / 60).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    let noise = (x % 1000) as f64 / 1000.0 - 0.5;
    day.sin() * 0.6 + noise * 0.4
}
