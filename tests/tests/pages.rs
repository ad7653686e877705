//! Server-rendered pages: complete without wasm, with status shown as colour class, icon and word.

use app::domain::Fault;
use opsdeck_tests::TestApp;
use std::time::Duration;

const FAST: Duration = Duration::from_millis(500);

async fn healthy_app() -> TestApp {
    let app = TestApp::builder().interval(FAST).spawn().await;
    app.wait_for(Duration::from_secs(10), "both environments healthy", |s| {
        TestApp::level(s, "prod") == "ok" && TestApp::level(s, "dev") == "ok"
    })
    .await;
    app
}

#[tokio::test]
async fn dashboard_renders_every_environment_without_wasm() {
    let app = healthy_app().await;
    let (status, html) = app.text("/").await;
    assert_eq!(status, 200);
    for needle in [
        "data-env=\"prod\"",
        "data-env=\"dev\"",
        "Production",
        "Development",
        "lvl-ok",
        "✔",
        "Healthy",
        "1.4.2",
        "1.5.0-rc.1",
        "uptime 24 h",
        "class=\"timing-bar\"",
        "<polyline",
        "/pkg/opsdeck.js",
    ] {
        assert!(html.contains(needle), "dashboard lacks {needle:?}");
    }
    assert!(html.contains("ago"), "every figure carries its age");
}

#[tokio::test]
async fn a_failing_environment_shows_down_in_words_and_icon() {
    let app = healthy_app().await;
    app.inject("prod", Fault::Down).await;
    app.wait_for(Duration::from_secs(10), "prod down", |s| {
        TestApp::level(s, "prod") == "critical"
    })
    .await;
    let (_, html) = app.text("/").await;
    let prod = html.split("data-env=\"prod\"").nth(1).expect("prod tile");
    let prod = prod.split("data-env=\"dev\"").next().unwrap_or(prod);
    assert!(
        prod.contains("Down") && prod.contains("✖"),
        "prod tile: {prod}"
    );
    assert!(
        prod.contains("Connection refused"),
        "the failure is named in words"
    );
}

#[tokio::test]
async fn environment_detail_shows_curl_timings_body_and_history() {
    let app = healthy_app().await;
    let (status, html) = app.text("/env/prod").await;
    assert_eq!(status, 200);
    for needle in [
        "time_namelookup",
        "time_connect",
        "time_appconnect",
        "time_pretransfer",
        "time_starttransfer",
        "time_total",
        "Recent samples",
        "Last 24 hours",
        "\"app_version\": ",
        "/api/v1/health/ready",
    ] {
        assert!(html.contains(needle), "detail lacks {needle:?}");
    }
}

#[tokio::test]
async fn unknown_environment_and_page_are_404_with_words() {
    let app = TestApp::builder().interval(FAST).spawn().await;
    let (status, html) = app.text("/env/staging").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("no environment named \"staging\" is configured"),
        "{html}"
    );
    // The name reaches the title, the heading and the error: none may become markup.
    let (status, html) = app
        .text("/env/%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(status, 404);
    assert!(
        !html.contains("<script>alert(1)"),
        "names are never rendered raw:\n{html}"
    );
    assert!(
        html.contains("<title>opsdeck — not found</title>"),
        "{html}"
    );
    let (status, html) = app.text("/nothing-here").await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no page at this address."));
}

#[tokio::test]
async fn wall_is_a_dark_view_without_controls() {
    let app = healthy_app().await;
    let (status, html) = app.text("/wall").await;
    assert_eq!(status, 200);
    assert!(html.contains("class=\"wall\""));
    assert!(html.contains("wall-tile lvl-ok"));
    assert!(!html.contains("<button"), "the wall has no controls");
    assert!(!html.contains("<form"), "the wall has no controls");
}

#[tokio::test]
async fn upstream_text_is_escaped() {
    // Health bodies are the upstream's text; a hostile one must not become markup.
    let app = TestApp::builder().interval(FAST).spawn().await;
    app.inject("prod", Fault::Garbage).await;
    app.wait_for(Duration::from_secs(10), "prod degraded", |s| {
        TestApp::level(s, "prod") == "warning"
    })
    .await;
    let (_, html) = app.text("/").await;
    assert!(html.contains("Unreadable body"));
    assert!(html.contains("&lt;html&gt;"), "the excerpt is escaped");
    assert!(!html.contains("<h1>502 Bad Gateway</h1>"));
}
