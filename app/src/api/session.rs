//! Who is signed in, and what the sign-in page offers.

use super::AppError;
use crate::domain::{DemoUser, SessionInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    pub demo_users: Vec<DemoUser>,
    /// "Sign in with <label>": (label, path that starts the sign-in).
    pub providers: Vec<(String, String)>,
}

/// The current session, or `None` before sign-in. Public: the sign-in page asks it too.
#[server(prefix = "/api/fn", endpoint = "session", input = GetUrl)]
pub async fn get_session() -> Result<Option<SessionInfo>, AppError> {
    Ok(super::session_info())
}

/// Public: what the sign-in page can offer.
#[server(prefix = "/api/fn", endpoint = "sign_in_options", input = GetUrl)]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    let services = super::services()?;
    Ok(SignInOptions {
        demo_users: services.demo_users,
        providers: services.sign_in_with,
    })
}
