//! Deploy safety through the whole server, against the demo's simulated GitHub and Postgres: the
//! pre-deploy checklist refuses a commit that skipped dev until an approver overrides it with a
//! reason, the override is recorded and reviewed once by someone else; a change freeze refuses
//! deploy approvals and non-emergency actions (rollbacks still pass), an override is recorded,
//! and the freeze shows on the pages while it lasts.

use opsdeck_tests::people::{person, Person};
use opsdeck_tests::{wait_until, TestApp};
use std::time::Duration;

async fn app() -> TestApp {
    TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(|s| s.github.interval = Duration::from_millis(300))
        .spawn()
        .await
}

/// Wait until run `run` waits at prod's gate in the live panel.
async fn at_the_gate(app: &TestApp, run: u64) {
    app.wait_for(Duration::from_secs(20), "the run at prod's gate", |s| {
        s["clouds"][0]["deploys"]["value"]["gates"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["run"]["id"] == run))
    })
    .await;
}

async fn first_gate(app: &TestApp) -> u64 {
    let s = app
        .wait_for(
            Duration::from_secs(20),
            "a run at prod's gate, prod healthy",
            |s| {
                s["clouds"][0]["deploys"]["value"]["gates"][0]["run"]["id"].is_u64()
                    && TestApp::level(s, "prod") == "ok"
            },
        )
        .await;
    s["clouds"][0]["deploys"]["value"]["gates"][0]["run"]["id"]
        .as_u64()
        .expect("run id")
}

async fn approve(p: &Person, app: &TestApp, run: u64, extra: &[(&str, &str)]) -> (u16, String) {
    let run = run.to_string();
    let mut fields = vec![
        ("env", "prod"),
        ("run_id", run.as_str()),
        ("decision", "approve"),
        ("comment", ""),
    ];
    fields.extend_from_slice(extra);
    p.post(app, "review_deploy", &fields).await
}

async fn overrides(
    app: &TestApp,
) -> Vec<(i64, String, serde_json::Value, serde_json::Value, String)> {
    sqlx::query_as("SELECT id, by_name, subject, what, reason FROM overrides ORDER BY id")
        .fetch_all(&app.pool().await)
        .await
        .expect("overrides")
}

#[tokio::test]
async fn the_gate_refuses_a_commit_that_skipped_dev_until_an_approver_overrides_it() {
    let app = app().await;
    let _ = first_gate(&app).await;
    let run = app.world().github.untested_hotfix_waiting();
    at_the_gate(&app, run).await;
    let (alice, abel) = (person(&app, "alice").await, person(&app, "abel").await);

    // It sits on top of 1.4.3's migration: Alice has read it, which is not enough.
    let read = ("migrations_reviewed", "on");
    let (code, body) = approve(&alice, &app, run, &[read]).await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("Tested in dev first: this commit was never deployed to dev successfully"),
        "{body}"
    );
    assert!(body.contains("override reason"), "{body}");
    assert!(
        app.world().github.reviews().is_empty(),
        "nothing reached GitHub"
    );
    // A rejection is never held up by the checklist.
    assert!(overrides(&app).await.is_empty());

    let (code, body) = approve(
        &alice,
        &app,
        run,
        &[
            read,
            (
                "override_reason",
                "checkout is broken in prod; dev is down for maintenance",
            ),
        ],
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(app.world().github.reviews().len(), 1);
    let recorded = overrides(&app).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let (id, by, subject, what, reason) = &recorded[0];
    assert_eq!(by, "Alice Approver");
    assert_eq!(subject["Deploy"]["run_id"], run);
    assert!(
        what[0]
            .as_str()
            .unwrap_or_default()
            .starts_with("Tested in dev first"),
        "{what}"
    );
    assert!(reason.starts_with("checkout is broken"));
    let review: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE action = 'deploy.review' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("review event");
    assert_eq!(review["override"], *id, "the review names its override");
    assert_eq!(review["checklist"]["tested_first"], "Fail");

    // Reviewed by someone else, once.
    let (code, body) = alice
        .post(&app, "review_override", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 403, "{body}");
    assert!(
        body.contains("someone other than the person who overrode"),
        "{body}"
    );
    let (code, body) = abel
        .post(&app, "review_override", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = abel
        .post(&app, "review_override", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("reviewed already, by Abel Approver"),
        "{body}"
    );
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action IN ('override', 'override.reviewed')",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("count");
    assert_eq!(events, 2);
}

#[tokio::test]
async fn a_freeze_refuses_deploys_and_risky_actions_until_overridden_and_shows_on_every_page() {
    let app = app().await;
    let gate_run = first_gate(&app).await;
    let (oscar, alice, abel, vera) = (
        person(&app, "oscar").await,
        person(&app, "alice").await,
        person(&app, "abel").await,
        person(&app, "vera").await,
    );
    let ask = |kind: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let oscar = &oscar;
        let app = &app;
        async move {
            let mut f = vec![("env", "prod"), ("kind", kind), ("reason", "routine")];
            f.extend(extra);
            let (code, body) = oscar.request(app, &f).await;
            assert_eq!(code, 200, "{body}");
            body.trim().parse::<i64>().expect("id")
        }
    };
    let restart = ask("restart", vec![]).await;

    // Bad freezes are refused in words; a viewer may not freeze anything.
    for (fields, code, words) in [
        (
            vec![("reason", "  "), ("hours", "4")],
            400,
            "needs a reason",
        ),
        (vec![("reason", "x"), ("hours", "0")], 400, "1 to 336 hours"),
        (
            vec![("reason", "x"), ("hours", "soon")],
            400,
            "is not a number of hours",
        ),
    ] {
        let (c, body) = alice.post(&app, "declare_freeze", &fields).await;
        assert_eq!(c, code, "{fields:?}: {body}");
        assert!(body.contains(words), "{body}");
    }
    let (c, _) = vera
        .post(&app, "declare_freeze", &[("reason", "x"), ("hours", "1")])
        .await;
    assert_eq!(c, 403);
    let (c, body) = alice
        .post(
            &app,
            "declare_freeze",
            &[("reason", "Black Friday <b>peak</b>"), ("hours", "24")],
        )
        .await;
    assert_eq!(c, 200, "{body}");

    // The banner, rendered with the dashboard (other pages get it from the live stream), escaped.
    let page = wait_until(Duration::from_secs(10), "the freeze banner", || async {
        let (_, page) = app.text("/").await;
        if page.contains("data-freeze=") {
            Ok(page)
        } else {
            Err("no banner yet".to_owned())
        }
    })
    .await;
    assert!(page.contains("Change freeze until"), "{page}");
    assert!(
        page.contains("Black Friday &lt;b&gt;peak&lt;/b&gt;"),
        "escaped"
    );

    // A restart needs an override now; a rollback (an emergency step) does not.
    let (code, body) = alice.decide(&app, restart, "approve", "").await;
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("refused during the change freeze"), "{body}");
    assert!(body.contains("Black Friday"), "{body}");
    assert_eq!(opsdeck_tests::people::state(&app, restart).await, "pending");
    let (code, body) = alice
        .post(
            &app,
            "decide_request",
            &[
                ("id", &restart.to_string()),
                ("decision", "approve"),
                ("comment", ""),
                ("override_reason", "tasks stuck, customers see errors"),
            ],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let rollback = ask("rollback", vec![("version", "1.4.1")]).await;
    let (code, body) = alice.decide(&app, rollback, "approve", "").await;
    assert_eq!(code, 200, "{body}");

    // The deploy waiting at the gate: refused with the freeze's reason, like the checklist says.
    let (code, body) = approve(&alice, &app, gate_run, &[("migrations_reviewed", "on")]).await;
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("Not inside a change freeze"), "{body}");

    let recorded = overrides(&app).await;
    assert_eq!(
        recorded.len(),
        1,
        "only the restart was overridden: {recorded:?}"
    );
    assert_eq!(recorded[0].2["Request"]["id"], restart);
    assert!(recorded[0].3[0]
        .as_str()
        .unwrap_or_default()
        .contains("Black Friday"));

    // Abel ends it; approvals pass again.
    let id: i64 = sqlx::query_scalar("SELECT id FROM freezes")
        .fetch_one(&app.pool().await)
        .await
        .expect("freeze");
    let (code, body) = abel
        .post(&app, "end_freeze", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, _) = abel
        .post(&app, "end_freeze", &[("id", &id.to_string())])
        .await;
    assert_eq!(code, 404, "ended already");
    wait_until(Duration::from_secs(10), "the banner gone", || async {
        let (_, page) = app.text("/actions").await;
        if page.contains("data-freeze=") {
            Err("still there".to_owned())
        } else {
            Ok(())
        }
    })
    .await;
    let (code, body) = approve(&alice, &app, gate_run, &[("migrations_reviewed", "on")]).await;
    assert_eq!(code, 200, "{body}");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'freeze.%' ORDER BY id",
    )
    .fetch_all(&app.pool().await)
    .await
    .expect("events");
    assert_eq!(actions, vec!["freeze.declared", "freeze.ended"]);
}

/// A configured window in force: its name and reason in the refusal, without anyone declaring it.
#[tokio::test]
async fn a_configured_window_freezes_by_itself() {
    use server::config::{FreezeWindow, WindowSpan};
    let now = chrono::Utc::now().naive_utc();
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(move |s| {
            s.github.interval = Duration::from_millis(300);
            s.routines.freeze_windows = vec![FreezeWindow {
                name: "release week".into(),
                reason: "the quarterly release is being certified".into(),
                time_zone: chrono_tz::UTC,
                span: WindowSpan::Dated {
                    from: now - chrono::Duration::hours(1),
                    to: now + chrono::Duration::hours(1),
                },
            }];
        })
        .spawn()
        .await;
    let run = first_gate(&app).await;
    let alice = person(&app, "alice").await;
    let (code, body) = approve(&alice, &app, run, &[("migrations_reviewed", "on")]).await;
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("(release week): the quarterly release is being certified"),
        "{body}"
    );
}

/// The runbook's "monitor for 30 minutes after deploying": approving 1.4.3 deploys it, a watch
/// starts by itself with the minutes before as its baseline; the simulated app then slows down
/// (answers in ~3 s, errors ~2.5 %) and the watch turns "worse", offers the rollback to the last
/// known good version, and keeps the verdict in the audit log.
#[tokio::test]
async fn a_deploy_is_watched_and_a_slowdown_after_it_offers_the_rollback() {
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(|s| {
            s.github.interval = Duration::from_millis(300);
            s.aws.metrics_interval = Duration::from_millis(500);
            // Slow answers (2.5–3.5 s) are slow, not timeouts: health degraded, not down.
            s.probe.timeout = Duration::from_secs(5);
        })
        .spawn()
        .await;
    let run = first_gate(&app).await;
    let alice = person(&app, "alice").await;
    let (code, body) = approve(&alice, &app, run, &[("migrations_reviewed", "on")]).await;
    assert_eq!(code, 200, "{body}");

    let pool = app.pool().await;
    let watch = |pool: sqlx::PgPool| async move {
        sqlx::query_as::<_, (i64, i64, String, String)>(
            "SELECT id, run_id, worst, what FROM deploy_watches WHERE environment = 'prod'",
        )
        .fetch_optional(&pool)
        .await
        .expect("watches")
    };
    let (id, watched_run, worst, what) =
        wait_until(Duration::from_secs(40), "a watch of prod", || {
            let pool = pool.clone();
            async move { watch(pool).await.ok_or_else(|| "none yet".to_owned()) }
        })
        .await;
    assert_eq!((watched_run as u64, worst.as_str()), (run, "fine"));
    assert!(what.contains("Presenter view"), "{what}");

    app.inject("prod", app::domain::Fault::Slow).await;
    wait_until(Duration::from_secs(30), "the watch turning worse", || {
        let pool = pool.clone();
        async move {
            match watch(pool).await {
                Some((_, _, w, _)) if w == "worse" => Ok(()),
                other => Err(format!("{other:?}")),
            }
        }
    })
    .await;

    // What the pages get: the verdict, why, and where a rollback goes (1.4.2, deployed before).
    let dash = wait_until(Duration::from_secs(10), "the pages told", || async {
        let dash: serde_json::Value = app
            .get("/api/fn/dashboard")
            .await
            .json()
            .await
            .expect("dashboard");
        if dash["incidents"]["watches"][0]["worst"] == "worse" {
            Ok(dash)
        } else {
            Err(format!("{:#}", dash["incidents"]["watches"]))
        }
    })
    .await;
    let w = &dash["incidents"]["watches"][0];
    assert_eq!(w["id"], id);
    assert_eq!(w["worst"], "worse", "{w:#}");
    let why = w["worst_reasons"].to_string();
    assert!(
        why.contains("response time") || why.contains("error rate"),
        "{why}"
    );
    assert!(
        w["rollback_to"][1]
            .as_str()
            .unwrap_or_default()
            .contains("Cap websocket fan-out"),
        "{w:#}"
    );
    let (_, page) = app.text("/").await;
    assert!(
        page.contains("data-verdict=\"worse\""),
        "the dashboard shows the watch"
    );
    assert!(
        page.contains("data-watch-rollback=\"prod\""),
        "and offers the rollback"
    );
    assert!(page.contains("kind=rollback"), "pre-filled");

    let verdicts: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT action, details FROM audit_events WHERE action LIKE 'deploy.watch.%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("events");
    assert_eq!(verdicts[0].0, "deploy.watch.started");
    assert_eq!(verdicts[1].0, "deploy.watch.verdict");
    assert_eq!(verdicts[1].1["verdict"], "worse");
}

/// The morning check from live data: backups turn overdue when the clock moves 36 hours on, the
/// item goes red with its evidence, and an operator's sign-off keeps who, when, the note and the
/// items as they stood.
#[tokio::test]
async fn the_morning_check_goes_red_when_backups_are_overdue_and_a_person_signs_it_off() {
    let clock = opsdeck_tests::TestClock::new();
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .clock(clock.clone())
        .spawn()
        .await;
    app.wait_for(
        Duration::from_secs(30),
        "prod healthy and its backups read",
        |s| TestApp::level(s, "prod") == "ok" && s["clouds"][0]["backups"]["value"].is_object(),
    )
    .await;
    let check = || async {
        app.get("/api/fn/morning_check")
            .await
            .json::<serde_json::Value>()
            .await
            .expect("the morning check")
    };
    let item = |c: &serde_json::Value, key: &str| -> serde_json::Value {
        c["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["key"] == key).cloned())
            .unwrap_or_else(|| panic!("no {key} in {c:#}"))
    };
    // The log searches' first round reads back to the overnight start through the budget.
    let now = opsdeck_tests::wait_until(
        Duration::from_secs(30),
        "the night's errors counted",
        || async {
            let c = check().await;
            if item(&c, "errors_overnight")["state"] == "Pass" {
                Ok(c)
            } else {
                Err(format!("{c:#}"))
            }
        },
    )
    .await;
    assert_eq!(item(&now, "backups")["state"], "Pass", "{now:#}");
    // The simulated log group had three errors in production's night: within the levels.
    assert!(
        item(&now, "errors_overnight")["evidence"]
            .as_str()
            .is_some_and(|e| e.starts_with(
                "prod: 3 errors, 0 exceptions, 0 server errors (5xx) since 18:00 UTC"
            )),
        "{now:#}"
    );

    clock.advance(chrono::Duration::hours(36));
    let later = check().await;
    let backups = item(&later, "backups");
    assert_eq!(backups["state"], "Fail", "{backups:#}");
    assert!(
        backups["evidence"]
            .as_str()
            .unwrap_or_default()
            .contains("overdue"),
        "{backups:#}"
    );

    let (vera, oscar) = (person(&app, "vera").await, person(&app, "oscar").await);
    let (code, _) = vera
        .post(&app, "sign_off_morning", &[("note", "fine")])
        .await;
    assert_eq!(code, 403, "a viewer may look, not sign");
    let (code, body) = oscar
        .post(
            &app,
            "sign_off_morning",
            &[("note", "backups late: <b>DBA paged</b>")],
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("Checked by Oscar Operator"), "{body}");
    let (code, _) = oscar
        .post(&app, "sign_off_morning", &[("note", &"x".repeat(501))])
        .await;
    assert_eq!(code, 400, "notes are bounded");

    let signed = check().await;
    let s = &signed["signoffs"][0];
    assert_eq!(s["by"], "Oscar Operator");
    assert_eq!(s["note"], "backups late: <b>DBA paged</b>");
    assert_eq!(
        item(s, "backups")["state"],
        "Fail",
        "the items as they stood"
    );
    let (_, page) = app.text("/checks/morning").await;
    assert!(page.contains("Checked by Oscar Operator"), "{page}");
    assert!(
        page.contains("&lt;b&gt;DBA paged&lt;/b&gt;"),
        "the note is text"
    );
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'check.signed_off' AND actor = 'Oscar Operator'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("count");
    assert_eq!(events, 1);
}

/// Approvers hear of a run waiting at the gate, with the checklist's state and a link to its card,
/// and are reminded while it waits — once per run and reminder, whatever the number of viewers.
#[tokio::test]
async fn approvers_are_told_when_a_run_waits_at_the_gate_and_reminded() {
    let hook = opsdeck_tests::webhook::Webhook::start().await;
    let notify = hook.settings();
    let app = TestApp::builder()
        .interval(Duration::from_millis(500))
        .configure(move |s| {
            s.github.interval = Duration::from_millis(300);
            s.routines.gate_remind_every = Duration::from_secs(6);
            s.notify = Some(notify);
        })
        .spawn()
        .await;
    let run = first_gate(&app).await;
    let texts = hook
        .wait_for("approval gate", 2, Duration::from_secs(30))
        .await;
    assert!(
        texts[0].contains("Presenter view: keyboard shortcuts")
            && texts[0].contains("waits at prod's approval gate"),
        "{}",
        texts[0]
    );
    assert!(
        texts[0].contains("checklist: fails (Migrations reviewed"),
        "{}",
        texts[0]
    );
    assert!(
        texts[0].contains(&format!("https://opsdeck.example.com/env/prod#gate-{run}")),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].starts_with(":hourglass_flowing_sand: Still waiting:"),
        "{}",
        texts[1]
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'deploy.gate.waiting'",
    )
    .fetch_one(&app.pool().await)
    .await
    .expect("count");
    assert_eq!(told, 1, "told once per run");
}
