//! Small formatting helpers shared by pages rendered on the server and in the browser.

use chrono::{DateTime, Utc};

/// "4 s", "3 min", "2 h 5 min", "3 d" — how old a figure is.
pub fn age(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - from).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs / 60),
        3600..=86_399 => {
            let m = (secs % 3600) / 60;
            if m == 0 {
                format!("{} h", secs / 3600)
            } else {
                format!("{} h {m} min", secs / 3600)
            }
        }
        _ => format!("{} d", secs / 86_400),
    }
}

/// Milliseconds the way people read them: "0.4 ms", "38 ms", "2.31 s".
pub fn millis(ms: f64) -> String {
    if !ms.is_finite() {
        "–".into()
    } else if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

pub fn percent(p: Option<f64>) -> String {
    match p {
        None => "–".into(),
        Some(p) if p >= 99.995 => "100 %".into(),
        Some(p) => format!("{p:.2} %"),
    }
}

/// "05:31:07 UTC" — times are shown in UTC, like the runbook's commands.
pub fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S UTC").to_string()
}

/// "Mon 07 Dec 07:00 UTC": when something ends, within the coming days.
pub fn day_clock(at: DateTime<Utc>) -> String {
    at.format("%a %d %b %H:%M UTC").to_string()
}

pub fn datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A running clock: "4:07" under an hour, "1:04:07" above — an incident's time since its start.
pub fn elapsed(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// "in 1:23" before `due`, "overdue 0:42" after it.
pub fn countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (due - now).num_seconds();
    if s > 0 {
        format!("in {}", elapsed(s))
    } else {
        format!("overdue {}", elapsed(-s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn clocks_and_countdowns() {
        assert_eq!(elapsed(247), "4:07");
        assert_eq!(elapsed(3847), "1:04:07");
        let now = Utc::now();
        assert_eq!(countdown(now + Duration::seconds(83), now), "in 1:23");
        assert_eq!(countdown(now - Duration::seconds(42), now), "overdue 0:42");
    }

    #[test]
    fn ages_read_naturally() {
        let now = Utc::now();
        assert_eq!(age(now - Duration::seconds(4), now), "4 s");
        assert_eq!(age(now - Duration::seconds(180), now), "3 min");
        assert_eq!(age(now - Duration::seconds(7500), now), "2 h 5 min");
        assert_eq!(age(now - Duration::seconds(7200), now), "2 h");
        assert_eq!(age(now - Duration::days(3), now), "3 d");
        assert_eq!(
            age(now + Duration::seconds(3), now),
            "0 s",
            "clock skew never shows negative ages"
        );
    }

    #[test]
    fn millis_and_percent() {
        assert_eq!(millis(0.42), "0.4 ms");
        assert_eq!(millis(38.2), "38 ms");
        assert_eq!(millis(2310.0), "2.31 s");
        assert_eq!(percent(Some(99.999)), "100 %");
        assert_eq!(percent(Some(98.5)), "98.50 %");
        assert_eq!(percent(None), "–");
    }
}
