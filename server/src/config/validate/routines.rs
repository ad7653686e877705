//! The `[gate]` and `[freeze]` sections: the pre-deploy checklist, and change-freeze windows
//! (a known time zone, times that parse, windows that are not empty, inverted or overlapping).

use super::super::raw::{RawFreeze, RawFreezeWindow, RawGate, RawWatch};
use super::super::settings::{FreezeWindow, RoutineSettings, WindowSpan};
use super::Validator;
use app::domain::routines::WatchSettings;
use chrono::{NaiveDateTime, NaiveTime, Weekday};
use std::time::Duration;

fn out_duration(w: &WatchSettings) -> Duration {
    Duration::from_secs(w.duration_s.max(0) as u64)
}

/// "Fri 16:00" → (Friday, 16:00).
fn weekly(raw: &str) -> Option<(Weekday, NaiveTime)> {
    let (day, time) = raw.trim().split_once(' ')?;
    let day: Weekday = day.parse().ok()?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some((day, time))
}

/// "2026-12-23 00:00" → that local time.
fn dated(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M").ok()
}

impl Validator {
    pub(super) fn routines(&mut self, gate: RawGate, freeze: RawFreeze) -> RoutineSettings {
        let mut out = RoutineSettings::default();
        if let Some(t) = gate.require_tested_first {
            out.gate.require_tested_first = t;
        }
        out.gate_remind_every = self.duration(
            "gate.remind_every",
            gate.remind_every.as_deref(),
            out.gate_remind_every,
            Duration::from_secs(60),
        );
        if let Some(paths) = gate.migration_paths {
            let mut clean = Vec::new();
            for (i, p) in paths.into_iter().enumerate() {
                let p = p.trim().trim_start_matches('/').to_owned();
                if p.is_empty() {
                    self.issue(format!("gate.migration_paths[{i}]"), "is empty");
                } else {
                    clean.push(if p.ends_with('/') { p } else { format!("{p}/") });
                }
            }
            out.gate.migration_paths = clean;
        }
        // Each valid window with its place in the file, so a clash names the right one.
        let mut places = Vec::new();
        for (i, w) in freeze.windows.into_iter().enumerate() {
            if let Some(w) = self.freeze_window(&format!("freeze.windows[{i}]"), w) {
                out.freeze_windows.push(w);
                places.push(i);
            }
        }
        let mut names: Vec<&str> = out.freeze_windows.iter().map(|w| w.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|p| p[0] == p[1]) {
            self.issue(
                "freeze.windows",
                format!("two windows are named {:?}", pair[0]),
            );
        }
        if let Some((a, b)) =
            crate::routines::windows::first_overlap(&out.freeze_windows, chrono::Utc::now())
        {
            self.issue(
                format!("freeze.windows[{}]", places[b]),
                format!(
                    "{:?} overlaps {:?}: make them one window, or move one",
                    out.freeze_windows[b].name, out.freeze_windows[a].name
                ),
            );
        }
        out
    }

    /// `[watch]`: at least five minutes and two metrics polls long (shorter, it would judge a
    /// deploy on one or two CloudWatch points).
    pub(super) fn watch(&mut self, raw: RawWatch, metrics_interval: Duration) -> WatchSettings {
        let mut out = WatchSettings::default();
        let min = Duration::from_secs(300).max(metrics_interval * 2);
        if let Some(d) = raw.duration.as_deref() {
            let d = self.duration(
                "watch.duration",
                Some(d),
                out_duration(&out),
                Duration::ZERO,
            );
            if d < min {
                self.issue(
                    "watch.duration",
                    format!(
                        "{} is shorter than the metrics need: at least {} (five minutes, and two metrics polls of {})",
                        humantime::format_duration(d),
                        humantime::format_duration(min),
                        humantime::format_duration(metrics_interval)
                    ),
                );
            } else {
                out.duration_s = d.as_secs() as i64;
            }
        }
        if let Some(m) = raw.error_rate_margin {
            if !(m.is_finite() && m > 0.0 && m <= 100.0) {
                self.issue(
                    "watch.error_rate_margin",
                    format!("{m} is not between 0 and 100 percentage points"),
                );
            } else {
                out.error_rate_margin = m;
            }
        }
        if let Some(m) = raw.response_time_margin_percent {
            if !(m.is_finite() && m > 0.0 && m <= 1000.0) {
                self.issue(
                    "watch.response_time_margin_percent",
                    format!("{m} is not between 0 and 1000"),
                );
            } else {
                out.response_time_margin = m / 100.0;
            }
        }
        out
    }

    fn freeze_window(&mut self, path: &str, w: RawFreezeWindow) -> Option<FreezeWindow> {
        if w.name.trim().is_empty() {
            self.issue(format!("{path}.name"), "is empty");
            return None;
        }
        let tz_name = w.time_zone.as_deref().unwrap_or("UTC");
        let Ok(time_zone) = tz_name.parse::<chrono_tz::Tz>() else {
            self.issue(
                format!("{path}.time_zone"),
                format!("{tz_name:?} is not a time zone of the IANA database (e.g. \"Europe/Berlin\", \"UTC\")"),
            );
            return None;
        };
        let span = match (weekly(&w.from), weekly(&w.to), dated(&w.from), dated(&w.to)) {
            (Some(from), Some(to), _, _) => {
                if crate::routines::windows::weekly_length(from, to).is_zero() {
                    self.issue(
                        format!("{path}.to"),
                        "is the same as from: the window would be empty",
                    );
                    return None;
                }
                WindowSpan::Weekly { from, to }
            }
            (_, _, Some(from), Some(to)) => {
                if to <= from {
                    self.issue(
                        format!("{path}.to"),
                        format!(
                            "{:?} is not after from ({:?}): the window is inverted",
                            w.to, w.from
                        ),
                    );
                    return None;
                }
                WindowSpan::Dated { from, to }
            }
            _ => {
                let which = if weekly(&w.from).is_none() && dated(&w.from).is_none() {
                    ("from", &w.from)
                } else {
                    ("to", &w.to)
                };
                self.issue(
                    format!("{path}.{}", which.0),
                    format!(
                        "{:?} is not a time: write \"Fri 16:00\" for every week or \"2026-12-23 00:00\" for once, the same form for from and to",
                        which.1
                    ),
                );
                return None;
            }
        };
        Some(FreezeWindow {
            reason: w
                .reason
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| format!("{} (configured change freeze)", w.name.trim())),
            name: w.name.trim().to_owned(),
            time_zone,
            span,
        })
    }
}
