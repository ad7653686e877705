//! An incident's severity and status, in the runbook's words.

use serde::{Deserialize, Serialize};

/// How bad it is, from the runbook's emergency sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Production down, or data at risk ("⚑ CRITICAL: Production Down", "Data Loss").
    Critical,
    /// Users see errors or slowness ("Error Rate Spikes", "High Response Times").
    High,
    /// Something is wrong that users barely see.
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn words(self) -> &'static str {
        match self {
            Severity::Critical => "Critical — production down or data at risk",
            Severity::High => "High — users see errors or slowness",
            Severity::Medium => "Medium — degraded, users barely notice",
            Severity::Low => "Low — no user impact yet",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "SEV1 Critical",
            Severity::High => "SEV2 High",
            Severity::Medium => "SEV3 Medium",
            Severity::Low => "SEV4 Low",
        }
    }

    pub fn level(self) -> crate::domain::Level {
        use crate::domain::Level;
        match self {
            Severity::Critical => Level::Critical,
            Severity::High | Severity::Medium => Level::Warning,
            Severity::Low => Level::Unknown,
        }
    }
}

/// Where the incident stands: investigating → identified → mitigating → monitoring → resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Investigating,
    Identified,
    Mitigating,
    Monitoring,
    Resolved,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Investigating,
        Status::Identified,
        Status::Mitigating,
        Status::Monitoring,
        Status::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Mitigating => "mitigating",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn words(self) -> &'static str {
        match self {
            Status::Investigating => "Investigating — what is wrong?",
            Status::Identified => "Identified — the cause is known",
            Status::Mitigating => "Mitigating — fixing or rolling back",
            Status::Monitoring => "Monitoring — fixed, watching it hold",
            Status::Resolved => "Resolved",
        }
    }

    /// The statuses a person may move an open incident to (resolving needs a summary and has its
    /// own form).
    pub fn next(self) -> Vec<Status> {
        Self::ALL
            .into_iter()
            .filter(|s| *s != self && *s != Status::Resolved)
            .collect()
    }

    pub fn is_open(self) -> bool {
        self != Status::Resolved
    }
}
