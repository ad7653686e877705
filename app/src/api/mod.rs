//! Server functions: thin wrappers that take the request's services, call a use case and map
//! the result. The types they return travel to the browser.

mod dashboard;
mod demo;
mod error;

pub use dashboard::{get_dashboard, get_env_detail, EnvDetail, GetDashboard, GetEnvDetail};
pub use demo::{get_demo_faults, set_demo_fault, GetDemoFaults, SetDemoFault};
pub use error::AppError;

#[cfg(feature = "ssr")]
fn services() -> Result<crate::ports::Services, AppError> {
    leptos::prelude::use_context::<crate::ports::Services>().ok_or_else(|| {
        AppError::Unavailable("opsdeck's services are not wired into this request".into())
    })
}
