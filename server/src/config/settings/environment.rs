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
