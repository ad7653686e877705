//! The live feed: SSE pushes changes, resumes with Last-Event-ID, and viewers never add probes.

use app::domain::Fault;
use opsdeck_tests::sse::Events;
use opsdeck_tests::{wait_until, TestApp};
use std::time::Duration;

const FAST: Duration = Duration::from_millis(400);

/// These tests follow the health events alone: the AWS and deploy panels (their own `cloud` events,
/// covered in aws_demo.rs) are left unconfigured so every event here is a health round.
async fn health_only(interval: Duration) -> TestApp {
    TestApp::builder()
        .interval(interval)
        .configure(|s| {
            for e in &mut s.environments {
                e.aws = None;
                e.github = None;
            }
            // One test client plays fifty viewers: above the per-session limit people get.
            s.limits.live_streams_per_session = 64;
        })
        .spawn()
        .await
}

async fn open(app: &TestApp, last_id: Option<&str>) -> Events {
    let mut req = app
        .client
        .get(format!("{}/api/v1/live", app.base))
        .timeout(Duration::from_secs(60));
    if let Some(id) = last_id {
        req = req.header("Last-Event-ID", id);
    }
    let r = req.send().await.expect("open live stream");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/event-stream"));
    // Health rounds only: the AWS panels and the approvals inbox have their own events.
    Events::only(r, "env")
}

#[tokio::test]
async fn a_new_viewer_gets_every_environment_then_changes() {
    let app = health_only(FAST).await;
    let mut live = open(&app, None).await;
    let first = live
        .next(Duration::from_secs(5))
        .await
        .expect("first event");
    let second = live
        .next(Duration::from_secs(5))
        .await
        .expect("second event");
    // In the order they last changed: which one that is depends on whose probe round finished first.
    let mut names: Vec<String> = [&first, &second]
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.data).expect("json")["name"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["dev", "prod"]);
    assert_eq!(first.event, "env");

    app.inject("prod", Fault::Error5xx).await;
    // A round already under way when the fault lands may mix 200s and 503s: wait for the health
    // endpoint's own 503, then check what the viewer is told.
    let down = live
        .until(Duration::from_secs(10), |v| {
            v["name"] == "prod" && v["probes"][0]["http_status"] == 503
        })
        .await
        .expect("prod's health endpoint answers 503 over the live stream");
    let v: serde_json::Value = serde_json::from_str(&down.data).expect("json");
    assert_eq!(v["level"], "critical");
    assert_eq!(v["probes"][0]["failure"]["kind"], "http_status");
}

#[tokio::test]
async fn reconnecting_with_last_event_id_skips_what_the_viewer_has() {
    let app = health_only(Duration::from_secs(30)).await;
    // With a 30 s interval only the first round happens during this test.
    app.wait_for(Duration::from_secs(10), "first round of both", |s| {
        TestApp::level(s, "prod") != "unknown" && TestApp::level(s, "dev") != "unknown"
    })
    .await;
    let mut live = open(&app, None).await;
    let a = live.next(Duration::from_secs(5)).await.expect("event");
    let b = live.next(Duration::from_secs(5)).await.expect("event");
    let newest =
        a.id.parse::<u64>()
            .expect("numeric id")
            .max(b.id.parse().expect("numeric id"));
    let mut again = open(&app, Some(&newest.to_string())).await;
    assert!(
        again.next(Duration::from_millis(800)).await.is_none(),
        "nothing new to send"
    );
    let mut older = open(&app, Some(&(newest - 1).to_string())).await;
    let resent = older
        .next(Duration::from_secs(2))
        .await
        .expect("the newer one is resent");
    assert_eq!(resent.id, newest.to_string());
}

fn probe_calls(metrics: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| {
            l.starts_with("opsdeck_upstream_calls_total{")
                && l.contains("upstream=\"health_probe\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn viewers_do_not_multiply_probes() {
    let app = health_only(FAST).await;
    // Counted from before the viewers connect, so probes triggered by connecting would show.
    let before = probe_calls(&app.text("/metrics").await.1);
    let t0 = std::time::Instant::now();
    let mut viewers = Vec::new();
    for _ in 0..50 {
        viewers.push(open(&app, None).await);
    }
    let metrics = app.text("/metrics").await.1;
    assert!(metrics.contains("opsdeck_live_viewers 50"), "{metrics}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = probe_calls(&app.text("/metrics").await.1);
    // Two environments, three endpoints each, one round per interval: independent of viewers.
    let rounds = (t0.elapsed().as_secs_f64() / FAST.as_secs_f64()).ceil() + 1.0;
    assert!(
        after - before <= rounds * 6.0,
        "{} probes in {rounds} rounds with 50 viewers",
        after - before
    );
    assert!(after - before >= 6.0, "probing continued");
    drop(viewers);
    // The server notices a closed stream at its next write (an update or a heartbeat).
    wait_until(
        Duration::from_secs(5),
        "closed streams counted down",
        || async {
            let m = app.text("/metrics").await.1;
            if m.contains("opsdeck_live_viewers 0") {
                Ok(())
            } else {
                Err(m)
            }
        },
    )
    .await;
}
