//! Configured change freezes in their time zones: whether one is on at an instant (and since and
//! until when), and every occurrence in a span (for refusing overlapping windows). Local times
//! that do not exist (the hour a clock skips) move to the first instant after the gap; ambiguous
//! ones (the hour a clock repeats) take the earlier instant.

use crate::config::{FreezeWindow, WindowSpan};
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};

/// The instant a local time in `tz` names.
pub(crate) fn instant(tz: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    // A gap is at most a few hours: step forward until a local time exists.
    for _ in 0..48 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += Duration::minutes(15);
    }
    local.and_utc()
}

/// Minutes from Monday 00:00 to `(day, time)`.
fn week_minute(day: chrono::Weekday, time: chrono::NaiveTime) -> i64 {
    use chrono::Timelike;
    i64::from(day.num_days_from_monday()) * 1440 + i64::from(time.hour() * 60 + time.minute())
}

/// How long a weekly window lasts (the `to` of the following week when it is not later).
pub fn weekly_length(
    from: (chrono::Weekday, chrono::NaiveTime),
    to: (chrono::Weekday, chrono::NaiveTime),
) -> Duration {
    let m = (week_minute(to.0, to.1) - week_minute(from.0, from.1)).rem_euclid(7 * 1440);
    Duration::minutes(m)
}

/// Occurrences that start in `[from - 8 days, to]`, as UTC spans.
pub fn occurrences(
    w: &FreezeWindow,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    match &w.span {
        WindowSpan::Dated { from: a, to: b } => {
            let (s, e) = (instant(w.time_zone, *a), instant(w.time_zone, *b));
            if s <= to && e > from - Duration::days(8) {
                vec![(s, e)]
            } else {
                vec![]
            }
        }
        WindowSpan::Weekly {
            from: start,
            to: end,
        } => {
            let length = weekly_length(*start, *end);
            let first = (from - Duration::days(8))
                .with_timezone(&w.time_zone)
                .date_naive();
            let last = to.with_timezone(&w.time_zone).date_naive();
            first
                .iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| d.weekday() == start.0)
                .map(|d| {
                    let local = d.and_time(start.1);
                    (
                        instant(w.time_zone, local),
                        instant(w.time_zone, local + length),
                    )
                })
                .collect()
        }
    }
}

/// Whether `w` is on at `now`: the occurrence's start and end.
pub fn on_at(w: &FreezeWindow, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    occurrences(w, now, now)
        .into_iter()
        .filter(|(s, e)| *s <= now && now < *e)
        .max_by_key(|(s, _)| *s)
}

/// The first pair of windows that are on at the same time within the next 15 days, by index.
pub fn first_overlap(windows: &[FreezeWindow], from: DateTime<Utc>) -> Option<(usize, usize)> {
    let to = from + Duration::days(15);
    let spans: Vec<_> = windows.iter().map(|w| occurrences(w, from, to)).collect();
    for i in 0..windows.len() {
        for j in i + 1..windows.len() {
            let clash = spans[i]
                .iter()
                .any(|(a, b)| spans[j].iter().any(|(c, d)| a < d && c < b));
            if clash {
                return Some((i, j));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};

    fn weekend(tz: chrono_tz::Tz) -> FreezeWindow {
        FreezeWindow {
            name: "weekend".into(),
            reason: "no changes over the weekend".into(),
            time_zone: tz,
            span: WindowSpan::Weekly {
                from: (Weekday::Fri, NaiveTime::from_hms_opt(16, 0, 0).unwrap()),
                to: (Weekday::Mon, NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
            },
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_weekend_freeze_in_berlin() {
        let w = weekend(chrono_tz::Europe::Berlin);
        // Friday 4 December 2026, 14:59 UTC = 15:59 in Berlin: not yet.
        assert_eq!(on_at(&w, at("2026-12-04T14:59:00Z")), None);
        let (since, until) = on_at(&w, at("2026-12-04T15:00:00Z")).expect("on at 16:00 Berlin");
        assert_eq!(
            (since, until),
            (at("2026-12-04T15:00:00Z"), at("2026-12-07T07:00:00Z"))
        );
        assert!(on_at(&w, at("2026-12-06T23:00:00Z")).is_some());
        assert_eq!(
            on_at(&w, at("2026-12-07T07:00:00Z")),
            None,
            "ends at 08:00 Berlin"
        );
        assert_eq!(on_at(&w, at("2026-12-09T12:00:00Z")), None);
    }

    #[test]
    fn summer_time_is_followed() {
        // Friday 3 July 2026: Berlin is UTC+2.
        let w = weekend(chrono_tz::Europe::Berlin);
        assert_eq!(
            on_at(&w, at("2026-07-03T14:00:00Z")).map(|s| s.0),
            Some(at("2026-07-03T14:00:00Z"))
        );
    }

    #[test]
    fn dated_windows_and_overlaps() {
        let holidays = FreezeWindow {
            name: "holidays".into(),
            reason: "holidays".into(),
            time_zone: chrono_tz::UTC,
            span: WindowSpan::Dated {
                from: "2026-12-23T00:00:00".parse().unwrap(),
                to: "2027-01-02T08:00:00".parse().unwrap(),
            },
        };
        assert!(on_at(&holidays, at("2026-12-31T12:00:00Z")).is_some());
        assert!(on_at(&holidays, at("2027-01-02T08:00:00Z")).is_none());
        let weekend = weekend(chrono_tz::UTC);
        assert_eq!(
            first_overlap(
                &[weekend.clone(), holidays.clone()],
                at("2026-12-20T00:00:00Z")
            ),
            Some((0, 1))
        );
        assert_eq!(
            first_overlap(&[weekend, holidays], at("2026-06-01T00:00:00Z")),
            None
        );
    }
}
