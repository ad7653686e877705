//! A metric over time with its warning and critical levels as dashed lines. Plain SVG so it
//! renders the same on the server and in the browser.

use crate::domain::cloud::{MetricKind, MetricPoint};
use crate::domain::Thresholds;
use leptos::prelude::*;

const W: f64 = 300.0;
const H: f64 = 64.0;

#[component]
pub fn MetricChart(
    kind: MetricKind,
    points: Vec<MetricPoint>,
    thresholds: Thresholds,
    /// "last hour", "last 24 h": for the accessible label.
    span: &'static str,
) -> impl IntoView {
    let n = points.len().max(2) as f64;
    let peak = MetricPoint::peak_of(&points).unwrap_or(0.0);
    // The warning line is always in view, so the distance to it can be read at a glance.
    let top = (peak * 1.15).max(thresholds.warning() * 1.1).max(0.001);
    let x = |i: usize| i as f64 * W / (n - 1.0);
    let y = |v: f64| H - (v.min(top) / top) * (H - 4.0) - 2.0;
    let polylines = crate::components::sparkline::segments(points.iter().map(|p| p.value), x, y)
        .into_iter()
        .map(|pts| view! { <polyline class="chart-line" points=pts /> })
        .collect_view();
    let level_line = |v: f64, class: &'static str| {
        (v <= top).then(|| {
            let yv = format!("{:.1}", y(v));
            view! { <line class=class x1="0" x2=W.to_string() y1=yv.clone() y2=yv /> }
        })
    };
    let label = format!(
        "{} over the {span}: peak {}, warning above {}, critical above {}",
        kind.label(),
        kind.format(peak),
        kind.format(thresholds.warning()),
        kind.format(thresholds.critical())
    );
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img" aria-label=label>
            {level_line(thresholds.critical(), "chart-crit")}
            {level_line(thresholds.warning(), "chart-warn")}
            {polylines}
        </svg>
    }
}
