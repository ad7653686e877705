//! One person, one vote, with both sign-in providers configured: the same human signing in through
//! OpenID Connect (a real `oidc-provider`) and through GitHub (the stub) is one person when the
//! GitHub account's *verified* address is theirs, or once they connected it. They cannot approve
//! their own request from the other provider, and they count once towards a two-approval restore.

use opsdeck_tests::github_stub::{sign_in_settings, GithubStub, GithubUser};
use opsdeck_tests::oidc::{free_port, provider, Provider};
use opsdeck_tests::{new_client, TestApp};
use server::config::{AuthSettings, OidcSettings};
use std::sync::Arc;
use std::time::Duration;

/// `lead1` at the provider has the verified address lead1@example.com; so does GitHub's `lead1-gh`.
/// `mallory-gh` claims the same address on GitHub without having verified it.
fn github_people() -> Vec<GithubUser> {
    let lead = |login: &str, id: i64, verified: bool| GithubUser {
        login: login.into(),
        id,
        name: format!("GitHub {login}"),
        public_email: Some("lead1@example.com".into()),
        emails: vec![("lead1@example.com".into(), verified)],
        teams: vec!["Conflicto/oncall".into(), "Conflicto/leads".into()],
    };
    vec![
        lead("lead1-gh", 1001, true),
        lead("mallory-gh", 1002, false),
    ]
}

async fn app() -> (TestApp, Provider, Arc<GithubStub>) {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}/");
    let callback = format!("{public}auth/oidc/callback");
    let idp = provider(&callback).await;
    let (gh_base, stub) = GithubStub::start(github_people()).await;
    let gh = sign_in_settings(&gh_base, &public);
    let issuer = idp.issuer.clone();
    let app = TestApp::builder()
        .configure(move |s| {
            s.listen = format!("127.0.0.1:{port}").parse().unwrap();
            s.public_url = Some(url::Url::parse(&public).unwrap());
            let grant = |g: &[&str]| {
                g.iter()
                    .map(|g| app::domain::Grantee::parse(g).unwrap())
                    .collect()
            };
            s.auth = Some(AuthSettings {
                idle_timeout: Duration::from_secs(600),
                lifetime: Duration::from_secs(3600),
                grants: app::domain::RoleGrants(vec![
                    (app::domain::Role::Viewer, grant(&["*"])),
                    (
                        app::domain::Role::Operator,
                        grant(&["group:oncall", "team:conflicto/oncall"]),
                    ),
                    (
                        app::domain::Role::Approver,
                        grant(&["group:leads", "team:conflicto/leads"]),
                    ),
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
                github: Some(gh),
            });
        })
        .spawn()
        .await;
    (app, idp, stub)
}

/// A browser signed in; its person id and CSRF token.
struct Browser {
    client: reqwest::Client,
    csrf: String,
    person: i64,
}

impl Browser {
    async fn session(client: reqwest::Client, app: &TestApp) -> Self {
        let s: serde_json::Value = client
            .get(format!("{}/api/v1/session", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            csrf: s["csrf_token"].as_str().expect("signed in").to_owned(),
            person: s["principal"]["user_id"].as_i64().expect("a person"),
            client,
        }
    }

    async fn oidc(app: &TestApp, login: &str) -> Self {
        let client = new_client();
        opsdeck_tests::oidc::sign_in(&client, &app.base, login, "/").await;
        Self::session(client, app).await
    }

    async fn github(app: &TestApp, stub: &GithubStub, login: &str) -> Self {
        stub.sign_in_as(login);
        let client = new_client();
        let back = follow_github(&client, app, "/auth/github/start?next=/").await;
        assert_eq!(back.status(), 303, "{login} signs in with GitHub");
        Self::session(client, app).await
    }

    async fn call(&self, app: &TestApp, endpoint: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut form = fields.to_vec();
        form.push(("csrf_token", &self.csrf));
        let r = self
            .client
            .post(format!("{}/api/fn/{endpoint}", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn decide(&self, app: &TestApp, id: &str) -> (u16, String) {
        self.call(
            app,
            "decide_request",
            &[("id", id), ("decision", "approve"), ("comment", "")],
        )
        .await
    }
}

/// Start at opsdeck (`path`), through the stub's authorization, back to opsdeck's callback.
async fn follow_github(client: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    let start = client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "sent to GitHub");
    let to_github = start.headers()["location"].to_str().unwrap().to_owned();
    let back = client.get(&to_github).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    client.get(&callback).send().await.unwrap()
}

#[tokio::test]
async fn the_same_human_through_two_providers_is_one_person() {
    let (app, _idp, stub) = app().await;
    let lead_oidc = Browser::oidc(&app, "lead1").await;
    let lead_github = Browser::github(&app, &stub, "lead1-gh").await;
    assert_eq!(
        lead_oidc.person, lead_github.person,
        "GitHub's verified address is the provider's verified address: one person"
    );
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM identities WHERE user_id = $1")
        .bind(lead_oidc.person)
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(linked, 2, "two identities, one person");
    let how: String = sqlx::query_scalar(
        "SELECT details->>'linked_by_verified_email' FROM audit_events WHERE action = 'sign_in' AND details->>'provider' = 'github'",
    )
    .fetch_one(&app.pool().await)
    .await
    .unwrap();
    assert_eq!(how, "lead1@example.com", "the audit log says why");

    // Asked through one provider, approved through the other: still their own request.
    let (code, id) = lead_oidc
        .call(
            &app,
            "request_action",
            &[
                ("env", "dev"),
                ("kind", "restart"),
                ("reason", "stuck tasks"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{id}");
    let (code, body) = lead_github.decide(&app, id.trim()).await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("someone else must approve it"), "{body}");

    // An address GitHub has not verified links nothing.
    let mallory = Browser::github(&app, &stub, "mallory-gh").await;
    assert_ne!(mallory.person, lead_oidc.person);
}

#[tokio::test]
async fn one_person_counts_once_for_a_two_approval_restore() {
    let (app, _idp, stub) = app().await;
    let asker = Browser::oidc(&app, "lead2").await;
    let lead_oidc = Browser::oidc(&app, "lead1").await;
    let lead_github = Browser::github(&app, &stub, "lead1-gh").await;
    let other = Browser::oidc(&app, "lead3").await;
    let (code, id) = asker
        .call(
            &app,
            "request_action",
            &[
                ("env", "dev"),
                ("kind", "restore"),
                ("snapshot", "rds:conflicto-dev-2026-12-01-03-00"),
                ("new_instance", "conflicto-dev-recovery"),
                ("reason", "orders table damaged at 06:10"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{id}");
    let id = id.trim().to_owned();
    let (code, body) = lead_oidc.decide(&app, &id).await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("waiting for approval"), "one of two: {body}");
    let (code, body) = lead_github.decide(&app, &id).await;
    assert_eq!(code, 403, "the same person again: {body}");
    assert!(body.contains("already decided"), "{body}");
    let (code, body) = other.decide(&app, &id).await;
    assert_eq!(code, 200, "{body}");
    assert!(!body.contains("waiting for approval"), "two people: {body}");
    let approvers: Vec<i64> = sqlx::query_scalar(
        "SELECT user_id FROM action_decisions WHERE request_id = $1::bigint ORDER BY at",
    )
    .bind(&id)
    .fetch_all(&app.pool().await)
    .await
    .unwrap();
    assert_eq!(approvers, vec![lead_oidc.person, other.person]);
}

#[tokio::test]
async fn a_github_account_linked_to_someone_else_is_refused_in_words() {
    let (app, _idp, stub) = app().await;
    let lead = Browser::github(&app, &stub, "lead1-gh").await;
    let someone = Browser::oidc(&app, "op9").await;
    assert_ne!(lead.person, someone.person);
    stub.sign_in_as("lead1-gh");
    let r = follow_github(&someone.client, &app, "/auth/github/connect?next=/profile").await;
    assert_eq!(r.status(), 400);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("already linked to another opsdeck person"),
        "{page}"
    );
    let owners: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM identities WHERE provider = 'github'")
            .fetch_all(&app.pool().await)
            .await
            .unwrap();
    assert_eq!(owners, vec![lead.person], "nothing was re-linked");
}
