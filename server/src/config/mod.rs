//! Typed settings, loaded once: defaults < TOML file < `OPSDECK__SECTION__KEY` environment
//! variables. The raw file is parsed into [`raw`] structs, then validated into [`Settings`], whose
//! fields are domain types: invalid values cannot exist past this module. The settings types are
//! plain data owned here (one file per section); the rooms that act on them — sign-in,
//! notifications, AWS calls — import them from here.

mod defaults;
mod issue;
mod load;
mod raw;
mod settings;
mod validate;

pub use defaults::{default_site_root, demo_auth, demo_settings};
pub use issue::{ConfigError, ConfigIssue};
pub use load::{load, load_str};
pub use settings::{default_search, public_without_sign_in, redact_url as redact};
pub use settings::{
    AuditSettings, AuthSettings, AwsSettings, CallLimits, CheckSettings, CloudSettings,
    DatabaseDiagSettings, DeployWorkflowSettings, EnvLogsSettings, EnvironmentSettings,
    FreezeWindow, GithubApiSettings, GithubSignInSettings, Limits, LogsSettings, NotifySettings,
    OidcSettings, ProbeSettings, RoutineSettings, SearchSettings, Settings, Templates,
    TerraformSettings, ThresholdSettings, WindowSpan,
};
