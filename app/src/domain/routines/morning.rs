//! The runbook's daily morning check, evaluated from live data: every environment healthy, key
//! metrics within thresholds, backups not overdue, the last deploys succeeded — and, honestly, what
//! opsdeck cannot evaluate yet ("not configured" is not a pass). A person signs it off with a note;
//! the sign-off keeps the items as they were at that moment.

use super::gate::CheckState;
use crate::domain::{Dashboard, Level};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One item of a routine check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutineItem {
    pub key: String,
    pub label: String,
    pub state: CheckState,
    /// What it was decided on, in words.
    pub evidence: String,
    /// Where the evidence comes from.
    pub href: String,
}

impl RoutineItem {
    pub fn level(&self) -> Level {
        match self.state {
            CheckState::Pass => Level::Ok,
            CheckState::Fail => Level::Critical,
            CheckState::NotApplicable => Level::Unknown,
        }
    }

    pub fn word(&self) -> &'static str {
        match self.state {
            CheckState::Pass => "pass",
            CheckState::Fail => "fails",
            CheckState::NotApplicable => "not configured",
        }
    }
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
}

impl MorningCheck {
    /// Today's sign-off (UTC day), if any.
    pub fn signed_today(&self) -> Option<&SignOff> {
        self.signoffs
            .first()
            .filter(|s| s.at.date_naive() == self.generated_at.date_naive())
    }
}

fn item(key: &str, label: &str, state: CheckState, evidence: String, href: &str) -> RoutineItem {
    RoutineItem {
        key: key.into(),
        label: label.into(),
        state,
        evidence,
        href: href.into(),
    }
}

fn pass_if(ok: bool) -> CheckState {
    if ok {
        CheckState::Pass
    } else {
        CheckState::Fail
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
                .map(|(env, r)| format!("{env}: {} {}", r.short_sha(), r.state_words()))
                .collect::<Vec<_>>()
                .join("; "),
            &format!("/env/{}#deploys", deploys[0].0),
        )
    });

    items.push(item(
        "scheduled_tasks",
        "No failed scheduled tasks in the last 24 hours",
        CheckState::NotApplicable,
        "not read yet: opsdeck does not follow scheduled task runs (ECS keeps stopped tasks for about an hour; EventBridge history is not read)".into(),
        "/",
    ));
    items.push(item(
        "errors_overnight",
        "Errors overnight below the threshold",
        CheckState::NotApplicable,
        "no log searches configured".into(),
        "/",
    ));
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
