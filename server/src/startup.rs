//! Startup as a function the tests call: `build_app` assembles the router from its state, and
//! `start` wires adapters, pollers and the listener for `serve`, `demo` and the tests alike.

use crate::auth::{self, Access, SessionStore};
use crate::config::{self, Settings};
use crate::live::{spawn_pollers, spawn_retention, Hub, PollerDeps};
use crate::metrics::Metrics;
use crate::probe::{tls_config, HttpProber};
use crate::routes;
use crate::store::PgHealthSamples;
use anyhow::Context as _;
use app::ports::{DemoControl, HealthProber, HealthSamples, Services};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderValue, Request};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::SessionManagerLayer;

#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub pool: PgPool,
    pub metrics: Arc<Metrics>,
    pub services: Services,
    pub leptos: LeptosOptions,
    /// Cancelled at shutdown: ends live streams, which would otherwise never finish.
    pub shutdown: CancellationToken,
    pub origin: routes::same_origin::ExpectedOrigin,
    pub auth: Access,
    /// The OpenID Connect provider, when sign-in through one is configured.
    pub oidc: Option<Arc<auth::oidc::OidcProvider>>,
    /// Where sessions live, so a live stream can notice its session has ended.
    pub session_store: SessionStore,
    /// GitHub, when sign-in with GitHub is configured.
    pub github: Option<Arc<auth::github::GithubSignIn>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("opsdeck")
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen)
        .build()
}

/// Every route is registered here.
pub fn build_app(state: AppState, sessions: SessionManagerLayer<SessionStore>) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let options = state.leptos.clone();
    // opsdeck's own health sits outside sessions: it must answer even when the session store
    // (the database) does not, and it needs no one to be signed in.
    let ops = Router::new()
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics));
    Router::new()
        .route("/api/v1/live", get(routes::live::stream))
        .route("/api/v1/status", get(routes::status::status))
        .route("/api/v1/audit.csv", get(routes::audit_export::csv))
        .route("/api/v1/audit.json", get(routes::audit_export::json))
        .route("/api/fn/{*name}", get(server_fn).post(server_fn))
        .route("/api/v1/session", get(auth::routes::current))
        .route("/signin/demo", post(auth::routes::demo_sign_in))
        .route("/signout", post(auth::routes::sign_out))
        .route("/auth/oidc/start", get(auth::routes::oidc_start))
        .route("/auth/oidc/callback", get(auth::routes::oidc_callback))
        .route("/auth/github/start", get(auth::routes::github_start))
        .route("/auth/github/callback", get(auth::routes::github_callback))
        .route("/auth/github/connect", get(auth::routes::github_connect))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(sessions)
        .merge(ops)
        .layer(axum::middleware::from_fn_with_state(
            state.origin.clone(),
            routes::same_origin::same_origin,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let services = state.services.clone();
    handle_server_fns_with_context(move || provide_context(services.clone()), req).await
}

/// A running opsdeck: the bound address and its background work. Dropping it stops everything.
pub struct Started {
    pub addr: SocketAddr,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<()>,
    tasks: JoinSet<()>,
}

impl Started {
    /// Stop accepting, end live streams, let open requests finish (at most 5 s), stop pollers.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        self.tasks.shutdown().await;
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut self.server)
            .await
            .is_err()
        {
            tracing::warn!("requests still open after 5 s; closing them");
            self.server.abort();
        }
    }
}

/// Where the AWS and GitHub panels read from.
pub enum Clouds {
    /// The real AWS APIs (or an emulator at each environment's `endpoint_url`) and GitHub at
    /// `github.api_url`. `credentials`: `None` for the AWS default chain; tests pass fixed ones.
    Real {
        credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    },
    /// Sources built elsewhere: the demo's simulated AWS and GitHub.
    Given {
        aws: Vec<(app::domain::EnvName, Arc<dyn app::ports::CloudReader>)>,
        github: Vec<(app::domain::EnvName, Arc<dyn app::ports::DeploySource>)>,
        /// What carries approved actions out (the simulation, or a test's recorder).
        executor: Arc<dyn app::ports::ActionExecutor>,
    },
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

/// Each environment's deploy target, sharing one client per repository (its ETag cache and
/// rate budget are per token and repository).
fn deploy_targets(
    settings: &Settings,
    given: Option<Vec<(app::domain::EnvName, Arc<dyn app::ports::DeploySource>)>>,
    metrics: &Arc<Metrics>,
) -> anyhow::Result<Vec<(app::domain::EnvName, app::ports::DeployTarget)>> {
    use app::ports::{DeployTarget, RollbackSpec};
    let mut by_repo: std::collections::HashMap<String, Arc<dyn app::ports::DeploySource>> =
        std::collections::HashMap::new();
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
                    let s: Arc<dyn app::ports::DeploySource> = Arc::new(
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
                .environments
                .iter()
                .find(|e| &e.name == other)?
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
            },
        ));
    }
    Ok(targets)
}

/// Wire the adapters for `settings`, start the pollers and listen.
pub async fn start(
    settings: &Settings,
    pool: PgPool,
    demo: Option<Arc<dyn DemoControl>>,
    clouds: Clouds,
) -> anyhow::Result<Started> {
    let tls = tls_config(settings.probe.ca_file.as_deref()).context("setting up TLS for probes")?;
    let prober: Arc<dyn HealthProber> = Arc::new(HttpProber::new(tls, settings.probe.timeout));
    start_with(settings, pool, demo, prober, clouds).await
}

/// One AWS reader per environment that has AWS configured.
async fn cloud_readers(
    settings: &Settings,
    clouds: Clouds,
    metrics: &Arc<Metrics>,
) -> Vec<(app::domain::EnvName, Arc<dyn app::ports::CloudReader>)> {
    match clouds {
        Clouds::Given { aws, .. } => aws,
        Clouds::Real { credentials } => {
            let opts = crate::aws::ReaderOptions {
                limits: settings.aws.limits,
                response_time_statistic: settings.aws.response_time_statistic.clone(),
                metrics: metrics.clone(),
                credentials,
            };
            let mut readers = Vec::new();
            for env in &settings.environments {
                if let Some(aws) = &env.aws {
                    let reader = crate::aws::AwsReader::new(aws, &opts).await;
                    readers.push((
                        env.name.clone(),
                        Arc::new(reader) as Arc<dyn app::ports::CloudReader>,
                    ));
                }
            }
            readers
        }
    }
}

/// As [`start`], with the prober given (tests inject their own TLS roots this way).
pub async fn start_with(
    settings: &Settings,
    pool: PgPool,
    demo: Option<Arc<dyn DemoControl>>,
    prober: Arc<dyn HealthProber>,
    clouds: Clouds,
) -> anyhow::Result<Started> {
    let samples: Arc<dyn HealthSamples> = Arc::new(PgHealthSamples::new(pool.clone()));
    let metrics = Arc::new(Metrics::new());
    let latency = settings.thresholds.response_time_ms;
    let hub = Arc::new(Hub::new(
        settings
            .environments
            .iter()
            .map(|e| crate::live::empty_snapshot(e, latency))
            .collect(),
        crate::live::initial_clouds(settings),
        demo.is_some(),
    ));
    let mut tasks = JoinSet::new();
    let is_demo = demo.is_some();
    let given_github = match &clouds {
        Clouds::Given { github, .. } => Some(github.clone()),
        Clouds::Real { .. } => None,
    };
    let deploys = deploy_targets(settings, given_github, &metrics)?;
    let executor: Arc<dyn app::ports::ActionExecutor> = match &clouds {
        Clouds::Given { executor, .. } => executor.clone(),
        Clouds::Real { credentials } => {
            let opts = crate::aws::ReaderOptions {
                limits: settings.aws.limits,
                response_time_statistic: settings.aws.response_time_statistic.clone(),
                metrics: metrics.clone(),
                credentials: credentials.clone(),
            };
            let mut aws = Vec::new();
            for env in &settings.environments {
                if let Some(a) = &env.aws {
                    aws.push((
                        env.name.clone(),
                        Arc::new(crate::aws::AwsReader::new(a, &opts).await),
                    ));
                }
            }
            Arc::new(crate::actions::executor::RealExecutor {
                aws,
                deploys: deploys.clone(),
            })
        }
    };
    crate::live::spawn_deploy_pollers(settings, &deploys, hub.clone(), &mut tasks);
    let readers = cloud_readers(settings, clouds, &metrics).await;
    crate::live::spawn_cloud_pollers(settings, readers, hub.clone(), &mut tasks);
    spawn_pollers(
        settings,
        PollerDeps {
            prober,
            samples: samples.clone(),
            hub: hub.clone(),
            metrics: metrics.clone(),
        },
        &mut tasks,
    );
    spawn_retention(settings, samples.clone(), &mut tasks);

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
    let mut sign_in_with = Vec::new();
    if let Some(o) = &oidc {
        sign_in_with.push((o.label().to_owned(), "/auth/oidc/start".to_owned()));
    }
    if github.is_some() {
        sign_in_with.push(("GitHub".to_owned(), "/auth/github/start".to_owned()));
    }
    // Without sign-in the layer still runs (nothing is ever stored): one router for both.
    let session_settings = settings.auth.clone().unwrap_or_else(config::demo_auth);
    let (sessions, session_store) = auth::session_layer(pool.clone(), &session_settings)
        .await
        .context("creating the session table")?;
    let shutdown = CancellationToken::new();
    let user_tokens: Arc<dyn app::ports::UserTokens> = Arc::new(match (&github, is_demo) {
        (_, true) => crate::github::user_tokens::StoredUserTokens::Demo,
        (Some(g), false) => crate::github::user_tokens::StoredUserTokens::Github {
            github: g.clone(),
            pool: pool.clone(),
        },
        (None, false) => crate::github::user_tokens::StoredUserTokens::Unconfigured,
    });
    if let Some(n) = settings.notify.clone() {
        crate::actions::notify::spawn(pool.clone(), n, &mut tasks);
    }
    crate::actions::worker::spawn(
        crate::actions::worker::Worker {
            pool: pool.clone(),
            executor: executor.clone(),
            tokens: user_tokens.clone(),
            hub: hub.clone(),
        },
        &mut tasks,
    );
    let state = AppState {
        session_store,
        github: github.clone(),
        shutdown: shutdown.clone(),
        origin: routes::same_origin::ExpectedOrigin::new(
            settings.public_url.as_ref(),
            settings.listen,
        ),
        hub: hub.clone(),
        pool: pool.clone(),
        metrics: metrics.clone(),
        services: Services {
            live: hub.clone(),
            samples,
            demo,
            sign_in_with,
            people: Arc::new(crate::store::users::PgPeople::new(pool.clone())),
            wall_tokens: Arc::new(crate::store::wall_tokens::PgWallTokens::new(pool.clone())),
            demo_users: settings
                .auth
                .iter()
                .flat_map(|a| a.demo_users.iter().map(|(u, _)| u.clone()))
                .collect(),
            deploys,
            user_tokens: user_tokens.clone(),
            audit: Arc::new(crate::store::users::PgPeople::new(pool.clone())),
            actions: Arc::new(crate::store::actions::PgActions::new(pool.clone())),
            executor: executor.clone(),
            change: app::domain::actions::ChangeSettings {
                databases: settings
                    .environments
                    .iter()
                    .filter_map(|e| {
                        let db = e.aws.as_ref()?.db_instance.clone()?;
                        Some((e.name.to_string(), db))
                    })
                    .collect(),
                ..settings.change.clone()
            },
        },
        oidc: oidc.clone(),
        auth: match &settings.auth {
            Some(a) => Access::SignIn(Arc::new(a.clone())),
            None => Access::Open,
        },
        leptos: leptos_options(settings),
    };
    let script = settings.site_root.join("pkg/opsdeck.js");
    if !script.is_file() {
        tracing::warn!(
            "built assets not found ({} is missing): pages render but will not update live; \
             run `make build` or set server.site_root",
            script.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    // Without sign-in the layer still runs (nothing is ever stored): one router for both.
    let app = build_app(state, sessions);
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        // TCP_NODELAY: without it, a response written in two parts (headers, then a file body)
        // waits ~40 ms for the client's delayed ACK (Nagle), on every static asset.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let graceful = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(e) = graceful.await {
            tracing::error!("server error: {e}");
        }
    });
    Ok(Started {
        addr,
        hub,
        metrics,
        shutdown,
        server,
        tasks,
    })
}
