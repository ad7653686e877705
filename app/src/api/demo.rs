//! The demo control: inject faults into the simulated application. Refused outside demo mode.

use super::AppError;
use crate::domain::Fault;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The simulated world's controls; refused in words outside `opsdeck demo`.
#[cfg(feature = "ssr")]
fn demo_control() -> Result<std::sync::Arc<dyn crate::ports::DemoControl>, AppError> {
    super::services()?.demo.ok_or_else(|| {
        super::respond(AppError::Forbidden(
            "demo controls exist only in `opsdeck demo`".into(),
        ))
    })
}

#[server(prefix = "/api/fn", endpoint = "demo_faults", input = GetUrl)]
pub async fn get_demo_faults() -> Result<Vec<(String, Fault)>, AppError> {
    super::require(crate::domain::Role::Viewer)?;
    let demo = demo_control()?;
    Ok(demo
        .faults()
        .into_iter()
        .map(|(e, f)| (e.to_string(), f))
        .collect())
}

/// `csrf_token` is checked by the server's guard before this runs (from this field, or from the
/// `x-csrf-token` header that scripts send); it is an argument so the form carries it whether or
/// not the page's script has loaded.
#[server(prefix = "/api/fn", endpoint = "demo_fault")]
pub async fn set_demo_fault(
    env: String,
    fault: String,
    csrf_token: Option<String>,
) -> Result<(), AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let demo = demo_control()?;
    let env = crate::domain::EnvName::parse(&env)
        .map_err(|e| super::respond(AppError::BadRequest(e.to_string())))?;
    let fault = Fault::parse(&fault).map_err(|e| super::respond(AppError::BadRequest(e)))?;
    tracing::info!(%env, fault = fault.as_str(), by = %who.display_name, "demo fault injected");
    demo.set_fault(&env, fault)
        .await
        .map_err(|e| super::respond(e.into()))?;
    Ok(())
}

/// Make prod's nightly scheduled job fail once (for the morning check). Operators only.
#[server(prefix = "/api/fn", endpoint = "demo_fail_job")]
pub async fn fail_nightly_job(csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let demo = demo_control()?;
    tracing::info!(by = %who.display_name, "demo nightly job failed");
    demo.fail_nightly_job()
        .await
        .map_err(|e| super::respond(e.into()))
}

/// Start the demo's incident scenario (a bad deploy, errors, then prod down). Operators only.
#[server(prefix = "/api/fn", endpoint = "demo_incident")]
pub async fn start_incident_scenario(csrf_token: Option<String>) -> Result<String, AppError> {
    let _ = csrf_token;
    let who = super::require(crate::domain::Role::Operator)?;
    let demo = demo_control()?;
    tracing::info!(by = %who.display_name, "demo incident scenario started");
    demo.incident_scenario()
        .await
        .map_err(|e| super::respond(e.into()))
}
