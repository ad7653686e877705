//! The health probe: the first real adapter. It implements [`app::ports::HealthProber`] by doing
//! what `curl -w` does — DNS, TCP connect, TLS, send, first byte, body — on a fresh connection
//! each time, so every phase is measured for real, and classifies every failure in words.

mod body;
mod cert;
mod http;
mod tls;

pub use http::HttpProber;
pub use tls::{tls_config, TlsSetupError};
