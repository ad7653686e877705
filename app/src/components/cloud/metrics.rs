//! The metrics panel: each runbook threshold metric with its latest value and level, the last
//! hour at one-minute points and the last 24 hours, threshold lines on both charts.

use super::{MetricChart, SourceHead};
use crate::domain::cloud::{MetricSeries, MetricsPanel, Sourced};
use crate::domain::Level;
use leptos::prelude::*;

#[component]
fn MetricRow(series: MetricSeries) -> impl IntoView {
    let kind = series.kind;
    let level = series.level();
    let latest = series
        .latest()
        .and_then(|p| p.value)
        .map(|v| kind.format(v))
        .unwrap_or_else(|| "no data".into());
    let t = series.thresholds;
    let day_caption = format!("last 24 h, {} min points", series.day_period_s / 60);
    view! {
        <article class=format!("metric {}", level.css()) data-metric=kind.as_str()>
            <header class="metric-head">
                <h3>{kind.label()}</h3>
                <span class="metric-value">
                    <span aria-hidden="true">{level.icon()}</span> " " {latest} " "
                    <span class="metric-word">{level.word()}</span>
                </span>
            </header>
            <p class="metric-levels muted">
                {format!("warning > {}, critical > {}", kind.format(t.warning()), kind.format(t.critical()))}
                {series.detail.clone().map(|d| format!(" · {d}"))}
            </p>
            <MetricChart kind points=series.hour.clone() thresholds=t span="last hour" />
            <span class="chart-caption">"last hour, 1 min points"</span>
            {(!series.day.is_empty()).then(|| view! {
                <MetricChart kind points=series.day.clone() thresholds=t span="last 24 hours" />
                <span class="chart-caption">{day_caption}</span>
            })}
        </article>
    }
}

#[component]
pub fn MetricsCard(source: Sourced<MetricsPanel>, region: String) -> impl IntoView {
    let level = source
        .value
        .as_ref()
        .map_or(Level::Unknown, MetricsPanel::level);
    let console = Some(crate::domain::cloud::console::metrics(
        &region,
        "AWS/ApplicationELB",
    ));
    let body = source.value.clone().map(|p| {
        let notes = p
            .notes
            .iter()
            .map(|n| view! { <p class="note">{n.clone()}</p> })
            .collect_view();
        view! {
            {notes}
            <div class="metric-grid">
                {p.series.into_iter().map(|s| view! { <MetricRow series=s /> }).collect_view()}
            </div>
        }
    });
    view! {
        <section class=format!("panel cloud-panel {}", level.css()) data-panel="metrics">
            <SourceHead title="Metrics (CloudWatch)" source=source.clone() level console_url=console />
            {match body {
                Some(b) => b.into_any(),
                None => view! { <p class="muted">"Waiting for the first answer from CloudWatch."</p> }.into_any(),
            }}
        </section>
    }
}
