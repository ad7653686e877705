//! Change freezes: recurring windows from configuration (Friday 16:00 to Monday 08:00 in a time
//! zone) and ones an approver declares with a reason and an end. During a freeze, deploy
//! approvals and change-control actions that are not emergency steps are refused unless an
//! approver overrides with a reason. The windows themselves are evaluated by the server (time
//! zones stay out of the browser bundle); this is what the rest of opsdeck sees of them.

use super::super::actions::ActionKind;
use super::super::format;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a freeze comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FreezeKind {
    /// A configured recurring or dated window, by name.
    Window { name: String },
    /// Declared by a person; ended early by an approver if need be.
    Declared { id: i64, by: String },
}

/// A freeze in force now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFreeze {
    pub kind: FreezeKind,
    pub reason: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl ActiveFreeze {
    /// "Change freeze until Mon 07:00 UTC (weekend): no deploys over the weekend".
    pub fn words(&self) -> String {
        let source = match &self.kind {
            FreezeKind::Window { name } => name.clone(),
            FreezeKind::Declared { by, .. } => format!("declared by {by}"),
        };
        format!(
            "Change freeze until {} ({source}): {}",
            format::day_clock(self.until),
            self.reason
        )
    }

    /// The refusal a server gives for something the freeze stops.
    pub fn refusal(&self, what: &str) -> String {
        format!(
            "{what} is refused during the change freeze until {}: {} — an approver may override it with a reason, which is recorded and reviewed afterwards",
            format::day_clock(self.until),
            self.reason
        )
    }
}

/// The runbook's emergency steps stay possible during a freeze without an override: rolling back,
/// stopping all writes and freeing a database session that blocks others make things safer,
/// never riskier, and change nothing that is deployed.
pub fn allowed_during_freeze(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Rollback
            | ActionKind::StopWrites
            | ActionKind::CancelQuery
            | ActionKind::TerminateConnection
    )
}

/// The longest reason a freeze or an override carries.
pub const MAX_REASON: usize = 500;

/// A reason a person types (for a freeze or an override): trimmed, required, bounded.
pub fn parse_reason(raw: &str, what: &str) -> Result<String, String> {
    let r = raw.trim();
    if r.is_empty() {
        return Err(format!("say why: {what} needs a reason"));
    }
    if r.chars().count() > MAX_REASON {
        return Err(format!("the reason is longer than {MAX_REASON} characters"));
    }
    Ok(r.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn words_name_the_end_the_source_and_the_reason() {
        let f = ActiveFreeze {
            kind: FreezeKind::Window {
                name: "weekend".into(),
            },
            reason: "no deploys over the weekend".into(),
            since: Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap(),
            until: Utc.with_ymd_and_hms(2026, 12, 7, 7, 0, 0).unwrap(),
        };
        assert_eq!(
            f.words(),
            "Change freeze until Mon 07 Dec 07:00 UTC (weekend): no deploys over the weekend"
        );
        assert!(f.refusal("Approving a deploy").starts_with(
            "Approving a deploy is refused during the change freeze until Mon 07 Dec 07:00 UTC"
        ));
    }

    #[test]
    fn emergency_steps_pass_a_freeze() {
        assert!(allowed_during_freeze(ActionKind::Rollback));
        assert!(allowed_during_freeze(ActionKind::StopWrites));
        assert!(!allowed_during_freeze(ActionKind::Scale));
        assert!(!allowed_during_freeze(ActionKind::Restore));
        assert!(!allowed_during_freeze(ActionKind::Restart));
    }

    #[test]
    fn reasons_are_required_and_bounded() {
        assert_eq!(parse_reason("  x ", "a freeze").unwrap(), "x");
        assert!(parse_reason("  ", "a freeze")
            .unwrap_err()
            .contains("needs a reason"));
        assert!(parse_reason(&"é".repeat(MAX_REASON + 1), "a freeze").is_err());
    }
}
