//! Validation: raw configuration in, [`Settings`] out, every problem collected with the path of
//! its field so one run of `opsdeck check-config` shows them all. This file holds the collector and
//! the order the sections are checked in (which is the order problems are reported in); each
//! section's rules live in a file of their own.

mod auth;
mod aws;
mod change;
mod checks;
mod database;
mod environment;
mod github;
mod incident;
mod limits;
mod logs;
mod notify;
mod routines;
mod server;

use super::issue::ConfigIssue;
use super::raw::{RawConfig, RawLevels};
use super::settings::{public_without_sign_in, Settings};
use app::domain::Thresholds;
use std::path::Path;
use std::time::Duration;

pub(super) struct Validator {
    pub(super) issues: Vec<ConfigIssue>,
    /// `[checks] time_zone`, the default for anything else that counts local time.
    pub(super) team_tz: chrono_tz::Tz,
}

impl Validator {
    fn issue(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            path: path.into(),
            message: message.into(),
        });
    }

    fn duration(
        &mut self,
        path: &str,
        raw: Option<&str>,
        default: Duration,
        min: Duration,
    ) -> Duration {
        let Some(raw) = raw else { return default };
        match humantime::parse_duration(raw) {
            Ok(d) if d < min => {
                self.issue(
                    path,
                    format!(
                        "{raw:?} is too short: at least {}",
                        humantime::format_duration(min)
                    ),
                );
                default
            }
            Ok(d) => d,
            Err(e) => {
                self.issue(
                    path,
                    format!("{raw:?} is not a duration ({e}); write e.g. \"10s\", \"2m\""),
                );
                default
            }
        }
    }

    fn levels(&mut self, path: &str, raw: Option<RawLevels>, default: Thresholds) -> Thresholds {
        let Some(raw) = raw else { return default };
        Thresholds::new(raw.warning, raw.critical).unwrap_or_else(|e| {
            self.issue(path, e.to_string());
            default
        })
    }

    pub(super) fn settings(&mut self, raw: RawConfig, base_dir: Option<&Path>) -> Settings {
        let server = self.server(raw.server);
        let (database_url, db_max_connections) = self.database(raw.database);
        let probe = self.probe(raw.probe, base_dir);
        let thresholds = self.thresholds(raw.thresholds);
        // Read ahead: environments' log searches count "overnight" in the team's time zone.
        if let Some(tz) = raw.checks.time_zone.as_deref().and_then(|t| t.parse().ok()) {
            self.team_tz = tz;
        }

        let auth = raw.auth.map(|a| self.auth(a, server.public_url.as_ref()));
        if let (Some(why), true) = (
            public_without_sign_in(server.listen, server.allow_public_without_sign_in),
            auth.is_some(),
        ) {
            // Sign-in is configured: listening beyond loopback is fine after all.
            self.issues
                .retain(|i| !(i.path == "server.listen" && i.message == why));
        }
        let environments = self.environments(raw.environments, &probe);

        let aws = self.cloud(raw.aws);
        let github = self.github_api(raw.github);
        let notify = raw
            .notify
            .and_then(|n| self.notify(n, server.public_url.as_ref()));
        let change = self.change(raw.change);
        let limits = self.limits(raw.limits);
        let (incident, terraform) = self.incident(raw.incident, raw.contacts, raw.support);
        let audit = self.audit(raw.audit);
        let mut routines = self.routines(raw.gate, raw.freeze);
        routines.watch = self.watch(raw.watch, aws.metrics_interval);
        routines.checks = self.checks(raw.checks);
        let logs = self.logs(raw.logs);
        // Last: it names other environments, which must all have been read.
        self.tested_first_in(&environments);
        Settings {
            logs,
            routines,
            incident,
            terraform,
            limits,
            audit,
            change,
            notify,
            github,
            aws,
            listen: server.listen,
            public_url: server.public_url,
            allow_public_without_sign_in: server.allow_public_without_sign_in,
            site_root: server.site_root,
            database_url,
            db_max_connections,
            probe,
            thresholds,
            environments,
            auth,
        }
    }
}
