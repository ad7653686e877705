//! What a person decides on something waiting for them — a change-control request or a deploy at
//! the approval gate — parsed once from a form: approve, reject (with a reason), or break glass
//! (approve alone in an emergency, with a reason). The comment is attacker-controlled text that
//! ends in the audit log, GitHub and notifications, so its length is bounded here.

use serde::{Deserialize, Serialize};

/// The longest comment a decision carries (GitHub's review comments are bounded too).
pub const MAX_COMMENT: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Approve,
    Reject,
    /// Approve alone, where the policy allows it, with a reason.
    BreakGlass,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionForm {
    pub verdict: Verdict,
    /// Trimmed; never empty for a rejection.
    pub comment: String,
}

impl DecisionForm {
    /// `decision`: `approve`, `reject`, or (where `break_glass_possible`) `break_glass`.
    pub fn parse(
        decision: &str,
        comment: &str,
        break_glass_possible: bool,
    ) -> Result<Self, String> {
        let verdict = match decision {
            "approve" => Verdict::Approve,
            "reject" => Verdict::Reject,
            "break_glass" if break_glass_possible => Verdict::BreakGlass,
            other if break_glass_possible => {
                return Err(format!(
                    "decision must be approve, reject or break_glass, not {other:?}"
                ))
            }
            other => return Err(format!("decision must be approve or reject, not {other:?}")),
        };
        let comment = comment.trim().to_owned();
        if comment.chars().count() > MAX_COMMENT {
            return Err(format!(
                "the comment is longer than {MAX_COMMENT} characters"
            ));
        }
        // A break glass without a reason is the state machine's refusal (the policy decides
        // whether break glass is possible at all), not a malformed form.
        match verdict {
            Verdict::Reject if comment.is_empty() => Err("say why you reject it".into()),
            _ => Ok(Self { verdict, comment }),
        }
    }

    pub fn approves(&self) -> bool {
        self.verdict != Verdict::Reject
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parser_for_every_decision() {
        let ok = DecisionForm::parse("approve", "  looks fine ", false).unwrap();
        assert_eq!(
            (ok.verdict, ok.comment.as_str()),
            (Verdict::Approve, "looks fine")
        );
        assert!(DecisionForm::parse("approve", "", true).is_ok());
        assert_eq!(
            DecisionForm::parse("reject", "  ", true).unwrap_err(),
            "say why you reject it"
        );
        assert_eq!(
            DecisionForm::parse("break_glass", "x", true).map(|d| d.verdict),
            Ok(Verdict::BreakGlass)
        );
        assert!(DecisionForm::parse("break_glass", "orders corrupt", false)
            .unwrap_err()
            .contains("approve or reject"));
        assert!(DecisionForm::parse("APPROVE", "", true).is_err());
        let long = "x".repeat(MAX_COMMENT + 1);
        assert!(DecisionForm::parse("approve", &long, true)
            .unwrap_err()
            .contains("longer than 1000"));
        assert!(DecisionForm::parse("approve", &"é".repeat(MAX_COMMENT), true).is_ok());
    }
}
