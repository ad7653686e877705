//! Typed settings, loaded once: defaults < TOML file < `OPSDECK__SECTION__KEY` environment
//! variables. The raw file is parsed into [`raw`] structs, then validated into [`Settings`], whose
//! fields are domain types: invalid values cannot exist past this module.

mod defaults;
mod issue;
mod load;
mod raw;
mod settings;
mod validate;

pub use defaults::{default_site_root, demo_settings};
pub use issue::{ConfigError, ConfigIssue};
pub use load::{load, load_str};
pub use settings::{public_without_sign_in, redact_url as redact};
pub use settings::{
    AwsSettings, CloudSettings, DeployWorkflowSettings, EnvironmentSettings, GithubApiSettings,
    ProbeSettings, Settings, ThresholdSettings,
};
