//! Helpers for the cross-crate tests: start a real opsdeck (router, pollers, Postgres) against a
//! simulated Conflicto on loopback, each test with its own fresh database.

use app::domain::{EnvName, Fault};
use app::ports::DemoControl;
use secrecy::SecretString;
use server::config::{demo_settings, Settings};
use server::sim::SimWorld;
use server::startup::{start, Started};
use sqlx::Connection;
use std::sync::Arc;
use std::time::Duration;

pub mod aws;
pub mod sse;

pub struct TestApp {
    pub base: String,
    /// Signed in as Ada Admin (all roles), with her session cookie.
    pub client: reqwest::Client,
    /// Ada's CSRF token.
    pub csrf: String,
    pub world: Arc<SimWorld>,
    pub settings: Settings,
    pub database_url: SecretString,
    pub started: Started,
}

/// The server `make test` provides (or a private one it started); never a production database.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty, migrated database for one test.
pub async fn fresh_database() -> SecretString {
    let admin = admin_url();
    let name = format!("opsdeck_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach Postgres at DATABASE_URL ({admin}): {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin).expect("DATABASE_URL is a URL");
    url.set_path(&name);
    SecretString::from(url.to_string())
}

pub fn env(name: &str) -> EnvName {
    EnvName::parse(name).expect("valid name")
}

/// opsdeck with a simulated prod and dev probed every `interval`.
pub async fn spawn_app(interval: Duration) -> TestApp {
    let database_url = fresh_database().await;
    spawn_app_on(database_url, interval).await
}

pub async fn spawn_app_on(database_url: SecretString, interval: Duration) -> TestApp {
    spawn_app_with(database_url, interval, &[]).await
}

/// As [`spawn_app_on`], with faults injected before the first probe round.
pub async fn spawn_app_with(
    database_url: SecretString,
    interval: Duration,
    faults: &[(&str, Fault)],
) -> TestApp {
    spawn_app_configured(database_url, interval, faults, |_| {}).await
}

/// The most general form: `tweak` may change the settings (sign-in, timeouts) before start.
/// The client signs in as Ada Admin when sign-in is on.
pub async fn spawn_app_configured(
    database_url: SecretString,
    interval: Duration,
    faults: &[(&str, Fault)],
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_clouds(database_url, interval, faults, tweak, None).await
}

/// As [`spawn_app_configured`], reading AWS from `clouds` instead of the simulated world
/// (`None`: the simulated world's AWS).
pub async fn spawn_app_clouds(
    database_url: SecretString,
    interval: Duration,
    faults: &[(&str, Fault)],
    tweak: impl FnOnce(&mut Settings),
    clouds: Option<server::startup::Clouds>,
) -> TestApp {
    let world = Arc::new(
        SimWorld::start(&[(env("prod"), "1.4.2"), (env("dev"), "1.5.0-rc.1")])
            .await
            .expect("start simulated Conflicto"),
    );
    for (name, fault) in faults {
        world
            .set_fault(&env(name), *fault)
            .await
            .expect("inject fault");
    }
    let envs = vec![
        (
            env("prod"),
            "Production",
            world.url(&env("prod")).expect("prod url"),
        ),
        (
            env("dev"),
            "Development",
            world.url(&env("dev")).expect("dev url"),
        ),
    ];
    let mut settings = demo_settings(
        "127.0.0.1:0".parse().expect("addr"),
        &envs,
        Some(database_url.clone()),
    );
    // Generous: on a loaded 2-core machine a healthy probe must never look like a timeout.
    settings.probe.timeout = Duration::from_secs(2);
    for e in &mut settings.environments {
        e.interval = interval;
    }
    tweak(&mut settings);
    let pool = server::store::connect(&database_url, 5)
        .await
        .expect("connect");
    server::store::migrate(&pool).await.expect("migrate");
    let clouds = clouds.unwrap_or_else(|| server::startup::Clouds::Given {
        aws: world.cloud_readers(),
        github: world.deploy_sources(),
        executor: Arc::new(server::sim::SimExecutor(world.clone())),
    });
    let started = start(
        &settings,
        pool,
        Some(world.clone() as Arc<dyn DemoControl>),
        clouds,
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
        world,
        settings,
        database_url,
        started,
    }
}

/// A client with a cookie jar that follows no redirects (tests look at them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

/// Sign in as one of the demo's people; returns the client holding the session and its CSRF token.
pub async fn signed_in_client(base: &str, user: &str) -> (reqwest::Client, String) {
    let client = new_client();
    let r = client
        .post(format!("{base}/signin/demo"))
        .form(&[("user", user), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status(), 303, "demo sign-in as {user}");
    let session: serde_json::Value = client
        .get(format!("{base}/api/v1/session"))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("session JSON");
    let csrf = session["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    (client, csrf)
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    /// POST the demo control's form (`env`, `fault`) with extra headers, as a browser would.
    pub async fn post_fault(
        &self,
        env: &str,
        fault: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/api/fn/demo_fault", self.base))
            .form(&[("env", env), ("fault", fault), ("csrf_token", &self.csrf)]);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("request")
    }

    pub async fn status_json(&self) -> serde_json::Value {
        self.get("/api/v1/status")
            .await
            .json()
            .await
            .expect("status JSON")
    }

    pub async fn inject(&self, env_name: &str, fault: Fault) {
        self.world
            .set_fault(&env(env_name), fault)
            .await
            .expect("inject fault");
    }

    /// Wait until `check` holds for the status JSON, or fail after `within`.
    pub async fn wait_for(
        &self,
        within: Duration,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let s = self.status_json().await;
            if check(&s) {
                return s;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for {what}; last status: {s:#}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Level of an environment in the status JSON.
    pub fn level(status: &serde_json::Value, env_name: &str) -> String {
        status["environments"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["name"] == env_name))
            .and_then(|e| e["level"].as_str())
            .unwrap_or("missing")
            .to_owned()
    }
}

/// An open live stream (`/api/v1/live`) as `client` sees it, once its first bytes arrived.
pub struct OpenStream(
    std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
);

impl OpenStream {
    pub async fn open(client: &reqwest::Client, base: &str) -> Self {
        let r = client
            .get(format!("{base}/api/v1/live"))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("open the live stream");
        assert_eq!(r.status(), 200, "the live stream opens");
        let mut body = Box::pin(r.bytes_stream());
        assert!(
            futures::StreamExt::next(&mut body).await.is_some(),
            "the stream is open"
        );
        Self(body)
    }

    /// Whether the server closes the stream within `within`.
    pub async fn ends_within(mut self, within: Duration) -> bool {
        tokio::time::timeout(within, async {
            while let Some(chunk) = futures::StreamExt::next(&mut self.0).await {
                if chunk.is_err() {
                    break;
                }
            }
        })
        .await
        .is_ok()
    }
}

/// `POST /signin/demo` as `user` from a fresh client, optionally carrying a session `cookie`.
pub async fn demo_sign_in(
    base: &str,
    user: &str,
    next: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut req = new_client()
        .post(format!("{base}/signin/demo"))
        .form(&[("user", user), ("next", next)]);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("demo sign-in request")
}

/// `name=value` of the session cookie a response sets (empty when it sets none).
pub fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .to_owned()
}

impl TestApp {
    /// A connection pool to this test's own database, to look at what opsdeck stored.
    pub async fn pool(&self) -> sqlx::PgPool {
        server::store::connect(&self.database_url, 1)
            .await
            .expect("connect to the test database")
    }
}
