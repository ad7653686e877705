//! The runbook's daily morning check, evaluated from live data: every environment healthy, key
//! metrics within thresholds, backups not overdue, the last deploys succeeded — and, honestly, what
//! opsdeck cannot evaluate yet ("not configured" is not a pass). A person signs it off with a note;
//! the sign-off keeps the items as they were at that moment.

use super::gate::CheckState;
pub use super::item::RoutineItem;
use super::item::{item, pass_if};
use crate::domain::{Dashboard, Level};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A routine check past its time with nobody's sign-off: shown on every page for people who may
/// sign it, and sent to the webhook once that day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckOverdue {
    /// `morning`.
    pub kind: String,
    pub due_at: DateTime<Utc>,
    /// "09:30 Europe/Berlin on Mon, Tue, Wed, Thu, Fri".
    pub due_words: String,
    pub href: String,
}

/// A person's sign-off of a check, with the items as they stood.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignOff {
    pub id: i64,
    pub by: String,
    pub by_id: i64,
    pub at: DateTime<Utc>,
    pub note: String,
    pub items: Vec<RoutineItem>,
}

impl SignOff {
    /// How many items failed when it was signed.
    pub fn failing(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.state == CheckState::Fail)
            .count()
    }
}

/// `/checks/morning` as it travels to the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MorningCheck {
    pub items: Vec<RoutineItem>,
    /// Newest first; the first is today's when someone signed today.
    pub signoffs: Vec<SignOff>,
    pub viewer_can_sign: bool,
    pub generated_at: DateTime<Utc>,
    /// The start of today in the checks' time zone.
    #[serde(default)]
    pub day_start: DateTime<Utc>,
    /// When it is due, in words, if a time is configured.
    #[serde(default)]
    pub due_words: Option<String>,
    /// Past today's time and not signed off.
    #[serde(default)]
    pub overdue: bool,
}

impl MorningCheck {
    /// Today's sign-off (the local day of `[checks] time_zone`), if any.
    pub fn signed_today(&self) -> Option<&SignOff> {
        self.signoffs.first().filter(|s| s.at >= self.day_start)
    }
}

/// The morning check's items now.
pub fn evaluate(d: &Dashboard, now: DateTime<Utc>) -> Vec<RoutineItem> {
    let mut items = Vec::new();

    let envs: Vec<String> = d
        .environments
        .iter()
        .map(|e| format!("{} {}", e.name, e.level.word().to_lowercase()))
        .collect();
    items.push(item(
        "healthy",
        "Every environment healthy",
        pass_if(!d.environments.is_empty() && d.environments.iter().all(|e| e.level == Level::Ok)),
        envs.join(", "),
        "/",
    ));

    let mut over = Vec::new();
    let mut with_metrics = 0;
    for c in &d.clouds {
        let Some(m) = c.metrics.as_ref().and_then(|s| s.value.as_ref()) else {
            continue;
        };
        with_metrics += 1;
        for s in &m.series {
            let level = s.level();
            if matches!(level, Level::Warning | Level::Critical) {
                let value = s.latest().and_then(|p| p.value).unwrap_or_default();
                over.push(format!(
                    "{}: {} {value:.2} ({})",
                    c.name,
                    s.kind.label(),
                    level.word().to_lowercase()
                ));
            }
        }
    }
    items.push(if with_metrics == 0 {
        item(
            "metrics",
            "Key metrics within thresholds",
            CheckState::NotApplicable,
            "no CloudWatch metrics configured, or none read yet".into(),
            "/",
        )
    } else {
        item(
            "metrics",
            "Key metrics within thresholds",
            pass_if(over.is_empty()),
            if over.is_empty() {
                "every metric is below its warning level".into()
            } else {
                over.join("; ")
            },
            "/",
        )
    });

    let backups: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| Some((c, c.backups.as_ref()?.value.as_ref()?)))
        .collect();
    items.push(if backups.is_empty() {
        item(
            "backups",
            "Newest automated snapshot is recent",
            CheckState::NotApplicable,
            "no RDS instance configured, or not read yet".into(),
            "/",
        )
    } else {
        let words: Vec<String> = backups
            .iter()
            .map(
                |(c, b)| match b.newest_completed().and_then(|s| s.created_at) {
                    Some(at) => format!(
                        "{}: newest {} old{}",
                        c.name,
                        crate::domain::format::age(at, now),
                        if b.overdue(now) { " — overdue" } else { "" }
                    ),
                    None => format!("{}: no completed automated snapshot", c.name),
                },
            )
            .collect();
        item(
            "backups",
            "Newest automated snapshot is recent",
            pass_if(backups.iter().all(|(_, b)| !b.overdue(now))),
            words.join("; "),
            &format!("/env/{}#backups", backups[0].0.name),
        )
    });

    let deploys: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| {
            let p = c.deploys.as_ref()?.value.as_ref()?;
            let last = p.runs.iter().find(|r| r.status == "completed")?;
            Some((c.name.to_string(), last.clone()))
        })
        .collect();
    items.push(if deploys.is_empty() {
        item(
            "last_deploy",
            "The last deploys succeeded",
            CheckState::NotApplicable,
            "no deploy workflow configured, or not read yet".into(),
            "/",
        )
    } else {
        item(
            "last_deploy",
            "The last deploys succeeded",
            pass_if(deploys.iter().all(|(_, r)| r.succeeded())),
            deploys
                .iter()
                .map(|(env, r)| format!("{env}: {} {}", r.version_label(), r.state_words()))
                .collect::<Vec<_>>()
                .join("; "),
            &format!("/env/{}#deploys", deploys[0].0),
        )
    });

    items.push(super::morning_sources::certificates(d, now));
    items.push(super::morning_sources::scheduled_tasks(d, now));
    items.push(super::morning_sources::errors_overnight(d, now));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_dashboard_passes_nothing() {
        let items = evaluate(&Dashboard::default(), Utc::now());
        assert_eq!(
            items[0].state,
            CheckState::Fail,
            "no environment is not healthy"
        );
        assert!(items[1..].iter().all(|i| i.state != CheckState::Pass));
        assert_eq!(items.last().map(RoutineItem::word), Some("not configured"));
    }
}
