//! The error every port returns. Adapters map their SDK's errors into it once, at the edge.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("throttled: {0}")]
    Throttled(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("denied: {0}")]
    Denied(String),
    /// The request clashes with what exists (a name taken).
    #[error("{0}")]
    Conflict(String),
    /// A change was sent and no definite answer came back (a timeout after sending, a dropped
    /// connection, a 5xx): it may or may not have happened. Verify; never retry blindly.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    #[error("{0}")]
    Other(String),
}

impl PortError {
    /// The message alone, for a person: adapters already say what failed and where.
    pub fn detail(&self) -> &str {
        match self {
            PortError::NotFound(m)
            | PortError::Throttled(m)
            | PortError::Unavailable(m)
            | PortError::Denied(m)
            | PortError::Conflict(m)
            | PortError::OutcomeUnknown(m)
            | PortError::Other(m) => m,
        }
    }
}
