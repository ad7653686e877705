//! Typed settings, loaded once: defaults < TOML file < `OPSDECK__SECTION__KEY` environment
//! variables. The raw file is parsed into [`raw`] structs, then validated into [`Settings`], whose
//! fields are domain types: invalid values cannot exist past this module.

mod load;
mod raw;
mod settings;

pub use load::{default_site_root, demo_settings, load, load_str, ConfigError, ConfigIssue};
pub use settings::redact_url as redact;
pub use settings::{
    AwsSettings, EnvironmentSettings, GithubSettings, ProbeSettings, Settings, ThresholdSettings,
};
