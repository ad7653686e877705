//! Deploy reviews through the whole server against the demo's simulated GitHub: an approver
//! approves the waiting prod deploy as themselves, the simulated deploy runs and the app's version
//! changes; the review is in the audit log; operators, missing comments and forged requests are
//! refused with words.

use opsdeck_tests::{signed_in_client, TestApp};
use std::time::Duration;

async fn app() -> TestApp {
    TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(|s| s.github.interval = Duration::from_millis(300))
        .spawn()
        .await
}

/// The run waiting at prod's approval gate.
async fn waiting_run(app: &TestApp) -> u64 {
    let gate = |s: &serde_json::Value| {
        s["clouds"][0]["deploys"]["value"]["gates"][0]["run"]["id"].as_u64()
    };
    let status = app
        .wait_for(
            Duration::from_secs(10),
            "a deploy waiting at prod's gate",
            // The checklist asks for prod healthy now: wait for its first probes too.
            |s| gate(s).is_some() && TestApp::level(s, "prod") == "ok",
        )
        .await;
    gate(&status).expect("the gate's run")
}

async fn review(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    run: u64,
    decision: &str,
    comment: &str,
) -> (u16, String) {
    review_with(client, base, csrf, run, decision, comment, &[]).await
}

/// A review with the gate card's other fields (`migrations_reviewed`, `override_reason`).
pub async fn review_with(
    client: &reqwest::Client,
    base: &str,
    csrf: &str,
    run: u64,
    decision: &str,
    comment: &str,
    extra: &[(&str, &str)],
) -> (u16, String) {
    let run = run.to_string();
    let mut form = vec![
        ("env", "prod"),
        ("run_id", run.as_str()),
        ("decision", decision),
        ("comment", comment),
        ("csrf_token", csrf),
    ];
    form.extend_from_slice(extra);
    let r = client
        .post(format!("{base}/api/fn/review_deploy"))
        .form(&form)
        .send()
        .await
        .expect("request");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn an_approver_approves_the_waiting_deploy_and_the_new_version_goes_live() {
    let app = app().await;
    let run = waiting_run(&app).await;
    let page = app.get("/env/prod").await.text().await.expect("page");
    for text in [
        "Waiting for approval",
        "Presenter view: keyboard shortcuts",
        "Tested in dev first",
        "alembic/versions/0042_presenter_shortcuts.py",
        "Approve deploy",
        "team tristanl-slalom/conflicto-leads",
        "Cap websocket fan-out per room",
    ] {
        assert!(page.contains(text), "the gate card lacks {text:?}");
    }

    // An operator may not review; an approver without a comment may not reject.
    let (oscar, oscar_csrf) = signed_in_client(&app.base, "oscar").await;
    let (code, body) = review(&oscar, &app.base, &oscar_csrf, run, "approve", "").await;
    assert_eq!(code, 403, "{body}");
    let (alice, alice_csrf) = signed_in_client(&app.base, "alice").await;
    let (code, body) = review(&alice, &app.base, &alice_csrf, run, "reject", "  ").await;
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("say why you reject"), "{body}");
    // Without the CSRF token the guard refuses before anything reaches GitHub.
    let (code, _) = review(&alice, &app.base, "", run, "approve", "").await;
    assert_eq!(code, 403);
    assert!(
        app.world().github.reviews().is_empty(),
        "nothing was sent to GitHub yet"
    );

    // 1.4.3 adds a migration: the server refuses until the approver says they read it — an
    // override reason does not replace reading it.
    let (code, body) = review_with(
        &alice,
        &app.base,
        &alice_csrf,
        run,
        "approve",
        "",
        &[("override_reason", "no time")],
    )
    .await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("changes migrations (alembic/versions/0042_presenter_shortcuts.py)"),
        "{body}"
    );
    assert!(app.world().github.reviews().is_empty());
    let (code, body) = review_with(
        &alice,
        &app.base,
        &alice_csrf,
        run,
        "approve",
        "error rate is flat",
        &[("migrations_reviewed", "on")],
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("Approved on GitHub as you"), "{body}");
    let reviews = app.world().github.reviews();
    assert_eq!(reviews.len(), 1);
    assert_eq!((reviews[0].0, reviews[0].1), (run, true));

    // The approved run deploys 1.4.3 to the simulated prod: the health endpoint reports it.
    app.wait_for(Duration::from_secs(20), "prod runs 1.4.3", |s| {
        s["environments"][0]["known_version"]["version"] == "1.4.3"
    })
    .await;
    // Approving again: GitHub's own refusal, in words.
    let (code, body) = review(&alice, &app.base, &alice_csrf, run, "approve", "").await;
    assert!(code == 400 || code == 403, "{code} {body}");

    let rows: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT actor, action, details FROM audit_events WHERE action LIKE 'deploy.review%' ORDER BY id",
    )
    .fetch_all(&app.pool().await)
    .await
    .expect("audit");
    // The review is recorded before it is sent, GitHub's answer after it.
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str()),
        ("Alice Approver", "deploy.review")
    );
    assert_eq!(rows[0].2["run_id"], run);
    assert_eq!(rows[0].2["decision"], "approve");
    assert_eq!(rows[0].2["comment"], "error rate is flat");
    assert_eq!(rows[0].2["checklist"]["migrations"], "Pass");
    assert_eq!(rows[0].2["override"], serde_json::Value::Null);
    assert_eq!(rows[1].1, "deploy.review.answer");
    assert_eq!(rows[1].2["run_id"], run);
    assert_eq!(rows[1].2["github"], "accepted");
}

/// The simulated rollback workflow: a dispatch starts a run and puts the requested version back,
/// as the runbook's `gh workflow run rollback.yml -f environment=prod -f version=…` does.
#[tokio::test]
async fn a_rollback_dispatch_in_the_demo_starts_a_run_and_restores_the_version() {
    use app::ports::{DeploySource, UserToken};
    let app = app().await;
    let inputs = vec![
        ("environment".to_owned(), "prod".to_owned()),
        ("version".to_owned(), "1.4.1".to_owned()),
    ];
    let token = UserToken("demo-user-1".into());
    let started = app
        .world()
        .github
        .dispatch(&token, "rollback.yml", "main", &inputs)
        .await
        .expect("dispatched");
    let id = started.run_id.expect("the run it started");
    let runs = app
        .world()
        .github
        .runs("rollback.yml", 5)
        .await
        .expect("runs");
    assert_eq!(runs[0].id, id);
    assert_eq!(runs[0].status, "in_progress");
    app.wait_for(Duration::from_secs(20), "prod back on 1.4.1", |s| {
        s["environments"][0]["known_version"]["version"] == "1.4.1"
    })
    .await;
    let bad = vec![("environment".to_owned(), "prod".to_owned())];
    assert!(
        app.world()
            .github
            .dispatch(&token, "rollback.yml", "main", &bad)
            .await
            .is_err(),
        "a missing version input is refused"
    );
}
