//! `[gate]` and `[[freeze.windows]]`: what the pre-deploy checklist requires, and the recurring or
//! dated change freezes (evaluated in `routines::windows`).

use chrono::{NaiveDateTime, NaiveTime, Weekday};

/// When a configured freeze is on, in its time zone.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowSpan {
    /// Every week from one weekday and time to another ("Fri 16:00" to "Mon 08:00").
    Weekly {
        from: (Weekday, NaiveTime),
        to: (Weekday, NaiveTime),
    },
    /// Once, between two dates ("2026-12-23 00:00" to "2027-01-02 08:00").
    Dated {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FreezeWindow {
    pub name: String,
    pub reason: String,
    pub time_zone: chrono_tz::Tz,
    pub span: WindowSpan,
}

/// `[checks]`: when the routine checks are due, in one time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    pub time_zone: chrono_tz::Tz,
    pub working_days: Vec<Weekday>,
    /// Remind when nobody has signed the morning check off by this local time on a working day.
    pub morning_by: Option<NaiveTime>,
    /// The weekly maintenance window: day, from, to (local).
    pub maintenance: Option<(Weekday, NaiveTime, NaiveTime)>,
    pub restore_drill_within: std::time::Duration,
    pub weekly_manual: Vec<String>,
}

impl Default for CheckSettings {
    fn default() -> Self {
        use Weekday::*;
        Self {
            time_zone: chrono_tz::UTC,
            working_days: vec![Mon, Tue, Wed, Thu, Fri],
            morning_by: None,
            maintenance: None,
            restore_drill_within: std::time::Duration::from_secs(30 * 86_400),
            // The runbook's weekly items no API can answer.
            weekly_manual: vec![
                "Security patches reviewed and applied".into(),
                "Runbook and documentation still match the system".into(),
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoutineSettings {
    /// Approvers are reminded of a run still waiting at a gate this often.
    pub gate_remind_every: std::time::Duration,
    pub gate: app::domain::routines::GateSettings,
    /// `[watch]`: the post-deploy watch.
    pub watch: app::domain::routines::WatchSettings,
    pub freeze_windows: Vec<FreezeWindow>,
    pub checks: CheckSettings,
}

impl Default for RoutineSettings {
    fn default() -> Self {
        Self {
            gate_remind_every: std::time::Duration::from_secs(30 * 60),
            gate: Default::default(),
            watch: Default::default(),
            freeze_windows: vec![],
            checks: Default::default(),
        }
    }
}
