//! Who may do what: sessions in Postgres, sign-in (the demo's ready-made people for now; OpenID
//! Connect and GitHub come next), roles granted by configuration, and the guard every request
//! passes — sign-in, role and CSRF token checked on the server, never only in the page.

pub mod attempts;
pub mod demo;
pub mod github;
mod guard;
pub mod oidc;
mod pages;
pub mod routes;
mod session;
pub mod token_key;

pub use guard::{guard, RouteAccess};
pub use session::{session_layer, spawn_sweeper, SessionStore, WallSession};

use crate::config::AuthSettings;

/// How opsdeck is entered.
#[derive(Clone, Debug)]
pub enum Access {
    /// No sign-in configured: everyone is an anonymous viewer and nothing can be changed.
    /// Only allowed on loopback or with an explicit opt-in (see `config`).
    Open,
    SignIn(std::sync::Arc<AuthSettings>),
}
