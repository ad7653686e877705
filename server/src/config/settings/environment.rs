//! `[[environments]]`: one environment's URL and health endpoints, its AWS resources and its
//! deploy workflows.

use app::domain::{Endpoint, EnvName};
use std::time::Duration;
use url::Url;

#[derive(Debug, Clone)]
pub struct EnvironmentSettings {
    pub name: EnvName,
    pub label: String,
    pub base_url: Url,
    pub endpoints: Vec<(Endpoint, Url)>,
    pub interval: Duration,
    pub aws: Option<AwsSettings>,
    pub github: Option<DeployWorkflowSettings>,
    /// `[environments.database]`: database diagnostics, where configured.
    pub database: Option<DatabaseDiagSettings>,
    /// Log searches over `aws.log_group`, where one is configured.
    pub logs: Option<super::EnvLogsSettings>,
}

/// How opsdeck reads what an environment's database is doing.
#[derive(Debug, Clone)]
pub struct DatabaseDiagSettings {
    /// From the environment variable `url_env` names; a monitoring role (pg_monitor) suffices.
    pub url: secrecy::SecretString,
    /// From `admin_url_env`: a role that may cancel and terminate sessions (pg_signal_backend),
    /// used only by approved change-control requests. `None`: those actions are not offered.
    pub admin_url: Option<secrecy::SecretString>,
    /// The application's migration table: `alembic_version`, or `schema.table`.
    pub migration_table: String,
    pub long_query_after: Duration,
    pub statement_timeout: Duration,
    /// Reads are shared: at most one per this interval, whoever looks.
    pub refresh: Duration,
}

impl DatabaseDiagSettings {
    /// The defaults for a URL: `alembic_version`, 30 s, 2 s, 5 s.
    pub fn new(url: secrecy::SecretString) -> Self {
        Self {
            url,
            admin_url: None,
            migration_table: "alembic_version".into(),
            long_query_after: Duration::from_secs(30),
            statement_timeout: Duration::from_secs(2),
            refresh: Duration::from_secs(5),
        }
    }
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
    /// ECS task families started on a schedule, whose failed runs the morning check reports.
    pub scheduled_tasks: Vec<String>,
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
