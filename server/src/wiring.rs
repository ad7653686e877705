//! Which adapters each mode gets: the real AWS and GitHub (`serve`), or sources built elsewhere
//! (the demo's simulation, a test's recorder); the sign-in providers; the stores behind the
//! application's ports. Each environment's AWS adapter is built once and serves both the panels'
//! reads and change control's calls.

use crate::auth;
use crate::config::Settings;
use crate::metrics::Metrics;
use anyhow::Context as _;
use app::domain::EnvName;
use app::ports::{
    ActionExecutor, CloudReader, DatabaseDiagnostics, DeploySource, DeployTarget, LogEvents,
    RollbackSpec,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Where the AWS and GitHub panels read from, and what carries approved actions out.
pub enum Clouds {
    /// The real AWS APIs (or an emulator at each environment's `endpoint_url`) and GitHub at
    /// `github.api_url`. `credentials`: `None` for the AWS default chain; tests pass fixed ones.
    Real {
        credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    },
    /// Sources built elsewhere: the demo's simulated AWS and GitHub.
    Given {
        aws: Vec<(EnvName, Arc<dyn CloudReader>)>,
        github: Vec<(EnvName, Arc<dyn DeploySource>)>,
        /// What carries approved actions out (the simulation, or a test's recorder).
        executor: Arc<dyn ActionExecutor>,
        /// Simulated databases; an environment with `[environments.database]` reads its own.
        databases: Vec<(EnvName, Arc<dyn DatabaseDiagnostics>)>,
        /// Simulated log groups (read only where `[environments.logs]` applies).
        logs: Vec<(EnvName, Arc<dyn LogEvents>)>,
    },
}

/// The outside world as a mode sees it.
pub struct Adapters {
    pub readers: Vec<(EnvName, Arc<dyn CloudReader>)>,
    pub deploys: Vec<(EnvName, DeployTarget)>,
    pub executor: Arc<dyn ActionExecutor>,
    /// Terraform's state lock table (real AWS only; the demo has none).
    pub terraform: Option<Arc<dyn app::ports::TerraformLocks>>,
    pub databases: Vec<(EnvName, Arc<dyn DatabaseDiagnostics>)>,
    /// Each environment's log group, let through its account and Region's call budget.
    pub logs: Vec<(EnvName, Arc<dyn LogEvents>)>,
    /// Environments whose database sessions may be cancelled or terminated: those with an admin
    /// URL, and (given sources) those whose database is the simulated one.
    pub session_actions: Vec<EnvName>,
}

/// Route session actions on environments with an admin URL to their database; the rest to
/// `inner`. Which environments offer session actions: those, plus `also` (simulated databases).
fn with_db_sessions(
    settings: &Settings,
    inner: Arc<dyn ActionExecutor>,
    also: &[(EnvName, Arc<dyn DatabaseDiagnostics>)],
) -> (Arc<dyn ActionExecutor>, Vec<EnvName>) {
    let sessions: Vec<(EnvName, Arc<crate::dbdiag::PgSessions>)> = settings
        .environments
        .iter()
        .filter_map(|e| {
            let d = e.database.as_ref()?;
            let url = d.admin_url.as_ref()?;
            Some((
                e.name.clone(),
                Arc::new(crate::dbdiag::PgSessions::new(url, d.statement_timeout)),
            ))
        })
        .collect();
    let offered = settings
        .environments
        .iter()
        .map(|e| e.name.clone())
        .filter(|n| {
            sessions.iter().any(|(s, _)| s == n)
                || (settings
                    .environment(n)
                    .is_some_and(|e| e.database.is_none())
                    && also.iter().any(|(g, _)| g == n))
        })
        .collect();
    if sessions.is_empty() {
        return (inner, offered);
    }
    let executor = Arc::new(crate::actions::db_sessions::WithDbSessions { sessions, inner });
    (executor, offered)
}

/// A real diagnostics connection for every environment that configures one; the given
/// (simulated) ones for the rest.
fn databases(
    settings: &Settings,
    given: Vec<(EnvName, Arc<dyn DatabaseDiagnostics>)>,
) -> Vec<(EnvName, Arc<dyn DatabaseDiagnostics>)> {
    let levels = settings.thresholds.db_connections_percent;
    settings
        .environments
        .iter()
        .filter_map(|e| match &e.database {
            Some(d) => Some((
                e.name.clone(),
                Arc::new(crate::dbdiag::PgDiagnostics::new(d.clone(), levels))
                    as Arc<dyn DatabaseDiagnostics>,
            )),
            None => given.iter().find(|(n, _)| *n == e.name).cloned(),
        })
        .collect()
}

pub async fn adapters(
    settings: &Settings,
    clouds: Clouds,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Adapters> {
    let budgets =
        crate::logs::budget::Budgets::new(settings.logs.calls_per_second, metrics.clone());
    let has_logs = |n: &EnvName| {
        settings
            .environment(n)
            .is_some_and(|e| e.logs.is_some() && e.aws.is_some())
    };
    Ok(match clouds {
        Clouds::Given {
            aws,
            github,
            executor,
            databases: given,
            logs,
        } => {
            let (executor, session_actions) = with_db_sessions(settings, executor, &given);
            Adapters {
                readers: aws,
                deploys: deploy_targets(settings, Some(github), metrics)?,
                executor,
                terraform: None,
                databases: databases(settings, given),
                logs: logs
                    .into_iter()
                    .filter(|(n, _)| has_logs(n))
                    .map(|(n, l)| (n, budgets.wrap("simulated", l)))
                    .collect(),
                session_actions,
            }
        }
        Clouds::Real { credentials } => {
            let deploys = deploy_targets(settings, None, metrics)?;
            let opts = crate::aws::AwsOptions {
                limits: settings.aws.limits,
                response_time_statistic: settings.aws.response_time_statistic.clone(),
                metrics: metrics.clone(),
                credentials,
            };
            let terraform = match &settings.terraform {
                Some(t) => Some(Arc::new(
                    crate::aws::terraform::DynamoLocks::new(
                        t,
                        settings.aws.limits,
                        metrics.clone(),
                        opts.credentials.clone(),
                    )
                    .await,
                ) as Arc<dyn app::ports::TerraformLocks>),
                None => None,
            };
            let mut aws = Vec::new();
            let mut logs = Vec::new();
            for env in &settings.environments {
                if let Some(a) = &env.aws {
                    let adapter = Arc::new(crate::aws::AwsEnvironment::new(a, &opts).await);
                    aws.push((env.name.clone(), adapter));
                    if env.logs.is_some() {
                        let source: Arc<dyn LogEvents> =
                            Arc::new(crate::aws::logs::CloudWatchLogs::new(a, &opts).await);
                        // One budget per account and Region (an emulator's endpoint counts apart).
                        let key = match &a.endpoint_url {
                            Some(u) => format!("{} at {u}", a.region),
                            None => a.region.clone(),
                        };
                        logs.push((env.name.clone(), budgets.wrap(&key, source)));
                    }
                }
            }
            let (executor, session_actions) = with_db_sessions(
                settings,
                Arc::new(crate::actions::executor::RealExecutor {
                    aws: aws.clone(),
                    deploys: deploys.clone(),
                }),
                &[],
            );
            Adapters {
                readers: aws
                    .iter()
                    .map(|(n, a)| (n.clone(), a.clone() as Arc<dyn CloudReader>))
                    .collect(),
                executor,
                deploys,
                terraform,
                databases: databases(settings, vec![]),
                logs,
                session_actions,
            }
        }
    })
}

/// The web address matching a GitHub API address (api.github.com → github.com; GitHub Enterprise
/// serves the API under /api/v3 of its own host).
fn github_web(api: &url::Url) -> String {
    match api.host_str() {
        Some("api.github.com") => "https://github.com".into(),
        _ => {
            let s = api.as_str().trim_end_matches('/');
            s.strip_suffix("/api/v3").unwrap_or(s).to_owned()
        }
    }
}

/// Each environment's deploy source: the given one, or one GitHub client per repository (its
/// ETag cache and rate budget are per token and repository).
fn deploy_sources(
    settings: &Settings,
    given: Option<Vec<(EnvName, Arc<dyn DeploySource>)>>,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Vec<(EnvName, Arc<dyn DeploySource>)>> {
    let mut by_repo: HashMap<String, Arc<dyn DeploySource>> = HashMap::new();
    let mut sources = Vec::new();
    for env in &settings.environments {
        let Some(g) = &env.github else { continue };
        let (Some(repo), Some(_)) = (&g.repository, &g.deploy_workflow) else {
            continue;
        };
        let source = match &given {
            Some(list) => match list.iter().find(|(n, _)| n == &env.name) {
                Some((_, s)) => s.clone(),
                None => continue,
            },
            None => match by_repo.get(repo) {
                Some(s) => s.clone(),
                None => {
                    let s: Arc<dyn DeploySource> = Arc::new(
                        crate::github::GithubRepo::new(
                            settings.github.api_url.clone(),
                            repo,
                            settings.github.token.clone(),
                            settings.github.timeout,
                            metrics.clone(),
                        )
                        .context("setting up the GitHub client")?,
                    );
                    by_repo.insert(repo.clone(), s.clone());
                    s
                }
            },
        };
        sources.push((env.name.clone(), source));
    }
    Ok(sources)
}

/// Each environment's deploy target: its source, workflow, approval gate and rollback workflow.
fn deploy_targets(
    settings: &Settings,
    given: Option<Vec<(EnvName, Arc<dyn DeploySource>)>>,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Vec<(EnvName, DeployTarget)>> {
    let sources = deploy_sources(settings, given, metrics)?;
    let web = github_web(&settings.github.api_url);
    let mut targets = Vec::new();
    for env in &settings.environments {
        let Some(g) = &env.github else { continue };
        let Some((_, source)) = sources.iter().find(|(n, _)| n == &env.name) else {
            continue;
        };
        let (Some(repo), Some(workflow)) = (&g.repository, &g.deploy_workflow) else {
            continue;
        };
        let tested_first_in = g.tested_first_in.as_ref().and_then(|other| {
            let s = sources.iter().find(|(n, _)| n == other)?.1.clone();
            let w = settings
                .environment(other)?
                .github
                .as_ref()?
                .deploy_workflow
                .clone()?;
            Some((s, w))
        });
        targets.push((
            env.name.clone(),
            DeployTarget {
                source: source.clone(),
                repository: repo.clone(),
                workflow: workflow.clone(),
                workflow_url: format!("{web}/{repo}/actions"),
                approval_environment: g.approval_environment.clone(),
                rollback: g.rollback_workflow.as_ref().map(|w| RollbackSpec {
                    workflow: w.clone(),
                    git_ref: g.git_ref.clone().unwrap_or_else(|| "main".into()),
                    environment_input: (
                        g.rollback_environment_input.clone(),
                        g.approval_environment
                            .clone()
                            .unwrap_or_else(|| env.name.to_string()),
                    ),
                    version_input: g.rollback_version_input.clone(),
                }),
                tested_first_in,
                tested_first_name: g.tested_first_in.as_ref().map(ToString::to_string),
                gate: settings.routines.gate.clone(),
            },
        ));
    }
    Ok(targets)
}

/// The sign-in providers configured, and the "Sign in with …" choices they offer.
pub struct SignIn {
    pub oidc: Option<Arc<auth::oidc::OidcProvider>>,
    pub github: Option<Arc<auth::github::GithubSignIn>>,
    pub choices: Vec<(String, String)>,
}

pub fn sign_in(settings: &Settings) -> anyhow::Result<SignIn> {
    let oidc = match settings.auth.as_ref().and_then(|a| a.oidc.clone()) {
        Some(o) => Some(Arc::new(
            auth::oidc::OidcProvider::new(o).context("setting up the OpenID Connect client")?,
        )),
        None => None,
    };
    let github = match settings.auth.as_ref().and_then(|a| a.github.clone()) {
        Some(g) => Some(Arc::new(
            auth::github::GithubSignIn::new(g).context("setting up the GitHub client")?,
        )),
        None => None,
    };
    let mut choices = Vec::new();
    if let Some(o) = &oidc {
        choices.push((o.label().to_owned(), "/auth/oidc/start".to_owned()));
    }
    if github.is_some() {
        choices.push(("GitHub".to_owned(), "/auth/github/start".to_owned()));
    }
    Ok(SignIn {
        oidc,
        github,
        choices,
    })
}

/// Where a person's own GitHub token comes from: the demo's pretend tokens, the tokens stored at
/// GitHub sign-in, or nowhere (GitHub sign-in not configured).
pub fn user_tokens(
    github: Option<&Arc<auth::github::GithubSignIn>>,
    is_demo: bool,
    pool: &sqlx::PgPool,
) -> Arc<dyn app::ports::UserTokens> {
    use crate::github::user_tokens::StoredUserTokens;
    Arc::new(match (github, is_demo) {
        (_, true) => StoredUserTokens::Demo,
        (Some(g), false) => StoredUserTokens::Github {
            github: g.clone(),
            pool: pool.clone(),
        },
        (None, false) => StoredUserTokens::Unconfigured,
    })
}

/// Change-control settings as the application needs them: the configured policies, and every
/// environment's database (which a restore must never overwrite).
pub fn change_settings(
    settings: &Settings,
    session_actions: &[EnvName],
) -> app::domain::actions::ChangeSettings {
    app::domain::actions::ChangeSettings {
        session_actions: session_actions.iter().map(|e| e.to_string()).collect(),
        databases: settings
            .environments
            .iter()
            .filter_map(|e| {
                let db = e.aws.as_ref()?.db_instance.clone()?;
                Some((e.name.to_string(), db))
            })
            .collect(),
        ..settings.change.clone()
    }
}
