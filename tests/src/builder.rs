//! The one way a test starts opsdeck: `TestApp::builder()`, the few things the test needs, then
//! `spawn()`.

use crate::{env, fresh_database, new_client, signed_in_client, TestApp};
use app::domain::Fault;
use app::ports::{ActionExecutor, DemoControl};
use secrecy::SecretString;
use server::config::{demo_settings, Settings};
use server::sim::SimWorld;
use server::startup::{start_at, Clouds};
use std::sync::Arc;
use std::time::Duration;

type Tweak = Box<dyn FnOnce(&mut Settings) + Send>;

/// How a test's opsdeck starts: `TestApp::builder()`, then only what the test needs, then
/// [`spawn`](Self::spawn). Defaults: a fresh database, a simulated prod and dev probed every
/// second with no fault, the demo's settings and its simulated AWS and GitHub.
pub struct TestAppBuilder {
    interval: Duration,
    database: Option<SecretString>,
    faults: Vec<(String, Fault)>,
    tweaks: Vec<Tweak>,
    clouds: Option<Clouds>,
    executor: Option<Arc<dyn ActionExecutor>>,
    clock: Arc<dyn app::ports::Clock>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            interval: Duration::from_secs(1),
            database: None,
            faults: Vec::new(),
            tweaks: Vec::new(),
            clouds: None,
            executor: None,
            clock: Arc::new(app::ports::SystemClock),
        }
    }
}

impl TestAppBuilder {
    /// Every environment's probe interval.
    pub fn interval(mut self, every: Duration) -> Self {
        self.interval = every;
        self
    }

    /// This database instead of a fresh one (two instances sharing one, or a restart).
    pub fn database(mut self, url: SecretString) -> Self {
        self.database = Some(url);
        self
    }

    /// Faults injected into the simulated application before the first probe round.
    pub fn faults(mut self, faults: &[(&str, Fault)]) -> Self {
        self.faults
            .extend(faults.iter().map(|(e, f)| ((*e).to_owned(), *f)));
        self
    }

    /// Change the settings (sign-in, intervals, sources) before start; applied in order.
    pub fn configure(mut self, tweak: impl FnOnce(&mut Settings) + Send + 'static) -> Self {
        self.tweaks.push(Box::new(tweak));
        self
    }

    /// Read AWS and GitHub from `clouds` instead of the simulated world: `world` is then `None`.
    pub fn clouds(mut self, clouds: Clouds) -> Self {
        self.clouds = Some(clouds);
        self
    }

    /// Carry approved actions out with `executor`; the panels still read the simulated world.
    pub fn executor(mut self, executor: Arc<dyn ActionExecutor>) -> Self {
        self.executor = Some(executor);
        self
    }

    /// opsdeck's clock (escalation steps fall due by it): a [`crate::TestClock`] moves at will.
    pub fn clock(mut self, clock: Arc<dyn app::ports::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Start opsdeck; the client signs in as Ada Admin when the demo's people can sign in.
    pub async fn spawn(self) -> TestApp {
        assert!(
            self.clouds.is_none() || self.executor.is_none(),
            "an executor of the test's own goes with the simulated clouds; with `clouds`, pass it there"
        );
        let database_url = match self.database {
            Some(url) => url,
            None => fresh_database().await,
        };
        let health = Arc::new(
            SimWorld::start(&[(env("prod"), "1.4.2"), (env("dev"), "1.5.0-rc.1")])
                .await
                .expect("start simulated Conflicto"),
        );
        for (name, fault) in &self.faults {
            health
                .set_fault(&env(name), *fault)
                .await
                .expect("inject fault");
        }
        let envs = vec![
            (
                env("prod"),
                "Production",
                health.url(&env("prod")).expect("prod url"),
            ),
            (
                env("dev"),
                "Development",
                health.url(&env("dev")).expect("dev url"),
            ),
        ];
        let mut settings = demo_settings(
            "127.0.0.1:0".parse().expect("addr"),
            &envs,
            Some(database_url.clone()),
        );
        // Generous: on a loaded 2-core machine a healthy probe must never look like a timeout.
        settings.probe.timeout = Duration::from_secs(2);
        settings.probe.ca_file = Some(health.ca_file().to_owned());
        for e in &mut settings.environments {
            e.interval = self.interval;
        }
        for tweak in self.tweaks {
            tweak(&mut settings);
        }
        let pool = server::store::connect(&database_url, 5)
            .await
            .expect("connect");
        server::store::migrate(&pool).await.expect("migrate");
        let (clouds, world) = match self.clouds {
            Some(own) => (own, None),
            None => {
                let executor = self
                    .executor
                    .unwrap_or_else(|| Arc::new(server::sim::SimExecutor(health.clone())));
                let sim = Clouds::Given {
                    aws: health.cloud_readers(),
                    github: health.deploy_sources(),
                    executor,
                    databases: health.databases(settings.thresholds.db_connections_percent),
                    logs: health.log_sources(),
                };
                (sim, Some(health.clone()))
            }
        };
        let started = start_at(
            &settings,
            pool,
            Some(health.clone() as Arc<dyn DemoControl>),
            clouds,
            self.clock,
        )
        .await
        .expect("start opsdeck");
        let base = format!("http://{}", started.addr);
        let (client, csrf) = match &settings.auth {
            Some(a) if !a.demo_users.is_empty() => signed_in_client(&base, "ada").await,
            Some(_) => (new_client(), String::new()),
            None => (new_client(), String::new()),
        };
        TestApp {
            base,
            client,
            csrf,
            health,
            world,
            settings,
            database_url,
            started,
        }
    }
}
