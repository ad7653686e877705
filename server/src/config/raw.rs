//! The configuration file exactly as written. Unknown keys are refused so a typo is reported
//! instead of silently ignored.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

mod logs;
pub use logs::{RawEnvLogs, RawLogsGlobal, RawSearch};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub database: RawDatabase,
    #[serde(default)]
    pub probe: RawProbe,
    #[serde(default)]
    pub thresholds: RawThresholds,
    #[serde(default)]
    pub environments: Vec<RawEnvironment>,
    pub auth: Option<RawAuth>,
    #[serde(default)]
    pub aws: RawAwsGlobal,
    #[serde(default)]
    pub github: RawGithubApi,
    pub notify: Option<RawNotify>,
    #[serde(default)]
    pub change: RawChange,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub audit: RawAudit,
    #[serde(default)]
    pub incident: RawIncident,
    #[serde(default)]
    pub contacts: Vec<RawContact>,
    #[serde(default)]
    pub support: Vec<RawSupport>,
    #[serde(default)]
    pub gate: RawGate,
    #[serde(default)]
    pub freeze: RawFreeze,
    #[serde(default)]
    pub watch: RawWatch,
    #[serde(default)]
    pub checks: RawChecks,
    #[serde(default)]
    pub logs: RawLogsGlobal,
}

/// `[checks]`: when the routine checks are due, the maintenance window, the weekly list.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawChecks {
    pub time_zone: Option<String>,
    pub working_days: Option<Vec<String>>,
    /// "09:30": remind when nobody has signed the morning check off by then on a working day.
    pub morning_by: Option<String>,
    /// "Sun 02:00-04:00", in `time_zone`.
    pub maintenance_window: Option<String>,
    /// How recent the last restore drill must be ("30d").
    pub restore_drill_within: Option<String>,
    /// The weekly check's items a person ticks.
    pub weekly_manual: Option<Vec<String>>,
}

/// `[watch]`: the post-deploy watch.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawWatch {
    pub duration: Option<String>,
    /// Percentage points.
    pub error_rate_margin: Option<f64>,
    /// Percent.
    pub response_time_margin_percent: Option<f64>,
}

/// `[gate]`: the pre-deploy checklist.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub require_tested_first: Option<bool>,
    /// How often approvers are reminded of a run still waiting ("30m").
    pub remind_every: Option<String>,
    pub migration_paths: Option<Vec<String>>,
}

/// `[freeze]`: change freezes from configuration.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawFreeze {
    #[serde(default)]
    pub windows: Vec<RawFreezeWindow>,
}

/// `[[freeze.windows]]`: `from`/`to` as "Fri 16:00" (every week) or "2026-12-23 00:00" (once).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFreezeWindow {
    pub name: String,
    pub from: String,
    pub to: String,
    pub time_zone: Option<String>,
    pub reason: Option<String>,
}

/// `[incident]`: when opsdeck proposes or declares one, the escalation matrix, what "changed
/// recently" reads.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawIncident {
    pub propose_after_probes: Option<u32>,
    pub auto_declare: Option<bool>,
    pub infrastructure_path: Option<String>,
    pub escalation: Option<Vec<RawStep>>,
    pub terraform: Option<RawTerraform>,
}

/// `[[incident.escalation]]`: due `after` the start, what to do, whom to contact.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub after: String,
    #[serde(rename = "do")]
    pub what: String,
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub support: Vec<String>,
}

/// `[incident.terraform]`: the S3 backend's DynamoDB lock table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerraform {
    pub region: String,
    pub table: String,
    /// `bucket/key` of the state, as the lock's `LockID` names it.
    pub state: String,
    pub endpoint_url: Option<String>,
}

/// `[[contacts]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub slack: Option<String>,
    pub email: Option<String>,
}

/// `[[support]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupport {
    pub name: String,
    pub url: String,
}

/// `[limits]`: per-client and overall limits, and housekeeping intervals.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub sign_in_attempts_per_minute: Option<u32>,
    pub trust_forwarded_for: Option<bool>,
    pub max_live_streams: Option<u32>,
    pub live_streams_per_session: Option<u32>,
    pub failure_summary_every: Option<String>,
    pub sweep_sessions_every: Option<String>,
}

/// `[audit]`: publishing the audit log's head.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    pub publish_head_every: Option<String>,
}

/// Change-control policy: `[change]` and `[change.policy.<kind>]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub max_tasks: Option<u32>,
    #[serde(default)]
    pub policy: std::collections::BTreeMap<String, RawPolicy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub approvals: Option<u32>,
    pub requester_may_approve: Option<bool>,
    pub expires_after: Option<String>,
}

/// Slack-compatible webhook for change-control notifications.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    /// A secret: from OPSDECK__NOTIFY__WEBHOOK_URL, never from the file.
    pub webhook_url: Option<SecretString>,
    pub requested: Option<String>,
    pub decided: Option<String>,
    pub outcome: Option<String>,
}

/// `[github]`: how opsdeck reads GitHub, for every environment.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawGithubApi {
    pub api_url: Option<String>,
    /// The server's read token; from OPSDECK__GITHUB__TOKEN, never from the file.
    pub token: Option<SecretString>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
}

/// How opsdeck calls AWS, for every environment.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAwsGlobal {
    pub ecs_interval: Option<String>,
    pub metrics_interval: Option<String>,
    pub load_balancer_interval: Option<String>,
    pub backups_interval: Option<String>,
    pub scheduled_tasks_interval: Option<String>,
    pub backup_overdue_after: Option<String>,
    pub response_time_statistic: Option<String>,
    pub connect_timeout: Option<String>,
    pub attempt_timeout: Option<String>,
    pub operation_timeout: Option<String>,
    pub max_attempts: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub idle_timeout: Option<String>,
    pub lifetime: Option<String>,
    #[serde(default)]
    pub viewer: Vec<String>,
    #[serde(default)]
    pub operator: Vec<String>,
    #[serde(default)]
    pub approver: Vec<String>,
    #[serde(default)]
    pub admin: Vec<String>,
    pub oidc: Option<RawOidc>,
    pub github: Option<RawGithubSignIn>,
}

/// `[auth.github]`: sign-in with GitHub.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGithubSignIn {
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// 32 bytes, base64: encrypts people's GitHub tokens at rest.
    pub token_key: Option<SecretString>,
    pub web_url: Option<String>,
    pub api_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// The provider's name on the sign-in button.
    pub label: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub groups_claim: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub site_root: Option<PathBuf>,
    pub allow_public_without_sign_in: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    pub url: Option<SecretString>,
    pub max_connections: Option<u32>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawProbe {
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub retention: Option<String>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RawLevels {
    pub warning: f64,
    pub critical: f64,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawThresholds {
    pub response_time_ms: Option<RawLevels>,
    pub error_rate_percent: Option<RawLevels>,
    pub cpu_percent: Option<RawLevels>,
    pub memory_percent: Option<RawLevels>,
    pub db_connections_percent: Option<RawLevels>,
    pub storage_percent: Option<RawLevels>,
    /// Lower is worse: warning at or below `warning` days left, critical at or below `critical`.
    pub certificate_days_left: Option<RawLevels>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnvironment {
    pub name: String,
    pub label: Option<String>,
    pub url: String,
    #[serde(default)]
    pub health: RawHealthPaths,
    pub probe_interval: Option<String>,
    pub aws: Option<RawAws>,
    pub github: Option<RawDeployWorkflow>,
    pub database: Option<RawDatabaseDiag>,
    pub logs: Option<RawEnvLogs>,
}

/// `[environments.database]`: the read-only connection for database diagnostics.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabaseDiag {
    /// Refused when present: a URL (with its password) never goes in the file.
    pub url: Option<String>,
    /// The environment variable holding the URL.
    pub url_env: Option<String>,
    /// Refused when present, as `url`.
    pub admin_url: Option<String>,
    /// The environment variable holding the URL of a role that may signal sessions
    /// (pg_signal_backend): "Cancel query" and "Terminate connection" are offered only with it.
    pub admin_url_env: Option<String>,
    pub migration_table: Option<String>,
    pub long_query_after: Option<String>,
    pub statement_timeout: Option<String>,
    pub refresh: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawHealthPaths {
    pub health: Option<String>,
    pub ready: Option<String>,
    pub live: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawAws {
    pub region: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub container: Option<String>,
    pub db_instance: Option<String>,
    pub load_balancer: Option<String>,
    pub log_group: Option<String>,
    pub endpoint_url: Option<String>,
    pub max_connections: Option<u32>,
    /// ECS task families an EventBridge schedule runs (nightly jobs), for the morning check.
    pub scheduled_tasks: Option<Vec<String>>,
}

/// `[environments.github]`: one environment's deploys on GitHub Actions.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawDeployWorkflow {
    pub repository: Option<String>,
    pub deploy_workflow: Option<String>,
    pub approval_environment: Option<String>,
    pub rollback_workflow: Option<String>,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// Names of the rollback workflow's inputs (default "environment" and "version").
    pub rollback_environment_input: Option<String>,
    pub rollback_version_input: Option<String>,
    /// Another environment whose deploys must have succeeded with the same commit first.
    pub tested_first_in: Option<String>,
}
