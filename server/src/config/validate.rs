//! Validation: raw configuration in, [`Settings`] out, every problem collected with the path of
//! its field so one run of `opsdeck check-config` shows them all.

use super::defaults::default_site_root;
use super::load::ConfigIssue;
use super::raw::{
    RawAuth, RawAws, RawAwsGlobal, RawConfig, RawEnvironment, RawGithub, RawGithubAuth,
    RawGithubGlobal, RawLevels, RawOidc,
};
use super::settings::*;
use app::domain::{Endpoint, EnvName, Thresholds};
use secrecy::ExposeSecret;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

pub(super) struct Validator {
    pub(super) issues: Vec<ConfigIssue>,
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
        let listen = match raw.server.listen.as_deref() {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(s) => s.parse().unwrap_or_else(|e| {
                self.issue(
                    "server.listen",
                    format!("{s:?} is not an address like 127.0.0.1:3000 ({e})"),
                );
                SocketAddr::from(([127, 0, 0, 1], 3000))
            }),
        };
        let public_url = raw
            .server
            .public_url
            .as_deref()
            .and_then(|s| match Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
                Ok(_) => {
                    self.issue(
                        "server.public_url",
                        format!("{s:?} must be an http or https URL"),
                    );
                    None
                }
                Err(e) => {
                    self.issue("server.public_url", format!("{s:?} is not a URL ({e})"));
                    None
                }
            });
        let site_root = raw.server.site_root.unwrap_or_else(default_site_root);
        let allow_public_without_sign_in = raw.server.allow_public_without_sign_in.unwrap_or(false);
        if let Some(why) = public_without_sign_in(listen, allow_public_without_sign_in) {
            self.issue("server.listen", why);
        }

        if let Some(url) = &raw.database.url {
            let s = url.expose_secret();
            if !(s.starts_with("postgres://") || s.starts_with("postgresql://")) {
                self.issue(
                    "database.url",
                    "must start with postgres:// (value not shown: it may hold a password)",
                );
            }
        }
        let db_max_connections = raw.database.max_connections.unwrap_or(10);
        if db_max_connections == 0 {
            self.issue("database.max_connections", "must be at least 1");
        }

        let interval = self.duration(
            "probe.interval",
            raw.probe.interval.as_deref(),
            Duration::from_secs(10),
            Duration::from_secs(1),
        );
        let timeout = self.duration(
            "probe.timeout",
            raw.probe.timeout.as_deref(),
            Duration::from_secs(5),
            Duration::from_millis(100),
        );
        let retention = self.duration(
            "probe.retention",
            raw.probe.retention.as_deref(),
            Duration::from_secs(14 * 86_400),
            Duration::from_secs(86_400),
        );
        let ca_file = raw.probe.ca_file.map(|p| resolve(base_dir, p));
        if let Some(p) = &ca_file {
            if !p.is_file() {
                self.issue(
                    "probe.ca_file",
                    format!("{} does not exist or is not a file", p.display()),
                );
            }
        }

        let d = ThresholdSettings::default();
        let t = raw.thresholds;
        let thresholds = ThresholdSettings {
            response_time_ms: self.levels(
                "thresholds.response_time_ms",
                t.response_time_ms,
                d.response_time_ms,
            ),
            error_rate_percent: self.levels(
                "thresholds.error_rate_percent",
                t.error_rate_percent,
                d.error_rate_percent,
            ),
            cpu_percent: self.levels("thresholds.cpu_percent", t.cpu_percent, d.cpu_percent),
            memory_percent: self.levels(
                "thresholds.memory_percent",
                t.memory_percent,
                d.memory_percent,
            ),
            db_connections_percent: self.levels(
                "thresholds.db_connections_percent",
                t.db_connections_percent,
                d.db_connections_percent,
            ),
            storage_percent: self.levels(
                "thresholds.storage_percent",
                t.storage_percent,
                d.storage_percent,
            ),
        };

        let auth = raw.auth.map(|a| self.auth(a, public_url.as_ref()));
        if let (Some(why), true) = (
            public_without_sign_in(listen, allow_public_without_sign_in),
            auth.is_some(),
        ) {
            // Sign-in is configured: listening beyond loopback is fine after all.
            self.issues
                .retain(|i| !(i.path == "server.listen" && i.message == why));
        }
        if raw.environments.is_empty() {
            self.issue(
                "environments",
                "at least one [[environments]] entry is needed",
            );
        }
        let mut seen = HashSet::new();
        let environments = raw
            .environments
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

        let aws = self.cloud(raw.aws);
        let github = self.github_read(raw.github);
        let notify = raw.notify.and_then(|n| self.notify(n, public_url.as_ref()));
        let change = self.change(raw.change);
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
        Settings {
            change,
            notify,
            github,
            aws,
            listen,
            public_url,
            allow_public_without_sign_in,
            site_root,
            database_url: raw.database.url,
            db_max_connections: db_max_connections.max(1),
            probe: ProbeSettings {
                interval,
                timeout,
                ca_file,
                retention,
            },
            thresholds,
            environments,
            auth,
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
        let github = raw.github.map(|g| self.github(&p, g));
        Some(EnvironmentSettings {
            label: raw.label.unwrap_or_else(|| raw.name.clone()),
            name: name?,
            base_url: base_url?,
            endpoints,
            interval,
            aws,
            github,
        })
    }

    fn auth(&mut self, a: RawAuth, public_url: Option<&Url>) -> crate::auth::AuthSettings {
        use app::domain::{Grantee, Role, RoleGrants};
        let idle_timeout = self.duration(
            "auth.idle_timeout",
            a.idle_timeout.as_deref(),
            Duration::from_secs(30 * 60),
            Duration::from_secs(60),
        );
        let lifetime = self.duration(
            "auth.lifetime",
            a.lifetime.as_deref(),
            Duration::from_secs(12 * 3600),
            Duration::from_secs(300),
        );
        let mut grants = Vec::new();
        for (role, list) in [
            (Role::Viewer, a.viewer),
            (Role::Operator, a.operator),
            (Role::Approver, a.approver),
            (Role::Admin, a.admin),
        ] {
            let mut who = Vec::new();
            for (i, raw) in list.iter().enumerate() {
                match Grantee::parse(raw) {
                    Ok(g) => who.push(g),
                    Err(e) => self.issue(format!("auth.{}[{i}]", role.as_str()), e),
                }
            }
            grants.push((role, who));
        }
        if a.oidc.is_none() && a.github.is_none() {
            self.issue(
                "auth.oidc",
                "configure a sign-in method: [auth.oidc] (OpenID Connect) and/or [auth.github]",
            );
        }
        let oidc = a.oidc.and_then(|o| self.oidc(o, public_url));
        let github = a.github.and_then(|g| self.github_auth(g, public_url));
        crate::auth::AuthSettings {
            idle_timeout,
            lifetime,
            grants: RoleGrants(grants),
            demo_users: vec![],
            secure_cookies: public_url.is_some_and(|u| u.scheme() == "https"),
            oidc,
            github,
        }
    }

    fn github_auth(
        &mut self,
        g: RawGithubAuth,
        public_url: Option<&Url>,
    ) -> Option<crate::auth::github::GithubSettings> {
        let url = |v: &mut Self, field: &str, raw: Option<String>, default: &str| {
            let raw = raw.unwrap_or_else(|| default.to_owned());
            // A trailing slash makes `join` keep the path (GitHub Enterprise lives under /api/v3).
            let with_slash = if raw.ends_with('/') {
                raw.clone()
            } else {
                format!("{raw}/")
            };
            Url::parse(&with_slash)
                .map_err(|e| {
                    v.issue(
                        format!("auth.github.{field}"),
                        format!("{raw:?} is not a URL ({e})"),
                    )
                })
                .ok()
        };
        let web_url = url(self, "web_url", g.web_url, "https://github.com");
        let api_url = url(self, "api_url", g.api_url, "https://api.github.com");
        let secret = g.client_secret.or_else(|| {
            self.issue(
                "auth.github.client_secret",
                "is needed: set OPSDECK__AUTH__GITHUB__CLIENT_SECRET",
            );
            None
        });
        let key = match g
            .token_key
            .as_ref()
            .map(|k| crate::auth::token_key::TokenKey::from_base64(k.expose_secret()))
        {
            Some(Ok(k)) => Some(k),
            Some(Err(e)) => {
                self.issue("auth.github.token_key", e.to_string());
                None
            }
            None => {
                self.issue("auth.github.token_key", "is needed to keep people's GitHub tokens encrypted: set OPSDECK__AUTH__GITHUB__TOKEN_KEY");
                None
            }
        };
        let Some(public) = public_url else {
            self.issue(
                "server.public_url",
                "is needed for sign-in: GitHub redirects back to <public_url>/auth/github/callback",
            );
            return None;
        };
        Some(crate::auth::github::GithubSettings {
            client_id: g.client_id,
            client_secret: secret?,
            web_url: web_url?,
            api_url: api_url?,
            redirect_url: public.join("/auth/github/callback").ok()?,
            token_key: key?,
        })
    }

    fn oidc(&mut self, o: RawOidc, public_url: Option<&Url>) -> Option<crate::auth::OidcSettings> {
        let issuer = match Url::parse(&o.issuer) {
            Ok(u) if u.scheme() == "https" => Some(o.issuer.clone()),
            // Plain HTTP would let anyone on the path forge ID tokens: loopback (tests) only.
            Ok(u)
                if u.scheme() == "http"
                    && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) =>
            {
                Some(o.issuer.clone())
            }
            Ok(_) => {
                self.issue(
                    "auth.oidc.issuer",
                    format!("{:?} must be an https URL", o.issuer),
                );
                None
            }
            Err(e) => {
                self.issue(
                    "auth.oidc.issuer",
                    format!("{:?} is not a URL ({e})", o.issuer),
                );
                None
            }
        };
        if o.client_id.trim().is_empty() {
            self.issue("auth.oidc.client_id", "must not be empty");
        }
        let Some(public) = public_url else {
            self.issue("server.public_url", "is needed for sign-in: the provider redirects back to <public_url>/auth/oidc/callback");
            return None;
        };
        let redirect_url = public.join("/auth/oidc/callback").ok()?;
        let mut scopes = o
            .scopes
            .unwrap_or_else(|| vec!["openid".into(), "profile".into(), "email".into()]);
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        Some(crate::auth::OidcSettings {
            issuer: issuer?,
            client_id: o.client_id,
            client_secret: o.client_secret,
            label: o.label.unwrap_or_else(|| "single sign-on".into()),
            scopes,
            groups_claim: o.groups_claim.unwrap_or_else(|| "groups".into()),
            redirect_url,
        })
    }

    fn cloud(&mut self, a: RawAwsGlobal) -> CloudSettings {
        let d = CloudSettings::default();
        let every = |v: &mut Self, key: &str, raw: Option<String>, default: Duration| {
            v.duration(
                &format!("aws.{key}"),
                raw.as_deref(),
                default,
                Duration::from_secs(5),
            )
        };
        let ecs_interval = every(self, "ecs_interval", a.ecs_interval, d.ecs_interval);
        let metrics_interval = every(
            self,
            "metrics_interval",
            a.metrics_interval,
            d.metrics_interval,
        );
        let load_balancer_interval = every(
            self,
            "load_balancer_interval",
            a.load_balancer_interval,
            d.load_balancer_interval,
        );
        let backups_interval = every(
            self,
            "backups_interval",
            a.backups_interval,
            d.backups_interval,
        );
        let backup_overdue_after = self.duration(
            "aws.backup_overdue_after",
            a.backup_overdue_after.as_deref(),
            d.backup_overdue_after,
            Duration::from_secs(3600),
        );
        let response_time_statistic = match a.response_time_statistic {
            None => d.response_time_statistic,
            Some(s) if valid_statistic(&s) => s,
            Some(s) => {
                self.issue(
                    "aws.response_time_statistic",
                    format!("{s:?} is not a CloudWatch statistic: use Average, Maximum, Minimum or a percentile like p95 or p99.9"),
                );
                d.response_time_statistic
            }
        };
        let ms = Duration::from_millis(100);
        let mut limits = d.limits;
        limits.connect = self.duration(
            "aws.connect_timeout",
            a.connect_timeout.as_deref(),
            limits.connect,
            ms,
        );
        limits.attempt = self.duration(
            "aws.attempt_timeout",
            a.attempt_timeout.as_deref(),
            limits.attempt,
            ms,
        );
        limits.operation = self.duration(
            "aws.operation_timeout",
            a.operation_timeout.as_deref(),
            limits.operation,
            ms,
        );
        limits.read = limits.attempt;
        if limits.attempt > limits.operation {
            self.issue(
                "aws.attempt_timeout",
                "must not be longer than aws.operation_timeout",
            );
        }
        match a.max_attempts {
            None => {}
            Some(n @ 1..=10) => limits.max_attempts = n,
            Some(n) => self.issue("aws.max_attempts", format!("{n} is out of range: 1 to 10")),
        }
        CloudSettings {
            ecs_interval,
            metrics_interval,
            load_balancer_interval,
            backups_interval,
            backup_overdue_after,
            response_time_statistic,
            limits,
        }
    }

    fn change(&mut self, c: super::raw::RawChange) -> app::domain::actions::ChangeSettings {
        use app::domain::actions::{ActionKind, ChangeSettings};
        let mut out = ChangeSettings::default();
        if let Some(n) = c.max_tasks {
            if n == 0 || n > 1000 {
                self.issue(
                    "change.max_tasks",
                    format!("{n} is out of range: 1 to 1000"),
                );
            } else {
                out.max_tasks = n;
            }
        }
        for (name, p) in c.policy {
            let path = format!("change.policy.{name}");
            let Some(kind) = ActionKind::parse(&name) else {
                let known: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
                self.issue(
                    path,
                    format!("unknown action; use one of {}", known.join(", ")),
                );
                continue;
            };
            let mut policy = out.policy(kind);
            if let Some(a) = p.approvals {
                if a == 0 || a > 10 {
                    self.issue(
                        format!("{path}.approvals"),
                        format!("{a} is out of range: 1 to 10"),
                    );
                } else {
                    policy.approvals = a;
                }
            }
            if let Some(r) = p.requester_may_approve {
                policy.requester_may_approve = r;
            }
            let expiry = self.duration(
                &format!("{path}.expires_after"),
                p.expires_after.as_deref(),
                Duration::from_secs(u64::try_from(policy.expires_after_s).unwrap_or(1800)),
                Duration::from_secs(60),
            );
            policy.expires_after_s = i64::try_from(expiry.as_secs()).unwrap_or(1800);
            if let Some(slot) = out.policies.iter_mut().find(|(k, _)| *k == kind) {
                slot.1 = policy;
            }
        }
        out
    }

    fn notify(
        &mut self,
        n: super::raw::RawNotify,
        public_url: Option<&Url>,
    ) -> Option<crate::actions::notify::NotifySettings> {
        use crate::actions::notify::{NotifySettings, Templates};
        let Some(url) = n.webhook_url else {
            self.issue(
                "notify.webhook_url",
                "is required: set OPSDECK__NOTIFY__WEBHOOK_URL (it is a secret, so not in the file)",
            );
            return None;
        };
        match Url::parse(url.expose_secret()) {
            Ok(u) if u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)) => {}
            _ => {
                self.issue(
                    "notify.webhook_url",
                    "must be an https URL (http only on loopback); value not shown",
                );
                return None;
            }
        }
        let d = Templates::default();
        let t = |v: &mut Self, key: &str, raw: Option<String>, default: String| match raw {
            Some(s) if s.trim().is_empty() => {
                v.issue(
                    format!("notify.{key}"),
                    "an empty template would send empty messages",
                );
                default
            }
            Some(s) => s,
            None => default,
        };
        let templates = Templates {
            requested: t(self, "requested", n.requested, d.requested),
            decided: t(self, "decided", n.decided, d.decided),
            outcome: t(self, "outcome", n.outcome, d.outcome),
        };
        Some(NotifySettings {
            webhook_url: url,
            templates,
            public_url: public_url.cloned(),
        })
    }

    fn github_read(&mut self, g: RawGithubGlobal) -> GithubReadSettings {
        let d = GithubReadSettings::default();
        let api_url = match g.api_url {
            None => d.api_url,
            Some(raw) => {
                let with_slash = if raw.ends_with('/') {
                    raw.clone()
                } else {
                    format!("{raw}/")
                };
                match Url::parse(&with_slash) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => u,
                    _ => {
                        self.issue("github.api_url", format!("{raw:?} is not an http(s) URL"));
                        d.api_url
                    }
                }
            }
        };
        let interval = self.duration(
            "github.interval",
            g.interval.as_deref(),
            d.interval,
            Duration::from_secs(5),
        );
        let timeout = self.duration(
            "github.timeout",
            g.timeout.as_deref(),
            d.timeout,
            Duration::from_millis(100),
        );
        GithubReadSettings {
            api_url,
            token: g.token,
            interval,
            timeout,
        }
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
        if a.cluster.is_some() != a.service.is_some() {
            self.issue(
                format!("{p}.aws"),
                "cluster and service go together: set both or neither",
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
        AwsSettings {
            region,
            max_connections: a.max_connections,
            cluster: a.cluster,
            service: a.service,
            container: a.container,
            db_instance: a.db_instance,
            load_balancer: a.load_balancer,
            log_group: a.log_group,
            endpoint_url,
        }
    }

    fn github(&mut self, p: &str, g: RawGithub) -> GithubSettings {
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
        GithubSettings {
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

/// CloudWatch's statistics opsdeck accepts: the plain ones and percentiles `p0`–`p100`.
fn valid_statistic(s: &str) -> bool {
    matches!(s, "Average" | "Maximum" | "Minimum")
        || s.strip_prefix('p')
            .and_then(|n| n.parse::<f64>().ok())
            .is_some_and(|n| (0.0..=100.0).contains(&n))
}

fn resolve(base: Option<&Path>, p: PathBuf) -> PathBuf {
    match base {
        Some(b) if p.is_relative() && !b.as_os_str().is_empty() => b.join(p),
        _ => p,
    }
}

fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}
