//! Several opsdeck processes sharing one database, as replicas behind a load balancer: the
//! pollers run on one of them (the others make no upstream calls), every replica serves the same
//! figures with the same sequence numbers, and when the leader crashes another takes over within
//! two probe intervals while viewers on a survivor keep receiving.

use opsdeck_tests::{fresh_database, wait_until, TestApp};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_secs(1);

/// A counter or gauge from the replica's `/metrics`, summed over the lines that contain `labels`.
async fn metric(app: &TestApp, name: &str, labels: &str) -> f64 {
    let (_, text) = app.text("/metrics").await;
    text.lines()
        .filter(|l| l.starts_with(name) && l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn probes(app: &TestApp) -> f64 {
    metric(
        app,
        "opsdeck_upstream_calls_total",
        "upstream=\"health_probe\"",
    )
    .await
}

async fn leaders(apps: &[&TestApp]) -> Vec<usize> {
    let mut out = vec![];
    for (i, a) in apps.iter().enumerate() {
        if metric(a, "opsdeck_leader", "").await == 1.0 {
            out.push(i);
        }
    }
    out
}

/// Each environment's (name, seq, level) as `/api/v1/status` gives them.
async fn status(app: &TestApp) -> Vec<(String, u64, String)> {
    app.status_json().await["environments"]
        .as_array()
        .expect("environments")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["seq"].as_u64().unwrap_or_default(),
                e["level"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The ids of the `env` events a live stream on `app` receives, as they arrive.
fn watch_env_events(app: &TestApp) -> Arc<Mutex<Vec<u64>>> {
    let ids = Arc::new(Mutex::new(Vec::new()));
    let (client, url, out) = (
        app.client.clone(),
        format!("{}/api/v1/live", app.base),
        ids.clone(),
    );
    tokio::spawn(async move {
        let r = client
            .get(url)
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .expect("live stream");
        let mut body = Box::pin(r.bytes_stream());
        let mut text = String::new();
        while let Some(Ok(chunk)) = futures::StreamExt::next(&mut body).await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(at) = text.find("event: env\nid: ") {
                let rest = &text[at + 15..];
                let Some(end) = rest.find('\n') else { break };
                if let Ok(id) = rest[..end].parse() {
                    out.lock().unwrap().push(id);
                }
                text = rest[end..].to_owned();
            }
        }
    });
    ids
}

/// One more opsdeck process on `db`, probing every [`INTERVAL`].
async fn replica(db: &secrecy::SecretString) -> TestApp {
    TestApp::builder()
        .database(db.clone())
        .interval(INTERVAL)
        .spawn()
        .await
}

#[tokio::test]
async fn three_replicas_poll_once_agree_and_a_survivor_takes_over() {
    let db = fresh_database().await;
    let start = || replica(&db);
    let (a, b, c) = (start().await, start().await, start().await);
    let apps = [&a, &b, &c];
    let leader = wait_until(Duration::from_secs(10), "one leader", || async {
        match leaders(&apps).await.as_slice() {
            [one] => Ok(*one),
            other => Err(format!("leaders: {other:?}")),
        }
    })
    .await;

    // Over a few probe rounds only the leader probes: the upstream calls are one process's.
    let before = [probes(&a).await, probes(&b).await, probes(&c).await];
    tokio::time::sleep(INTERVAL * 3).await;
    let after = [probes(&a).await, probes(&b).await, probes(&c).await];
    for i in 0..3 {
        if i == leader {
            assert!(
                after[i] > before[i],
                "the leader probes: {before:?} → {after:?}"
            );
        } else {
            assert_eq!(after[i], before[i], "replica {i} makes no upstream calls");
        }
    }
    // Every replica serves the leader's figures with the leader's sequence numbers.
    wait_until(Duration::from_secs(5), "the replicas agree", || async {
        let (sa, sb, sc) = (status(&a).await, status(&b).await, status(&c).await);
        if sa == sb && sb == sc && sa.iter().all(|(_, seq, _)| *seq > 1_000_000) {
            Ok(())
        } else {
            Err(format!("{sa:?} / {sb:?} / {sc:?}"))
        }
    })
    .await;

    // A viewer on a follower; then the leader crashes.
    let follower = (leader + 1) % 3;
    let seen = watch_env_events(apps[follower]);
    wait_until(
        Duration::from_secs(5),
        "the viewer's first events",
        || async {
            let n = seen.lock().unwrap().len();
            if n > 0 {
                Ok(())
            } else {
                Err("none yet".into())
            }
        },
    )
    .await;
    let mut all = vec![a, b, c];
    let crashed = all.remove(leader);
    let crashed_at = Instant::now();
    crashed.started.crash();
    let last_before = seen.lock().unwrap().iter().copied().max().unwrap_or(0);

    let survivors: Vec<&TestApp> = all.iter().collect();
    let new_leader = wait_until(
        INTERVAL * 2 + Duration::from_secs(2),
        "a new leader",
        || async {
            match leaders(&survivors).await.as_slice() {
                [one] => Ok(*one),
                other => {
                    let lease: Option<(String, String)> =
                        sqlx::query_as("SELECT holder, (expires_at - now())::text FROM leases")
                            .fetch_optional(&survivors[0].pool().await)
                            .await
                            .ok()
                            .flatten();
                    Err(format!("leaders: {other:?}; lease: {lease:?}"))
                }
            }
        },
    )
    .await;
    let took_over = crashed_at.elapsed();
    // Its pollers run, and the viewer on the survivor keeps receiving newer events.
    let p0 = probes(survivors[new_leader]).await;
    wait_until(
        INTERVAL * 3,
        "the new leader's probes and the viewer's events",
        || async {
            let p = probes(survivors[new_leader]).await;
            let newest = seen.lock().unwrap().iter().copied().max().unwrap_or(0);
            if p > p0 && newest > last_before {
                Ok(())
            } else {
                Err(format!(
                    "probes {p0} → {p}, newest event {last_before} → {newest}"
                ))
            }
        },
    )
    .await;
    eprintln!("a survivor took over {took_over:?} after the leader crashed");
}

/// The ids of every event `app` sends in `within`, after `last_event_id` when given.
async fn event_ids(app: &TestApp, last_event_id: Option<u64>, within: Duration) -> Vec<u64> {
    let mut req = app
        .client
        .get(format!("{}/api/v1/live", app.base))
        .timeout(within);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    let r = req.send().await.expect("live stream");
    let mut body = Box::pin(r.bytes_stream());
    let mut text = String::new();
    while let Some(Ok(chunk)) = futures::StreamExt::next(&mut body).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("id: ")?.parse().ok())
        .collect()
}

#[tokio::test]
async fn a_viewer_that_reconnects_to_another_replica_loses_nothing_and_gets_nothing_twice() {
    let db = fresh_database().await;
    let start = || replica(&db);
    let (a, b) = (start().await, start().await);
    wait_until(Duration::from_secs(10), "one leader", || async {
        match leaders(&[&a, &b]).await.len() {
            1 => Ok(()),
            n => Err(format!("{n} leaders")),
        }
    })
    .await;
    // Everything A has now (a burst), then B from where A's stream stopped.
    let on_a = event_ids(&a, None, Duration::from_millis(300)).await;
    let last = *on_a.iter().max().expect("A sent the current snapshots");
    // Then both, from there, side by side: the same events with the same ids.
    let (on_a, on_b) = tokio::join!(
        event_ids(&a, Some(last), INTERVAL * 3),
        event_ids(&b, Some(last), INTERVAL * 3)
    );
    assert!(!on_b.is_empty(), "B sends what changes, as it changes");
    assert!(
        on_b.iter().all(|id| *id > last),
        "nothing A had already sent comes again from B: {last} then {on_b:?}"
    );
    let common = on_b.iter().filter(|id| on_a.contains(id)).count();
    // An event published in the last moments may reach one replica's viewer before the window ends.
    assert!(
        common >= 1 && common + 2 >= on_b.len().max(on_a.len()),
        "the replicas send the same event ids: A {on_a:?}, B {on_b:?}"
    );
}
