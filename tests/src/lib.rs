//! Helpers for the cross-crate tests: start a real opsdeck (router, pollers, Postgres) against a
//! simulated Conflicto on loopback, each test with its own fresh database.

use app::domain::{EnvName, Fault};
use app::ports::DemoControl;
use secrecy::SecretString;
use server::config::Settings;
use server::sim::SimWorld;
use server::startup::Started;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Duration;

pub mod aws;
mod builder;
pub mod github_stub;
pub mod oidc;
pub mod people;
pub mod sse;
pub mod webhook;

pub use builder::TestAppBuilder;

pub struct TestApp {
    pub base: String,
    /// Signed in as Ada Admin (all roles) when the demo's people can sign in; otherwise a client
    /// with no session.
    pub client: reqwest::Client,
    /// Ada's CSRF token (empty when `client` has no session).
    pub csrf: String,
    /// The simulated Conflicto: its environments answer opsdeck's health probes and take the
    /// demo control's faults.
    pub health: Arc<SimWorld>,
    /// The simulated AWS and GitHub the panels read — the same world as `health` — or `None`
    /// when the test brought its own clouds (moto, a stub). With an executor of the test's own,
    /// approved actions do not change it.
    pub world: Option<Arc<SimWorld>>,
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

/// Wait until `check` is `Ok`, asking every 100 ms, or fail after `within` naming `what` and
/// the last `Err` (what was seen instead).
pub async fn wait_until<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let seen = match check().await {
            Ok(done) => return done,
            Err(seen) => seen,
        };
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {within:?} waiting for {what}; last seen: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A client with a cookie jar that follows no redirects (tests look at them). Its time limit only
/// stops a hung test: pages are not timed here (that is the benchmark's job), and on a loaded
/// 2-core CI machine a page has been seen to take over 10 s.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
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

    /// Inject `fault` into the simulated application (what the demo control does).
    pub async fn inject(&self, env_name: &str, fault: Fault) {
        self.health
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
        wait_until(within, what, || async {
            let s = self.status_json().await;
            if check(&s) {
                Ok(s)
            } else {
                Err(format!("status {s:#}"))
            }
        })
        .await
    }

    /// The simulated world behind the panels; fails for a test that brought its own clouds.
    pub fn world(&self) -> &SimWorld {
        self.world
            .as_deref()
            .expect("this test's panels read clouds of its own, not the simulated world")
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

/// A clock a test moves: opsdeck's timers see the time it says.
pub struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(std::sync::Mutex::new(chrono::Utc::now())))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl app::ports::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
