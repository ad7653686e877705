//! The pages, one per file. Each loads its data through a server function so the server renders
//! it completely, then follows the live feed once hydrated.

mod actions;
mod audit;
mod checks;
mod dashboard;
mod database;
mod demo;
mod env;
mod error;
mod incident;
mod incidents;
mod logs;
mod not_found;
mod profile;
mod request;
mod signin;
mod wall;
mod wall_tokens;
mod weekly;

pub use actions::ActionsPageView;
pub use audit::AuditPage;
pub use checks::MorningCheckPage;
pub use dashboard::DashboardPage;
pub use database::DatabasePageView;
pub use demo::DemoPage;
pub use env::EnvPage;
pub use error::ErrorPanel;
pub use incident::IncidentPageView;
pub use incidents::IncidentsPageView;
pub use logs::LogsPageView;
pub use not_found::NotFound;
pub use profile::ProfilePage;
pub use request::RequestPageView;
pub use signin::SignInPage;
pub use wall::WallPage;
pub use wall_tokens::WallTokensPage;
pub use weekly::WeeklyCheckPage;

/// The title of a page about one environment ("opsdeck — prod logs"). leptos_meta writes the title
/// unescaped: only a valid environment name from the address may reach it.
pub(crate) fn env_title(raw: &str, what: &str) -> String {
    match crate::domain::EnvName::parse(raw) {
        Ok(n) if what.is_empty() => format!("opsdeck — {n}"),
        Ok(n) => format!("opsdeck — {n} {what}"),
        Err(_) => "opsdeck — not found".to_owned(),
    }
}
