//! No flood: anonymous failures are limited per client and summarised in the audit log (six
//! hundred wrong wall tokens are a few rows, not six hundred), live streams are capped per session
//! and in all (429 in words), and sessions that ended are deleted.

use opsdeck_tests::{new_client, signed_in_client, wait_until, TestApp};
use std::time::Duration;

#[tokio::test]
async fn six_hundred_wrong_wall_tokens_are_limited_and_summarised() {
    let app = TestApp::builder()
        .configure(|s| {
            s.limits.sign_in_attempts_per_minute = 20;
            s.limits.failure_summary_every = Duration::from_millis(500);
        })
        .spawn()
        .await;
    let client = new_client();
    let (mut refused, mut limited, mut retry_after) = (0, 0, None);
    for i in 0..600 {
        let r = client
            .get(format!("{}/wall?token=odw_guess{i}", app.base))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            401 => refused += 1,
            429 => {
                limited += 1;
                retry_after = r.headers().get("retry-after").cloned();
                let body = r.text().await.unwrap();
                assert!(body.contains("too many sign-in attempts"), "{body}");
            }
            other => panic!("attempt {i}: {other}"),
        }
    }
    // 20 a minute: Ada's own sign-in (the test client's) took one; the limit refills one every
    // three seconds, which a slow machine may see once or twice during the loop.
    assert!(
        (19..=22).contains(&refused),
        "the first attempts get an answer: {refused}"
    );
    assert_eq!(limited, 600 - refused, "the rest are limited");
    let wait: u64 = retry_after
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    let pool = app.pool().await;
    let rows: Vec<(String, serde_json::Value)> = wait_until(
        Duration::from_secs(10),
        "the summaries of all 600 attempts",
        || async {
            let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
                "SELECT action, details FROM audit_events
                  WHERE action IN ('wall_sign_in_failed', 'sign_in_rate_limited') ORDER BY id",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            let total: i64 = rows.iter().filter_map(|(_, d)| d["count"].as_i64()).sum();
            if total == 600 {
                Ok(rows)
            } else {
                Err(format!("{total} counted so far"))
            }
        },
    )
    .await;
    assert!(
        rows.len() <= 4,
        "a few summary rows, not 600: {}",
        rows.len()
    );
    let failed: i64 = rows
        .iter()
        .filter(|(a, _)| a == "wall_sign_in_failed")
        .filter_map(|(_, d)| d["count"].as_i64())
        .sum();
    assert_eq!(failed, refused);

    // Another address is not affected by this one's flood (the limit is per client).
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = other
        .get(format!("{}/wall?token=odw_x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "another client still gets an answer");
}

#[tokio::test]
async fn live_streams_are_capped_per_session_and_in_all() {
    let app = TestApp::builder()
        .configure(|s| {
            s.limits.live_streams_per_session = 3;
            s.limits.max_live_streams = 5;
        })
        .spawn()
        .await;
    let open = |c: &reqwest::Client| {
        c.get(format!("{}/api/v1/live", app.base))
            .timeout(Duration::from_secs(30))
            .send()
    };
    let mut held = Vec::new();
    for _ in 0..3 {
        let r = open(&app.client).await.unwrap();
        assert_eq!(r.status(), 200);
        held.push(r);
    }
    let r = open(&app.client).await.unwrap();
    assert_eq!(r.status(), 429, "a fourth stream of one session");
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("close other opsdeck tabs"));
    let (vera, _) = signed_in_client(&app.base, "vera").await;
    for _ in 0..2 {
        let r = open(&vera).await.unwrap();
        assert_eq!(r.status(), 200);
        held.push(r);
    }
    let r = open(&vera).await.unwrap();
    assert_eq!(r.status(), 429, "the sixth stream in all");
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("maximum of 5 live streams"));
    // A closed stream frees its place.
    drop(held.pop());
    let r = wait_until(Duration::from_secs(5), "a freed slot", || async {
        let r = open(&vera).await.unwrap();
        if r.status() == 200 {
            Ok(r)
        } else {
            Err(format!("{}", r.status()))
        }
    })
    .await;
    held.push(r);
}

#[tokio::test]
async fn ended_sessions_are_deleted() {
    let app = TestApp::builder()
        .configure(|s| {
            let auth = s.auth.as_mut().expect("sign-in");
            auth.idle_timeout = Duration::from_secs(1);
            s.limits.sweep_sessions_every = Duration::from_millis(300);
        })
        .spawn()
        .await;
    let pool = app.pool().await;
    for who in ["vera", "oscar", "alice"] {
        signed_in_client(&app.base, who).await;
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tower_sessions.session")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert!(count().await >= 3, "sessions are stored");
    wait_until(
        Duration::from_secs(10),
        "expired sessions deleted",
        || async {
            match count().await {
                0 => Ok(()),
                n => Err(format!("{n} sessions left")),
            }
        },
    )
    .await;
}
