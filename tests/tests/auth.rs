//! Sign-in, roles, sessions and CSRF, through the real router and a real Postgres session store:
//! every route refuses strangers, every role gets exactly what it may, every state-changing
//! request needs the session's token, and sessions end when they should.

use opsdeck_tests::{
    demo_sign_in, new_client, session_cookie, signed_in_client, OpenStream, TestApp,
};
use std::time::Duration;

const FAST: Duration = Duration::from_millis(500);

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn strangers_are_sent_to_sign_in_and_apis_say_401() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let anon = new_client();
    let r = anon
        .get(format!("{}/env/prod?x=1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/signin?next=%2Fenv%2Fprod%3Fx%3D1");
    for path in [
        "/api/v1/status",
        "/api/v1/live",
        "/api/v1/session",
        "/api/fn/dashboard",
    ] {
        let r = anon
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = anon
        .post(format!("{}/api/fn/demo_fault", app.base))
        .form(&[("env", "prod"), ("fault", "down")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        anon.get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let page = anon
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for who in [
        "Vera Viewer",
        "Oscar Operator",
        "Alice Approver",
        "Abel Approver",
        "Ada Admin",
    ] {
        assert!(page.contains(who), "the demo offers {who}");
    }
}

/// Each role against each route and server function.
#[tokio::test]
async fn each_role_gets_exactly_what_it_may() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    // (user, may read, may inject a demo fault, may manage wall tokens)
    let table = [
        ("vera", true, false, false),
        ("oscar", true, true, false),
        ("alice", true, false, false),
        ("ada", true, true, true),
    ];
    for (user, read, act, admin) in table {
        let (client, csrf) = signed_in_client(&app.base, user).await;
        for path in [
            "/",
            "/env/prod",
            "/wall",
            "/demo",
            "/api/v1/status",
            "/api/fn/dashboard",
            "/api/fn/demo_faults",
        ] {
            let status = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status.is_success(), read, "{user} GET {path}: {status}");
        }
        for path in ["/profile", "/api/fn/profile"] {
            let status = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "{user} GET {path}");
        }
        for path in ["/admin/wall-tokens", "/api/fn/wall_tokens"] {
            let status = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status.is_success(), admin, "{user} GET {path}: {status}");
        }
        let r = client
            .post(format!("{}/api/fn/demo_fault", app.base))
            .header("accept", "application/json")
            .form(&[("env", "dev"), ("fault", "none"), ("csrf_token", &csrf)])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(
            status.is_success(),
            act,
            "{user} POST demo_fault: {status} {body}"
        );
        if !act {
            assert_eq!(status, 403, "{user}");
            assert!(body.contains("needs the operator role"), "{user}: {body}");
        }
    }
}

#[tokio::test]
async fn every_state_changing_request_needs_the_session_token() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let (oscar, csrf) = signed_in_client(&app.base, "oscar").await;
    let post = |token: Option<&str>, header: Option<&str>, origin: Option<&str>| {
        let mut form = vec![("env", "prod".to_owned()), ("fault", "none".to_owned())];
        if let Some(t) = token {
            form.push(("csrf_token", t.to_owned()));
        }
        let mut req = oscar
            .post(format!("{}/api/fn/demo_fault", app.base))
            .form(&form);
        if let Some(h) = header {
            req = req.header("x-csrf-token", h);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let missing = post(None, None, None).await.unwrap();
    assert_eq!(missing.status(), 403);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("CSRF token is missing"));
    let wrong = post(Some("forged"), None, None).await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert!(wrong.text().await.unwrap().contains("CSRF token is wrong"));
    assert_eq!(
        post(None, Some("forged"), None).await.unwrap().status(),
        403
    );
    let foreign = post(Some(&csrf), None, Some("https://evil.example"))
        .await
        .unwrap();
    assert_eq!(
        foreign.status(),
        403,
        "the right token from another site is still refused"
    );
    assert!(post(Some(&csrf), None, None)
        .await
        .unwrap()
        .status()
        .is_success());
    assert!(post(None, Some(&csrf), Some(&app.base))
        .await
        .unwrap()
        .status()
        .is_success());
    // Signing out is state-changing too.
    let r = oscar
        .post(format!("{}/signout", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    // A real session (Vera's), whose id an attacker could plant in someone else's browser.
    let r = demo_sign_in(&app.base, "vera", "/", None).await;
    let planted = session_cookie(&r);
    let r = demo_sign_in(&app.base, "ada", "/", Some(&planted)).await;
    assert_eq!(r.status(), 303);
    let set = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(set.starts_with("opsdeck_session="), "{set}");
    assert!(
        !set.starts_with(&planted),
        "a new id, not the planted one: {set}"
    );
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let r = new_client()
        .get(format!("{}/api/v1/session", app.base))
        .header("cookie", planted)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "the planted id is worth nothing after the sign-in it was planted for"
    );
}

#[tokio::test]
async fn a_busy_session_outlives_the_idle_timeout() {
    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| {
            s.auth.as_mut().expect("demo sign-in").idle_timeout = Duration::from_secs(2);
        })
        .spawn()
        .await;
    for _ in 0..8 {
        assert_eq!(app.get("/api/v1/status").await.status(), 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // 4 s after sign-in, twice the idle timeout, and still signed in: it counts from the last request.
    assert_eq!(app.get("/").await.status(), 200);
}

#[tokio::test]
async fn a_live_stream_ends_with_its_session() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let stream = OpenStream::open(&app.client, &app.base).await;
    let out = app
        .client
        .post(format!("{}/signout", app.base))
        .form(&[("csrf_token", app.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(
        stream.ends_within(Duration::from_secs(15)).await,
        "the stream closed within one session check (10 s) of signing out"
    );
}

#[tokio::test]
async fn signing_out_ends_that_sessions_streams_and_no_one_elses() {
    // Sessions are checked for every open stream at once: the check must still tell them apart.
    let app = TestApp::builder().interval(FAST).spawn().await;
    let (other, _) = opsdeck_tests::signed_in_client(&app.base, "vera").await;
    let mine = [
        OpenStream::open(&app.client, &app.base).await,
        OpenStream::open(&app.client, &app.base).await,
        OpenStream::open(&app.client, &app.base).await,
    ];
    let theirs = OpenStream::open(&other, &app.base).await;
    let out = app
        .client
        .post(format!("{}/signout", app.base))
        .form(&[("csrf_token", app.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let ended = futures::future::join_all(
        mine.into_iter()
            .map(|s| s.ends_within(Duration::from_secs(15))),
    )
    .await;
    assert_eq!(
        ended,
        [true, true, true],
        "every stream of the signed-out session closed"
    );
    assert!(
        !theirs.ends_within(Duration::from_secs(11)).await,
        "another person's stream stays open past a session check"
    );
}

#[tokio::test]
async fn another_host_name_is_refused_against_dns_rebinding() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let r = app
        .client
        .get(format!("{}/api/v1/status", app.base))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let r = app
        .client
        .get(format!("{}/api/v1/status", app.base))
        .header("host", "localhost")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn signing_out_ends_the_session_everywhere_it_is_used() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let r = demo_sign_in(&app.base, "vera", "/", None).await;
    let cookie = session_cookie(&r);
    // Two "devices" holding the same session.
    let get = |path: &'static str| {
        new_client()
            .get(format!("{}{path}", app.base))
            .header("cookie", cookie.clone())
            .send()
    };
    assert_eq!(get("/").await.unwrap().status(), 200);
    let session: serde_json::Value = get("/api/v1/session").await.unwrap().json().await.unwrap();
    let token = session["csrf_token"].as_str().unwrap().to_owned();
    let out = new_client()
        .post(format!("{}/signout", app.base))
        .header("cookie", cookie.clone())
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(location(&out), "/signin");
    assert_eq!(
        get("/").await.unwrap().status(),
        303,
        "the other device is signed out too"
    );
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_lifetime() {
    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| {
            let auth = s.auth.as_mut().expect("demo sign-in");
            auth.idle_timeout = Duration::from_secs(1);
        })
        .spawn()
        .await;
    assert_eq!(app.get("/").await.status(), 200);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(
        app.get("/").await.status(),
        303,
        "idle for longer than the idle timeout"
    );

    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| {
            s.auth.as_mut().expect("demo sign-in").lifetime = Duration::from_secs(2);
        })
        .spawn()
        .await;
    // Busy all along: only the absolute lifetime can end it.
    let until = std::time::Instant::now() + Duration::from_millis(1500);
    while std::time::Instant::now() < until {
        assert_eq!(app.get("/api/v1/status").await.status(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(
        app.get("/").await.status(),
        303,
        "past the absolute lifetime"
    );
}

#[tokio::test]
async fn next_after_sign_in_is_only_ever_a_local_path() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    for (next, expected) in [
        ("/env/prod", "/env/prod"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ] {
        let r = demo_sign_in(&app.base, "vera", next, None).await;
        assert_eq!(location(&r), expected, "next={next}");
    }
    let r = demo_sign_in(&app.base, "mallory", "/", None).await;
    assert_eq!(r.status(), 400, "no such demo user");
}

#[tokio::test]
async fn sign_ins_and_failures_are_audit_events() {
    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| s.limits.failure_summary_every = Duration::from_millis(300))
        .spawn()
        .await;
    let _ = demo_sign_in(&app.base, "mallory", "/", None).await;
    let pool = app.pool().await;
    // Anonymous failures are summarised: who it claimed to be, why, how many.
    let rows: Vec<(String, String, serde_json::Value)> =
        opsdeck_tests::wait_until(Duration::from_secs(5), "the failure summary", || async {
            let rows: Vec<(String, String, serde_json::Value)> =
                sqlx::query_as("SELECT actor, action, details FROM audit_events ORDER BY id")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            if rows.len() >= 2 {
                Ok(rows)
            } else {
                Err(format!("{rows:?}"))
            }
        })
        .await;
    let who: Vec<(&str, &str)> = rows
        .iter()
        .map(|(a, b, _)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("Ada Admin", "sign_in"),
            ("demo:(unknown user)", "sign_in_failed")
        ]
    );
    assert_eq!(rows[1].2["count"], 1);
    assert!(
        rows[1].2["reasons"][0]
            .as_str()
            .is_some_and(|r| r.contains("mallory")),
        "{}",
        rows[1].2
    );
}

#[tokio::test]
async fn without_sign_in_everyone_may_look_and_nobody_may_act() {
    let app = TestApp::builder()
        .interval(FAST)
        .configure(|s| s.auth = None)
        .spawn()
        .await;
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.get("/api/v1/status").await.status(), 200);
    let r = demo_sign_in(&app.base, "ada", "/", None).await;
    assert_eq!(r.status(), 404, "no demo sign-in outside the demo");
    let r = app.post_fault("prod", "down", &[]).await;
    assert_eq!(r.status(), 403);
    assert!(TestApp::level(&app.status_json().await, "prod") != "missing");
}
