//! The `[checks]` section: a known time zone, weekday names, times that parse, a maintenance
//! window that is not empty, a drill interval of at least a day, manual items that say something.

use super::super::raw::RawChecks;
use super::super::settings::CheckSettings;
use super::Validator;
use chrono::{NaiveTime, Weekday};
use std::time::Duration;

fn time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// "Sun 02:00-04:00" → (Sunday, 02:00, 04:00).
fn window(raw: &str) -> Option<(Weekday, NaiveTime, NaiveTime)> {
    let (day, span) = raw.trim().split_once(' ')?;
    let (from, to) = span.split_once('-')?;
    Some((day.parse().ok()?, time(from)?, time(to)?))
}

impl Validator {
    pub(super) fn checks(&mut self, raw: RawChecks) -> CheckSettings {
        let mut out = CheckSettings::default();
        if let Some(tz) = raw.time_zone {
            match tz.parse::<chrono_tz::Tz>() {
                Ok(t) => out.time_zone = t,
                Err(_) => self.issue(
                    "checks.time_zone",
                    format!("{tz:?} is not a time zone of the IANA database (e.g. \"Europe/Berlin\", \"UTC\")"),
                ),
            }
        }
        if let Some(days) = raw.working_days {
            let mut parsed = Vec::new();
            for (i, d) in days.iter().enumerate() {
                match d.trim().parse::<Weekday>() {
                    Ok(w) if !parsed.contains(&w) => parsed.push(w),
                    Ok(_) => self.issue(
                        format!("checks.working_days[{i}]"),
                        format!("{d:?} is listed twice"),
                    ),
                    Err(_) => self.issue(
                        format!("checks.working_days[{i}]"),
                        format!("{d:?} is not a weekday (Mon, Tue, … Sun)"),
                    ),
                }
            }
            out.working_days = parsed;
        }
        if let Some(t) = raw.morning_by {
            match time(&t) {
                Some(t) => out.morning_by = Some(t),
                None => self.issue(
                    "checks.morning_by",
                    format!("{t:?} is not a time of day: write \"09:30\""),
                ),
            }
        }
        if let Some(w) = raw.maintenance_window {
            match window(&w) {
                Some((_, from, to)) if to <= from => self.issue(
                    "checks.maintenance_window",
                    format!(
                        "{w:?} ends before it starts: write \"Sun 02:00-04:00\" (within one day)"
                    ),
                ),
                Some(span) => out.maintenance = Some(span),
                None => self.issue(
                    "checks.maintenance_window",
                    format!("{w:?} is not a window: write \"Sun 02:00-04:00\""),
                ),
            }
        }
        out.restore_drill_within = self.duration(
            "checks.restore_drill_within",
            raw.restore_drill_within.as_deref(),
            out.restore_drill_within,
            Duration::from_secs(86_400),
        );
        if let Some(items) = raw.weekly_manual {
            let mut clean = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let item = item.trim().to_owned();
                if item.is_empty() || item.chars().count() > 200 {
                    self.issue(
                        format!("checks.weekly_manual[{i}]"),
                        "must say what to check, in at most 200 characters",
                    );
                } else {
                    clean.push(item);
                }
            }
            out.weekly_manual = clean;
        }
        out
    }
}
