//! Health samples in a real Postgres: stored, read back, pruned, and history surviving a restart.

use app::domain::Fault;
use app::domain::{
    Endpoint, FailureKind, HealthBody, PhaseTimings, ProbeFailure, ProbeResult, Thresholds,
};
use app::ports::HealthSamples;
use chrono::{Duration as ChronoDuration, SubsecRound, Utc};
use opsdeck_tests::{env, fresh_database, TestApp};
use server::store::{connect, migrate, PgHealthSamples};
use std::time::Duration;

fn sample(endpoint: Endpoint, minutes_ago: i64, failure: Option<FailureKind>) -> ProbeResult {
    ProbeResult {
        endpoint,
        url: "https://conflicto.app/api/v1/health/".into(),
        // Postgres keeps microseconds.
        at: (Utc::now() - ChronoDuration::minutes(minutes_ago)).trunc_subsecs(6),
        http_status: Some(if failure.is_some() { 503 } else { 200 }),
        timings: PhaseTimings {
            namelookup_ms: Some(1.0),
            connect_ms: Some(2.0),
            total_ms: Some(42.5),
            ..Default::default()
        },
        body: Some(HealthBody {
            status: Some("healthy".into()),
            app_version: Some("abc123".into()),
            ..Default::default()
        }),
        failure: failure.map(|kind| ProbeFailure {
            kind,
            message: "HTTP 503 Service Unavailable".into(),
        }),
        remote_addr: Some("127.0.0.1:443".into()),
        certificate: None,
    }
}

fn latency() -> Thresholds {
    Thresholds::new(2000.0, 5000.0).unwrap()
}

#[tokio::test]
async fn samples_round_trip_and_prune() {
    let url = fresh_database().await;
    let pool = connect(&url, 2).await.unwrap();
    migrate(&pool).await.unwrap();
    let store = PgHealthSamples::new(pool);
    let prod = env("prod");
    let written = vec![
        sample(Endpoint::Health, 30, None),
        sample(Endpoint::Ready, 30, Some(FailureKind::HttpStatus)),
        sample(Endpoint::Health, 60 * 24 * 20, None),
    ];
    store.record(&prod, &written, &latency()).await.unwrap();
    store
        .record(
            &env("dev"),
            &[sample(Endpoint::Health, 1, None)],
            &latency(),
        )
        .await
        .unwrap();

    let recent = store.recent(&prod, 10).await.unwrap();
    assert_eq!(recent.len(), 3);
    let ready = recent
        .iter()
        .find(|r| r.endpoint == Endpoint::Ready)
        .unwrap();
    assert_eq!(ready, &written[1], "every field survives the round trip");

    let day = store
        .since(
            &prod,
            Endpoint::Health,
            Utc::now() - ChronoDuration::hours(24),
        )
        .await
        .unwrap();
    assert_eq!(day.len(), 1, "only prod's health samples of the last day");
    assert_eq!(day[0].total_ms, Some(42.5));

    let gone = store
        .prune(Utc::now() - ChronoDuration::days(14))
        .await
        .unwrap();
    assert_eq!(gone, 1);
    assert_eq!(store.recent(&prod, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn history_survives_a_restart() {
    let url = fresh_database().await;
    let app = TestApp::builder()
        .database(url.clone())
        .interval(Duration::from_millis(300))
        .spawn()
        .await;
    app.wait_for(Duration::from_secs(10), "some probes", |s| {
        s["environments"][0]["uptime_24h"]["probes"]
            .as_u64()
            .unwrap_or(0)
            >= 3
    })
    .await;
    app.started.shutdown().await;

    // Prod is down from the first probe after the restart.
    let again = TestApp::builder()
        .database(url)
        .interval(Duration::from_secs(30))
        .faults(&[("prod", Fault::Down)])
        .spawn()
        .await;
    let s = again
        .wait_for(Duration::from_secs(10), "first round after restart", |s| {
            TestApp::level(s, "prod") != "unknown"
        })
        .await;
    let prod = &s["environments"][0];
    assert_eq!(prod["level"], "critical");
    let probes = prod["uptime_24h"]["probes"].as_u64().unwrap_or(0);
    let up = prod["uptime_24h"]["successes"].as_u64().unwrap_or(0);
    assert!(
        probes >= 4 && up >= 3 && up < probes,
        "stored history is loaded at start and the new failure counts: {up}/{probes} up in 24 h"
    );
    assert_eq!(
        prod["known_version"]["version"], "1.4.2",
        "the version it ran before the restart is still shown"
    );
}
