//! The demo's simulated AWS through the whole server: the panels render server-side, follow the
//! simulated application's health (an injected 5xx fault raises the error rate, "down" stops the
//! tasks), and the live stream carries them as their own events.

use app::domain::Fault;
use opsdeck_tests::TestApp;
use std::time::Duration;

async fn app() -> TestApp {
    TestApp::builder()
        .configure(|s| {
            s.aws.ecs_interval = Duration::from_millis(200);
            s.aws.metrics_interval = Duration::from_millis(200);
            s.aws.load_balancer_interval = Duration::from_millis(200);
        })
        .spawn()
        .await
}

/// Wait until `check` holds for prod's cloud snapshot in /api/v1/status; returns that snapshot.
async fn until(
    app: &TestApp,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let status = app
        .wait_for(Duration::from_secs(15), what, |s| check(&s["clouds"][0]))
        .await;
    status["clouds"][0].clone()
}

fn latest(cloud: &serde_json::Value, kind: &str) -> Option<f64> {
    cloud["metrics"]["value"]["series"]
        .as_array()?
        .iter()
        .find(|s| s["kind"] == kind)?["hour"]["values"]
        .as_array()?
        .iter()
        .rev()
        .find_map(serde_json::Value::as_f64)
}

#[tokio::test]
async fn panels_render_and_follow_the_simulated_application() {
    let app = app().await;
    let prod = until(&app, "first AWS data", |c| {
        !c["ecs"]["value"].is_null()
            && !c["metrics"]["value"].is_null()
            && !c["backups"]["value"].is_null()
    })
    .await;
    assert_eq!(prod["name"], "prod");
    assert_eq!(prod["ecs"]["value"]["running"], 3);
    assert!(
        latest(&prod, "error_rate").expect("error rate") < 1.0,
        "healthy traffic"
    );

    let page = app.get("/env/prod").await.text().await.expect("page");
    for text in [
        "ECS service",
        "conflicto-prod-svc",
        "3 / 3",
        "Metrics (CloudWatch)",
        "Response time",
        "Error rate",
        "DB connections",
        "Load balancer",
        "conflicto-prod-alb",
        "Backups (RDS)",
        "rds:conflicto-prod-",
        "AWS console ↗",
    ] {
        assert!(page.contains(text), "/env/prod lacks {text:?}");
    }
    let dash = app.get("/").await.text().await.expect("dashboard");
    assert!(
        dash.contains("3/3 tasks") && dash.contains("Backup"),
        "dashboard chips"
    );

    // An error spike: the 5xx fault shows in the error rate and the target health.
    // The simulated AWS follows the simulated application, so a fault injected there shows.
    app.inject("prod", Fault::Error5xx).await;
    let spiked = until(&app, "error rate after the 5xx fault", |c| {
        latest(c, "error_rate").is_some_and(|v| v > 5.0)
    })
    .await;
    assert_eq!(
        spiked["metrics"]["value"]["series"][1]["kind"],
        "error_rate"
    );
    until(&app, "targets unhealthy", |c| {
        c["load_balancer"]["value"]["target_groups"][0]["healthy"] == 0
    })
    .await;

    // Down: no task runs, and ECS says so in its events.
    app.inject("prod", Fault::Down).await;
    let down = until(&app, "tasks stopped", |c| c["ecs"]["value"]["running"] == 0).await;
    let newest_event = down["ecs"]["value"]["events"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(newest_event.contains("stopped"), "{newest_event}");
}

#[tokio::test]
async fn aws_panels_travel_as_their_own_live_events() {
    let app = app().await;
    let response = app
        .client
        .get(format!("{}/api/v1/live", app.base))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .expect("open the live stream");
    let mut events = opsdeck_tests::sse::Events::new(response);
    let mut kinds = std::collections::HashSet::new();
    while !(kinds.contains("env") && kinds.contains("cloud")) {
        let ev = events
            .next(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("saw only {kinds:?}"));
        if ev.event == "cloud" {
            let cloud: app::domain::CloudSnapshot =
                serde_json::from_str(&ev.data).expect("a cloud snapshot");
            assert!(cloud.ecs.is_some());
        }
        kinds.insert(ev.event);
    }
    assert!(kinds.contains("env") && kinds.contains("cloud"));
}
