//! The demo's simulated AWS through the whole server: the panels render server-side, follow the
//! simulated application's health (an injected 5xx fault raises the error rate, "down" stops the
//! tasks), and the live stream carries them as their own events.

use app::domain::{CloudSnapshot, EnvSnapshot, Fault};
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
    // Until prod's health and prod's ECS figures have both arrived, each in its own kind of event.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let (mut health, mut cloud): (Option<EnvSnapshot>, Option<CloudSnapshot>) = (None, None);
    while health.is_none() || cloud.is_none() {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(ev) = events.next(left).await else {
            panic!(
                "within 15 s the live stream carried no prod {}",
                if health.is_none() {
                    "health event"
                } else {
                    "cloud event with ECS figures"
                }
            );
        };
        let raw: serde_json::Value = serde_json::from_str(&ev.data).expect("JSON data");
        match ev.event.as_str() {
            "env" => {
                assert!(
                    raw.get("ecs").is_none() && raw.get("metrics").is_none(),
                    "a health event carries no AWS panels: {raw:#}"
                );
                let env: EnvSnapshot =
                    serde_json::from_value(raw).expect("an environment snapshot");
                assert_eq!(
                    ev.id,
                    env.seq.to_string(),
                    "the event id is the snapshot's seq"
                );
                if env.name.as_str() == "prod" {
                    health = Some(env);
                }
            }
            "cloud" => {
                assert!(
                    raw.get("probes").is_none(),
                    "a cloud event carries no health probes: {raw:#}"
                );
                let c: CloudSnapshot = serde_json::from_value(raw).expect("a cloud snapshot");
                assert_eq!(
                    ev.id,
                    c.seq.to_string(),
                    "the event id is the snapshot's seq"
                );
                let has_ecs = c.ecs.as_ref().is_some_and(|e| e.value.is_some());
                if c.name.as_str() == "prod" && has_ecs {
                    cloud = Some(c);
                }
            }
            _ => {}
        }
    }
    let (health, cloud) = (health.expect("prod health"), cloud.expect("prod cloud"));
    assert_eq!(
        health.base_url,
        app.health
            .url(&opsdeck_tests::env("prod"))
            .expect("prod")
            .to_string()
    );
    let ecs = cloud.ecs.and_then(|e| e.value).expect("ECS figures");
    assert_eq!(
        (ecs.service.as_str(), ecs.running, ecs.desired),
        ("conflicto-prod-svc", 3, 3),
        "prod's simulated service"
    );
}
