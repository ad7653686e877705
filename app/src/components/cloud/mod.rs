//! The AWS panels: ECS service, metrics against thresholds, load balancer and backups. Each panel
//! shows its data's age and, when its source fails, the last value marked stale with the error.

mod backups;
mod chart;
mod deploys;
mod ecs;
mod gate;
mod load_balancer;
mod metrics;
mod summary;
mod tasks;

pub use backups::BackupsCard;
pub use chart::MetricChart;
pub use deploys::DeploysCard;
pub use ecs::EcsCard;
pub use gate::evidence_item;
pub use load_balancer::LoadBalancerCard;
pub use metrics::MetricsCard;
pub use summary::CloudSummary;
pub use tasks::ScheduledTasksCard;

use super::{Age, StatusBadge};
use crate::domain::{Level, Sourced};
use leptos::prelude::*;

/// A panel's heading: title, level, console link, data age, and the last error if the source is
/// failing (the figures below are then the last ones fetched).
#[component]
pub fn SourceHead<T: 'static>(
    title: &'static str,
    source: Sourced<T>,
    level: Level,
    console_url: Option<String>,
    /// What the link leads to.
    #[prop(default = "AWS console ↗")]
    link_label: &'static str,
    /// The badge's word when the health words do not fit.
    #[prop(optional)]
    badge_word: Option<&'static str>,
) -> impl IntoView {
    let stale_after = source.stale_after_ms();
    let error = source.error.clone().map(|e| {
        let kept = if source.value.is_some() {
            " Showing the last figures fetched."
        } else {
            ""
        };
        view! {
            <p class="problem source-error" role="alert">
                <span aria-hidden="true">"✖ "</span>{e}{kept}
            </p>
        }
    });
    view! {
        <header class="panel-head">
            <h2>{title}</h2>
            <StatusBadge level word=badge_word.unwrap_or(level.word()) />
            {console_url.map(|u| view! {
                <a class="console-link" href=u target="_blank" rel="noopener noreferrer">{link_label}</a>
            })}
            <span class="panel-age">"Fetched " <Age at=source.fetched_at stale_after_ms=stale_after /></span>
        </header>
        {error}
    }
}
