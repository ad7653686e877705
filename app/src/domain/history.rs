//! Turning a run of health samples into what the dashboard shows: uptime and per-minute buckets.

use super::{LatencyBucket, ProbeResult, Thresholds, Uptime};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// The part of a sample the history needs; kept in memory for a day per environment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplePoint {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub total_ms: Option<f64>,
}

impl SamplePoint {
    /// `ok` is the same judgement as the status shown: up unless the probe was Down.
    pub fn new(p: &ProbeResult, latency: &Thresholds) -> Self {
        Self {
            at: p.at,
            ok: p.is_up(latency),
            total_ms: p.timings.total_ms,
        }
    }
}

pub fn uptime(points: &[SamplePoint], since: DateTime<Utc>) -> Uptime {
    points
        .iter()
        .filter(|p| p.at >= since)
        .fold(Uptime::default(), |mut u, p| {
            u.probes += 1;
            u.successes += u32::from(p.ok);
            u
        })
}

/// `count` buckets of `width` ending with the one that holds `now`, oldest first. Empty buckets
/// are kept so a gap in probing shows as a gap, not as a squeezed line.
pub fn buckets(
    points: &[SamplePoint],
    now: DateTime<Utc>,
    width: Duration,
    count: usize,
) -> Vec<LatencyBucket> {
    let last_start = now.duration_trunc(width).unwrap_or(now);
    let first_start = last_start - width * (count.saturating_sub(1) as i32);
    let mut out: Vec<LatencyBucket> = (0..count)
        .map(|i| LatencyBucket {
            start: first_start + width * i as i32,
            max_total_ms: None,
            probes: 0,
            failures: 0,
        })
        .collect();
    let width_ms = width.num_milliseconds().max(1);
    for p in points {
        let offset = (p.at - first_start).num_milliseconds();
        if offset < 0 {
            continue;
        }
        let Some(b) = out.get_mut((offset / width_ms) as usize) else {
            continue;
        };
        b.probes += 1;
        if p.ok {
            if let Some(ms) = p.total_ms {
                b.max_total_ms = Some(b.max_total_ms.map_or(ms, |m: f64| m.max(ms)));
            }
        } else {
            b.failures += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(now: DateTime<Utc>, secs_ago: i64, ok: bool, ms: f64) -> SamplePoint {
        SamplePoint {
            at: now - Duration::seconds(secs_ago),
            ok,
            total_ms: Some(ms),
        }
    }

    #[test]
    fn uptime_counts_only_the_window() {
        let now = Utc::now();
        let pts = [
            pt(now, 7200, false, 1.0),
            pt(now, 50, true, 1.0),
            pt(now, 10, false, 1.0),
        ];
        let u = uptime(&pts, now - Duration::hours(1));
        assert_eq!((u.probes, u.successes), (2, 1));
    }

    #[test]
    fn buckets_keep_gaps_and_take_the_slowest_success() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T10:30:30Z")
            .unwrap()
            .to_utc();
        let pts = [
            pt(now, 5, true, 40.0),
            pt(now, 15, true, 90.0),
            pt(now, 20, false, 3.0),
            pt(now, 185, true, 10.0),
        ];
        let b = buckets(&pts, now, Duration::minutes(1), 60);
        assert_eq!(b.len(), 60);
        let last = b.last().unwrap();
        assert_eq!(last.start.to_rfc3339(), "2026-11-27T10:30:00+00:00");
        assert_eq!(
            (last.probes, last.failures, last.max_total_ms),
            (3, 1, Some(90.0))
        );
        assert_eq!(b[56].max_total_ms, Some(10.0), "three minutes earlier");
        assert_eq!(b[57].probes, 0, "a gap stays a gap");
    }
}
