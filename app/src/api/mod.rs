//! Server functions: thin wrappers that take the request's services, call a use case and map
//! the result. The types they return travel to the browser.

mod dashboard;
mod demo;
mod error;
mod session;

pub use dashboard::{get_dashboard, get_env_detail, EnvDetail, GetDashboard, GetEnvDetail};
pub use demo::{get_demo_faults, set_demo_fault, GetDemoFaults, SetDemoFault};
pub use error::AppError;
pub use session::{get_session, get_sign_in_options, GetSession, GetSignInOptions, SignInOptions};

/// The session the server's sign-in guard attached to this request, if any.
#[cfg(feature = "ssr")]
fn session_info() -> Option<crate::domain::SessionInfo> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<crate::domain::SessionInfo>()
        .cloned()
}

/// The principal of this request if it holds `role`; the check every server function makes.
#[cfg(feature = "ssr")]
fn require(role: crate::domain::Role) -> Result<crate::domain::Principal, AppError> {
    let info = session_info().ok_or_else(|| AppError::Unauthorized("sign in first".into()))?;
    if info.principal.has(role) {
        Ok(info.principal)
    } else {
        Err(AppError::Forbidden(format!(
            "this needs the {} role; {} does not have it",
            role.as_str(),
            info.principal.display_name
        )))
    }
}

#[cfg(feature = "ssr")]
fn services() -> Result<crate::ports::Services, AppError> {
    leptos::prelude::use_context::<crate::ports::Services>().ok_or_else(|| {
        AppError::Unavailable("opsdeck's services are not wired into this request".into())
    })
}
