//! The morning and weekly checks through the whole server against the demo's simulated world:
//! the certificate the probe's handshake read (production is served over https by a simulated CA,
//! its certificate 12 days from expiry), a scheduled task that fails, the morning check due by a
//! configured time with the webhook reminding once, the weekly check signed with its manual items
//! ticked, and a restore recorded as a drill.

use opsdeck_tests::people::{person, until_state};
use opsdeck_tests::{wait_until, TestApp};
use std::time::Duration;

fn item(c: &serde_json::Value, key: &str) -> serde_json::Value {
    c["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["key"] == key).cloned())
        .unwrap_or_else(|| panic!("no {key} in {c:#}"))
}

async fn json(app: &TestApp, path: &str) -> serde_json::Value {
    app.get(path)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn the_morning_check_reads_the_certificate_and_a_failed_scheduled_task() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(|s| s.aws.scheduled_tasks_interval = Duration::from_millis(500))
        .spawn()
        .await;
    let s = app
        .wait_for(
            Duration::from_secs(30),
            "prod's certificate read and its scheduled tasks polled",
            |s| {
                s["environments"][0]["probes"][0]["certificate"].is_object()
                    && s["clouds"][0]["tasks"]["value"].is_object()
            },
        )
        .await;
    let cert = &s["environments"][0]["probes"][0]["certificate"];
    assert_eq!(cert["issuer"], "CN=opsdeck simulated CA");
    assert!(s["environments"][0]["base_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://localhost:")));

    let now = json(&app, "/api/fn/morning_check").await;
    let certs = item(&now, "certificates");
    assert_eq!(certs["state"], "Fail", "{certs:#}");
    let words = certs["evidence"].as_str().unwrap_or_default();
    assert!(
        words.contains("prod: expires in 11 days") || words.contains("prod: expires in 12 days"),
        "{words}"
    );
    assert!(
        !words.contains("dev:"),
        "dev is plain http: no certificate to judge"
    );
    assert_eq!(item(&now, "scheduled_tasks")["state"], "Pass", "{now:#}");

    // The nightly job fails: within a poll the item is red with the task's reason.
    let family = app
        .world()
        .cloud(&opsdeck_tests::env("prod"))
        .expect("prod's cloud")
        .fail_nightly_job();
    let later = wait_until(
        Duration::from_secs(20),
        "the failed run in the morning check",
        || async {
            let c = json(&app, "/api/fn/morning_check").await;
            if item(&c, "scheduled_tasks")["state"] == "Fail" {
                Ok(c)
            } else {
                Err(format!("{c:#}"))
            }
        },
    )
    .await;
    let tasks = item(&later, "scheduled_tasks");
    let words = tasks["evidence"].as_str().unwrap_or_default();
    assert!(
        words.contains(&family) && words.contains("exit 1"),
        "{words}"
    );
    assert_eq!(tasks["href"], "/env/prod#scheduled");
    let remembered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM scheduled_task_runs WHERE environment = 'prod' AND exit_code = 1",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("count");
    assert_eq!(remembered, 1, "opsdeck keeps the run ECS will forget");

    // The environment page shows both, as text.
    let (_, page) = app.text("/env/prod").await;
    assert!(page.contains("TLS certificate"), "{page}");
    assert!(page.contains("CN=opsdeck simulated CA"), "{page}");
    assert!(page.contains("localhost, 127.0.0.1"), "{page}");
    assert!(page.contains("Scheduled tasks (ECS)"), "{page}");
    assert!(page.contains("data-failed=\"true\""), "{page}");
    // The wall names a certificate that close to expiry.
    let (_, wall) = app.text("/wall").await;
    assert!(wall.contains("TLS certificate expires in 1"), "{wall}");
}

#[tokio::test]
async fn an_unsigned_morning_check_is_announced_past_its_time_and_the_webhook_reminds_once() {
    let hook = opsdeck_tests::webhook::Webhook::start().await;
    let notify = hook.settings();
    let clock = opsdeck_tests::TestClock::new();
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .clock(clock.clone())
        .configure(move |s| {
            s.notify = Some(notify);
            let c = &mut s.routines.checks;
            c.time_zone = chrono_tz::Europe::Berlin;
            c.working_days = vec![
                chrono::Weekday::Mon,
                chrono::Weekday::Tue,
                chrono::Weekday::Wed,
                chrono::Weekday::Thu,
                chrono::Weekday::Fri,
                chrono::Weekday::Sat,
                chrono::Weekday::Sun,
            ];
            // Due an hour from now, local time: not yet overdue.
            let due = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin)
                + chrono::Duration::hours(1);
            c.morning_by = Some(due.time());
        })
        .spawn()
        .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let s = app.status_json().await;
    // Unless the hour crosses midnight in Berlin, nothing is due yet.
    let crosses = (chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin)
        + chrono::Duration::hours(1))
    .date_naive()
        != chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Berlin)
            .date_naive();
    if !crosses {
        assert_eq!(
            s["incidents"]["checks_due"].as_array().map(Vec::len),
            Some(0),
            "{s:#}"
        );
    }

    clock.advance(chrono::Duration::minutes(90));
    let s = app
        .wait_for(Duration::from_secs(15), "the morning check overdue", |s| {
            s["incidents"]["checks_due"][0]["kind"] == "morning"
        })
        .await;
    assert!(s["incidents"]["checks_due"][0]["due_words"]
        .as_str()
        .is_some_and(|w| w.contains("Europe/Berlin on every day")));
    let texts = hook
        .wait_for("morning check", 1, Duration::from_secs(20))
        .await;
    assert!(
        texts[0].contains("Nobody has signed off today's morning check")
            && texts[0].contains("https://opsdeck.example.com/checks/morning"),
        "{}",
        texts[0]
    );
    // An operator sees it on the dashboard; the check's page says it is past due.
    let oscar = person(&app, "oscar").await;
    let dash = oscar
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("dashboard")
        .text()
        .await
        .expect("body");
    assert!(dash.contains("data-check-due=\"morning\""), "{dash}");
    let (code, _) = oscar
        .post(&app, "sign_off_morning", &[("note", "all fine")])
        .await;
    assert_eq!(code, 200);
    app.wait_for(
        Duration::from_secs(15),
        "the notice gone after the sign-off",
        |s| {
            s["incidents"]["checks_due"]
                .as_array()
                .is_some_and(Vec::is_empty)
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        hook.texts("morning check").await.len(),
        1,
        "reminded once that day"
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'checks.morning.overdue'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("count");
    assert_eq!(told, 1);
}

#[tokio::test]
async fn the_weekly_check_is_signed_with_its_ticks_and_a_restore_drill_counts() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .spawn()
        .await;
    let s = app
        .wait_for(Duration::from_secs(30), "prod's backups read", |s| {
            s["clouds"][0]["backups"]["value"]["automated"][0]["id"].is_string()
        })
        .await;
    let snapshot = s["clouds"][0]["backups"]["value"]["automated"][0]["id"]
        .as_str()
        .expect("snapshot")
        .to_owned();
    let weekly = json(&app, "/api/fn/weekly_check").await;
    assert_eq!(
        item(&weekly, "restore_drill")["state"],
        "Fail",
        "{weekly:#}"
    );
    assert_eq!(weekly["manual"].as_array().map(Vec::len), Some(2));

    let (vera, oscar, alice, abel) = (
        person(&app, "vera").await,
        person(&app, "oscar").await,
        person(&app, "alice").await,
        person(&app, "abel").await,
    );
    // A restore through change control, approved by two people, done by the simulated AWS.
    let (code, body) = oscar
        .request(
            &app,
            &[
                ("env", "prod"),
                ("kind", "restore"),
                ("snapshot", &snapshot),
                ("new_instance", "conflicto-prod-drill"),
                ("reason", "monthly restore drill"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let id: i64 = body.trim().parse().expect("id");
    let id_text = id.to_string();
    let fields = [
        ("request_id", id_text.as_str()),
        ("restored", "yes"),
        ("data_checked", "yes"),
        ("note", "row counts match <b>prod</b>"),
    ];
    let (code, body) = oscar.post(&app, "record_drill", &fields).await;
    assert_eq!(code, 409, "not before the restore succeeded: {body}");
    for p in [&alice, &abel] {
        let (code, body) = p.decide(&app, id, "approve", "").await;
        assert_eq!(code, 200, "{body}");
    }
    until_state(&app, id, "succeeded", Duration::from_secs(20)).await;
    assert_eq!(vera.post(&app, "record_drill", &fields).await.0, 403);
    let (code, body) = oscar.post(&app, "record_drill", &fields).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = oscar.post(&app, "record_drill", &fields).await;
    assert_eq!(code, 409, "once per restore: {body}");

    let weekly = json(&app, "/api/fn/weekly_check").await;
    let d = item(&weekly, "restore_drill");
    assert_eq!(d["state"], "Pass", "{d:#}");
    assert!(d["evidence"]
        .as_str()
        .is_some_and(|e| e.contains("instance NOT cleaned up yet")));
    let (_, page) = app.text(&format!("/requests/{id}")).await;
    assert!(
        page.contains("Recorded as a restore drill by Oscar Operator"),
        "{page}"
    );
    assert!(
        page.contains("row counts match &lt;b&gt;prod&lt;/b&gt;"),
        "the note is text"
    );

    // Signing: a viewer may not; an index that is not an item is refused in words.
    assert_eq!(
        vera.post(&app, "sign_off_weekly", &[("note", "")]).await.0,
        403
    );
    let (code, body) = oscar
        .post(&app, "sign_off_weekly", &[("note", ""), ("done[0]", "7")])
        .await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("is not one of the weekly check's 2 manual items"),
        "{body}"
    );
    let (code, body) = oscar
        .post(
            &app,
            "sign_off_weekly",
            &[("note", "patched"), ("done[0]", "0")],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let weekly = json(&app, "/api/fn/weekly_check").await;
    let signed = &weekly["signoffs"][0];
    assert_eq!(signed["by"], "Oscar Operator");
    assert_eq!(item(signed, "manual_0")["state"], "Pass");
    assert_eq!(item(signed, "manual_1")["state"], "Fail");
    assert_eq!(item(signed, "restore_drill")["state"], "Pass");
    let (_, page) = app.text("/checks/weekly").await;
    assert!(page.contains("1 of 2 manual items ticked"), "{page}");
}
