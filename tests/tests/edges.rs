//! Guarantees at the edges, through the whole server: a break glass is reviewed once, by a person
//! told apart by id (not by display name), even when two reviewers click at once; a state change
//! whose audit event cannot be written does not happen; every response carries the headers the
//! browser enforces.

use opsdeck_tests::people::{person, until_state};
use opsdeck_tests::TestApp;
use std::time::Duration;

/// The demo's people plus "Ada Admin" again: another person who chose Ada's display name.
fn with_a_second_ada(s: &mut server::config::Settings) {
    let auth = s.auth.as_mut().expect("demo sign-in");
    let user = app::domain::DemoUser {
        key: "ada2".into(),
        name: "Ada Admin".into(),
        roles: vec![app::domain::Role::Approver],
    };
    let identity = app::domain::Identity {
        provider: "demo".into(),
        subject: "ada2".into(),
        display_name: "Ada Admin".into(),
        email: Some("ada2@demo.opsdeck".into()),
        login: None,
        groups: vec![],
        teams: vec![],
        verified_emails: vec!["ada2@demo.opsdeck".into()],
    };
    auth.demo_users.push((user, identity));
    auth.grants.0.push((
        app::domain::Role::Approver,
        vec![app::domain::Grantee::parse("user:ada2@demo.opsdeck").unwrap()],
    ));
}

#[tokio::test]
async fn a_break_glass_is_reviewed_once_by_someone_told_apart_by_id() {
    let app = TestApp::builder()
        .configure(with_a_second_ada)
        .spawn()
        .await;
    let ada = person(&app, "ada").await;
    let (_, body) = ada
        .request(
            &app,
            &[
                ("env", "dev"),
                ("kind", "stop_writes"),
                ("reason", "orders table corrupting"),
            ],
        )
        .await;
    let id: i64 = body.trim().parse().expect("id");
    // Ada asked and breaks the glass herself: allowed in an emergency, flagged for review.
    let (code, body) = ada
        .decide(&app, id, "break_glass", "rows overwritten now")
        .await;
    assert_eq!(code, 200, "{body}");
    until_state(&app, id, "succeeded", Duration::from_secs(10)).await;
    let page = app
        .get(&format!("/requests/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Needs a second person"),
        "flagged until reviewed"
    );

    // Another person with the same display name is another person: may review.
    let ada2 = person(&app, "ada2").await;
    let alice = person(&app, "alice").await;
    let id_s = id.to_string();
    let fields = [("id", id_s.as_str())];
    let (a, b) = tokio::join!(
        ada2.post(&app, "review_request", &fields),
        alice.post(&app, "review_request", &fields),
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(
        codes,
        [200, 409],
        "one review recorded, the other refused: {a:?} {b:?}"
    );
    let refused = if a.0 == 409 { &a.1 } else { &b.1 };
    assert!(refused.contains("already reviewed"), "{refused}");
    let (code, body) = ada.post(&app, "review_request", &[("id", &id_s)]).await;
    assert!(
        code == 403 || code == 409,
        "the breaker never reviews: {code} {body}"
    );
    let reviews: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'action.reviewed' AND details->>'request' = $1",
    )
    .bind(&id_s)
    .fetch_one(&app.pool().await)
    .await
    .unwrap();
    assert_eq!(reviews, 1);
    let page = app
        .get(&format!("/requests/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Break glass reviewed by"), "{page}");
}

/// Make Postgres refuse audit events of `action`, as a full disk or a broken trigger would.
async fn refuse_audit(app: &TestApp, action: &str) {
    let pool = app.pool().await;
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION refuse_{a}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$;
         CREATE TRIGGER refuse_{a} BEFORE INSERT ON audit_events
         FOR EACH ROW WHEN (NEW.action = '{action}') EXECUTE FUNCTION refuse_{a}();",
        a = action.replace('.', "_")
    ))
    .execute(&pool)
    .await
    .expect("install the refusing trigger");
}

#[tokio::test]
async fn without_its_audit_event_nothing_happens_and_people_are_told_why() {
    let app = TestApp::builder().spawn().await;
    refuse_audit(&app, "sign_in").await;
    refuse_audit(&app, "wall_token_created").await;

    // Signing in.
    let r = opsdeck_tests::demo_sign_in(&app.base, "vera", "/", None).await;
    assert_eq!(r.status(), 503);
    let cookie = opsdeck_tests::session_cookie(&r);
    assert!(
        r.text().await.unwrap().contains("audit log"),
        "the person is told why"
    );
    let session = opsdeck_tests::new_client()
        .get(format!("{}/api/v1/session", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 401, "nobody was signed in");

    // Creating a wall token (Ada signed in before the trigger).
    let r = app
        .client
        .post(format!("{}/api/fn/wall_token_create", app.base))
        .form(&[("name", "Team room"), ("csrf_token", &app.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503, "{}", r.text().await.unwrap());
    let tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM wall_tokens")
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(tokens, 0, "no token without its audit event");

    // Approving a deploy: recorded before it is sent, so GitHub is never asked.
    refuse_audit(&app, "deploy.review").await;
    let gate = |s: &serde_json::Value| {
        s["clouds"][0]["deploys"]["value"]["gates"][0]["run"]["id"].as_u64()
    };
    let status = app
        .wait_for(
            Duration::from_secs(10),
            "a deploy at prod's gate, prod healthy",
            |s| gate(s).is_some() && TestApp::level(s, "prod") == "ok",
        )
        .await;
    let run = gate(&status).expect("the gate's run");
    let r = app
        .client
        .post(format!("{}/api/fn/review_deploy", app.base))
        .form(&[
            ("env", "prod"),
            ("run_id", &run.to_string()),
            ("decision", "approve"),
            ("comment", ""),
            // It passes the pre-deploy checklist: only the audit log stands in the way.
            ("migrations_reviewed", "on"),
            ("csrf_token", &app.csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("not sent to GitHub"));
    assert!(
        app.world().github.reviews().is_empty(),
        "GitHub was never asked"
    );
}

#[tokio::test]
async fn every_response_carries_the_headers_the_browser_enforces() {
    let app = TestApp::builder().spawn().await;
    let r = app.get("/").await;
    let h = r.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    let page = r.text().await.unwrap();
    let nonce = regex::Regex::new(r"'nonce-([A-Za-z0-9_-]+)'")
        .unwrap()
        .captures(&csp)
        .expect("a nonce in the policy")[1]
        .to_owned();
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    assert!(script_src.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
    // Every inline script on the page carries this response's nonce.
    let scripts = regex::Regex::new(r"<script([^>]*)>").unwrap();
    let inline: Vec<String> = scripts
        .captures_iter(&page)
        .map(|c| c[1].to_owned())
        .filter(|attrs| !attrs.contains("src="))
        .collect();
    assert!(!inline.is_empty(), "the hydration script is inline");
    for attrs in &inline {
        assert!(attrs.contains(&format!("nonce=\"{nonce}\"")), "{attrs}");
    }
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h["permissions-policy"]
        .to_str()
        .unwrap()
        .contains("camera=()"));
    assert!(
        h.get("strict-transport-security").is_none(),
        "not over plain HTTP"
    );
    // A second response gets another nonce; JSON and errors carry the headers too.
    let again = app.get("/").await;
    assert_ne!(again.headers()["content-security-policy"], csp.as_str());
    for path in ["/api/v1/status", "/no-such-page", "/healthz"] {
        let r = app.get(path).await;
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }

    let https = TestApp::builder()
        .configure(|s| s.public_url = Some("https://opsdeck.example.com/".parse().unwrap()))
        .spawn()
        .await;
    let r = https
        .client
        .get(format!("{}/healthz", https.base))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}
