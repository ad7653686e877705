//! Server functions: thin wrappers that take the request's services, call a use case and map
//! the result. The types they return travel to the browser.

mod actions;
mod audit;
mod checks;
mod dashboard;
mod database;
mod demo;
mod deploys;
mod incidents;
mod logs;
mod profile;
mod routines;
mod session;
mod wall_tokens;

pub use crate::domain::AppError;
pub use crate::domain::EnvDetail;
pub use actions::{
    decide_request, get_actions, get_request, request_action, resolve_request, review_request,
    verify_request, ActionsPage, DecideRequest, GetActions, GetRequest, RequestAction, RequestPage,
    ResolveRequest, ReviewRequest, VerifyRequest,
};
pub use audit::{get_audit, GetAudit};
pub use checks::{
    get_morning_check, get_weekly_check, record_drill, sign_off_morning, sign_off_weekly,
    GetMorningCheck, GetWeeklyCheck, RecordDrill, SignOffMorning, SignOffWeekly,
};
pub use dashboard::{get_dashboard, get_env_detail, GetDashboard, GetEnvDetail};
pub use database::{get_database, GetDatabase};
pub use demo::{
    fail_nightly_job, get_demo_faults, set_demo_fault, start_incident_scenario, FailNightlyJob,
    GetDemoFaults, SetDemoFault, StartIncidentScenario,
};
pub use deploys::{review_deploy, ReviewDeploy};
pub use incidents::{
    change_incident, declare_incident, dismiss_proposal, get_incident, get_incidents,
    ChangeIncident, DeclareIncident, DismissProposal, GetIncident, GetIncidents,
};
pub use logs::{check_log_filter, get_logs, CheckLogFilter, GetLogs};
pub use profile::{get_profile, GetProfile, Profile};
pub use routines::{
    declare_freeze, end_freeze, get_overrides, review_override, DeclareFreeze, EndFreeze,
    GetOverrides, ReviewOverride,
};
pub use session::{get_session, get_sign_in_options, GetSession, GetSignInOptions, SignInOptions};
pub use wall_tokens::{
    create_wall_token, list_wall_tokens, revoke_wall_token, CreateWallToken, ListWallTokens,
    RevokeWallToken,
};

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
    let Some(info) = session_info() else {
        return Err(respond(AppError::Unauthorized("sign in first".into())));
    };
    if info.principal.has(role) {
        Ok(info.principal)
    } else {
        Err(respond(AppError::Forbidden(format!(
            "this needs the {} role; {} does not have it",
            role.as_str(),
            info.principal.display_name
        ))))
    }
}

/// Answer this request with `error`'s HTTP status (server functions default to 500).
#[cfg(feature = "ssr")]
fn respond(error: AppError) -> AppError {
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(error.status()) {
            resp.set_status(code);
        }
    }
    error
}

#[cfg(feature = "ssr")]
fn services() -> Result<crate::ports::Services, AppError> {
    leptos::prelude::use_context::<crate::ports::Services>().ok_or_else(|| {
        AppError::Unavailable("opsdeck's services are not wired into this request".into())
    })
}
