//! When the routine checks are due: the local day and week in `[checks] time_zone`, whether today
//! is a working day, the morning check's deadline and the weekly maintenance window.

use super::windows::instant;
use crate::config::CheckSettings;
use app::ports::routines::CheckSchedule;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};

pub struct Schedule(pub CheckSettings);

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

impl Schedule {
    fn local_date(&self, now: DateTime<Utc>) -> chrono::NaiveDate {
        self.0
            .time_zone
            .from_utc_datetime(&now.naive_utc())
            .date_naive()
    }
}

impl CheckSchedule for Schedule {
    fn day_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        instant(
            self.0.time_zone,
            self.local_date(now).and_time(NaiveTime::MIN),
        )
    }

    fn week_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let date = self.local_date(now);
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        instant(self.0.time_zone, monday.and_time(NaiveTime::MIN))
    }

    fn morning_due(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let by = self.0.morning_by?;
        let date = self.local_date(now);
        self.0
            .working_days
            .contains(&date.weekday())
            .then(|| instant(self.0.time_zone, date.and_time(by)))
    }

    fn morning_due_words(&self) -> Option<String> {
        let by = self.0.morning_by?;
        let days: Vec<String> = self.0.working_days.iter().map(|d| d.to_string()).collect();
        Some(format!(
            "{} {} on {}",
            by.format("%H:%M"),
            self.0.time_zone.name(),
            if days.len() == 7 {
                "every day".to_owned()
            } else {
                days.join(", ")
            }
        ))
    }

    fn maintenance(&self, now: DateTime<Utc>) -> Option<String> {
        let (day, from, to) = self.0.maintenance?;
        let tz = self.0.time_zone;
        let date = self.local_date(now);
        let ahead = (i64::from(day.num_days_from_monday())
            - i64::from(date.weekday().num_days_from_monday()))
        .rem_euclid(7);
        let mut start = instant(tz, (date + Duration::days(ahead)).and_time(from));
        let mut end = instant(tz, (date + Duration::days(ahead)).and_time(to));
        if end <= now {
            start = instant(tz, (date + Duration::days(ahead + 7)).and_time(from));
            end = instant(tz, (date + Duration::days(ahead + 7)).and_time(to));
        }
        let when = if start <= now {
            format!("on now, until {}", end.with_timezone(&tz).format("%H:%M"))
        } else {
            format!(
                "next {}",
                start.with_timezone(&tz).format("%a %Y-%m-%d %H:%M")
            )
        };
        Some(format!(
            "{} {}–{} {} ({when})",
            day_name(day),
            from.format("%H:%M"),
            to.format("%H:%M"),
            tz.name()
        ))
    }

    fn drill_within_days(&self) -> i64 {
        (self.0.restore_drill_within.as_secs() / 86_400).max(1) as i64
    }

    fn weekly_manual(&self) -> Vec<String> {
        self.0.weekly_manual.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Schedule {
        Schedule(CheckSettings {
            time_zone: chrono_tz::Europe::Berlin,
            morning_by: NaiveTime::from_hms_opt(9, 30, 0),
            maintenance: Some((
                Weekday::Sun,
                NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(4, 0, 0).unwrap(),
            )),
            ..CheckSettings::default()
        })
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_morning_check_is_due_at_the_local_time_on_working_days_only() {
        let s = berlin();
        // Monday 2026-12-07, 09:30 in Berlin is 08:30 UTC.
        assert_eq!(
            s.morning_due(at("2026-12-07T05:00:00Z")),
            Some(at("2026-12-07T08:30:00Z"))
        );
        // Saturday.
        assert_eq!(s.morning_due(at("2026-12-12T10:00:00Z")), None);
        // 23:30 UTC Sunday is already Monday in Berlin.
        assert_eq!(
            s.day_start(at("2026-12-06T23:30:00Z")),
            at("2026-12-06T23:00:00Z")
        );
        assert_eq!(
            s.week_start(at("2026-12-09T12:00:00Z")),
            at("2026-12-06T23:00:00Z")
        );
    }

    #[test]
    fn the_maintenance_window_says_when_it_is_next_on() {
        let s = berlin();
        let w = s.maintenance(at("2026-12-07T12:00:00Z")).unwrap();
        assert!(
            w.starts_with("Sunday 02:00–04:00 Europe/Berlin (next Sun 2026-12-13 02:00"),
            "{w}"
        );
        let during = s.maintenance(at("2026-12-13T01:30:00Z")).unwrap();
        assert!(during.contains("on now, until 04:00"), "{during}");
    }
}
