//! Log searches through the real SDK: against moto for what it emulates (log groups, PutLogEvents,
//! FilterLogEvents with terms), and against a local stub answering FilterLogEvents in the shape
//! CloudWatch Logs documents for what moto cannot do (throttling; space-delimited patterns, whose
//! request is checked as sent). The shared budget is counted at the stub.

use app::domain::logs::SearchKind;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use opsdeck_tests::aws::{credentials, moto_url, quick_limits, sdk_config, settings, unique};
use opsdeck_tests::TestApp;
use server::config::{EnvLogsSettings, Settings};
use std::time::Duration;

const MIN_MS: i64 = 60_000;

/// One environment reading only `group` at `endpoint`; the others switched off.
fn only_logs(s: &mut Settings, endpoint: &str, group: &str, kinds: &[SearchKind]) {
    for e in &mut s.environments {
        e.aws = None;
        e.github = None;
        e.logs = None;
    }
    let mut aws = settings(endpoint);
    aws.log_group = Some(group.to_owned());
    s.environments[0].aws = Some(aws);
    let mut logs = EnvLogsSettings::runbook(group.to_owned(), chrono_tz::UTC);
    logs.searches.retain(|x| kinds.contains(&x.kind));
    s.environments[0].logs = Some(logs);
    s.aws.limits = quick_limits();
    s.logs.refresh = Duration::from_millis(300);
}

fn search<'a>(status: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    status["clouds"][0]["logs"]["value"]["searches"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["kind"] == kind))
        .unwrap_or(&serde_json::Value::Null)
}

async fn put(client: &aws_sdk_cloudwatchlogs::Client, group: &str, events: &[(i64, &str)]) {
    let mut req = client
        .put_log_events()
        .log_group_name(group)
        .log_stream_name("web/conflicto-backend/1");
    for (at, message) in events {
        req = req.log_events(
            InputLogEvent::builder()
                .timestamp(*at)
                .message(*message)
                .build()
                .expect("log event"),
        );
    }
    req.send().await.expect("PutLogEvents");
}

#[tokio::test]
async fn searches_count_lines_read_from_moto_and_show_them_as_text() {
    let moto = moto_url();
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk_config(&moto).await);
    let group = format!("/ecs/{}", unique("logs"));
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("create log group");
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name("web/conflicto-backend/1")
        .send()
        .await
        .expect("create log stream");
    let now = chrono::Utc::now().timestamp_millis();
    // Overnight always starts at least six hours back (18:00 the day before, UTC).
    put(
        &logs,
        &group,
        &[
            (
                now - 180 * MIN_MS,
                "ERROR conflicto.jobs nightly-report timed out",
            ),
            (
                now - 10 * MIN_MS,
                "ERROR conflicto.api join failed name=\"<script>alert(1)</script>\"",
            ),
            (
                now - 9 * MIN_MS,
                "\u{1b}[31mERROR\u{1b}[0m conflicto.api colour\u{7} bell",
            ),
            (now - 5 * MIN_MS, "INFO conflicto.api all fine"),
            (
                now - 2 * MIN_MS,
                "ValueError Exception raised in /api/v1/votes",
            ),
        ],
    )
    .await;

    let (m, g) = (moto.clone(), group.clone());
    let app = TestApp::builder()
        .configure(move |s| only_logs(s, &m, &g, &[SearchKind::Errors, SearchKind::Exceptions]))
        .clouds(server::startup::Clouds::Real {
            credentials: Some(credentials()),
        })
        .spawn()
        .await;
    let status = app
        .wait_for(Duration::from_secs(20), "the errors counted", |s| {
            search(s, "errors")["complete"] == true
        })
        .await;
    let errors = search(&status, "errors");
    assert_eq!(errors["overnight"], 3, "{errors:#}");
    assert_eq!(errors["last_hour"], 2, "{errors:#}");
    assert_eq!(errors["last_15m"], 2, "{errors:#}");
    assert_eq!(search(&status, "exceptions")["overnight"], 1);
    assert!(status["clouds"][0]["logs"]["error"].is_null());

    // The lines, for an operator: cleaned, and kept as text.
    let page: serde_json::Value = app
        .get("/api/fn/logs?env=prod")
        .await
        .json()
        .await
        .expect("logs page JSON");
    let texts: Vec<&str> = page["lines"][0]["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(
        texts[0].starts_with("ERROR conflicto.api colour␇ bell"),
        "newest first, colour codes gone, BEL shown: {texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t.contains("<script>alert(1)</script>")));
    let (code, html) = app.text("/env/prod/logs").await;
    assert_eq!(code, 200);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped on the page"
    );
    assert!(!html.contains("<script>alert(1)"), "never markup");

    // A new line is found by the next round, which reads only what is new.
    put(
        &logs,
        &group,
        &[(
            chrono::Utc::now().timestamp_millis(),
            "ERROR conflicto.api again",
        )],
    )
    .await;
    app.wait_for(Duration::from_secs(20), "the new line counted", |s| {
        search(s, "errors")["last_15m"] == 3
    })
    .await;
    let (_, metrics) = app.text("/metrics").await;
    assert!(
        metrics.contains("operation=\"logs:FilterLogEvents\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("opsdeck_logs_budget_calls_total{budget=\"us-east-1 at"),
        "{metrics}"
    );
}

/// A local CloudWatch Logs: FilterLogEvents answered as documented, every request recorded.
mod stub {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    use wiremock::matchers::{header, method};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    #[derive(Clone)]
    pub struct Logs {
        pub throttle: Arc<AtomicBool>,
        pub seen: Arc<Mutex<Vec<(Instant, serde_json::Value)>>>,
        /// The events' times are fixed when the stub starts, as a log group's are.
        pub started_ms: i64,
    }

    impl Respond for Logs {
        fn respond(&self, req: &Request) -> ResponseTemplate {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            self.seen
                .lock()
                .unwrap()
                .push((Instant::now(), body.clone()));
            if self.throttle.load(Ordering::SeqCst) {
                return ResponseTemplate::new(400)
                    .insert_header("content-type", "application/x-amz-json-1.1")
                    .set_body_string(
                        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                    );
            }
            let now = self.started_ms;
            // Two slow requests, as CloudWatch returns them for a space-delimited pattern.
            let events = if body["filterPattern"]
                .as_str()
                .is_some_and(|p| p.contains("response_time >"))
            {
                serde_json::json!([
                    {"logStreamName": "web/1", "timestamp": now - 120_000, "message": "2026-12-07T08:00:00Z req-1 GET /api/v1/polls 200 2412", "ingestionTime": now, "eventId": "37412345678901234567890123456789012345678901234567890001"},
                    {"logStreamName": "web/1", "timestamp": now - 60_000, "message": "2026-12-07T08:01:00Z req-2 GET /api/v1/polls 200 5120", "ingestionTime": now, "eventId": "37412345678901234567890123456789012345678901234567890002"}
                ])
            } else {
                serde_json::json!([])
            };
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_json(serde_json::json!({"events": events, "searchedLogStreams": []}))
        }
    }

    pub async fn start() -> (Logs, MockServer) {
        let logs = Logs {
            throttle: Arc::default(),
            seen: Arc::default(),
            started_ms: chrono::Utc::now().timestamp_millis(),
        };
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(header("x-amz-target", "Logs_20140328.FilterLogEvents"))
            .respond_with(logs.clone())
            .mount(&server)
            .await;
        (logs, server)
    }

    impl Logs {
        pub fn throttle(&self, on: bool) {
            self.throttle.store(on, Ordering::SeqCst);
        }

        pub fn requests(&self) -> Vec<(Instant, serde_json::Value)> {
            self.seen.lock().unwrap().clone()
        }
    }
}

#[tokio::test]
async fn a_throttled_read_keeps_the_last_counts_marked_stale() {
    let (logs, server) = stub::start().await;
    let url = server.uri();
    let app = TestApp::builder()
        .configure(move |s| {
            only_logs(
                s,
                &url,
                "/ecs/conflicto-backend-prod",
                &[SearchKind::SlowRequests],
            )
        })
        .clouds(server::startup::Clouds::Real {
            credentials: Some(credentials()),
        })
        .spawn()
        .await;
    let status = app
        .wait_for(Duration::from_secs(20), "slow requests counted", |s| {
            search(s, "slow_requests")["last_hour"] == 2
        })
        .await;
    assert!(status["clouds"][0]["logs"]["error"].is_null());
    // What moto cannot check: the space-delimited pattern goes to CloudWatch as configured.
    let sent = logs.requests();
    let first = &sent[0].1;
    assert_eq!(
        first["filterPattern"],
        "[timestamp, request_id, method, path, status_code, response_time > 2000]"
    );
    assert_eq!(first["logGroupName"], "/ecs/conflicto-backend-prod");
    assert!(first["startTime"].as_i64() < first["endTime"].as_i64());

    logs.throttle(true);
    let status = app
        .wait_for(Duration::from_secs(20), "the throttling said", |s| {
            !s["clouds"][0]["logs"]["error"].is_null()
        })
        .await;
    let error = status["clouds"][0]["logs"]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(
        error.contains("ThrottlingException: logs:FilterLogEvents")
            && error.contains("slow down (Rate exceeded)"),
        "{error}"
    );
    assert_eq!(
        search(&status, "slow_requests")["last_hour"],
        2,
        "the last counts are kept"
    );
    let (_, html) = app.text("/env/prod/logs").await;
    assert!(
        html.contains("Rate exceeded"),
        "the error in words on the page"
    );
    assert!(html.contains("Showing the last counts read."));
}

#[tokio::test]
async fn every_search_and_many_tails_keep_within_the_budget() {
    let (logs, server) = stub::start().await;
    let url = server.uri();
    let app = TestApp::builder()
        .configure(move |s| {
            only_logs(s, &url, "/ecs/conflicto-backend-prod", &SearchKind::ALL);
            s.logs.calls_per_second = 2;
            s.logs.refresh = Duration::from_millis(100);
            s.logs.tail_every = Duration::from_millis(100);
            s.limits.live_streams_per_session = 100;
        })
        .clouds(server::startup::Clouds::Real {
            credentials: Some(credentials()),
        })
        .spawn()
        .await;
    // Forty viewers of the same tail, from one signed-in client.
    let mut tails = Vec::new();
    for _ in 0..40 {
        let r = app.get("/api/v1/logs/tail?env=prod&filter=ERROR").await;
        assert_eq!(r.status(), 200);
        tails.push(r);
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    let seen = logs.requests();
    let (first, last) = (seen[0].0, seen[seen.len() - 1].0);
    let span = (last - first).as_secs_f64();
    // Spaced by the budget: n calls need (n - 1) half-seconds; a little slack for the network.
    assert!(
        (seen.len() as f64) <= span * 2.0 + 2.0,
        "{} calls in {span:.2} s at 2 per second",
        seen.len()
    );
    let tail_calls = seen
        .iter()
        .filter(|(_, b)| b.get("filterPattern").is_none())
        .count();
    let search_calls = seen.len() - tail_calls;
    assert!(
        tail_calls > 0 && search_calls > 0,
        "both share the budget: {tail_calls} tail, {search_calls} search calls"
    );
    let (_, metrics) = app.text("/metrics").await;
    assert!(
        metrics.contains("opsdeck_logs_budget_waits_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("opsdeck_log_tails 1"),
        "one tail for forty viewers: {metrics}"
    );
    drop(tails);
}

/// Who may read log lines, and what a tail sends: viewers get the counts only (403 in words for
/// the lines and the tail), a filter CloudWatch would refuse is refused before any stream opens,
/// and the simulated app's hostile lines arrive as JSON text, filtered on the server.
#[tokio::test]
async fn lines_are_for_operators_and_the_tail_filters_on_the_server() {
    use futures::StreamExt;
    let app = TestApp::builder().spawn().await;
    app.inject("prod", app::domain::Fault::Error5xx).await;
    let (vera, _) = opsdeck_tests::signed_in_client(&app.base, "vera").await;
    for path in ["/api/fn/logs?env=prod", "/api/v1/logs/tail?env=prod"] {
        let r = vera
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(
            r.text().await.unwrap().contains("operator or approver"),
            "{path}"
        );
    }
    let r = app.get("/api/v1/logs/tail?env=prod&filter=ERROR%3A").await;
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("put terms with characters other than letters"));
    let r = app.get("/api/v1/logs/tail?env=nowhere").await;
    assert_eq!(r.status(), 404);

    // The tail of prod, filtered to ERROR: every line sent matches, markup arrives as text.
    let r = app.get("/api/v1/logs/tail?env=prod&filter=ERROR").await;
    assert_eq!(r.status(), 200);
    let mut body = r.bytes_stream();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !seen.contains("<script>alert('opsdeck')</script>") {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("an ERROR line within 20 s")
            .expect("the stream goes on")
            .expect("bytes");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    let lines: Vec<serde_json::Value> = seen
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .flat_map(|b| b["lines"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l["text"].as_str().unwrap_or_default().contains("ERROR"),
            "{l}"
        );
    }
}
