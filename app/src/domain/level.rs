//! The status level of anything opsdeck watches, shown by colour, icon and word together.

use serde::{Deserialize, Serialize};

/// How healthy something is. Ordered from best to worst so `max` gives the worst of several.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    /// Not known yet (never probed) — the honest default.
    #[default]
    Unknown,
    Warning,
    Critical,
}

impl Level {
    /// The word a person reads. Never rely on colour alone.
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "Healthy",
            Level::Warning => "Degraded",
            Level::Critical => "Down",
            Level::Unknown => "Unknown",
        }
    }

    /// A glyph that survives colour blindness and monochrome screens.
    pub fn icon(self) -> &'static str {
        match self {
            Level::Ok => "✔",
            Level::Warning => "▲",
            Level::Critical => "✖",
            Level::Unknown => "?",
        }
    }

    /// The CSS modifier used by the style sheet (`lvl-ok`, …).
    pub fn css(self) -> &'static str {
        match self {
            Level::Ok => "lvl-ok",
            Level::Warning => "lvl-warning",
            Level::Critical => "lvl-critical",
            Level::Unknown => "lvl-unknown",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Critical => "critical",
            Level::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "ok" => Some(Level::Ok),
            "warning" => Some(Level::Warning),
            "critical" => Some(Level::Critical),
            "unknown" => Some(Level::Unknown),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_wins() {
        let all = [Level::Ok, Level::Critical, Level::Warning, Level::Unknown];
        assert_eq!(all.into_iter().max(), Some(Level::Critical));
        assert_eq!(
            [Level::Ok, Level::Unknown].into_iter().max(),
            Some(Level::Unknown)
        );
    }

    #[test]
    fn every_level_has_word_icon_and_class() {
        for l in [Level::Ok, Level::Warning, Level::Critical, Level::Unknown] {
            assert!(!l.word().is_empty() && !l.icon().is_empty());
            assert!(l.css().starts_with("lvl-"));
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
    }
}
