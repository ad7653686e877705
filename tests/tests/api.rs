//! JSON and operational endpoints: `/api/v1/status`, `/healthz`, `/readyz`, `/metrics`, and the
//! demo control's refusals.

use app::ports::DemoControl;
use opsdeck_tests::TestApp;
use std::time::Duration;

#[tokio::test]
async fn status_json_has_the_runbook_fields() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    let s = app
        .wait_for(Duration::from_secs(10), "prod probed", |s| {
            TestApp::level(s, "prod") == "ok"
        })
        .await;
    let prod = &s["environments"][0];
    assert_eq!(prod["name"], "prod");
    let health = &prod["probes"][0];
    assert_eq!(health["endpoint"], "health");
    assert_eq!(health["http_status"], 200);
    for f in [
        "status",
        "timestamp",
        "version",
        "environment",
        "app_version",
    ] {
        assert!(
            health["body"][f].is_string(),
            "body.{f} missing: {health:#}"
        );
    }
    for t in [
        "namelookup_ms",
        "connect_ms",
        "pretransfer_ms",
        "starttransfer_ms",
        "total_ms",
    ] {
        assert!(
            health["timings"][t].as_f64().is_some(),
            "timings.{t} missing"
        );
    }
    assert!(prod["updated_at"].is_string());
}

#[tokio::test]
async fn own_health_readiness_and_metrics() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    assert_eq!(app.text("/healthz").await.0, 200);
    let (status, body) = app.text("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("database reachable"));
    app.wait_for(Duration::from_secs(10), "a probe", |s| {
        TestApp::level(s, "prod") != "unknown"
    })
    .await;
    let (status, metrics) = app.text("/metrics").await;
    assert_eq!(status, 200);
    for name in [
        "opsdeck_probe_duration_seconds_bucket",
        "opsdeck_probes_total",
        "opsdeck_live_viewers",
        "opsdeck_upstream_calls_total",
    ] {
        assert!(metrics.contains(name), "metrics lack {name}");
    }
}

#[tokio::test]
async fn readyz_fails_when_the_database_goes_away() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    // Terminate this test database's connections and forbid new ones.
    let name = url::Url::parse(secrecy::ExposeSecret::expose_secret(&app.database_url))
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    let admin = opsdeck_tests::admin_url();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let (status, body) = app.text("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("not ready"), "{body}");
    // Sessions live in the same database: pages cannot tell who is asking, and say so quickly
    // instead of hanging. (A memory cache in front of the session store would keep them up.)
    let started = std::time::Instant::now();
    let (status, body) = app.text("/").await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "answered, did not hang"
    );
    assert!(status == 303 || status >= 500, "{status}: {body}");
    assert_eq!(
        app.text("/healthz").await.0,
        200,
        "the process itself is fine"
    );
}

#[tokio::test]
async fn demo_control_refuses_bad_input_with_clear_words() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    let r = app.post_fault("prod", "meteor", &[]).await;
    assert!(r.status().is_client_error() || r.status().is_server_error());
    let body = r.text().await.unwrap();
    assert!(body.contains("unknown fault"), "{body}");
    assert!(body.contains("expected one of"), "{body}");

    let r = app.post_fault("Prod!", "down", &[]).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not a valid environment name"));

    let r = app.post_fault("prod", "down", &[]).await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    app.wait_for(Duration::from_secs(10), "prod down", |s| {
        TestApp::level(s, "prod") == "critical"
    })
    .await;
}

#[tokio::test]
async fn another_site_cannot_make_a_browser_change_anything() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let r = app.post_fault("prod", "down", &[(name, value)]).await;
        assert_eq!(r.status(), 403, "{name}: {value}");
        assert!(r.text().await.unwrap().starts_with("refused:"));
    }
    let faults = app.health.faults();
    assert!(
        faults.iter().all(|(_, f)| *f == app::domain::Fault::None),
        "{faults:?}"
    );

    // The same request from opsdeck's own page goes through.
    let r = app
        .post_fault(
            "prod",
            "down",
            &[("origin", &app.base), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
}
