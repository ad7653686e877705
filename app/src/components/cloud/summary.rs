//! A one-line digest of the AWS panels for the dashboard tile and the wall: tasks running, the
//! key metrics, load balancer targets and backups, each with icon, word and stale marks.

use crate::domain::cloud::{MetricKind, Sourced};
use crate::domain::{CloudSnapshot, Level};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

fn chip(label: &'static str, level: Level, text: String, stale: bool) -> impl IntoView {
    let title = if stale {
        format!("{label}: {text} — stale, the source is failing or late")
    } else {
        format!("{label}: {text} ({})", level.word())
    };
    view! {
        <li class=format!("chip {}{}", level.css(), if stale { " chip-stale" } else { "" }) title=title data-chip=label data-level=level.as_str()>
            <span aria-hidden="true">{level.icon()}</span>
            " " <span class="chip-label">{label}</span>
            " " <span class="chip-value">{text}</span>
            {stale.then(|| view! { <span class="chip-stale-word">" stale"</span> })}
        </li>
    }
}

fn stale<T>(s: &Sourced<T>, now: DateTime<Utc>) -> bool {
    s.is_stale(now)
}

#[component]
pub fn CloudSummary(cloud: CloudSnapshot, now: DateTime<Utc>) -> impl IntoView {
    let mut chips = Vec::new();
    if let Some(s) = &cloud.ecs {
        let (level, text) = match &s.value {
            Some(p) => (p.level(), format!("{}/{} tasks", p.running, p.desired)),
            None => (
                Level::Unknown,
                s.error
                    .clone()
                    .map_or("waiting".into(), |_| "failing".into()),
            ),
        };
        chips.push(chip("ECS", level, text, stale(s, now)).into_any());
    }
    if let Some(s) = &cloud.metrics {
        for kind in [
            MetricKind::ErrorRate,
            MetricKind::ResponseTime,
            MetricKind::EcsCpu,
            MetricKind::DbConnections,
        ] {
            let series = s.value.as_ref().and_then(|p| p.get(kind));
            if let Some(series) = series {
                let text = series
                    .latest()
                    .and_then(|p| p.value)
                    .map(|v| kind.format(v))
                    .unwrap_or_else(|| "no data".into());
                chips.push(chip(kind.label(), series.level(), text, stale(s, now)).into_any());
            }
        }
        if s.value.is_none() {
            chips.push(
                chip(
                    "Metrics",
                    Level::Unknown,
                    if s.error.is_some() {
                        "failing".into()
                    } else {
                        "waiting".into()
                    },
                    true,
                )
                .into_any(),
            );
        }
    }
    if let Some(s) = &cloud.load_balancer {
        let (level, text) = match &s.value {
            Some(p) => {
                let healthy: u32 = p.target_groups.iter().map(|g| g.healthy).sum();
                let total: u32 = p.target_groups.iter().map(|g| g.total()).sum();
                (p.level(), format!("{healthy}/{total} targets healthy"))
            }
            None => (Level::Unknown, "waiting".into()),
        };
        chips.push(chip("ALB", level, text, stale(s, now)).into_any());
    }
    if let Some(s) = &cloud.backups {
        let (level, text) = match &s.value {
            Some(b) => {
                let text = match b.newest_completed().and_then(|n| n.created_at) {
                    Some(at) if b.overdue(now) => {
                        format!("overdue ({} old)", crate::domain::format::age(at, now))
                    }
                    Some(at) => format!("{} old", crate::domain::format::age(at, now)),
                    None => "overdue (none)".into(),
                };
                (b.level(now), text)
            }
            None => (Level::Unknown, "waiting".into()),
        };
        chips.push(chip("Backup", level, text, stale(s, now)).into_any());
    }
    if let Some(s) = &cloud.logs {
        // Counts only: the lines are on the logs page, for operators and approvers.
        let (label, level, text) = match s.value.as_ref().and_then(|v| v.headline()) {
            Some(h) => (
                h.kind.label(),
                h.level(),
                format!(
                    "{} overnight · {} last hour{}",
                    h.overnight,
                    h.last_hour,
                    if h.complete { "" } else { " (counting)" }
                ),
            ),
            None => ("Logs", Level::Unknown, "waiting".into()),
        };
        chips.push(chip(label, level, text, stale(s, now)).into_any());
    }
    view! { <ul class="cloud-chips" aria-label="AWS">{chips}</ul> }
}
