//! Validated settings: what the rest of the server is given. Plain data, one file per section of
//! the configuration; whatever acts on them (sign-in, notifications, AWS calls) lives elsewhere.

mod auth;
mod aws;
mod describe;
mod environment;
mod github;
mod incident;
mod limits;
mod logs;
mod notify;
mod routines;
mod server;

pub use auth::{AuthSettings, GithubSignInSettings, OidcSettings};
pub use aws::{CallLimits, CloudSettings};
pub use environment::{
    AwsSettings, DatabaseDiagSettings, DeployWorkflowSettings, EnvironmentSettings,
};
pub use github::GithubApiSettings;
pub use incident::TerraformSettings;
pub use limits::{AuditSettings, Limits};
pub use logs::{default_search, EnvLogsSettings, LogsSettings, SearchSettings};
pub use notify::{NotifySettings, Templates};
pub use routines::{CheckSettings, FreezeWindow, RoutineSettings, WindowSpan};
pub use server::{public_without_sign_in, redact_url, ProbeSettings, ThresholdSettings};

use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub public_url: Option<Url>,
    /// opsdeck has no sign-in yet: listening beyond loopback needs this explicit opt-in
    /// (for a deployment behind an authenticating proxy).
    pub allow_public_without_sign_in: bool,
    /// Where the built site (`pkg/`: wasm, JS, CSS) is served from.
    pub site_root: PathBuf,
    /// `None`: use `DATABASE_URL`, or in demo mode a private cluster.
    pub database_url: Option<SecretString>,
    pub db_max_connections: u32,
    pub probe: ProbeSettings,
    pub thresholds: ThresholdSettings,
    pub environments: Vec<EnvironmentSettings>,
    /// `None`: no sign-in, everyone is an anonymous viewer (loopback or explicit opt-in only).
    pub auth: Option<AuthSettings>,
    pub aws: CloudSettings,
    pub github: GithubApiSettings,
    /// `None`: no notifications.
    pub notify: Option<NotifySettings>,
    pub change: app::domain::actions::ChangeSettings,
    pub limits: Limits,
    pub audit: AuditSettings,
    pub incident: app::domain::incident::IncidentSettings,
    /// Terraform's state lock table, where configured.
    pub terraform: Option<TerraformSettings>,
    /// `[gate]` and `[freeze]`: the pre-deploy checklist and change freezes.
    pub routines: RoutineSettings,
    /// `[logs]`: the budget and schedule of the log searches and tails.
    pub logs: LogsSettings,
}

impl Settings {
    /// The settings of the environment named `name`, if configured.
    pub fn environment(&self, name: &app::domain::EnvName) -> Option<&EnvironmentSettings> {
        self.environments.iter().find(|e| &e.name == name)
    }
}
