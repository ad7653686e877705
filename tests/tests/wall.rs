//! Wall-screen tokens: an admin creates one, a screen opens `/wall?token=…` and gets a read-only
//! session that never idles out and can do nothing else; revoking ends it and its live stream.

use opsdeck_tests::{new_client, signed_in_client, OpenStream, TestApp};
use std::time::{Duration, Instant};

const FAST: Duration = Duration::from_millis(500);

async fn app_with_idle(idle: Duration) -> TestApp {
    TestApp::builder()
        .interval(FAST)
        .configure(move |s| s.auth.as_mut().expect("demo sign-in").idle_timeout = idle)
        .spawn()
        .await
}

async fn create_token(app: &TestApp, name: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/fn/wall_token_create", app.base))
        .header("accept", "application/json")
        .form(&[("name", name), ("csrf_token", &app.csrf)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json::<String>().await.expect("the token")
}

#[tokio::test]
async fn a_wall_token_opens_a_read_only_session_that_does_not_idle_out() {
    let app = app_with_idle(Duration::from_secs(1)).await;
    let token = create_token(&app, "Team room").await;
    assert!(token.starts_with("odw_"));

    let wall = new_client();
    let r = wall
        .get(format!("{}/wall?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        "/wall",
        "the token leaves the address bar"
    );

    for path in ["/wall", "/", "/api/v1/status"] {
        let status = wall
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "a wall may see {path}");
    }
    for path in [
        "/env/prod",
        "/demo",
        "/admin/wall-tokens",
        "/api/fn/wall_tokens",
    ] {
        let status = wall
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 403, "a wall may not see {path}");
    }
    let r = wall
        .post(format!("{}/api/fn/demo_fault", app.base))
        .form(&[("env", "prod"), ("fault", "down")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a wall can do nothing");

    // People's sessions end after 1 s idle here; the wall's does not.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(
        wall.get(format!("{}/wall", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.get("/").await.status(),
        303,
        "Ada's idle session did end"
    );
}

#[tokio::test]
async fn revoking_ends_the_session_and_its_live_stream_within_seconds() {
    let app = app_with_idle(Duration::from_secs(600)).await;
    let token = create_token(&app, "Lobby").await;
    let wall = new_client();
    wall.get(format!("{}/wall?token={token}", app.base))
        .send()
        .await
        .unwrap();
    let stream = OpenStream::open(&wall, &app.base).await;

    let r = app
        .client
        .post(format!("{}/api/fn/wall_token_revoke", app.base))
        .form(&[("name", "Lobby"), ("csrf_token", &app.csrf)])
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let revoked_at = Instant::now();
    assert!(
        stream.ends_within(Duration::from_secs(8)).await,
        "the live stream ended"
    );
    assert!(
        revoked_at.elapsed() < Duration::from_secs(6),
        "within seconds: {:?}",
        revoked_at.elapsed()
    );
    assert_eq!(
        wall.get(format!("{}/wall", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let again = new_client()
        .get(format!("{}/wall?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401, "a revoked token opens nothing");
}

#[tokio::test]
async fn only_admins_manage_tokens_and_only_hashes_are_stored() {
    let app = app_with_idle(Duration::from_secs(600)).await;
    let (vera, csrf) = signed_in_client(&app.base, "vera").await;
    assert_eq!(
        vera.get(format!("{}/api/fn/wall_tokens", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = vera
        .post(format!("{}/api/fn/wall_token_create", app.base))
        .form(&[("name", "Sneaky"), ("csrf_token", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let token = create_token(&app, "Ops room").await;
    let r = app
        .client
        .post(format!("{}/api/fn/wall_token_create", app.base))
        .header("accept", "application/json")
        .form(&[("name", "Ops room"), ("csrf_token", &app.csrf)])
        .send()
        .await
        .unwrap();
    assert!(
        r.text().await.unwrap().contains("exists already"),
        "names are unique"
    );
    let pool = app.pool().await;
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM wall_tokens")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].len(), 32, "a SHA-256");
    assert!(
        !stored[0]
            .windows(8)
            .any(|w| token.as_bytes().windows(8).any(|t| t == w)),
        "no part of the secret"
    );
    let bad = new_client()
        .get(format!("{}/wall?token=odw_guessed", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
}

#[tokio::test]
async fn a_token_link_cannot_turn_a_persons_session_into_a_wall() {
    let app = app_with_idle(Duration::from_secs(600)).await;
    let token = create_token(&app, "Hall").await;
    let r = app
        .client
        .get(format!("{}/wall?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("sign out first"));
    let s: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/session", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["wall"], false, "Ada is still Ada");
}
