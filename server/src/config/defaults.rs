//! Settings that come from nowhere else: where the built site is, and the demo's configuration
//! (and its sign-in).

use super::settings::*;
use app::domain::{Endpoint, EnvName};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

/// Where the built site is when the configuration does not say: `LEPTOS_SITE_ROOT` (cargo-leptos
/// sets it), else `target/site` under the current directory, else under the workspace this binary
/// was built from — so a development build works from any directory.
pub fn default_site_root() -> PathBuf {
    if let Some(root) = std::env::var_os("LEPTOS_SITE_ROOT") {
        return PathBuf::from(root);
    }
    let here = PathBuf::from("target/site");
    if here.join("pkg").is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

/// Settings that need no file: used by `opsdeck demo`, with the simulated environments' URLs.
pub fn demo_settings(
    listen: SocketAddr,
    envs: &[(EnvName, &str, Url)],
    database_url: Option<SecretString>,
) -> Settings {
    Settings {
        listen,
        public_url: None,
        allow_public_without_sign_in: false,
        site_root: default_site_root(),
        database_url,
        db_max_connections: 10,
        probe: ProbeSettings {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(4),
            ca_file: None,
            retention: Duration::from_secs(3 * 86_400),
        },
        thresholds: ThresholdSettings::default(),
        auth: Some(demo_auth()),
        notify: None,
        change: app::domain::actions::ChangeSettings::default(),
        limits: Limits::default(),
        incident: app::domain::incident::IncidentSettings::default(),
        terraform: None,
        routines: Default::default(),
        // The simulated log group answers instantly: read it often so the demo's counts move.
        logs: LogsSettings {
            refresh: Duration::from_secs(10),
            ..LogsSettings::default()
        },
        audit: AuditSettings::default(),
        github: GithubApiSettings {
            interval: Duration::from_secs(5),
            ..GithubApiSettings::default()
        },
        // The simulated AWS answers instantly: poll it often so the demo feels alive.
        aws: CloudSettings {
            ecs_interval: Duration::from_secs(10),
            metrics_interval: Duration::from_secs(15),
            load_balancer_interval: Duration::from_secs(15),
            backups_interval: Duration::from_secs(60),
            scheduled_tasks_interval: Duration::from_secs(10),
            ..CloudSettings::default()
        },
        environments: envs
            .iter()
            .map(|(name, label, base)| EnvironmentSettings {
                name: name.clone(),
                label: (*label).to_owned(),
                base_url: base.clone(),
                endpoints: [
                    (Endpoint::Health, "/api/v1/health/"),
                    (Endpoint::Ready, "/api/v1/health/ready"),
                    (Endpoint::Live, "/api/v1/health/live"),
                ]
                .into_iter()
                .filter_map(|(e, p)| base.join(p).ok().map(|u| (e, u)))
                .collect(),
                interval: Duration::from_secs(5),
                aws: Some(demo_aws(name)),
                database: None,
                logs: Some(EnvLogsSettings::runbook(
                    format!("/ecs/conflicto-backend-{name}"),
                    chrono_tz::UTC,
                )),
                github: Some(demo_deploy_workflow(name)),
            })
            .collect(),
    }
}

/// Sign-in for the demo and for a server without `[auth]`: the demo's ready-made people.
pub fn demo_auth() -> AuthSettings {
    let (users, grants) = crate::auth::demo::people();
    AuthSettings {
        idle_timeout: Duration::from_secs(30 * 60),
        lifetime: Duration::from_secs(12 * 3600),
        grants,
        demo_users: users,
        secure_cookies: false,
        oidc: None,
        github: None,
    }
}

/// The names the simulated AWS uses for one environment, following the runbook's
/// (`conflicto-prod-cluster`, `conflicto-prod-svc`, `conflicto-prod`, `conflicto-prod-alb`).
fn demo_aws(env: &EnvName) -> AwsSettings {
    AwsSettings {
        region: "us-east-1".into(),
        cluster: Some(format!("conflicto-{env}-cluster")),
        service: Some(format!("conflicto-{env}-svc")),
        container: Some("conflicto-backend".into()),
        db_instance: Some(format!("conflicto-{env}")),
        load_balancer: Some(format!("conflicto-{env}-alb")),
        log_group: Some(format!("/ecs/conflicto-backend-{env}")),
        endpoint_url: None,
        max_connections: None,
        scheduled_tasks: vec![format!("conflicto-{env}-nightly-report")],
    }
}

/// The simulated GitHub's repository and workflows, as in the runbook: prod deploys wait at the
/// `prod` environment's approval gate and must have been deployed to dev first.
fn demo_deploy_workflow(env: &EnvName) -> DeployWorkflowSettings {
    let prod = env.as_str() == "prod";
    DeployWorkflowSettings {
        repository: Some("tristanl-slalom/conflicto".into()),
        deploy_workflow: Some(
            if prod {
                "Deploy to Production"
            } else {
                "Deploy to Development"
            }
            .into(),
        ),
        approval_environment: prod.then(|| "prod".into()),
        rollback_workflow: Some("rollback.yml".into()),
        git_ref: Some("main".into()),
        rollback_environment_input: "environment".into(),
        rollback_version_input: "version".into(),
        tested_first_in: prod.then(|| EnvName::parse("dev").ok()).flatten(),
    }
}
