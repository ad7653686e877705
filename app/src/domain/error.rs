//! The errors a person can see, in words: what use cases answer and server functions return.
//! Each maps to one HTTP status, applied once at the edge.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// What was asked clashes with what already happened (reviewed already, a name taken).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    /// The call itself failed (network, encoding) before reaching opsdeck's logic.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::Unavailable(_) => 503,
            AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ports::PortError> for AppError {
    fn from(e: crate::ports::PortError) -> Self {
        use crate::ports::PortError;
        match e {
            PortError::NotFound(m) => AppError::NotFound(m),
            PortError::Denied(m) => AppError::Forbidden(m),
            PortError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Unavailable(other.to_string()),
        }
    }
}
