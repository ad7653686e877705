//! Faults the demo's simulated application can be told to show, so the dashboard can be seen reacting.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    #[default]
    None,
    /// Answers take 2.5–3.5 s (over the runbook's 2 s warning level).
    Slow,
    /// Every endpoint answers 503 with an error body.
    Error5xx,
    /// 200 with a body that is not JSON.
    Garbage,
    /// The process is gone: connections are refused.
    Down,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::None,
        Fault::Slow,
        Fault::Error5xx,
        Fault::Garbage,
        Fault::Down,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::Slow => "slow",
            Fault::Error5xx => "error5xx",
            Fault::Garbage => "garbage",
            Fault::Down => "down",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Fault::None => "Healthy",
            Fault::Slow => "Slow responses",
            Fault::Error5xx => "HTTP 503",
            Fault::Garbage => "Unparseable body",
            Fault::Down => "App down",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == raw)
            .ok_or_else(|| {
                format!(
                    "unknown fault {raw:?}: expected one of none, slow, error5xx, garbage, down"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_the_choices() {
        assert_eq!(Fault::parse("down"), Ok(Fault::Down));
        assert!(Fault::parse("meteor")
            .unwrap_err()
            .contains("expected one of"));
    }
}
