//! The `[[environments]]` entries: name, URL and health paths, and each one's `aws` and `github`
//! tables; then the rules between environments.

use super::super::raw::{RawAws, RawDeployWorkflow, RawEnvironment};
use super::super::settings::{
    AwsSettings, DeployWorkflowSettings, EnvironmentSettings, ProbeSettings,
};
use super::Validator;
use app::domain::{Endpoint, EnvName};
use std::collections::HashSet;
use std::time::Duration;
use url::Url;

impl Validator {
    /// Every environment, each at most once, each probed less often than a probe may take.
    pub(super) fn environments(
        &mut self,
        raw: Vec<RawEnvironment>,
        probe: &ProbeSettings,
    ) -> Vec<EnvironmentSettings> {
        let (interval, timeout) = (probe.interval, probe.timeout);
        if raw.is_empty() {
            self.issue(
                "environments",
                "at least one [[environments]] entry is needed",
            );
        }
        let mut seen = HashSet::new();
        let environments = raw
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| self.environment(i, e, interval, &mut seen))
            .collect::<Vec<_>>();
        for (i, e) in environments.iter().enumerate() {
            if timeout >= e.interval {
                self.issue(
                    format!("environments[{i}].probe_interval"),
                    format!(
                        "must be longer than probe.timeout ({})",
                        humantime::format_duration(timeout)
                    ),
                );
            }
        }
        environments
    }

    /// A deploy that must first have succeeded elsewhere names an environment that deploys.
    pub(super) fn tested_first_in(&mut self, environments: &[EnvironmentSettings]) {
        for (i, e) in environments.iter().enumerate() {
            let other = e.github.as_ref().and_then(|g| g.tested_first_in.as_ref());
            if let Some(other) = other {
                let ok = environments.iter().any(|o| {
                    &o.name == other
                        && o.github
                            .as_ref()
                            .is_some_and(|g| g.deploy_workflow.is_some())
                });
                if !ok {
                    self.issue(
                        format!("environments[{i}].github.tested_first_in"),
                        format!("{other:?} is not an environment with a github.deploy_workflow"),
                    );
                }
            }
        }
    }

    fn environment(
        &mut self,
        i: usize,
        raw: RawEnvironment,
        interval: Duration,
        seen: &mut HashSet<String>,
    ) -> Option<EnvironmentSettings> {
        let p = format!("environments[{i}]");
        let name = match EnvName::parse(&raw.name) {
            Ok(n) => Some(n),
            Err(e) => {
                self.issue(format!("{p}.name"), e.to_string());
                None
            }
        };
        if let Some(n) = &name {
            if !seen.insert(n.to_string()) {
                self.issue(
                    format!("{p}.name"),
                    format!("{:?} is used by an earlier environment", n.as_str()),
                );
            }
        }
        let base_url = match Url::parse(&raw.url) {
            Ok(u) if !matches!(u.scheme(), "http" | "https") => {
                self.issue(
                    format!("{p}.url"),
                    format!("{:?} must be http or https", raw.url),
                );
                None
            }
            Ok(u) if u.host().is_none() => {
                self.issue(format!("{p}.url"), format!("{:?} has no host", raw.url));
                None
            }
            Ok(u) if !u.username().is_empty() || u.password().is_some() => {
                // Not echoed: it holds a credential. Probes send none, and URLs are shown on pages.
                self.issue(
                    format!("{p}.url"),
                    "must not contain a user name or password (probes send no credentials, and the URL is shown on pages)",
                );
                None
            }
            Ok(u) => Some(u),
            Err(e) => {
                self.issue(
                    format!("{p}.url"),
                    format!("{:?} is not a URL ({e})", raw.url),
                );
                None
            }
        };
        let paths = [
            (Endpoint::Health, raw.health.health, "/api/v1/health/"),
            (Endpoint::Ready, raw.health.ready, "/api/v1/health/ready"),
            (Endpoint::Live, raw.health.live, "/api/v1/health/live"),
        ];
        let mut endpoints = Vec::new();
        for (ep, path, default) in paths {
            let path = path.unwrap_or_else(|| default.to_owned());
            if !path.starts_with('/') {
                self.issue(
                    format!("{p}.health.{}", ep.as_str()),
                    format!("{path:?} must be a path starting with '/'"),
                );
                continue;
            }
            if let Some(base) = &base_url {
                match base.join(&path) {
                    Ok(u) => endpoints.push((ep, u)),
                    Err(e) => self.issue(
                        format!("{p}.health.{}", ep.as_str()),
                        format!("{path:?}: {e}"),
                    ),
                }
            }
        }
        let interval = self.duration(
            &format!("{p}.probe_interval"),
            raw.probe_interval.as_deref(),
            interval,
            Duration::from_secs(1),
        );
        let aws = raw.aws.map(|a| self.aws(&p, a));
        let github = raw.github.map(|g| self.deploy_workflow(&p, g));
        let database = raw.database.and_then(|d| self.database_diag(&p, d));
        let logs = self.env_logs(&p, aws.as_ref(), raw.logs);
        Some(EnvironmentSettings {
            label: raw.label.unwrap_or_else(|| raw.name.clone()),
            name: name?,
            base_url: base_url?,
            endpoints,
            interval,
            aws,
            github,
            database,
            logs,
        })
    }

    fn aws(&mut self, p: &str, a: RawAws) -> AwsSettings {
        let endpoint_url = a.endpoint_url.as_deref().and_then(|s| {
            Url::parse(s)
                .map_err(|e| {
                    self.issue(
                        format!("{p}.aws.endpoint_url"),
                        format!("{s:?} is not a URL ({e})"),
                    )
                })
                .ok()
        });
        let region = match a.region {
            Some(r) => {
                let ok = !r.is_empty()
                    && r.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !ok {
                    self.issue(
                        format!("{p}.aws.region"),
                        format!("{r:?} is not an AWS region name like us-east-1"),
                    );
                }
                r
            }
            None => {
                self.issue(
                    format!("{p}.aws.region"),
                    "is required (API calls and console links need it), e.g. \"us-east-1\"",
                );
                String::new()
            }
        };
        // A cluster alone is fine when it only runs scheduled tasks.
        let tasks_only =
            a.service.is_none() && a.scheduled_tasks.as_ref().is_some_and(|t| !t.is_empty());
        if a.cluster.is_some() != a.service.is_some() && !tasks_only {
            self.issue(
                format!("{p}.aws"),
                "cluster and service go together (a cluster alone only with scheduled_tasks): set both or neither",
            );
        }
        if a.max_connections == Some(0) {
            self.issue(format!("{p}.aws.max_connections"), "must be at least 1");
        }
        for (key, value) in [
            ("cluster", &a.cluster),
            ("service", &a.service),
            ("container", &a.container),
            ("db_instance", &a.db_instance),
            ("load_balancer", &a.load_balancer),
        ] {
            if let Some(v) = value {
                if v.is_empty()
                    || v.len() > 255
                    || v.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    self.issue(
                        format!("{p}.aws.{key}"),
                        format!("{v:?} is not an AWS resource name"),
                    );
                }
            }
        }
        let scheduled_tasks = a.scheduled_tasks.unwrap_or_default();
        for (i, family) in scheduled_tasks.iter().enumerate() {
            // ECS family names: letters, digits, hyphens and underscores, up to 255.
            let ok = !family.is_empty()
                && family.len() <= 255
                && family
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                self.issue(
                    format!("{p}.aws.scheduled_tasks[{i}]"),
                    format!("{family:?} is not an ECS task family (letters, digits, - and _)"),
                );
            }
        }
        if !scheduled_tasks.is_empty() && a.cluster.is_none() {
            self.issue(
                format!("{p}.aws.scheduled_tasks"),
                "scheduled tasks are read from a cluster: set aws.cluster too",
            );
        }
        AwsSettings {
            region,
            max_connections: a.max_connections,
            scheduled_tasks,
            cluster: a.cluster,
            service: a.service,
            container: a.container,
            db_instance: a.db_instance,
            load_balancer: a.load_balancer,
            log_group: a.log_group,
            endpoint_url,
        }
    }

    fn deploy_workflow(&mut self, p: &str, g: RawDeployWorkflow) -> DeployWorkflowSettings {
        if let Some(repo) = &g.repository {
            let parts: Vec<&str> = repo.split('/').collect();
            if parts.len() != 2 || parts.iter().any(|s| s.is_empty()) {
                self.issue(
                    format!("{p}.github.repository"),
                    format!("{repo:?} must be owner/name"),
                );
            }
        }
        let tested_first_in = g.tested_first_in.and_then(|n| {
            EnvName::parse(&n)
                .map_err(|e| self.issue(format!("{p}.github.tested_first_in"), e.to_string()))
                .ok()
        });
        DeployWorkflowSettings {
            repository: g.repository,
            deploy_workflow: g.deploy_workflow,
            approval_environment: g.approval_environment,
            rollback_workflow: g.rollback_workflow,
            git_ref: g.git_ref,
            rollback_environment_input: g
                .rollback_environment_input
                .unwrap_or_else(|| "environment".into()),
            rollback_version_input: g.rollback_version_input.unwrap_or_else(|| "version".into()),
            tested_first_in,
        }
    }
}
