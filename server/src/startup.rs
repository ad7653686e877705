//! Start and stop: `start` wires the adapters a mode gets (see `wiring`), starts the pollers, the
//! actions worker and the notifier, and listens — for `serve`, `demo` and the tests alike.
//! Dropping or shutting down the returned [`Started`] stops everything.

use crate::auth::{self, Access};
use crate::config::{self, Settings};
use crate::live::{spawn_pollers, spawn_retention, Hub, PollerDeps};
use crate::metrics::Metrics;
use crate::probe::{tls_config, HttpProber};
use crate::routes::same_origin::ExpectedOrigin;
use crate::state::{leptos_options, AppState};
use crate::store::PgHealthSamples;
use crate::wiring;
use anyhow::Context as _;
use app::ports::{Clock, DemoControl, HealthProber, HealthSamples, Services, SystemClock};
use axum::serve::ListenerExt;
use sqlx::PgPool;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A running opsdeck: the bound address and its background work. Dropping it stops everything.
pub struct Started {
    pub addr: SocketAddr,
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    /// Failed sign-in attempts not yet written: flushed at shutdown, so none are lost.
    attempts: (Arc<auth::attempts::Attempts>, PgPool),
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<()>,
    tasks: JoinSet<()>,
    /// This replica's name on the pollers' lease: given up at shutdown, once nothing renews it.
    replica: String,
}

impl Started {
    /// Stop everything at once, as a crash would (for tests): nothing is flushed or released, so
    /// the pollers' lease stays until it runs out.
    pub fn crash(mut self) {
        self.tasks.abort_all();
        self.server.abort();
    }

    /// Stop accepting, end live streams, let open requests finish (at most 5 s), stop pollers.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        auth::attempts::flush(&self.attempts.1, &self.attempts.0).await;
        self.tasks.shutdown().await;
        // Another replica takes over at once rather than when the lease runs out.
        if let Err(e) = crate::live::replica::release(&self.attempts.1, &self.replica).await {
            tracing::warn!("giving up the pollers' lease failed: {e}");
        }
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut self.server)
            .await
            .is_err()
        {
            tracing::warn!("requests still open after 5 s; closing them");
            self.server.abort();
        }
    }
}

/// Wire the adapters for `settings`, start the pollers and listen.
pub async fn start(
    settings: &Settings,
    pool: PgPool,
    demo: Option<Arc<dyn DemoControl>>,
    clouds: wiring::Clouds,
) -> anyhow::Result<Started> {
    start_at(settings, pool, demo, clouds, Arc::new(SystemClock)).await
}

/// As [`start`], by `clock` (tests move time forward to see escalation steps fall due).
pub async fn start_at(
    settings: &Settings,
    pool: PgPool,
    demo: Option<Arc<dyn DemoControl>>,
    clouds: wiring::Clouds,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Started> {
    let tls = tls_config(settings.probe.ca_file.as_deref()).context("setting up TLS for probes")?;
    let prober: Arc<dyn HealthProber> = Arc::new(HttpProber::new(tls, settings.probe.timeout));
    start_with(settings, pool, demo, prober, clouds, clock).await
}

/// As [`start_at`], with the prober given (tests inject their own TLS roots this way).
pub async fn start_with(
    settings: &Settings,
    pool: PgPool,
    demo: Option<Arc<dyn DemoControl>>,
    prober: Arc<dyn HealthProber>,
    clouds: wiring::Clouds,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Started> {
    let samples: Arc<dyn HealthSamples> = Arc::new(PgHealthSamples::new(pool.clone()));
    let metrics = Arc::new(Metrics::new());
    let hub = Arc::new(Hub::new(
        settings
            .environments
            .iter()
            .map(|e| crate::live::empty_snapshot(e, &settings.thresholds))
            .collect(),
        crate::live::initial_clouds(settings),
        demo.is_some(),
    ));
    let mut tasks = JoinSet::new();
    let is_demo = demo.is_some();
    let adapters = wiring::adapters(settings, clouds, &metrics).await?;
    let shutdown = CancellationToken::new();
    // The pollers that call upstream run on one replica at a time (see live::replica).
    let lead: crate::live::replica::Lead = {
        let (settings, deploys, readers) = (
            settings.clone(),
            adapters.deploys.clone(),
            adapters.readers.clone(),
        );
        let (hub, pool) = (hub.clone(), pool.clone());
        let deps = PollerDeps {
            prober,
            samples: samples.clone(),
            hub: hub.clone(),
            metrics: metrics.clone(),
        };
        Box::new(move |set: &mut JoinSet<()>| {
            crate::live::spawn_deploy_pollers(&settings, &deploys, hub.clone(), set);
            crate::live::routine_sources::spawn(
                &settings,
                readers.clone(),
                hub.clone(),
                pool.clone(),
                set,
            );
            crate::live::spawn_cloud_pollers(&settings, readers.clone(), hub.clone(), set);
            spawn_pollers(&settings, deps.clone(), set);
        })
    };
    // Taken over within two of the shortest probe interval.
    let shortest = settings
        .environments
        .iter()
        .map(|e| e.interval)
        .min()
        .unwrap_or(settings.probe.interval);
    let (ttl, _) = crate::live::replica::timing(shortest);
    let replica = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
    crate::live::replica::Replica {
        pool: pool.clone(),
        hub: hub.clone(),
        id: replica.clone(),
        ttl,
        lead,
        metrics: metrics.clone(),
    }
    .start(shutdown.clone(), &mut tasks)
    .await;
    let logs = crate::logs::start(
        settings,
        adapters.logs,
        hub.clone(),
        metrics.clone(),
        &mut tasks,
    );
    spawn_retention(settings, samples.clone(), &mut tasks);

    let sign_in = wiring::sign_in(settings)?;
    // Without sign-in the layer still runs (nothing is ever stored): one router for both.
    let session_settings = settings.auth.clone().unwrap_or_else(config::demo_auth);
    let (sessions, session_store) = auth::session_layer(pool.clone(), &session_settings)
        .await
        .context("setting up sessions")?;
    auth::spawn_sweeper(
        session_store.clone(),
        settings.limits.sweep_sessions_every,
        &mut tasks,
    );
    let user_tokens = wiring::user_tokens(sign_in.github.as_ref(), is_demo, &pool);
    crate::audit_head::spawn(pool.clone(), settings.audit.publish_head_every, &mut tasks);
    if let Some(n) = settings.notify.clone() {
        crate::notify::spawn(pool.clone(), n, &mut tasks);
    }
    let incidents: Arc<dyn app::ports::incidents::Incidents> =
        Arc::new(crate::store::incidents::PgIncidents::new(pool.clone()));
    let routines: Arc<dyn app::ports::Routines> =
        Arc::new(crate::store::routines::PgRoutines::new(
            pool.clone(),
            settings.routines.freeze_windows.clone(),
        ));
    crate::actions::worker::spawn(
        crate::actions::worker::Worker {
            requests: Arc::new(crate::store::actions::PgActions::new(pool.clone())),
            executor: adapters.executor.clone(),
            tokens: user_tokens.clone(),
            hub: hub.clone(),
            incidents: incidents.clone(),
            auto_declare: settings.incident.auto_declare,
        },
        &mut tasks,
    );
    crate::live::gate_notice::spawn(
        crate::live::gate_notice::GateNotices {
            hub: hub.clone(),
            pool: pool.clone(),
            routines: routines.clone(),
            gate: settings.routines.gate.clone(),
            tested_first: settings
                .environments
                .iter()
                .filter_map(|e| {
                    let first = e.github.as_ref()?.tested_first_in.as_ref()?;
                    Some((e.name.clone(), first.to_string()))
                })
                .collect(),
            remind_every: settings.routines.gate_remind_every,
            clock: clock.clone(),
        },
        &mut tasks,
    );
    let watches = crate::live::watch::Watches::default();
    crate::live::watch::spawn(
        crate::live::watch::DeployWatcher {
            hub: hub.clone(),
            pool: pool.clone(),
            settings: settings.routines.watch.clone(),
            clock: clock.clone(),
            out: watches.clone(),
        },
        &mut tasks,
    );
    let schedule: Arc<dyn app::ports::routines::CheckSchedule> = Arc::new(
        crate::routines::schedule::Schedule(settings.routines.checks.clone()),
    );
    let checks_due = crate::live::check_due::ChecksDue::default();
    crate::live::check_due::spawn(
        crate::live::check_due::CheckWatch {
            hub: hub.clone(),
            pool: pool.clone(),
            routines: routines.clone(),
            schedule: schedule.clone(),
            clock: clock.clone(),
            out: checks_due.clone(),
        },
        &mut tasks,
    );
    crate::live::incidents::spawn(
        crate::live::incidents::IncidentWatch {
            watches,
            checks_due,
            hub: hub.clone(),
            incidents: incidents.clone(),
            routines: routines.clone(),
            pool: pool.clone(),
            settings: settings.incident.clone(),
            clock: clock.clone(),
        },
        &mut tasks,
    );
    let attempts = auth::attempts::Attempts::new(
        settings.limits.sign_in_attempts_per_minute,
        settings.limits.trust_forwarded_for,
    );
    auth::attempts::spawn_summaries(
        pool.clone(),
        attempts.clone(),
        settings.limits.failure_summary_every,
        &mut tasks,
    );
    let people = Arc::new(crate::store::users::PgPeople::new(pool.clone()));
    let stream_ends = crate::live::StreamEnds::new();
    stream_ends.spawn(pool.clone(), shutdown.clone(), &mut tasks);
    let state = AppState {
        stream_ends,
        secure: settings
            .public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https"),
        streams: crate::live::StreamSlots::new(
            settings.limits.max_live_streams,
            settings.limits.live_streams_per_session,
        ),
        attempts: attempts.clone(),
        session_store,
        github: sign_in.github.clone(),
        shutdown: shutdown.clone(),
        origin: ExpectedOrigin::new(settings.public_url.as_ref(), settings.listen),
        hub: hub.clone(),
        pool: pool.clone(),
        metrics: metrics.clone(),
        services: Services {
            live: hub.clone(),
            samples,
            demo,
            sign_in_with: sign_in.choices,
            people: people.clone(),
            wall_tokens: Arc::new(crate::store::wall_tokens::PgWallTokens::new(pool.clone())),
            demo_users: settings
                .auth
                .iter()
                .flat_map(|a| a.demo_users.iter().map(|(u, _)| u.clone()))
                .collect(),
            deploys: adapters.deploys,
            user_tokens,
            audit: people,
            actions: Arc::new(crate::store::actions::PgActions::new(pool.clone())),
            executor: adapters.executor,
            change: wiring::change_settings(settings, &adapters.session_actions),
            incidents,
            incident: settings.incident.clone(),
            terraform: adapters.terraform,
            clock,
            routines,
            gate: settings.routines.gate.clone(),
            schedule,
            databases: adapters.databases,
            logs: logs.clone(),
        },
        logs,
        oidc: sign_in.oidc,
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
    let app = crate::router::build_app(state, sessions);
    let stop = shutdown.clone();
    let server = tokio::spawn(async move {
        // TCP_NODELAY: without it, a response written in two parts (headers, then a file body)
        // waits ~40 ms for the client's delayed ACK (Nagle), on every static asset.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // The peer's address: sign-in attempts are limited per client.
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let graceful = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(e) = graceful.await {
            tracing::error!("server error: {e}");
        }
    });
    Ok(Started {
        replica,
        attempts: (attempts, pool),
        addr,
        hub,
        metrics,
        shutdown,
        server,
        tasks,
    })
}

/// Where the panels read from: see [`crate::wiring`].
pub use crate::wiring::Clouds;
