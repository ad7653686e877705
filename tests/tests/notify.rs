//! Webhook notifications at least once, in order, across a takeover: a webhook that fails the
//! first tries gets every message once it recovers, in the order things happened; a process that
//! takes over continues from the last message delivered (kept in Postgres), not from the newest
//! event; and values people typed are shown, never acted on by Slack.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use opsdeck_tests::people::{person, until_state};
use opsdeck_tests::{fresh_database, wait_until, TestApp};
use secrecy::SecretString;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A Slack-compatible incoming webhook that fails the first `fail_first` posts, or every post
/// while `down`.
#[derive(Default)]
struct Hook {
    fail_first: AtomicUsize,
    down: AtomicBool,
    tries: AtomicUsize,
    accepted: Mutex<Vec<String>>,
}

async fn post(State(hook): State<Arc<Hook>>, Json(body): Json<serde_json::Value>) -> StatusCode {
    let n = hook.tries.fetch_add(1, Ordering::SeqCst);
    if hook.down.load(Ordering::SeqCst) || n < hook.fail_first.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    hook.accepted.lock().unwrap().push(text);
    StatusCode::OK
}

async fn hook(fail_first: usize) -> (Arc<Hook>, String) {
    let hook = Arc::new(Hook::default());
    hook.fail_first.store(fail_first, Ordering::SeqCst);
    let app = axum::Router::new()
        .route("/services/T0/B0/X", axum::routing::post(post))
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/services/T0/B0/X", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (hook, url)
}

async fn app(db: SecretString, url: &str) -> TestApp {
    let url = url.to_owned();
    TestApp::builder()
        .database(db)
        .configure(move |s| {
            s.notify = Some(server::config::NotifySettings {
                webhook_url: SecretString::from(url),
                templates: Default::default(),
                public_url: Some("https://opsdeck.example.com/".parse().unwrap()),
            });
        })
        .spawn()
        .await
}

/// Oscar asks for a restart of dev with `reason`; Alice approves; it runs. Three messages.
async fn restart(app: &TestApp, reason: &str) -> i64 {
    let (code, body) = person(app, "oscar")
        .await
        .request(
            app,
            &[("env", "dev"), ("kind", "restart"), ("reason", reason)],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().unwrap();
    person(app, "alice")
        .await
        .decide(app, id, "approve", "ok")
        .await;
    until_state(app, id, "succeeded", Duration::from_secs(10)).await;
    id
}

async fn accepted(hook: &Hook, n: usize, within: Duration) -> Vec<String> {
    wait_until(within, &format!("{n} messages accepted"), || async {
        let got = hook.accepted.lock().unwrap().clone();
        if got.len() >= n {
            Ok(got)
        } else {
            Err(format!("{got:?}"))
        }
    })
    .await
}

#[tokio::test]
async fn a_failing_webhook_gets_every_message_in_order_and_values_cannot_act() {
    let (hook, url) = hook(2).await;
    let app = app(fresh_database().await, &url).await;
    tokio::time::sleep(Duration::from_millis(500)).await; // the notifier takes over
    let hostile = "<!channel> open <https://evil.example|Approve> & {requester}";
    let id = restart(&app, hostile).await;
    let got = accepted(&hook, 3, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 3, "each message once: {got:?}");
    assert!(
        hook.tries.load(Ordering::SeqCst) >= 5,
        "two failed tries came first"
    );
    assert!(got[0].contains("asks"), "requested first: {got:?}");
    assert!(
        got[1].contains(&format!("approved request {id}")),
        "{got:?}"
    );
    assert!(got[2].contains("*succeeded*"), "{got:?}");
    assert!(
        got[0].contains(
            "&lt;!channel&gt; open &lt;https://evil.example|Approve&gt; &amp; {requester}"
        ),
        "shown, not acted on, not expanded: {}",
        got[0]
    );
    assert!(!got[0].contains("<!channel>") && !got[0].contains("<https://evil"));
}

#[tokio::test]
async fn a_process_that_takes_over_continues_from_the_last_message_delivered() {
    let (hook, url) = hook(0).await;
    let db = fresh_database().await;
    let first = app(db.clone(), &url).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    restart(&first, "before the outage").await;
    accepted(&hook, 3, Duration::from_secs(10)).await;

    // The webhook goes down; more happens; the notifying process stops with messages unsent.
    hook.down.store(true, Ordering::SeqCst);
    restart(&first, "during the outage").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    first.started.shutdown().await;

    // Another process takes over; the webhook recovers.
    let second = app(db, &url).await;
    hook.down.store(false, Ordering::SeqCst);
    let got = accepted(&hook, 6, Duration::from_secs(30)).await;
    let during: Vec<&String> = got
        .iter()
        .filter(|t| t.contains("during the outage"))
        .collect();
    assert_eq!(
        during.len(),
        1,
        "the request made during the outage was announced: {got:?}"
    );
    assert_eq!(
        got.iter()
            .filter(|t| t.contains("before the outage"))
            .count(),
        1,
        "what was delivered before is not sent again: {got:?}"
    );
    // Later events come later.
    let asked = got
        .iter()
        .position(|t| t.contains("during the outage"))
        .unwrap();
    assert!(
        got[asked + 1..].iter().any(|t| t.contains("*succeeded*")),
        "{got:?}"
    );
    drop(second);
}
