//! A latency sparkline: one point per bucket, the warning level as a dashed line, failures as red
//! ticks. Plain SVG so it renders the same on the server and in the browser.

use crate::domain::{format, LatencyBucket, Thresholds};
use leptos::prelude::*;

const W: f64 = 300.0;
const H: f64 = 60.0;

/// SVG polyline point lists for a series with gaps: a missing value ends a segment, so a chart
/// never draws a line across a period without data.
pub fn segments(
    values: impl Iterator<Item = Option<f64>>,
    x: impl Fn(usize) -> f64,
    y: impl Fn(f64) -> f64,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for (i, v) in values.enumerate() {
        match v {
            Some(v) => current.push_str(&format!("{:.1},{:.1} ", x(i), y(v))),
            None if !current.is_empty() => lines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[component]
pub fn Sparkline(buckets: Vec<LatencyBucket>, thresholds: Thresholds) -> impl IntoView {
    let n = buckets.len().max(2) as f64;
    let max_seen = buckets
        .iter()
        .filter_map(|b| b.max_total_ms)
        .fold(0.0_f64, f64::max);
    // Scale to what was seen, but never so tight that noise looks like an incident.
    let top = (max_seen * 1.15).max(thresholds.warning() * 0.25).max(1.0);
    let x = |i: usize| i as f64 * W / (n - 1.0);
    let y = |ms: f64| H - (ms.min(top) / top) * (H - 4.0) - 2.0;

    let polylines = segments(buckets.iter().map(|b| b.max_total_ms), x, y)
        .into_iter()
        .map(|points| view! { <polyline class="spark-line" points=points /> })
        .collect_view();
    let failures = buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.failures > 0)
        .map(|(i, _)| {
            let xi = format!("{:.1}", x(i));
            view! { <line class="spark-fail" x1=xi.clone() x2=xi y1="0" y2=H.to_string() /> }
        })
        .collect_view();
    let warn = (thresholds.warning() <= top).then(|| {
        let yw = format!("{:.1}", y(thresholds.warning()));
        view! { <line class="spark-warn" x1="0" x2=W.to_string() y1=yw.clone() y2=yw /> }
    });
    let label = format!(
        "latency over the last {} buckets, peak {}",
        buckets.len(),
        format::millis(max_seen)
    );
    view! {
        <svg class="spark" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=label>
            {warn}
            {failures}
            {polylines}
        </svg>
    }
}
