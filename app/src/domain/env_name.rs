//! The name of an environment (`prod`, `dev`), as the runbook and the URLs use it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated environment name: 1–32 characters of lowercase ASCII letters, digits and `-`,
/// starting with a letter. Safe to put in a URL path and a CSS class.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid environment name: use 1–32 lowercase letters, digits or '-', starting with a letter")]
pub struct InvalidEnvName(pub String);

impl EnvName {
    pub fn parse(raw: &str) -> Result<Self, InvalidEnvName> {
        let ok = (1..=32).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidEnvName(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvName {
    type Error = InvalidEnvName;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnvName> for String {
    fn from(value: EnvName) -> Self {
        value.0
    }
}

impl fmt::Display for EnvName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_runbook_names() {
        for name in ["prod", "dev", "staging-2"] {
            assert_eq!(EnvName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn refuses_names_that_would_break_urls_or_markup() {
        for name in [
            "",
            "Prod",
            "2prod",
            "prod env",
            "prod/x",
            "<script>",
            &"a".repeat(33),
        ] {
            let err = EnvName::parse(name).unwrap_err();
            assert!(err.to_string().contains("not a valid environment name"));
        }
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<EnvName>("\"prod\"").is_ok());
        assert!(serde_json::from_str::<EnvName>("\"PROD\"").is_err());
    }
}
