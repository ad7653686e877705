//! Validated settings: what the rest of the server is given.

use app::domain::{Endpoint, EnvName, Thresholds};
use secrecy::{ExposeSecret, SecretString};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
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
    pub auth: Option<crate::auth::AuthSettings>,
    pub aws: CloudSettings,
    pub github: GithubApiSettings,
    /// `None`: no notifications.
    pub notify: Option<crate::actions::notify::NotifySettings>,
    pub change: app::domain::actions::ChangeSettings,
}

/// `[github]`: how the deploy panels read GitHub with the server's token — not the sign-in app
/// ([`crate::auth::github::GithubSignInSettings`]) nor one environment's workflows
/// ([`DeployWorkflowSettings`]).
#[derive(Debug, Clone)]
pub struct GithubApiSettings {
    pub api_url: Url,
    /// The server's token for reads; `None`: anonymous (public repositories, 60 requests/hour).
    pub token: Option<SecretString>,
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for GithubApiSettings {
    fn default() -> Self {
        Self {
            api_url: Url::parse("https://api.github.com/").unwrap_or_else(|_| unreachable!()),
            token: None,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

/// How often each AWS source is polled and how every call is bounded.
#[derive(Debug, Clone)]
pub struct CloudSettings {
    pub ecs_interval: Duration,
    pub metrics_interval: Duration,
    pub load_balancer_interval: Duration,
    pub backups_interval: Duration,
    /// The newest completed automated snapshot may be at most this old.
    pub backup_overdue_after: Duration,
    /// CloudWatch statistic for TargetResponseTime: Average, Maximum or a percentile like p95.
    pub response_time_statistic: String,
    pub limits: crate::aws::CallLimits,
}

impl Default for CloudSettings {
    fn default() -> Self {
        Self {
            ecs_interval: Duration::from_secs(30),
            metrics_interval: Duration::from_secs(60),
            load_balancer_interval: Duration::from_secs(60),
            backups_interval: Duration::from_secs(300),
            backup_overdue_after: Duration::from_secs(26 * 3600),
            response_time_statistic: "p95".into(),
            limits: crate::aws::CallLimits::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub interval: Duration,
    pub timeout: Duration,
    pub ca_file: Option<PathBuf>,
    pub retention: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct ThresholdSettings {
    pub response_time_ms: Thresholds,
    pub error_rate_percent: Thresholds,
    pub cpu_percent: Thresholds,
    pub memory_percent: Thresholds,
    pub db_connections_percent: Thresholds,
    /// Share of the database's allocated storage in use (not in the runbook: 80 % / 90 %).
    pub storage_percent: Thresholds,
}

impl ThresholdSettings {
    /// The levels a metric is judged by.
    pub fn for_metric(&self, kind: app::domain::cloud::MetricKind) -> Thresholds {
        use app::domain::cloud::MetricKind as K;
        match kind {
            K::ResponseTime => self.response_time_ms,
            K::ErrorRate => self.error_rate_percent,
            K::EcsCpu | K::RdsCpu => self.cpu_percent,
            K::EcsMemory => self.memory_percent,
            K::DbConnections => self.db_connections_percent,
            K::RdsStorageUsed => self.storage_percent,
        }
    }
}

impl Default for ThresholdSettings {
    /// The runbook's "Critical Metrics Thresholds".
    fn default() -> Self {
        let t = |w, c| {
            Thresholds::new(w, c).unwrap_or_else(|_| unreachable!("runbook levels are ordered"))
        };
        Self {
            response_time_ms: t(2000.0, 5000.0),
            error_rate_percent: t(1.0, 5.0),
            cpu_percent: t(70.0, 90.0),
            memory_percent: t(80.0, 95.0),
            db_connections_percent: t(70.0, 90.0),
            storage_percent: t(80.0, 90.0),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EnvironmentSettings {
    pub name: EnvName,
    pub label: String,
    pub base_url: Url,
    pub endpoints: Vec<(Endpoint, Url)>,
    pub interval: Duration,
    pub aws: Option<AwsSettings>,
    pub github: Option<DeployWorkflowSettings>,
}

impl EnvironmentSettings {
    /// The host to check in DNS, or `None` when the URL holds an IP address.
    pub fn dns_host(&self) -> Option<String> {
        match self.base_url.host() {
            Some(url::Host::Domain(d)) => Some(d.to_owned()),
            _ => None,
        }
    }
}

/// The AWS resources of one environment. Credentials come from the default chain, never from here.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub region: String,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub container: Option<String>,
    pub db_instance: Option<String>,
    pub load_balancer: Option<String>,
    pub log_group: Option<String>,
    pub endpoint_url: Option<Url>,
    /// The database's max_connections when the instance class's default does not apply.
    pub max_connections: Option<u32>,
}

impl AwsSettings {
    pub fn has_ecs(&self) -> bool {
        self.cluster.is_some() && self.service.is_some()
    }

    pub fn has_metrics(&self) -> bool {
        self.has_ecs() || self.load_balancer.is_some() || self.db_instance.is_some()
    }
}

/// `[environments.github]`: one environment's deploy and rollback workflows on GitHub Actions.
#[derive(Debug, Clone, Default)]
pub struct DeployWorkflowSettings {
    pub repository: Option<String>,
    pub deploy_workflow: Option<String>,
    /// The protected GitHub environment whose approval gate the deploy waits at.
    pub approval_environment: Option<String>,
    pub rollback_workflow: Option<String>,
    pub git_ref: Option<String>,
    pub rollback_environment_input: String,
    pub rollback_version_input: String,
    pub tested_first_in: Option<EnvName>,
}

/// Query parameters of a Postgres URL that carry secrets.
const SECRET_PARAMS: [&str; 3] = ["password", "sslpassword", "passfile"];

/// A database URL with the password (in the user part or the query) replaced, safe to print.
pub fn redact_url(url: &SecretString) -> String {
    let Ok(mut u) = Url::parse(url.expose_secret()) else {
        return "(unparseable URL, not shown)".into();
    };
    if u.password().is_some() {
        let _ = u.set_password(Some("*****"));
    }
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let secret = SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str());
            (
                k.into_owned(),
                if secret {
                    "*****".to_owned()
                } else {
                    v.into_owned()
                },
            )
        })
        .collect();
    if !pairs.is_empty() {
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Whether `listen` is reachable from other machines while opsdeck has no sign-in.
pub fn public_without_sign_in(listen: std::net::SocketAddr, allowed: bool) -> Option<String> {
    (!listen.ip().is_loopback() && !allowed).then(|| {
        format!(
            "{listen} is reachable from other machines, and opsdeck has no sign-in yet: listen on \
             loopback behind an authenticating proxy, or set server.allow_public_without_sign_in = true"
        )
    })
}

impl Settings {
    /// What `opsdeck check-config` prints: everything resolved, no secret.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "listen: {}", self.listen);
        if let Some(u) = &self.public_url {
            let _ = writeln!(s, "public_url: {u}");
        }
        let _ = writeln!(s, "site_root: {}", self.site_root.display());
        let db = match &self.database_url {
            Some(url) => redact_url(url),
            None => "from DATABASE_URL at start".into(),
        };
        let _ = writeln!(
            s,
            "database: {db} (max {} connections)",
            self.db_max_connections
        );
        let _ = writeln!(
            s,
            "probe: every {}, timeout {}, keep samples {}{}",
            humantime::format_duration(self.probe.interval),
            humantime::format_duration(self.probe.timeout),
            humantime::format_duration(self.probe.retention),
            self.probe
                .ca_file
                .as_ref()
                .map(|p| format!(", extra CA {}", p.display()))
                .unwrap_or_default()
        );
        let t = &self.thresholds;
        for (name, v) in [
            ("response_time_ms", t.response_time_ms),
            ("error_rate_percent", t.error_rate_percent),
            ("cpu_percent", t.cpu_percent),
            ("memory_percent", t.memory_percent),
            ("db_connections_percent", t.db_connections_percent),
        ] {
            let _ = writeln!(
                s,
                "threshold {name}: warning > {}, critical > {}",
                v.warning(),
                v.critical()
            );
        }
        match &self.auth {
            None => {
                let _ = writeln!(s, "sign-in: none (everyone is an anonymous viewer)");
            }
            Some(a) => {
                let oidc = a
                    .oidc
                    .as_ref()
                    .map(|o| {
                        format!(
                            "OpenID Connect at {} as {:?} ({})",
                            o.issuer, o.client_id, o.label
                        )
                    })
                    .into_iter()
                    .chain(
                        a.github
                            .as_ref()
                            .map(|g| format!("GitHub ({}) as {:?}", g.web_url, g.client_id)),
                    )
                    .collect::<Vec<_>>();
                let oidc = if oidc.is_empty() {
                    "demo people".to_owned()
                } else {
                    oidc.join(" and ")
                };
                let secret = match a.oidc.as_ref().and_then(|o| o.client_secret.as_ref()) {
                    Some(_) => ", client secret set",
                    None => ", no client secret",
                };
                let _ = writeln!(
                    s,
                    "sign-in: {oidc}{secret}; sessions end after {} idle, {} in all",
                    humantime::format_duration(a.idle_timeout),
                    humantime::format_duration(a.lifetime)
                );
            }
        }
        let a = &self.aws;
        let _ = writeln!(
            s,
            "aws: ECS every {}, metrics every {}, load balancer every {}, backups every {} (overdue after {}), response time {}, calls bounded at {} with {} attempts",
            humantime::format_duration(a.ecs_interval),
            humantime::format_duration(a.metrics_interval),
            humantime::format_duration(a.load_balancer_interval),
            humantime::format_duration(a.backups_interval),
            humantime::format_duration(a.backup_overdue_after),
            a.response_time_statistic,
            humantime::format_duration(a.limits.operation),
            a.limits.max_attempts
        );
        for e in &self.environments {
            let _ = writeln!(
                s,
                "environment {} ({}): {} every {}",
                e.name,
                e.label,
                e.base_url,
                humantime::format_duration(e.interval)
            );
            for (ep, url) in &e.endpoints {
                let _ = writeln!(s, "  {}: {url}", ep.as_str());
            }
            if let Some(a) = &e.aws {
                let _ = writeln!(
                    s,
                    "  aws: region {} cluster {} service {} db {} load balancer {}{}",
                    a.region,
                    a.cluster.as_deref().unwrap_or("-"),
                    a.service.as_deref().unwrap_or("-"),
                    a.db_instance.as_deref().unwrap_or("-"),
                    a.load_balancer.as_deref().unwrap_or("-"),
                    a.endpoint_url
                        .as_ref()
                        .map(|u| format!(" via {u}"))
                        .unwrap_or_default()
                );
            }
            if let Some(g) = &e.github {
                let _ = writeln!(
                    s,
                    "  github: {} workflow {:?}",
                    g.repository.as_deref().unwrap_or("-"),
                    g.deploy_workflow.as_deref().unwrap_or("-")
                );
            }
        }
        s
    }
}
