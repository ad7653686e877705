//! "Sign in with GitHub" against a local stub of GitHub's OAuth endpoints and REST API, answering
//! with the payloads GitHub documents (including its 200-with-error token answers). The stub
//! cannot check what github.com checks (real apps, real users); it checks what opsdeck sends.

use opsdeck_tests::github_stub::{sign_in_settings, GithubStub, GithubUser};
use opsdeck_tests::{new_client, TestApp};
use server::auth::github::GithubSignIn;
use server::config::{AuthSettings, GithubSignInSettings};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

const FAST: Duration = Duration::from_millis(500);
async fn app_with_github() -> (TestApp, Arc<GithubStub>, GithubSignInSettings) {
    let (base, state) = GithubStub::start(vec![GithubUser::octocat()]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}/");
    let gh = sign_in_settings(&base, &public);
    let gh2 = gh.clone();
    let app = TestApp::builder()
        .interval(FAST)
        .configure(move |s| {
            s.listen = format!("127.0.0.1:{port}").parse().unwrap();
            s.public_url = Some(url::Url::parse(&public).unwrap());
            let grant = |g: &str| vec![app::domain::Grantee::parse(g).unwrap()];
            s.auth = Some(AuthSettings {
                idle_timeout: Duration::from_secs(600),
                lifetime: Duration::from_secs(3600),
                grants: app::domain::RoleGrants(vec![
                    (app::domain::Role::Viewer, grant("*")),
                    (app::domain::Role::Operator, grant("team:conflicto/oncall")),
                ]),
                demo_users: vec![],
                secure_cookies: false,
                oidc: None,
                github: Some(gh2),
            });
        })
        .spawn()
        .await;
    (app, state, gh)
}

/// Start at opsdeck, follow GitHub's redirect back to the callback, and return the callback's answer.
async fn sign_in(client: &reqwest::Client, app: &TestApp) -> reqwest::Response {
    let start = client
        .get(format!("{}/auth/github/start?next=/wall", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let to_github = start.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to_github.contains("client_id=Iv1.opsdeck") && to_github.contains("state="),
        "{to_github}"
    );
    let back = client.get(&to_github).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    client.get(&callback).send().await.unwrap()
}

#[tokio::test]
async fn octocat_signs_in_with_a_team_role_and_the_token_is_kept_encrypted() {
    let (app, _stub, gh) = app_with_github().await;
    let page = new_client()
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with GitHub"));

    let client = new_client();
    let done = sign_in(&client, &app).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/wall");
    let s: serde_json::Value = client
        .get(format!("{}/api/v1/session", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["principal"]["display_name"], "The Octocat");
    assert_eq!(
        s["principal"]["roles"],
        serde_json::json!(["viewer", "operator"]),
        "team:conflicto/oncall, whatever the case"
    );

    let pool = app.pool().await;
    let (user_id, login): (i64, String) = sqlx::query_as("SELECT id, github_login FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(login, "octocat");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT access_token FROM github_tokens WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        !stored.windows(14).any(|w| w == b"ghu_octocat_1"),
        "not stored in the clear"
    );
    assert_eq!(gh.token_key.open(&stored).unwrap(), "ghu_octocat_1");
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_stored_again() {
    let (app, stub, gh) = app_with_github().await;
    sign_in(&new_client(), &app).await;
    let pool = app.pool().await;
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let github = GithubSignIn::new(gh.clone()).unwrap();
    let token = github
        .usable_token(&pool, user_id, "octocat")
        .await
        .unwrap();
    assert_eq!(token, "ghu_octocat_1", "still valid: no refresh");
    assert_eq!(stub.refreshes.load(Ordering::SeqCst), 0);

    sqlx::query("UPDATE github_tokens SET expires_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    let token = github
        .usable_token(&pool, user_id, "octocat")
        .await
        .unwrap();
    assert_eq!(token, "ghu_octocat_2");
    assert_eq!(stub.refreshes.load(Ordering::SeqCst), 1);
    let again = github
        .usable_token(&pool, user_id, "octocat")
        .await
        .unwrap();
    assert_eq!(again, "ghu_octocat_2", "the refreshed pair was stored");
    assert_eq!(stub.refreshes.load(Ordering::SeqCst), 1);

    let nobody = github
        .usable_token(&pool, user_id + 1, "vera")
        .await
        .unwrap_err();
    assert!(
        nobody.to_string().contains("has not connected GitHub"),
        "{nobody}"
    );
}

#[tokio::test]
async fn githubs_refusal_is_shown_in_words() {
    let (app, _stub, _gh) = app_with_github().await;
    let client = new_client();
    let start = client
        .get(format!("{}/auth/github/start?next=/", app.base))
        .send()
        .await
        .unwrap();
    let to_github = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let state = to_github
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let r = client
        .get(format!(
            "{}/auth/github/callback?code=stale&state={state}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The code passed is incorrect or expired."));
    assert_eq!(
        client
            .get(format!("{}/", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "not signed in"
    );
}

#[tokio::test]
async fn a_signed_in_person_connects_their_github_account() {
    let (base, _state) = GithubStub::start(vec![GithubUser::octocat()]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}/");
    let gh = sign_in_settings(&base, &public);
    let key = gh.token_key.clone();
    // The demo's people sign in; GitHub is only connected, not used to sign in.
    let app = TestApp::builder()
        .interval(FAST)
        .configure(move |s| {
            s.listen = format!("127.0.0.1:{port}").parse().unwrap();
            s.auth.as_mut().expect("demo sign-in").github = Some(gh);
        })
        .spawn()
        .await;
    let profile = |c: &reqwest::Client| c.get(format!("{}/api/fn/profile", app.base)).send();
    let before: serde_json::Value = profile(&app.client).await.unwrap().json().await.unwrap();
    assert_eq!(before["github_login"], serde_json::Value::Null);
    assert_eq!(before["can_connect_github"], true);

    let start = app
        .client
        .get(format!("{}/auth/github/connect?next=/profile", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let to_github = start.headers()["location"].to_str().unwrap().to_owned();
    let back = app.client.get(&to_github).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let done = app.client.get(&callback).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/profile");

    let after: serde_json::Value = profile(&app.client).await.unwrap().json().await.unwrap();
    assert_eq!(after["github_login"], "octocat");
    assert_eq!(
        after["name"], "Ada Admin",
        "still Ada: connecting is not signing in as someone else"
    );
    let pool = app.pool().await;
    let sealed: Vec<u8> = sqlx::query_scalar(
        "SELECT t.access_token FROM github_tokens t JOIN users u ON u.id = t.user_id WHERE u.display_name = 'Ada Admin'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(key.open(&sealed).unwrap(), "ghu_octocat_1");

    let stranger = new_client()
        .get(format!("{}/auth/github/connect", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 303, "sent to sign in first");
}
