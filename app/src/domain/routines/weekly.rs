//! The runbook's weekly check: the maintenance window, what opsdeck can judge by itself (seven
//! days of error rate and response time against the week before, the backup history, a restore
//! drill recently enough) and what only a person can (security patches, documentation) as boxes
//! to tick. Signed off like the morning check, the ticks kept with the sign-off.

use super::gate::CheckState;
use super::item::{item, RoutineItem};
use super::morning::SignOff;
use crate::domain::{Dashboard, Level};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A restore done through change control, marked a drill with what was checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestoreDrill {
    pub id: i64,
    pub request_id: i64,
    pub env: String,
    pub by: String,
    pub by_id: i64,
    pub at: DateTime<Utc>,
    pub restored: bool,
    pub data_checked: bool,
    pub cleaned_up: bool,
    pub note: String,
}

impl RestoreDrill {
    /// A drill that proves the backups: restored, and the data checked.
    pub fn proves_backups(&self) -> bool {
        self.restored && self.data_checked
    }

    /// "restored, data checked, instance cleaned up" — or what was not.
    pub fn result_words(&self) -> String {
        let part = |done: bool, yes: &str, no: &str| if done { yes } else { no }.to_owned();
        [
            part(self.restored, "restored", "NOT restored"),
            part(self.data_checked, "data checked", "data NOT checked"),
            part(
                self.cleaned_up,
                "instance cleaned up",
                "instance NOT cleaned up yet",
            ),
        ]
        .join(", ")
    }
}

/// `/checks/weekly` as it travels to the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeeklyCheck {
    pub items: Vec<RoutineItem>,
    /// The items a person ticks, in order (the form sends their indices).
    pub manual: Vec<String>,
    /// "Sunday 02:00–04:00 Europe/Berlin (next Sun 2026-12-13 02:00)".
    pub maintenance: Option<String>,
    pub drills: Vec<RestoreDrill>,
    /// Newest first.
    pub signoffs: Vec<SignOff>,
    pub viewer_can_sign: bool,
    pub generated_at: DateTime<Utc>,
    /// The start of this week (Monday 00:00 in the checks' time zone).
    pub week_start: DateTime<Utc>,
}

impl WeeklyCheck {
    pub fn signed_this_week(&self) -> Option<&SignOff> {
        self.signoffs.first().filter(|s| s.at >= self.week_start)
    }
}

/// The weekly check's automatic items now.
pub fn evaluate(
    d: &Dashboard,
    drills: &[RestoreDrill],
    drill_within_days: i64,
    now: DateTime<Utc>,
) -> Vec<RoutineItem> {
    let mut items = Vec::new();

    let trends: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| Some((c, c.trend.as_ref()?)))
        .collect();
    items.push(if trends.is_empty() {
        item(
            "trend",
            "Error rate and response time no worse than last week",
            CheckState::NotApplicable,
            "no load balancer configured to read the week's figures from".into(),
            "/",
        )
    } else {
        let mut ok = true;
        let words: Vec<String> = trends
            .iter()
            .map(|(c, s)| match &s.value {
                None => {
                    ok = false;
                    format!(
                        "{}: not read yet{}",
                        c.name,
                        s.error
                            .as_deref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    )
                }
                Some(t) => {
                    ok &= t.level == Level::Ok;
                    let fig = |v: Option<f64>, unit: &str, digits: usize| {
                        v.map(|v| format!("{v:.digits$}{unit}"))
                            .unwrap_or_else(|| "–".into())
                    };
                    format!(
                        "{}: error rate {} (week before {}), {} {} (week before {}) — {}",
                        c.name,
                        fig(t.this_week.error_rate, " %", 2),
                        fig(t.last_week.error_rate, " %", 2),
                        t.statistic,
                        fig(t.this_week.response_time_ms, " ms", 0),
                        fig(t.last_week.response_time_ms, " ms", 0),
                        t.why
                    )
                }
            })
            .collect();
        item(
            "trend",
            "Error rate and response time no worse than last week",
            if ok {
                CheckState::Pass
            } else {
                CheckState::Fail
            },
            words.join("; "),
            &format!("/env/{}", trends[0].0.name),
        )
    });

    let backups: Vec<_> = d
        .clouds
        .iter()
        .filter_map(|c| Some((c, c.backups.as_ref()?.value.as_ref()?)))
        .collect();
    items.push(if backups.is_empty() {
        item(
            "backup_history",
            "A completed automated snapshot every day this week",
            CheckState::NotApplicable,
            "no RDS instance configured, or not read yet".into(),
            "/",
        )
    } else {
        let week_ago = now - Duration::days(7);
        let mut ok = true;
        let words: Vec<String> = backups
            .iter()
            .map(|(c, b)| {
                let mut days: Vec<DateTime<Utc>> = b
                    .automated
                    .iter()
                    .filter(|s| s.status == "available")
                    .filter_map(|s| s.created_at)
                    .filter(|at| *at >= week_ago)
                    .collect();
                days.sort();
                // The longest stretch without a snapshot, edges of the week included.
                let mut gaps: Vec<Duration> = days.windows(2).map(|w| w[1] - w[0]).collect();
                gaps.push(days.first().map_or(Duration::days(7), |f| *f - week_ago));
                gaps.push(days.last().map_or(Duration::days(7), |l| now - *l));
                let worst = gaps.into_iter().max().unwrap_or(Duration::zero());
                let good = worst <= Duration::hours(26) && !b.overdue(now);
                ok &= good;
                format!(
                    "{}: {} completed in 7 days, longest gap {} h, retention {}",
                    c.name,
                    days.len(),
                    worst.num_hours(),
                    b.retention_days
                        .map(|d| format!("{d} days"))
                        .unwrap_or_else(|| "unknown".into())
                )
            })
            .collect();
        item(
            "backup_history",
            "A completed automated snapshot every day this week",
            if ok {
                CheckState::Pass
            } else {
                CheckState::Fail
            },
            words.join("; "),
            &format!("/env/{}#backups", backups[0].0.name),
        )
    });

    let since = now - Duration::days(drill_within_days);
    let proving = drills.iter().find(|d| d.proves_backups());
    items.push(item(
        "restore_drill",
        &format!("A restore drill in the last {drill_within_days} days"),
        match proving {
            Some(d) if d.at >= since => CheckState::Pass,
            _ => CheckState::Fail,
        },
        match proving {
            Some(d) => format!(
                "last: request {} in {} by {} on {} — {}",
                d.request_id,
                d.env,
                d.by,
                d.at.format("%Y-%m-%d"),
                d.result_words()
            ),
            None => "no restore has been recorded as a drill: mark a restore request a drill on its page".into(),
        },
        &proving
            .map(|d| format!("/requests/{}", d.request_id))
            .unwrap_or_else(|| "/actions".into()),
    ));
    items
}

/// The manual items as signed: ticked ones pass, the rest are recorded as not done.
pub fn manual_items(labels: &[String], ticked: &[usize], by: &str) -> Vec<RoutineItem> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let done = ticked.contains(&i);
            item(
                &format!("manual_{i}"),
                label,
                if done {
                    CheckState::Pass
                } else {
                    CheckState::Fail
                },
                if done {
                    format!("ticked by {by}")
                } else {
                    "not ticked".into()
                },
                "/checks/weekly",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drill(days_ago: i64, data_checked: bool) -> RestoreDrill {
        RestoreDrill {
            id: 1,
            request_id: 7,
            env: "prod".into(),
            by: "Alice".into(),
            by_id: 1,
            at: Utc::now() - Duration::days(days_ago),
            restored: true,
            data_checked,
            cleaned_up: false,
            note: String::new(),
        }
    }

    #[test]
    fn a_drill_counts_when_recent_and_the_data_was_checked() {
        let d = Dashboard::default();
        let now = Utc::now();
        let state = |drills: &[RestoreDrill]| {
            evaluate(&d, drills, 30, now)
                .into_iter()
                .find(|i| i.key == "restore_drill")
                .map(|i| i.state)
        };
        assert_eq!(state(&[]), Some(CheckState::Fail));
        assert_eq!(state(&[drill(3, true)]), Some(CheckState::Pass));
        assert_eq!(state(&[drill(40, true)]), Some(CheckState::Fail));
        assert_eq!(state(&[drill(3, false)]), Some(CheckState::Fail));
        assert!(drill(3, true).result_words().contains("NOT cleaned up"));
    }

    #[test]
    fn unticked_manual_items_are_recorded_as_not_done() {
        let labels = vec!["Patches".to_owned(), "Docs".to_owned()];
        let items = manual_items(&labels, &[1], "Bob");
        assert_eq!(items[0].state, CheckState::Fail);
        assert_eq!(items[1].state, CheckState::Pass);
        assert_eq!(items[1].evidence, "ticked by Bob");
    }
}
