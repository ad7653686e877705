//! Loading: the file and the environment merged by figment, then handed to validation.

use super::issue::{ConfigError, ConfigIssue};
use super::raw::RawConfig;
use super::settings::Settings;
use super::validate::Validator;
use figment::providers::{Env, Format, Toml};
use figment::Figment;
use std::path::Path;

/// Load `path` (which must exist), overlay `OPSDECK__…` variables, and validate.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    if !path.is_file() {
        return Err(ConfigError {
            issues: vec![ConfigIssue {
                path: path.display().to_string(),
                message: "no such file (copy opsdeck.example.toml and edit it)".into(),
            }],
        });
    }
    let figment = Figment::new()
        .merge(Toml::file(path))
        .merge(Env::prefixed("OPSDECK__").split("__"));
    load_from(figment, path.parent())
}

/// Validate a configuration given as TOML text (used by tests and `opsdeck demo`).
pub fn load_str(toml: &str) -> Result<Settings, ConfigError> {
    load_from(Figment::new().merge(Toml::string(toml)), None)
}

fn load_from(figment: Figment, base_dir: Option<&Path>) -> Result<Settings, ConfigError> {
    let raw: RawConfig = figment.extract().map_err(|e| ConfigError {
        issues: e.into_iter().map(figment_issue).collect(),
    })?;
    let mut v = Validator {
        issues: Vec::new(),
        team_tz: chrono_tz::UTC,
    };
    let settings = v.settings(raw, base_dir);
    if v.issues.is_empty() {
        Ok(settings)
    } else {
        Err(ConfigError { issues: v.issues })
    }
}

fn figment_issue(e: figment::Error) -> ConfigIssue {
    let mut path = String::new();
    for part in &e.path {
        if part.parse::<usize>().is_ok() {
            path.push_str(&format!("[{part}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
        }
    }
    if path.is_empty() {
        path = "(file)".into();
    }
    ConfigIssue {
        path,
        message: e.kind.to_string(),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_checks;
#[cfg(test)]
mod tests_logs;
