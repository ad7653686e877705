//! Sign-in through a real OpenID Connect provider on loopback (npm `oidc-provider`, strict: exact
//! redirect URIs, PKCE required), driven through its login and consent forms like a browser.

use opsdeck_tests::oidc::{free_port, provider, Provider};
use opsdeck_tests::{new_client, TestApp};
use server::config::{AuthSettings, OidcSettings};
use std::time::Duration;

const FAST: Duration = Duration::from_millis(500);

/// opsdeck configured for the provider. With `register_wrong_uri` the provider knows another
/// redirect URI than the callback opsdeck sends.
async fn app_and_provider(register_wrong_uri: bool) -> (TestApp, Provider) {
    app_and_provider_granting(register_wrong_uri, "*").await
}

/// As [`app_and_provider`], with the viewer role granted to `viewers` only.
async fn app_and_provider_granting(
    register_wrong_uri: bool,
    viewers: &'static str,
) -> (TestApp, Provider) {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}/");
    let callback = format!("{public}auth/oidc/callback");
    let registered = if register_wrong_uri {
        format!("http://127.0.0.1:{}/auth/oidc/callback", free_port())
    } else {
        callback.clone()
    };
    let idp = provider(&registered).await;
    let issuer = idp.issuer.clone();
    let app = TestApp::builder()
        .interval(FAST)
        .configure(move |s| {
            s.listen = format!("127.0.0.1:{port}").parse().unwrap();
            s.public_url = Some(url::Url::parse(&public).unwrap());
            s.limits.failure_summary_every = Duration::from_millis(300);
            let grant = |g: &str| vec![app::domain::Grantee::parse(g).unwrap()];
            s.auth = Some(AuthSettings {
                idle_timeout: Duration::from_secs(600),
                lifetime: Duration::from_secs(3600),
                grants: app::domain::RoleGrants(vec![
                    (app::domain::Role::Viewer, grant(viewers)),
                    (app::domain::Role::Operator, grant("group:oncall")),
                    (app::domain::Role::Approver, grant("group:leads")),
                    (app::domain::Role::Admin, grant("user:boss@example.com")),
                ]),
                demo_users: vec![],
                secure_cookies: false,
                oidc: Some(OidcSettings {
                    issuer,
                    client_id: "opsdeck".into(),
                    client_secret: Some("opsdeck-test-secret".to_owned().into()),
                    label: "Test IdP".into(),
                    scopes: vec![
                        "openid".into(),
                        "profile".into(),
                        "email".into(),
                        "groups".into(),
                    ],
                    groups_claim: "groups".into(),
                    redirect_url: url::Url::parse(&callback).unwrap(),
                }),
                github: None,
            });
        })
        .spawn()
        .await;
    (app, idp)
}

async fn session(client: &reqwest::Client, app: &TestApp) -> serde_json::Value {
    client
        .get(format!("{}/api/v1/session", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_lead_signs_in_and_gets_roles_from_the_groups_claim() {
    let (app, _idp) = app_and_provider(false).await;
    let page = new_client()
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with Test IdP"), "{page}");

    let client = new_client();
    let back = opsdeck_tests::oidc::sign_in(&client, &app.base, "lead1", "/env/prod").await;
    assert_eq!(
        back.headers()["location"],
        "/env/prod",
        "back where they wanted to go"
    );
    let s = session(&client, &app).await;
    assert_eq!(s["principal"]["display_name"], "User lead1");
    assert_eq!(
        s["principal"]["roles"],
        serde_json::json!(["viewer", "operator", "approver"])
    );
    assert_eq!(
        client
            .get(format!("{}/env/prod", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let guest = new_client();
    opsdeck_tests::oidc::sign_in(&guest, &app.base, "guest", "/").await;
    assert_eq!(
        session(&guest, &app).await["principal"]["roles"],
        serde_json::json!(["viewer"])
    );

    let pool = app.pool().await;
    let users: Vec<(String, String)> =
        sqlx::query_as("SELECT provider, verified_email FROM identities ORDER BY user_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        users,
        [
            ("oidc".to_owned(), "lead1@example.com".to_owned()),
            ("oidc".to_owned(), "guest@example.com".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_tampered_state_or_an_unstarted_callback_signs_nobody_in() {
    let (app, _idp) = app_and_provider(false).await;
    let client = new_client();
    let r = client
        .get(format!(
            "{}/auth/oidc/callback?code=abc&state=forged",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("not started here"));

    // Started for real, but the answer carries another state.
    let start = client
        .get(format!("{}/auth/oidc/start?next=/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let r = client
        .get(format!(
            "{}/auth/oidc/callback?code=abc&state=forged",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("state mismatch"));
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

    // Anonymous failures are counted into one summary, with the reasons.
    let pool = app.pool().await;
    let reasons = opsdeck_tests::wait_until(Duration::from_secs(5), "two failures summarised", || async {
        let rows: Vec<serde_json::Value> = sqlx::query_scalar(
            "SELECT details FROM audit_events WHERE action = 'sign_in_failed' AND actor = 'oidc:(unknown)'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let counted: i64 = rows.iter().filter_map(|d| d["count"].as_i64()).sum();
        if counted == 2 {
            Ok(rows)
        } else {
            Err(format!("{counted} counted"))
        }
    })
    .await;
    let text = serde_json::to_string(&reasons).unwrap();
    assert!(text.contains("state mismatch"), "{text}");
}

#[tokio::test]
async fn the_provider_refuses_a_redirect_uri_it_does_not_know() {
    let (app, _idp) = app_and_provider(true).await;
    let client = new_client();
    let start = client
        .get(format!("{}/auth/oidc/start?next=/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303);
    let to_idp = start.headers()["location"].to_str().unwrap().to_owned();
    let r = client.get(&to_idp).send().await.unwrap();
    assert_eq!(r.status(), 400, "the provider stops at its own error page");
    let body = r.text().await.unwrap();
    assert!(body.contains("redirect_uri"), "{body}");
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
async fn someone_with_no_role_is_told_so() {
    let (app, _idp) = app_and_provider_granting(false, "group:engineering").await;
    let client = new_client();
    opsdeck_tests::oidc::sign_in(&client, &app.base, "guest", "/").await;
    let r = client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("No role in opsdeck") && page.contains("User guest"),
        "{page}"
    );
    let r = client
        .get(format!("{}/api/v1/status", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "APIs too");
}

#[tokio::test]
async fn an_unverified_email_grants_nothing() {
    // boss@example.com is admin, but this person only claims that address.
    let (app, _idp) = app_and_provider(false).await;
    let client = new_client();
    opsdeck_tests::oidc::sign_in(&client, &app.base, "unverified-mallory", "/").await;
    let s = session(&client, &app).await;
    assert_eq!(
        s["principal"]["roles"],
        serde_json::json!(["viewer"]),
        "no admin from an unverified email"
    );
}
